using North.Core.Errors;
using North.Core.Execution;
using North.Core.Locking;
using North.Core.Migrating;
using North.Core.Planning;
using North.Core.Settings;
using North.Core.Sql;
using North.Core.Tests.Connections;
using North.Core.Tests.Infrastructure;
using North.Core.Tests.Repository;
using North.Core.Versions;

namespace North.Core.Tests.Migrating;

public class MigratorTests
{
    private static string Example => Corpus.PathOf("septentrion/example_migrations");

    private static readonly string[] Files13 = { "1.3-0-version-dml.sql", "1.3-add-readers-ddl.sql", "1.3-add-readers-dml.sql", "1.3-remove-author-dob-ddl.sql", "1.3-rename-num-pages-ddl.sql" };

    private static NorthSettings ExampleSettings(string? root = null) => new()
    {
        MigrationsRoot = root ?? Example,
        BeforeSchemaFiles = new[] { "before_file.sql" },
        AfterSchemaFiles = new[] { "after_file.sql", "extra_file.sql" },
    };

    private static Migrator NewMigrator(TestDatabase db, NorthSettings settings, CollectingReporter? reporter = null) =>
        new(settings, TestConnections.Factory(db), reporter);

    private static string Step(PlanStep s) => $"{s.Action} {s.Version?.Text ?? "-"} {s.Name}";

    [Fact]
    public async Task SeptentrionExampleFromEmptyTo13()
    {
        await using var db = await TestDatabase.CreateAsync();
        var reporter = new CollectingReporter();
        var migrator = NewMigrator(db, ExampleSettings(), reporter);

        var before = await migrator.ReadStateAsync();
        Assert.False(before.Version.Initialized);
        Assert.Equal("0.1", before.Version.InitVersion!.Text);
        Assert.Equal("1.3", before.Version.TargetVersion.Text);
        Assert.Equal(new[]
        {
            "RunSchemaFile - before_file.sql", "LoadSchema 0.1 schema_0.1.sql", "RecordFaked 0.1 schema_0.1.sql", "RunSchemaFile - after_file.sql", "RunSchemaFile - extra_file.sql",
            "LoadFixtures 0.1 fixtures_0.1.sql",
            "Apply 1.0 1.0-0-version-dml.sql", "Apply 1.0 1.0-author-1-ddl.sql", "Apply 1.0 1.0-author-2-dml.sql", "Apply 1.0 1.0-book-1-ddl.sql", "Apply 1.0 1.0-book-2-dml.sql",
            "Apply 1.1 1.1-0-version-dml.sql", "Apply 1.1 1.1-add-num-pages-1-ddl.sql", "Apply 1.1 1.1-add-num-pages-2-dml.sql", "Apply 1.1 1.1-index-ddl.sql",
            "Apply 1.2 1.2-0-version-dml.sql", "Apply 1.2 1.2-remove-author-dob-ddl.sql", "Apply 1.2 1.2-rename-num-pages-ddl.sql",
            "Apply 1.3 1.3-0-version-dml.sql", "Apply 1.3 1.3-add-readers-ddl.sql", "Apply 1.3 1.3-add-readers-dml.sql", "Apply 1.3 1.3-remove-author-dob-ddl.sql", "Apply 1.3 1.3-rename-num-pages-ddl.sql",
        }, before.Plan.Select(Step));
        Assert.Equal(Enumerable.Range(1, before.Plan.Count), before.Plan.Select(s => s.Order));
        var manual = before.Plan.Single(s => s.Name == "1.1-add-num-pages-2-dml.sql");
        Assert.True(manual.Manual);
        Assert.Equal(TransactionMode.None, before.Plan.Single(s => s.Name == "1.1-index-ddl.sql").Transaction);
        Assert.Equal(TransactionMode.Atomic, before.Plan.Single(s => s.Name == "1.0-author-1-ddl.sql").Transaction);

        var results = await migrator.MigrateAsync();
        Assert.Equal(before.Plan.Select(s => s.Name), results.Select(r => r.Name));
        Assert.All(results, r => Assert.Equal(StepStatus.Succeeded, r.Status));
        Assert.True(results.Single(r => r.Name == "1.1-add-num-pages-2-dml.sql").Iterations >= 1);
        Assert.Contains(reporter.Progress, p => p.Completed);

        var after = await migrator.ReadStateAsync();
        Assert.True(after.Version.Initialized);
        Assert.Equal("1.3", after.Version.CurrentVersion!.Text);
        Assert.Equal(0, after.Version.PendingCount);
        Assert.Empty(after.Plan);
        Assert.DoesNotContain(after.Migrations, m => m.Pending || m.Modified || m.MissingOnDisk);
        Assert.Equal("0.1,1.0,1.1,1.2,1.3", await db.ScalarAsync("SELECT string_agg(version_num, ',' ORDER BY version_num) FROM sql_version"));
        Assert.Equal(17L, await db.ScalarAsync("SELECT count(*) FROM north_migrations WHERE mode = 'applied' AND length(checksum) = 64"));
        Assert.Equal("0.1 schema_0.1.sql", await db.ScalarAsync("SELECT version || ' ' || name FROM north_migrations WHERE mode = 'faked'"));
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM pg_tables WHERE tablename = 'north_app_reader'"));
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM information_schema.columns WHERE table_name = 'north_app_author' AND column_name = 'date_of_birth'"));
        Assert.Empty(await migrator.MigrateAsync());
    }

