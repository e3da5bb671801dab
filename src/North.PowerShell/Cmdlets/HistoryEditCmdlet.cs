using System.Management.Automation;
using North.Core.Migrating;
using North.Core.Versions;
using North.PowerShell.Completion;

namespace North.PowerShell.Cmdlets;

/// <summary>
/// Register- and Unregister-NorthMigration: both act on the history rows of one version, or of
/// one file of it, after confirmation, and return the rows they touched.
/// </summary>
public abstract class HistoryEditCmdlet : NorthDatabaseCmdlet
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

    private protected override void Process()
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
        var migrator = CreateMigrator(LoadSettings());
        if (!ShouldProcess(migrator.Target, Describe(version)))
        {
            return;
        }
        var rows = Run((_, cancel) => EditAsync(migrator, version, cancel));
        WriteObject(rows, enumerateCollection: true);
    }
}
