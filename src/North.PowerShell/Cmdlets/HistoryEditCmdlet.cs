using System.Management.Automation;
using North.Core.Fleet;
using North.Core.Migrating;
using North.Core.Targets;
using North.Core.Versions;
using North.PowerShell.Completion;

namespace North.PowerShell.Cmdlets;

/// <summary>
/// Register- and Unregister-NorthMigration: both act on the history rows of one version, or of
/// one file of it, after confirmation, and return the rows they touched.
/// </summary>
public abstract class HistoryEditCmdlet : NorthFleetCmdlet
{
    /// <summary>The version whose migrations to act on (Register: every version up to it).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(VersionCompleter))]
    public string Version { get; set; } = "";

    /// <summary>One migration file of -Version to act on, instead of all of them.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(MigrationNameCompleter))]
    public string? Name { get; set; }

    /// <summary>What the confirmation prompt says is about to happen.</summary>
    private protected abstract string Describe(MigrationVersion version);

    private protected abstract Task<IReadOnlyList<Core.History.HistoryRow>> EditAsync(Migrator migrator, MigrationVersion version, CancellationToken cancel);

    private protected override bool ChangesDatabases => true;

    // Each input (a version, or a status or history row) is done as it comes, on the databases it names.
    private protected override void ProcessTargets(IReadOnlyList<DatabaseTarget> record)
    {
        MigrationVersion version;
        try
        {
            version = ParseVersion(Version, nameof(Version))!;
        }
        catch (PSArgumentException e)
        {
            WriteError(Hosting.ErrorRecords.From(e, Version));
            return;
        }
        RunTargets(LoadSettings(), record, async (run, cancel) =>
        {
            if (!run.ShouldProcess(run.Migrator.Target, Describe(version)))
            {
                return TargetOutcome.Skipped;
            }
            var rows = await EditAsync(run.Migrator, version, cancel).ConfigureAwait(false);
            foreach (var row in rows)
            {
                run.Write(row);
            }
            return rows.Count == 0 ? TargetOutcome.NoOp : TargetOutcome.Succeeded;
        });
    }
}