    [Fact]
    public async Task AdoptsADatabaseThatSeptentrionBroughtTo12()
    {
        await using var db = await TestDatabase.CreateAsync();
        await Psql.RunFileAsync(db.ConnectionString, Path.Combine(Example, "schemas", "schema_0.1.sql"));
        await Psql.RunFileAsync(db.ConnectionString, Path.Combine(Example, "fixtures", "fixtures_0.1.sql"));
        await db.ExecuteAsync("CREATE TABLE septentrion_migrations (id BIGSERIAL PRIMARY KEY, version TEXT, name TEXT, applied_at TIMESTAMP WITH TIME ZONE DEFAULT NOW())");
        foreach (var version in new[] { "1.0", "1.1", "1.2" })
        {
            foreach (var file in Directory.GetFiles(Path.Combine(Example, version), "*.sql").Order(StringComparer.Ordinal))
            {
                await Psql.RunFileAsync(db.ConnectionString, file);
                await db.ExecuteAsync($"INSERT INTO septentrion_migrations (version, name) VALUES ('{version}', '{Path.GetFileName(file)}')");
            }
        }
        var historyBefore = await db.ScalarAsync("SELECT count(*) FROM septentrion_migrations");

        var migrator = NewMigrator(db, ExampleSettings() with { HistoryStyle = HistoryStyle.Septentrion });
        var state = await migrator.ReadStateAsync();
        Assert.Equal("1.2", state.Version.CurrentVersion!.Text);
        Assert.Equal(Files13, state.Plan.Select(s => s.Name));

        var results = await migrator.MigrateAsync();
        Assert.Equal(Files13, results.Select(r => r.Name));
        Assert.Equal((long)historyBefore! + 5, await db.ScalarAsync("SELECT count(*) FROM septentrion_migrations"));
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) - count(DISTINCT (version, name)) FROM septentrion_migrations"));
        Assert.Equal("0.1,1.0,1.1,1.2,1.3", await db.ScalarAsync("SELECT string_agg(version_num, ',' ORDER BY version_num) FROM sql_version"));
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM information_schema.columns WHERE table_name = 'septentrion_migrations' AND column_name = 'checksum'"));
    }

    [Fact]
    public async Task AdoptsADjangoNorthDatabaseReadThroughSqlVersion()
    {
        await using var db = await TestDatabase.CreateAsync();
        var root = Corpus.PathOf("django-north/tests/north_project/sql");
        await Psql.RunFileAsync(db.ConnectionString, Path.Combine(root, "schemas", "schema_0.1.sql"));
        await Psql.RunFileAsync(db.ConnectionString, Path.Combine(root, "fixtures", "fixtures_0.1.sql"));
        await db.ExecuteAsync("INSERT INTO django_migrations (app, name, applied) VALUES ('contenttypes', '0001_initial', now())");
        foreach (var version in new[] { "1.0", "1.1", "1.2" })
        {
            foreach (var file in Directory.GetFiles(Path.Combine(root, version), "*.sql").Order(StringComparer.Ordinal))
            {
                await Psql.RunFileAsync(db.ConnectionString, file);
                await db.ExecuteAsync($"INSERT INTO django_migrations (app, name, applied) VALUES ('{version}', '{Path.GetFileName(file)}', now())");
            }
        }
        var migrator = NewMigrator(db, new NorthSettings { MigrationsRoot = root, HistoryStyle = HistoryStyle.DjangoNorth, VersionDetector = VersionDetector.VersionTable });
        var state = await migrator.ReadStateAsync();
        Assert.Equal("1.2", state.Version.CurrentVersion!.Text);
        Assert.Equal(Files13, state.Plan.Select(s => s.Name));
        Assert.Equal(Files13, (await migrator.MigrateAsync()).Select(r => r.Name));
        Assert.Equal(5L, await db.ScalarAsync("SELECT count(*) FROM django_migrations WHERE app = '1.3'"));
        Assert.Equal("1.3", (await migrator.ReadStateAsync()).Version.CurrentVersion!.Text);
    }

    [Fact]
    public async Task AFailureInTheMiddleOf12KeepsEarlierFilesAndLeavesNoTraceOfTheFailingOne()
    {
        using var folder = new TempFolder();
        folder.CopyFrom(Example);
        var broken = Path.Combine(folder.Path, "1.2", "1.2-rename-num-pages-ddl.sql");
        var original = await File.ReadAllTextAsync(broken);
        // Line 8 renames the column; line 11 now fails, after the rename ran in the same transaction.
        await File.WriteAllTextAsync(broken, original.Replace("ALTER TABLE north_app_book RENAME TO north_app_book_wip;", "ALTER TABLE north_app_bok RENAME TO north_app_book_wip;"));
        var failingLine = File.ReadAllLines(broken).Select((l, i) => (l, i)).First(p => p.l.Contains("north_app_bok")).i + 1;

        await using var db = await TestDatabase.CreateAsync();
        var completed = new List<StepResult>();
        var migrator = NewMigrator(db, ExampleSettings(folder.Path));
        var e = await Assert.ThrowsAsync<ScriptException>(() => migrator.MigrateAsync(new MigrateOptions { OnStepCompleted = completed.Add }));
        Assert.Equal("42P01", e.SqlState);
        Assert.Equal(failingLine, e.Line);
        Assert.Equal(broken, e.File);
        Assert.Contains($"{broken}:{failingLine}", e.Message);
        Assert.Equal(StepStatus.Failed, completed[^1].Status);
        Assert.Equal("1.2-rename-num-pages-ddl.sql", completed[^1].Name);

        Assert.Equal(2L, await db.ScalarAsync("SELECT count(*) FROM north_migrations WHERE version = '1.2'"));
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM north_migrations WHERE name = '1.2-rename-num-pages-ddl.sql'"));
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM information_schema.columns WHERE table_name = 'north_app_book' AND column_name = 'num_pages'"));
        var state = await migrator.ReadStateAsync();
        Assert.Equal("1.2", state.Version.CurrentVersion!.Text);
        Assert.Equal(new[] { "1.2-rename-num-pages-ddl.sql" }.Concat(Files13), state.Plan.Select(s => s.Name));

        await File.WriteAllTextAsync(broken, original);
        var rerun = await migrator.MigrateAsync();
        Assert.Equal(new[] { "1.2-rename-num-pages-ddl.sql" }.Concat(Files13), rerun.Select(r => r.Name));
        Assert.Equal(17L, await db.ScalarAsync("SELECT count(*) FROM north_migrations WHERE mode = 'applied'"));
    }

    [Fact]
    public async Task FourRunsAtOnceApplyEachMigrationExactlyOnce()
    {
        await using var db = await TestDatabase.CreateAsync();
        var runs = Enumerable.Range(0, 4).Select(_ => Task.Run(() => NewMigrator(db, ExampleSettings()).MigrateAsync())).ToArray();
        var results = await Task.WhenAll(runs);
        Assert.Equal(1, results.Count(r => r.Count > 0));
        Assert.Equal(3, results.Count(r => r.Count == 0));
        Assert.Equal(18L, await db.ScalarAsync("SELECT count(*) FROM north_migrations"));
        Assert.Equal(18L, await db.ScalarAsync("SELECT count(DISTINCT (version, name)) FROM north_migrations"));
        Assert.Equal(5L, await db.ScalarAsync("SELECT count(*) FROM sql_version"));
    }

    [Fact]
    public async Task LockTimeoutNamesTheSessionHoldingTheLock()
    {
        await using var db = await TestDatabase.CreateAsync();
        var migrator = NewMigrator(db, ExampleSettings());
        await using var held = await AdvisoryLock.AcquireAsync(TestConnections.Factory(db, "other-deploy"), await migrator.ResolveLockKeyAsync());
        var e = await Assert.ThrowsAsync<NorthException>(() => migrator.MigrateAsync(new MigrateOptions { LockTimeout = TimeSpan.FromSeconds(2) }));
        Assert.Equal("NorthLockTimeout", e.ErrorId);
        Assert.Contains($"pid {held.BackendPid}", e.Message);
        Assert.Contains("other-deploy", e.Message);
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM pg_tables WHERE tablename = 'north_migrations'"));
    }

    [Fact]
    public async Task EditedFilesShowModifiedAndRowsWithoutFilesAreReported()
    {
        using var folder = new TempFolder();
        folder.CopyFrom(Example);
        await using var db = await TestDatabase.CreateAsync();
        var migrator = NewMigrator(db, ExampleSettings(folder.Path));
        await migrator.MigrateAsync();

        await File.AppendAllTextAsync(Path.Combine(folder.Path, "1.1", "1.1-add-num-pages-1-ddl.sql"), "-- reviewed\n");
        await db.ExecuteAsync("INSERT INTO north_migrations (version, name, mode) VALUES ('1.2', '1.2-dropped-ddl.sql', 'applied')");
        var state = await migrator.ReadStateAsync();
        Assert.Equal(new[] { "1.1-add-num-pages-1-ddl.sql" }, state.Migrations.Where(m => m.Modified).Select(m => m.Name));
        var missing = Assert.Single(state.Migrations, m => m.MissingOnDisk);
        Assert.Equal(("1.2", "1.2-dropped-ddl.sql", true, (string?)null), (missing.Version.Text, missing.Name, missing.Applied, missing.Path));
    }

    [Fact]
    public async Task FilesAddedLateAreOutOfOrderUntilAllowed()
    {
        using var folder = new TempFolder();
        folder.CopyFrom(Example);
        await using var db = await TestDatabase.CreateAsync();
        var reporter = new CollectingReporter();
        var migrator = NewMigrator(db, ExampleSettings(folder.Path), reporter);
        await migrator.MigrateAsync();
        folder.Write("1.1/1.1-late-ddl.sql", "CREATE TABLE late_one (id int);\n");

        var state = await migrator.ReadStateAsync();
        Assert.True(state.Migrations.Single(m => m.Name == "1.1-late-ddl.sql").OutOfOrder);
        Assert.Empty(state.Plan);
        Assert.Empty(await migrator.MigrateAsync());
        Assert.Contains(reporter.Warnings, w => w.Contains("1.1-late-ddl.sql") && w.Contains("AllowOutOfOrder"));

        var applied = await migrator.MigrateAsync(new MigrateOptions { AllowOutOfOrder = true });
        Assert.Equal(new[] { "1.1-late-ddl.sql" }, applied.Select(r => r.Name));
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM pg_tables WHERE tablename = 'late_one'"));
    }

    [Fact]
    public async Task APlanPrefixRunsAndAnythingElseIsRefused()
    {
        await using var db = await TestDatabase.CreateAsync();
        var migrator = NewMigrator(db, ExampleSettings());
        var plan = (await migrator.ReadStateAsync()).Plan;

        var e = await Assert.ThrowsAsync<NorthException>(() => migrator.MigrateAsync(new MigrateOptions { Steps = plan.Skip(1).Take(2).ToList() }));
        Assert.Equal("NorthPlanMismatch", e.ErrorId);
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM pg_tables WHERE tablename = 'sql_version'"));

        var first = await migrator.MigrateAsync(new MigrateOptions { Steps = plan.Take(7).ToList() });
        Assert.Equal(plan.Take(7).Select(s => s.Name), first.Select(r => r.Name));
        var rest = (await migrator.ReadStateAsync()).Plan;
        Assert.Equal(plan.Skip(7).Select(s => s.Name), rest.Select(s => s.Name));
    }

    [Fact]
    public async Task InitializeFakesUpToTheSchemaVersionAndRegisterAndUnregisterRepair()
    {
        using var folder = new TempFolder();
        folder.CopyFrom(Example);
        // A schema snapshot at 1.0: initialising records 1.0's files as faked instead of running them.
        File.Copy(Path.Combine(folder.Path, "schemas", "schema_0.1.sql"), Path.Combine(folder.Path, "schemas", "schema_1.0.sql"));
        await using var db = await TestDatabase.CreateAsync();
        var migrator = NewMigrator(db, ExampleSettings(folder.Path) with { TargetVersion = MigrationVersion.Parse("1.0") });
        var init = await migrator.InitializeAsync();
        Assert.Contains(init, r => r.Action == PlanAction.RecordFaked && r.Version!.Text == "1.0" && r.RowsAffected == 5);
        Assert.Equal(5L, await db.ScalarAsync("SELECT count(*) FROM north_migrations WHERE mode = 'faked' AND version = '1.0'"));
        Assert.Empty(await migrator.InitializeAsync());

        var full = NewMigrator(db, ExampleSettings(folder.Path));
        var registered = await full.RegisterAsync(MigrationVersion.Parse("1.1"), "1.1-index-ddl.sql");
        Assert.Equal("1.1-index-ddl.sql", Assert.Single(registered).Name);
        Assert.DoesNotContain((await full.ReadStateAsync()).Plan, s => s.Name == "1.1-index-ddl.sql");
        var upTo = await full.RegisterAsync(MigrationVersion.Parse("1.2"));
        Assert.Equal(6, upTo.Count);
        Assert.Equal("1.2", (await full.ReadStateAsync()).Version.CurrentVersion!.Text);

        var removed = await full.UnregisterAsync(MigrationVersion.Parse("1.2"));
        Assert.Equal(3, removed.Count);
        Assert.Equal("1.1", (await full.ReadStateAsync()).Version.CurrentVersion!.Text);
    }
}

