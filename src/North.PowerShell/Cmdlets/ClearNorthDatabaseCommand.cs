using System.Management.Automation;
using North.Core.Clearing;

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
public sealed class ClearNorthDatabaseCommand : NorthSingleDatabaseCmdlet
{
    /// <summary>
    /// Clears the database whatever its name (ClearableDatabases is not consulted) and, unless
    /// -Confirm is given, without asking.
    /// </summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    private protected override void End()
    {
        var settings = LoadSettings();
        var migrator = CreateMigrator(settings);
        var clearer = new DatabaseClearer(settings, migrator.Context.Connections, migrator, Reporter);
        // -WhatIf changes nothing, so it lists what a clear would do even where the clear is refused (and says so).
        var whatIf = IsWhatIf();
        var plan = Run((_, cancel) =>
        {
            if (!whatIf)
            {
                clearer.DemandAllowed(Force);
            }
            return clearer.PlanAsync(cancel);
        });

        if (whatIf)
        {
            if (clearer.RefusalReason(Force) is { } refusal)
            {
                WriteWarning(refusal);
            }
            foreach (var table in plan.Tables)
            {
                ShouldProcess($"{plan.Target} {table}", "Empty (TRUNCATE ... RESTART IDENTITY)");
            }
            if (plan.FixturesFile is not null)
            {
                ShouldProcess(plan.FixturesFile, $"Load the fixtures into {plan.Target}");
            }
            return;
        }
        var confirmed = Force && !MyInvocation.BoundParameters.ContainsKey("Confirm");
        var fixtures = plan.FixturesFile is null ? "no fixtures to load" : $"then load {System.IO.Path.GetFileName(plan.FixturesFile)}";
        if (!confirmed && !ShouldProcess($"{plan.Target} ({plan.Tables.Count} tables: {string.Join(", ", plan.Tables)})",
                $"Empty every table but the history and version tables, {fixtures}"))
        {
            return;
        }
        Run((_, cancel) => clearer.ClearAsync(result => Reporter.Post(c => c.WriteObject(result)), cancel));
    }

    private bool IsWhatIf() => MyInvocation.BoundParameters.TryGetValue("WhatIf", out var flag)
        ? ((SwitchParameter)flag).IsPresent
        : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
}
