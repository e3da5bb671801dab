using North.Core.Fleet;
using System.Management.Automation;
using North.Core.Migrating;
using North.Core.Settings;

namespace North.PowerShell.Cmdlets;

/// <summary>Initializes an empty database from the repository's schema snapshot, without applying later migrations.</summary>
/// <remarks>
/// <para>Step 2 of a migration run, alone: under the run lock, picks the init version (the greatest
/// version at or below the target that has a schema file, or the SchemaVersion setting), runs the
/// before-schema files, the schema, records every migration up to the init version as Faked, runs the
/// after-schema files and loads the closest fixtures. A database that is already initialized is left
/// as it is. When every part is transactional the whole initialization commits as one; otherwise
/// it is resumable: the next run continues after the last completed step. A database that has
/// tables of its own and no history is refused unless -Force is given (adopt it with
/// Register-NorthMigration instead).</para>
/// </remarks>
/// <example>
/// <code>Initialize-NorthDatabase -Path ./sql -Database app_test</code>
/// <para>Loads the latest schema snapshot and fixtures into the empty database app_test.</para>
/// </example>
/// <example>
/// <code>Initialize-NorthDatabase -Path ./sql -Database app_test -TargetVersion 1.1 | Format-Table Action, Name, Duration</code>
/// <para>Initializes from the snapshot at or below 1.1 and shows how long each step took.</para>
/// </example>
/// <seealso cref="InvokeNorthMigrationCommand"/>
/// <seealso href="about_North">about_North</seealso>
[Cmdlet(VerbsData.Initialize, "NorthDatabase", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(StepResult))]
public sealed class InitializeNorthDatabaseCommand : NorthMigratingCmdlet
{
    /// <summary>Initializes even a database that has tables of its own and no migration history.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    private protected override void End()
    {
        var force = Force.IsPresent;
        RunTargets(LoadSettings(), Targets, async (run, cancel) =>
        {
            if (!run.ShouldProcess(run.Migrator.Target, "Initialize from the schema snapshot"))
            {
                return TargetOutcome.Skipped;
            }
            var options = new MigrateOptions { Force = force, OnStepCompleted = run.Write };
            var results = await run.Migrator.InitializeAsync(options, cancel).ConfigureAwait(false);
            return results.Count == 0 ? TargetOutcome.NoOp : TargetOutcome.Succeeded;
        });
    }
}
