using North.Core.Fleet;
using System.Management.Automation;
using North.Core.Planning;

namespace North.PowerShell.Cmdlets;

/// <summary>Lists every migration up to the target version with its state in the database.</summary>
/// <remarks>
/// <para>Reads the repository and the database's history, and returns one object per migration
/// file: Version, Name, Kind (Ddl or Dml), Manual, Applied, Pending, OutOfOrder (added to a version
/// the database had already passed), AppliedAt, Mode (Applied or Faked), Modified (the file's
/// SHA-256 differs from the one recorded when it ran), Interrupted (a run started it and never
/// finished: shown STOPPED; runs stop on it until Register- or Unregister-NorthMigration resolves it)
/// and Path.</para>
/// <para>Rows recorded in the history but missing on disk come back too, with MissingOnDisk set,
/// so nothing recorded is ever hidden. The database is only read: no lock, no change.</para>
/// </remarks>
/// <example>
/// <code>Get-NorthStatus -Path ./sql -Database app</code>
/// <para>Shows every migration of the repository ./sql and whether the database app has it, grouped by version.</para>
/// </example>
/// <example>
/// <code>Get-NorthStatus -Path ./sql -Database app | Where-Object Pending</code>
/// <para>Lists only what the next run would apply.</para>
/// </example>
/// <example>
/// <code>Get-NorthStatus -Path ./sql -Database app | Where-Object Modified | Select-Object Version, Name, AppliedAt</code>
/// <para>Finds files edited after they were applied.</para>
/// </example>
/// <seealso cref="GetNorthPlanCommand"/>
/// <seealso cref="InvokeNorthMigrationCommand"/>
/// <seealso href="about_North">about_North</seealso>
[Cmdlet(VerbsCommon.Get, "NorthStatus")]
[OutputType(typeof(MigrationStatus))]
public sealed class GetNorthStatusCommand : NorthFleetCmdlet
{
    private protected override bool ChangesDatabases => false;

    private protected override void End()
    {
        RunTargets(LoadSettings(), Targets, async (run, cancel) =>
        {
            var state = await run.Migrator.ReadStateAsync(cancel: cancel).ConfigureAwait(false);
            foreach (var migration in state.Migrations)
            {
                run.Write(migration);
            }
            return state.Migrations.Any(m => m.Pending) ? TargetOutcome.Succeeded : TargetOutcome.NoOp;
        });
    }
}