public class MigratorRunTests
{
    private static NorthSettings Settings(string root, string? target = null) => new()
    {
        MigrationsRoot = root,
        BeforeSchemaFiles = new[] { "before_file.sql" },
        AfterSchemaFiles = new[] { "after_file.sql", "extra_file.sql" },
        TargetVersion = target is null ? null : MigrationVersion.Parse(target),
    };

    [Fact]
    public async Task TheManualMigrationLoopsUntilNoRowChanges()
    {
        await using var db = await TestDatabase.CreateAsync();
        var root = Corpus.PathOf("septentrion/example_migrations");
        await new Migrator(Settings(root, "1.0"), TestConnections.Factory(db)).MigrateAsync();
        await db.ExecuteAsync(@"INSERT INTO north_app_author (name, date_of_birth) VALUES ('Anonymous', '1900-01-01');
            INSERT INTO north_app_book (author_id, title) SELECT 1, 'Book ' || g FROM generate_series(1, 12000) g;");

        var results = await new Migrator(Settings(root, "1.1"), TestConnections.Factory(db)).MigrateAsync();
        var manual = results.Single(r => r.Name == "1.1-add-num-pages-2-dml.sql");
        // 5000, 5000, 2000, then 0: four executions of the block.
        Assert.Equal(4, manual.Iterations);
        Assert.Equal(12000L, manual.RowsAffected);
        Assert.Equal(12000L, await db.ScalarAsync("SELECT count(*) FROM north_app_book WHERE num_pages = 42"));
    }

    [Fact]
    public async Task EachFileRecordsTheTimeItsStatementsTookHoweverItWasSent()
    {
        using var folder = new TempFolder();
        folder.Write("schemas/schema_1.0.sql", "CREATE TABLE sql_version (version_num text);\n");
        folder.Folder("1.0");
        // Reads alike in every session: its statements go in one round trip with its history row.
        folder.Write("1.1/1.1-a-together-ddl.sql", "BEGIN;\nCREATE TABLE together (id int);\nSELECT pg_catalog.pg_sleep(0.4);\nCOMMIT;\n");
        // A backslash: each statement goes alone, and the row goes after them.
        folder.Write("1.1/1.1-b-alone-ddl.sql", "SELECT E'\\n', pg_catalog.pg_sleep(0.3);\nSELECT pg_catalog.pg_sleep(0.3);\n");
        // Not atomic: no transaction of North's around it.
        folder.Write("1.1/1.1-c-outside-ddl.sql", "SELECT pg_catalog.pg_sleep(0.3);\nCREATE INDEX CONCURRENTLY together_idx ON together (id);\n");
        await using var db = await TestDatabase.CreateAsync();
        var migrator = new Migrator(new NorthSettings { MigrationsRoot = folder.Path }, TestConnections.Factory(db));
        var plan = (await migrator.ReadStateAsync()).Plan;
        Assert.Equal(TransactionMode.Atomic, plan.Single(s => s.Name == "1.1-a-together-ddl.sql").Transaction);
        Assert.Equal(TransactionMode.None, plan.Single(s => s.Name == "1.1-c-outside-ddl.sql").Transaction);
        await migrator.MigrateAsync();

        async Task<long> DurationOf(string name) => (long)(await db.ScalarAsync($"SELECT duration_ms FROM north_migrations WHERE name = '{name}'"))!;
        // At least what the server slept, and not counted twice (each bound is under twice the sleep).
        Assert.InRange(await DurationOf("1.1-a-together-ddl.sql"), 400, 790);
        Assert.InRange(await DurationOf("1.1-b-alone-ddl.sql"), 600, 1190);
        Assert.InRange(await DurationOf("1.1-c-outside-ddl.sql"), 300, 590);
    }

    [Fact]
    public async Task ASessionKilledInTheMiddleOfAnAtomicFileLeavesNoTraceAndTheNextRunAppliesIt()
    {
        using var folder = new TempFolder();
        folder.Write("schemas/schema_1.0.sql", "CREATE TABLE sql_version (version_num text);\n");
        folder.Folder("1.0");
        folder.Write("1.1/1.1-long-ddl.sql", "BEGIN;\nCREATE TABLE long_one (id int);\nINSERT INTO long_one VALUES (1);\nSELECT pg_sleep(2);\nCOMMIT;\n");
        await using var db = await TestDatabase.CreateAsync();
        var settings = new NorthSettings { MigrationsRoot = folder.Path };
        var run = new Migrator(settings, TestConnections.Factory(db, "north-killed")).MigrateAsync();

        // Kill the script session while it sleeps inside the file's transaction.
        var killed = false;
        for (var i = 0; i < 100 && !killed; i++)
        {
            await Task.Delay(50);
            killed = (bool)(await db.ScalarAsync(
                "SELECT coalesce(bool_or(pg_terminate_backend(pid)), false) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%' AND application_name = 'north-killed'"))!;
        }
        Assert.True(killed, "the migration's session was never seen sleeping");
        await Assert.ThrowsAnyAsync<Exception>(() => run);

        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM north_migrations WHERE name = '1.1-long-ddl.sql'"));
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM pg_tables WHERE tablename = 'long_one'"));

        var again = await new Migrator(settings, TestConnections.Factory(db)).MigrateAsync();
        Assert.Equal(new[] { "1.1-long-ddl.sql" }, again.Select(r => r.Name));
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM long_one"));
    }
}
