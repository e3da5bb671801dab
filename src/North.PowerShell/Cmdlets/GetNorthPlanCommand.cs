using North.Core.Fleet;
using System.Management.Automation;
using North.Core.Planning;

namespace North.PowerShell.Cmdlets;

/// <summary>Shows, step by step, what a migration run would do now, without changing anything.</summary>
/// <remarks>
/// <para>Returns the ordered steps of the plan: Order, Action (RunSchemaFile, LoadSchema,
/// RecordFaked, LoadFixtures, Apply), Version, Name, Path, Manual, and Transaction: Atomic (the
/// file and its history row commit together), AsWritten (the file's own transaction control is
/// honoured) or None (statements that cannot run in a transaction, such as CREATE INDEX
/// CONCURRENTLY, run one by one in autocommit).</para>
/// <para>A database that is not initialized gets the initialization steps first. The steps can be
/// piped to Invoke-NorthMigration, which runs them if they are still the start of the plan.</para>
/// </remarks>
/// <example>
/// <code>Get-NorthPlan -Path ./sql -Database app</code>
/// <para>Lists what Invoke-NorthMigration would do.</para>
/// </example>
/// <example>
/// <code>Get-NorthPlan -Path ./sql -Database app | Select-Object -First 3 | Invoke-NorthMigration -Path ./sql -Database app</code>
/// <para>Runs only the first three steps of the plan.</para>
/// </example>
/// <seealso cref="InvokeNorthMigrationCommand"/>
/// <seealso href="about_North">about_North</seealso>
[Cmdlet(VerbsCommon.Get, "NorthPlan")]
[OutputType(typeof(PlanStep))]
public sealed class GetNorthPlanCommand : NorthFleetCmdlet
{
    private protected override bool ChangesDatabases => false;

    /// <summary>Plans files added late to versions the database already passed, before the others.</summary>
    [Parameter]
    public SwitchParameter AllowOutOfOrder { get; set; }

    private protected override void End()
    {
        var allowOutOfOrder = AllowOutOfOrder.IsPresent;
        RunTargets(LoadSettings(), Targets, async (run, cancel) =>
        {
            var state = await run.Migrator.ReadStateAsync(allowOutOfOrder, cancel).ConfigureAwait(false);
            foreach (var step in state.Plan)
            {
                run.Write(step);
            }
            return state.Plan.Count == 0 ? TargetOutcome.NoOp : TargetOutcome.Succeeded;
        });
    }
}
