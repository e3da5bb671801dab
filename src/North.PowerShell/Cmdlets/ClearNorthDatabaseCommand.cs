using System.Management.Automation;
using North.Core.Clearing;
using North.Core.Fleet;

namespace North.PowerShell.Cmdlets;

/// <summary>Empties every table of a test database except the history and version tables, then reloads the fixtures.</summary>
/// <remarks>
/// <para>django-north's flush, for test databases. In one transaction, under the run lock: one
/// TRUNCATE ... RESTART IDENTITY of every table of every schema but the system ones (a partitioned
/// table with its partitions; foreign keys between emptied tables are no obstacle), so sequences
/// start again; then the fixtures of the greatest version at or below the database's current version
/// that has some, run by North's engine. The history table (north_migrations, septentrion_migrations
/// or django_migrations, as HistoryStyle says), the version table (VersionTable, default sql_version)
/// and the tables an extension owns are kept. A failure anywhere keeps nothing. Fixtures reloaded
/// over a kept table must not duplicate its rows (INSERT ... ON CONFLICT DO NOTHING), and they must be able
/// to run in one transaction (an outer BEGIN ... COMMIT is fine; a CONCURRENTLY or VACUUM is refused
/// before anything is changed).</para>
/// <para>The TRUNCATE takes ACCESS EXCLUSIVE locks: it waits for another session's lock on a table no
/// longer than DdlLockTimeout (default 5 s), then the clear is rolled back and runs again after a
/// back-off, up to LockRetries times (default 5), with each retry in -Verbose and a warning when one
/// was needed. When the retries run out, NorthClearFailed says so, and nothing was changed.</para>
/// <para>A guard against emptying production: the clear is refused unless -Force is given or the
/// database's name matches a ClearableDatabases pattern (north.json or NORTH_CLEARABLE_DATABASES;
/// wildcards, e.g. *_test, dev_*). The refusal says how to allow it and changes nothing.</para>
/// <para>ConfirmImpact is High: PowerShell asks before clearing unless -Force (without -Confirm) or
/// -Confirm:$false is given. -WhatIf lists each table that would be emptied and the fixtures file.
/// Returns one result per step: EmptyTables (Tables, Kept) and LoadFixtures (Path, RowsAffected).</para>
/// </remarks>
/// <example>
/// <code>Clear-NorthDatabase -Path ./sql -Database app_test -Force</code>
/// <para>Empties app_test and loads the fixtures of its version again, without asking.</para>
/// </example>
/// <example>
/// <code>'app_test_1', 'app_test_2', 'app_test_3' | ForEach-Object { "Host=db;Database=$_" } | Clear-NorthDatabase -Path ./sql -Force -ThrottleLimit 3</code>
/// <para>Clears three test databases in parallel; a database that fails is an error naming it, and the others are cleared.</para>
/// </example>
/// <example>
/// <code>Clear-NorthDatabase -Path ./sql -Database app_test -WhatIf</code>
/// <para>Lists the tables that would be emptied and the fixtures that would be loaded; changes nothing.</para>
/// </example>
/// <example>
/// <code>$env:NORTH_CLEARABLE_DATABASES = '*_test'; Clear-NorthDatabase -Path ./sql -Database app_test -Confirm:$false | Format-List Action, Tables, Kept, Path</code>
/// <para>Allows every database whose name ends in _test, then clears app_test and shows what each step touched.</para>
/// </example>
/// <seealso cref="NewNorthTestDatabaseCommand"/>
/// <seealso cref="InitializeNorthDatabaseCommand"/>
/// <seealso href="about_North">about_North</seealso>
[Cmdlet(VerbsCommon.Clear, "NorthDatabase", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(ClearResult))]
public sealed class ClearNorthDatabaseCommand : NorthFleetCmdlet
{
    /// <summary>
    /// Clears the database whatever its name (ClearableDatabases is not consulted) and, unless
    /// -Confirm is given, without asking.
    /// </summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    private protected override bool ChangesDatabases => true;

    private protected override void End()
    {
        // -WhatIf changes nothing, so it lists what a clear would do even where the clear is refused (and says so).
        var whatIf = IsWhatIf();
        var force = Force.IsPresent;
        var confirmed = force && !MyInvocation.BoundParameters.ContainsKey("Confirm");
        var several = Targets.Count > 1;
        RunTargets(LoadSettings(), Targets, async (run, cancel) =>
        {
            var migrator = run.Migrator;
            var clearer = new DatabaseClearer(migrator.Context.Settings, migrator.Context.Connections, migrator, run.Reporter);
            if (!whatIf)
            {
                clearer.DemandAllowed(force);
            }
            var plan = await clearer.PlanAsync(cancel).ConfigureAwait(false);
            if (whatIf)
            {
                if (clearer.RefusalReason(force) is { } refusal)
                {
                    run.Reporter.Warning(refusal);
                }
                foreach (var table in plan.Tables)
                {
                    run.ShouldProcess($"{plan.Target} {table}", "Empty (TRUNCATE ... RESTART IDENTITY)");
                }
                if (plan.FixturesFile is not null)
                {
                    run.ShouldProcess(several ? $"{plan.Target} {plan.FixturesFile}" : plan.FixturesFile, $"Load the fixtures into {plan.Target}");
                }
                return TargetOutcome.Skipped;
            }
            var fixtures = plan.FixturesFile is null ? "no fixtures to load" : $"then load {System.IO.Path.GetFileName(plan.FixturesFile)}";
            if (!confirmed && !run.ShouldProcess($"{plan.Target} ({plan.Tables.Count} tables: {string.Join(", ", plan.Tables)})",
                    $"Empty every table but the history and version tables, {fixtures}"))
            {
                return TargetOutcome.Skipped;
            }
            await clearer.ClearAsync(run.Write, cancel).ConfigureAwait(false);
            return TargetOutcome.Succeeded;
        });
    }
}
