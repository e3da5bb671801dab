using System.Management.Automation;
using North.Core.Migrating;
using North.Core.Settings;
using North.Core.Planning;
using North.Core.Fleet;
using North.Core.Targets;

namespace North.PowerShell.Cmdlets;

/// <summary>Migrates a database: initializes it if needed, then applies every pending migration up to the target.</summary>
/// <remarks>
/// <para>Takes a session advisory lock (other runs wait up to -LockTimeout, then fail naming the
/// holder), initializes a database that is not (schema, faked history rows, fixtures), then applies
/// each pending migration in order and records it. A file whose only transaction control is an
/// outer BEGIN ... COMMIT runs with its history row in one transaction: it is applied and recorded
/// together, or not at all. Files with a non-transactional statement run statement by statement;
/// manual files run their --meta-psql:do-until-0 blocks until they change no row.</para>
/// <para>The run stops at the first error, which names the file, line and column, the SQLSTATE and
/// the server's message; files applied before it stay recorded. -WhatIf lists the steps and changes
/// nothing; -Confirm asks before each step. Steps piped from Get-NorthPlan are run if they are
/// still the start of the current plan. -Verbose shows each statement's first line, rows and time.</para>
/// <para>Each file runs under DdlLockTimeout (5 s by default); a statement that meets a lock timeout or a
/// deadlock is retried (-LockRetries) when nothing of its file was kept, and when North gives up the
/// error names the blocking sessions. CONCURRENTLY indexes are checked valid before a file is recorded.
/// See about_North.</para>
/// </remarks>
/// <example>
/// <code>Invoke-NorthMigration -Path ./sql -Database app</code>
/// <para>Brings the database app to the latest version of ./sql, with a progress bar.</para>
/// </example>
/// <example>
/// <code>Invoke-NorthMigration -Path ./sql -Database app -TargetVersion 1.2 -WhatIf</code>
/// <para>Shows what a run to 1.2 would do, without touching the database.</para>
/// </example>
/// <example>
/// <code>Get-NorthPlan -Path ./sql -Database app | Where-Object Version -eq '1.1' | Invoke-NorthMigration -Path ./sql -Database app</code>
/// <para>Applies the steps of version 1.1 only, when they come first in the plan.</para>
/// </example>
/// <example>
/// <code>Invoke-NorthMigration -Path ./sql -Database app -DdlLockTimeout 2s -LockRetries 10 -Verbose</code>
/// <para>Each statement waits at most 2 s for its locks; one that meets a lock timeout or a deadlock is
/// retried up to 10 times when nothing of its file was kept. -Verbose names the sessions that block it;
/// each result's Attempts says how many executions it took.</para>
/// </example>
/// <example>
/// <code>Import-Csv ./tenants.csv | Invoke-NorthMigration -Path ./sql -CanaryCount 1 -ThrottleLimit 8 -ErrorVariable failed</code>
/// <para>Migrates every tenant database of the CSV: the first alone, then eight at a time (one per
/// server unless -ServerThrottleLimit says more); a failed database is an error naming it, the
/// others go on, and $failed lists the failures.</para>
/// </example>
/// <seealso cref="GetNorthPlanCommand"/>
/// <seealso cref="GetNorthStatusCommand"/>
/// <seealso href="about_North">about_North</seealso>
[Cmdlet(VerbsLifecycle.Invoke, "NorthMigration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(StepResult))]
public sealed class InvokeNorthMigrationCommand : NorthMigratingCmdlet
{
    // Piped plan steps, by the target they came with (their Server and Database, or the command line's).
    private readonly Dictionary<DatabaseTarget, List<PlanStep>> _piped = new();

    /// <summary>Plan steps from Get-NorthPlan; they must be the start of the current plan of their database.</summary>
    [Parameter(ValueFromPipeline = true)]
    public PlanStep[]? InputObject { get; set; }

    /// <summary>Applies files added late to versions the database already passed (otherwise they are left, with a warning).</summary>
    [Parameter]
    public SwitchParameter AllowOutOfOrder { get; set; }

    /// <summary>
    /// Initializes a database that has tables of its own and no migration history (refused
    /// otherwise, with NorthDatabaseNotEmpty: adopt such a database with Register-NorthMigration).
    /// </summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    private protected override void ProcessTargets(IReadOnlyList<DatabaseTarget> record)
    {
        if (InputObject is null)
        {
            return;
        }
        var target = record.Count > 0 ? record[0] : new DatabaseTarget();
        if (!_piped.TryGetValue(target, out var steps))
        {
            _piped[target] = steps = new List<PlanStep>();
        }
        steps.AddRange(InputObject);
    }

    private protected override void End()
    {
        // -WhatIf lists every step; -Confirm stops at the first step declined (a plan runs as a prefix).
        var whatIf = IsWhatIf();
        var allowOutOfOrder = AllowOutOfOrder.IsPresent;
        var force = Force.IsPresent;
        var targets = Targets.Count == 0 && _piped.Count > 0 ? _piped.Keys.ToList() : Targets;
        var several = targets.Count > 1;
        RunTargets(LoadSettings(), targets, async (run, cancel) =>
        {
            var migrator = run.Migrator;
            var piped = _piped.GetValueOrDefault(run.Target) ?? (several ? null : _piped.Values.FirstOrDefault());
            var plan = piped ?? (await migrator.ReadStateAsync(allowOutOfOrder, cancel).ConfigureAwait(false)).Plan;

            // The steps the user accepts (all of them unless -Confirm declines one, none under -WhatIf).
            var accepted = new List<PlanStep>();
            var declined = false;
            foreach (var step in plan)
            {
                if (!run.ShouldProcess(several ? $"{run.Identity} {StepTarget(step)}" : StepTarget(step), step.Action.ToString()))
                {
                    declined = true;
                    if (!whatIf)
                    {
                        break;
                    }
                }
                else if (!declined)
                {
                    accepted.Add(step);
                }
            }
            if (accepted.Count == 0)
            {
                return plan.Count == 0 ? TargetOutcome.NoOp : TargetOutcome.Skipped;
            }

            // Without piped steps or a declined step, the run re-plans under the lock, so a run that
            // waited for another finds what is left instead of failing on steps already done.
            var options = new MigrateOptions
            {
                AllowOutOfOrder = allowOutOfOrder,
                Force = force,
                Steps = piped is null && accepted.Count == plan.Count ? null : accepted,
                OnStepCompleted = run.Write,
            };
            var results = await migrator.MigrateAsync(options, cancel).ConfigureAwait(false);
            return results.Count == 0 ? TargetOutcome.NoOp : TargetOutcome.Succeeded;
        });
    }

    private static string StepTarget(PlanStep step) =>
        step.Version is null ? step.Name : $"{step.Version.Text}/{step.Name}";
}
