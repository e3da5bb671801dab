using North.Core.Errors;
using North.Core.Execution;
using North.Core.Migrating;
using North.Core.Settings;
using North.Core.Tests.Connections;
using North.Core.Tests.Infrastructure;
using North.Core.Tests.Migrating;
using North.Core.Tests.Sql;
using North.Core.Versions;

namespace North.Core.Tests.Reliability;

/// <summary>
/// Issue "Exactly once, whatever happens": each migration applied once and recorded truthfully,
/// under a lost lock, two spellings of one table, hostile session state, failed or interrupted
/// initialization and interrupted files. Each test runs a real repository against a real server.
/// </summary>
public class ExactlyOnceTests
{
    private static Migrator NewMigrator(TestDatabase db, NorthSettings settings, CollectingReporter? reporter = null, string? application = null) =>
        new(settings, TestConnections.Factory(db, application), reporter);

    /// <summary>A repository: schema 1.0 (table hits), and <paramref name="files"/> files in 1.1 that each sleep and insert their name.</summary>
    private static ScriptFolder SleepyRepository(int files, double sleepSeconds)
    {
        var repo = new ScriptFolder();
        repo.Write("schemas/schema_1.0.sql", "CREATE TABLE hits (name text NOT NULL);\n");
        repo.Write("1.0/1.0-0-version-dml.sql", "SELECT 1;\n");
        for (var i = 1; i <= files; i++)
        {
            var name = $"1.1-{i:000}-dml.sql";
            repo.Write($"1.1/{name}", $"SELECT pg_sleep({sleepSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)});\nINSERT INTO hits VALUES ('{name}');\n");
        }
        return repo;
    }

    private static async Task AssertAppliedOnceAsync(TestDatabase db, int files)
    {
        Assert.Equal((long)files, await db.ScalarAsync("SELECT count(*) FROM hits"));
        Assert.Equal((long)files, await db.ScalarAsync("SELECT count(DISTINCT name) FROM hits"));
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM (SELECT version, name FROM north_migrations GROUP BY 1, 2 HAVING count(*) > 1) d"));
        Assert.Equal((long)files, await db.ScalarAsync("SELECT count(*) FROM north_migrations WHERE version = '1.1' AND mode = 'applied'"));
    }

    private static async Task<int> LockHolderPidAsync(TestDatabase db)
    {
        for (var i = 0; i < 200; i++)
        {
            var pid = await db.ScalarAsync("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1");
            if (pid is int found) return found;
            await Task.Delay(50);
        }
        throw new InvalidOperationException("no run took the lock");
    }

    [Fact]
    public async Task TerminatedLockSessionStopsTheRunWithLockLostAndNoFileIsAppliedTwice()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var repo = SleepyRepository(12, 0.15);
        var settings = new NorthSettings { MigrationsRoot = repo.Root };
        var first = NewMigrator(db, settings).MigrateAsync();
        var pid = await LockHolderPidAsync(db);
        await Task.Delay(700);
        var second = NewMigrator(db, settings).MigrateAsync(); // waits for the lock, takes it when the first loses it
        await db.ScalarAsync($"SELECT pg_terminate_backend({pid})");

        var lost = await Assert.ThrowsAsync<NorthException>(() => first);
        Assert.Equal("NorthLockLost", lost.ErrorId);
        await second;
        Assert.Empty(await NewMigrator(db, settings).MigrateAsync());
        await AssertAppliedOnceAsync(db, 12);
    }

    [Fact]
    public async Task ALockLostBetweenAtomicFilesStopsTheRunBeforeAnythingOfTheNextFileRuns()
    {
        // An atomic file proves the lock in its first round trip, before its first statement: a
        // sequence (which no rollback undoes) shows whether anything of the next file ran.
        await using var db = await TestDatabase.CreateAsync();
        using var repo = new ScriptFolder();
        repo.Write("schemas/schema_1.0.sql", "CREATE TABLE hits (name text NOT NULL);\nCREATE SEQUENCE s;\n");
        repo.Write("1.0/1.0-0-version-dml.sql", "SELECT 1;\n");
        repo.Write("1.1/1.1-1-dml.sql", "BEGIN;\nINSERT INTO hits VALUES ('1');\nCOMMIT;\n");
        repo.Write("1.1/1.1-2-dml.sql", "BEGIN;\nSELECT nextval('s');\nINSERT INTO hits VALUES ('2');\nCOMMIT;\n");
        var settings = new NorthSettings { MigrationsRoot = repo.Root };
        var options = new MigrateOptions
        {
            OnStepCompleted = step =>
            {
                if (step.Name != "1.1-1-dml.sql")
                    return;
                // The run's lock session ends between the two files.
                var pid = LockHolderPidAsync(db).GetAwaiter().GetResult();
                db.ScalarAsync($"SELECT pg_terminate_backend({pid})").GetAwaiter().GetResult();
                for (var i = 0; i < 200 && db.ScalarAsync($"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = {pid}").GetAwaiter().GetResult() is not 0L; i++)
                    Thread.Sleep(25);
            },
        };

        var lost = await Assert.ThrowsAsync<NorthException>(() => NewMigrator(db, settings).MigrateAsync(options));
        Assert.Equal("NorthLockLost", lost.ErrorId);
        Assert.Equal(false, await db.ScalarAsync("SELECT is_called FROM s"));
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM hits"));
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM north_migrations WHERE name = '1.1-2-dml.sql'"));
        Assert.Single(await NewMigrator(db, settings).MigrateAsync());
        Assert.Equal(2L, await db.ScalarAsync("SELECT count(*) FROM hits"));
    }

    [Fact]
    public async Task IdleSessionTimeoutDoesNotEndTheRunLockAndAWaitingRunAppliesNothingTwice()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync($"ALTER DATABASE \"{db.Name}\" SET idle_session_timeout = '1s'");
        using var repo = SleepyRepository(10, 0.3);
        var settings = new NorthSettings { MigrationsRoot = repo.Root };
        var first = NewMigrator(db, settings).MigrateAsync();
        await LockHolderPidAsync(db);
        var second = NewMigrator(db, settings).MigrateAsync();

        Assert.Equal(12, (await first).Count); // 3 s of work, three times the idle timeout: the lock held throughout
        Assert.Empty(await second);
        await AssertAppliedOnceAsync(db, 10);
    }

    [Fact]
    public async Task TwoSpellingsOfOneHistoryTableTakeOneKeyAndSerialize()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var repo = SleepyRepository(8, 0.1);
        var plain = new NorthSettings { MigrationsRoot = repo.Root };
        var qualified = plain with { HistorySchema = "public" };
        Assert.Equal(await NewMigrator(db, plain).ResolveLockKeyAsync(), await NewMigrator(db, qualified).ResolveLockKeyAsync());

        var runs = new[] { NewMigrator(db, plain).MigrateAsync(), NewMigrator(db, qualified).MigrateAsync(), NewMigrator(db, plain).MigrateAsync() };
        await Task.WhenAll(runs);
        Assert.Equal(10, runs.Sum(r => r.Result.Count)); // init (2 steps) + 8 files, once in all
        await AssertAppliedOnceAsync(db, 8);
    }

    [Fact]
    public async Task FilesThatChangeSearchPathOrRoleAreRecordedOnceInTheRightTableAsTheConnectingUser()
    {
        await using var db = await TestDatabase.CreateAsync();
        var role = "north_low_" + Guid.NewGuid().ToString("N")[..8];
        await db.ExecuteAsync($"CREATE ROLE {role}; CREATE SCHEMA app2; CREATE TABLE app2.north_migrations (id bigserial PRIMARY KEY, version text, name text, applied_at timestamptz, checksum text, duration_ms bigint, applied_by text, mode text)");
        try
        {
            using var repo = new ScriptFolder();
            repo.Write("schemas/schema_1.0.sql", "CREATE TABLE t0 (id int);\n");
            repo.Write("1.0/1.0-0-version-dml.sql", "SELECT 1;\n");
            repo.Write("1.1/1.1-a-ddl.sql", "SET search_path = app2, public;\nCREATE TABLE public.t1 (id int);\n");
            repo.Write("1.1/1.1-b-ddl.sql", "SET search_path = nowhere;\nCREATE TABLE public.t2 (id int);\n");
            repo.Write("1.1/1.1-c-ddl.sql", $"CREATE TABLE t3 (id int);\nGRANT SELECT ON t3 TO {role};\nSET ROLE {role};\nSELECT count(*) FROM t3;\n");
            repo.Write("1.1/1.1-d-ddl.sql", $"BEGIN;\nSET LOCAL ROLE {role};\nSELECT 1;\nCOMMIT;\n");
            repo.Write("1.1/1.1-e-ddl.sql", $"CREATE INDEX CONCURRENTLY t0_id ON public.t0 (id);\nSET ROLE {role};\nSET search_path = app2;\n");
            var settings = new NorthSettings { MigrationsRoot = repo.Root };
            await NewMigrator(db, settings).MigrateAsync(new MigrateOptions { Force = true }); // app2's table is another application's

            Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM app2.north_migrations"));
            Assert.Equal("1.1-a-ddl.sql,1.1-b-ddl.sql,1.1-c-ddl.sql,1.1-d-ddl.sql",
                await db.ScalarAsync("SELECT string_agg(name, ',' ORDER BY name) FROM public.north_migrations WHERE version = '1.1' AND name < '1.1-e'"));
            Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM public.north_migrations WHERE applied_by IS DISTINCT FROM session_user::text"));
            Assert.Empty(await NewMigrator(db, settings).MigrateAsync());
            Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM public.north_migrations WHERE name = '1.1-e-ddl.sql'"));
        }
        finally
        {
            NpgsqlPoolsClear();
            await db.ExecuteAsync($"DROP OWNED BY {role}; DROP ROLE {role}");
        }
    }

    [Fact]
    public async Task AFailedFixturesFileLeavesTheDatabaseNotInitializedAndTheFixedFileLoadsNextRun()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var repo = new ScriptFolder();
        repo.Write("schemas/schema_1.0.sql", "CREATE TABLE books (title text);\n");
        repo.Write("1.0/1.0-0-version-dml.sql", "SELECT 1;\n");
        var fixtures = repo.Write("fixtures/fixtures_1.0.sql", "INSERT INTO books VALUES ('a');\nINSERT INTO nosuch VALUES (1);\n");
        var migrator = NewMigrator(db, new NorthSettings { MigrationsRoot = repo.Root });

        var failed = await Assert.ThrowsAsync<ScriptException>(() => migrator.MigrateAsync());
        Assert.Equal("42P01", failed.SqlState);
        Assert.False((await migrator.ReadStateAsync()).Version.Initialized);
        Assert.Equal(DBNull.Value, await db.ScalarAsync("SELECT to_regclass('books')::text")); // one transaction: nothing kept

        File.WriteAllText(fixtures, "INSERT INTO books VALUES ('a');\n");
        Assert.Equal(new[] { "LoadSchema", "RecordFaked", "LoadFixtures" }, (await migrator.ReadStateAsync()).Plan.Select(s => s.Action.ToString()));
        await migrator.MigrateAsync();
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM books"));
        Assert.True((await migrator.ReadStateAsync()).Version.Initialized);
    }

    [Fact]
    public async Task AResumableInitializationKeepsItsFixturesPendingUntilTheyLoad()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var repo = new ScriptFolder();
        // CONCURRENTLY: the schema cannot be in a transaction, so the initialization is resumable.
        repo.Write("schemas/schema_1.0.sql", "CREATE TABLE books (title text);\nCREATE INDEX CONCURRENTLY books_title ON books (title);\n");
        repo.Write("1.0/1.0-0-version-dml.sql", "SELECT 1;\n");
        var fixtures = repo.Write("fixtures/fixtures_1.0.sql", "INSERT INTO nosuch VALUES (1);\n");
        repo.Write("1.1/1.1-a-dml.sql", "INSERT INTO books VALUES ('later');\n");
        var migrator = NewMigrator(db, new NorthSettings { MigrationsRoot = repo.Root });

        await Assert.ThrowsAsync<ScriptException>(() => migrator.MigrateAsync());
        var state = await migrator.ReadStateAsync();
        Assert.False(state.Version.Initialized);
        Assert.Equal(new[] { "LoadFixtures fixtures_1.0.sql", "Apply 1.1-a-dml.sql" }, state.Plan.Select(s => $"{s.Action} {s.Name}"));

        File.WriteAllText(fixtures, "INSERT INTO books VALUES ('fixture');\n");
        var results = await migrator.MigrateAsync();
        Assert.Equal(new[] { "fixtures_1.0.sql", "1.1-a-dml.sql" }, results.Select(r => r.Name));
        Assert.Equal("fixture,later", await db.ScalarAsync("SELECT string_agg(title, ',' ORDER BY title) FROM books"));
        Assert.True((await migrator.ReadStateAsync()).Version.Initialized);
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM north_migrations_unfinished"));
    }

    [Fact]
    public async Task ADatabaseWithTablesOfItsOwnIsRefusedUnlessForced()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync("CREATE TABLE customers (id int)");
        using var repo = new ScriptFolder();
        repo.Write("schemas/schema_1.0.sql", "CREATE TABLE books (title text);\n");
        repo.Write("1.0/1.0-0-version-dml.sql", "SELECT 1;\n");
        var migrator = NewMigrator(db, new NorthSettings { MigrationsRoot = repo.Root });

        var refused = await Assert.ThrowsAsync<NorthException>(() => migrator.MigrateAsync());
        Assert.Equal("NorthDatabaseNotEmpty", refused.ErrorId);
        Assert.Contains("public.customers", refused.Message);
        Assert.Contains("Register-NorthMigration", refused.RecommendedAction);
        Assert.Contains("-Force", refused.RecommendedAction);
        Assert.Equal(DBNull.Value, await db.ScalarAsync("SELECT to_regclass('books')::text"));

        await migrator.MigrateAsync(new MigrateOptions { Force = true });
        Assert.Equal("books", await db.ScalarAsync("SELECT to_regclass('books')::text"));
    }

    [Fact]
    public async Task ANonTransactionalFileThatFailsHalfwaySaysWhatStaysAndBlocksTheNextRunUntilResolved()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var repo = new ScriptFolder();
        repo.Write("schemas/schema_1.0.sql", "CREATE TABLE books (title text);\n");
        repo.Write("1.0/1.0-0-version-dml.sql", "SELECT 1;\n");
        repo.Write("1.1/1.1-index-ddl.sql", "CREATE INDEX CONCURRENTLY books_title ON books (title);\nCREATE TABLE kept (id int);\nSELECT 1/0;\nCREATE TABLE never (id int);\n");
        repo.Write("1.1/1.1-later-ddl.sql", "CREATE TABLE later (id int);\n");
        var migrator = NewMigrator(db, new NorthSettings { MigrationsRoot = repo.Root });

        var failed = await Assert.ThrowsAsync<PartlyAppliedException>(() => migrator.MigrateAsync());
        Assert.Equal(3, failed.Line);
        Assert.Contains("lines 1-2", failed.Message);
        Assert.Contains("committed and stay", failed.Message);
        Assert.Equal("22012", failed.Failure.SqlState);
        Assert.Equal("kept", await db.ScalarAsync("SELECT to_regclass('kept')::text"));

        var blocked = await Assert.ThrowsAsync<NorthException>(() => migrator.MigrateAsync());
        Assert.Equal("NorthMigrationInterrupted", blocked.ErrorId);
        Assert.Contains("1.1/1.1-index-ddl.sql", blocked.Message);
        Assert.Contains("Register-NorthMigration -Version 1.1 -Name 1.1-index-ddl.sql", blocked.RecommendedAction);
        Assert.Equal(DBNull.Value, await db.ScalarAsync("SELECT to_regclass('later')::text"));

        // The DBA finishes the file by hand and registers it: the run goes on with the next file.
        await db.ExecuteAsync("CREATE TABLE never (id int)");
        await migrator.RegisterAsync(MigrationVersion.Parse("1.1"), "1.1-index-ddl.sql");
        var results = await migrator.MigrateAsync();
        Assert.Equal(new[] { "1.1-later-ddl.sql" }, results.Select(r => r.Name));
        Assert.Equal("faked", await db.ScalarAsync("SELECT string_agg(mode, ',') FROM north_migrations WHERE name = '1.1-index-ddl.sql'"));
    }

    [Fact]
    public async Task ANonTransactionalFileThatFailsOnItsFirstStatementKeptNothingAndRunsAgainOnceFixed()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var repo = new ScriptFolder();
        repo.Write("schemas/schema_1.0.sql", "CREATE TABLE books (title text);\nINSERT INTO books VALUES ('a'), ('a');\n");
        repo.Write("1.0/1.0-0-version-dml.sql", "SELECT 1;\n");
        repo.Write("1.1/1.1-unique-ddl.sql", "SET lock_timeout = '2s';\nCREATE UNIQUE INDEX CONCURRENTLY books_title ON books (title);\nCREATE TABLE after_it (id int);\n");
        var migrator = NewMigrator(db, new NorthSettings { MigrationsRoot = repo.Root });

        var failed = await Assert.ThrowsAsync<ScriptException>(() => migrator.MigrateAsync());
        Assert.IsNotType<PartlyAppliedException>(failed);
        Assert.True(failed.NothingKept);
        Assert.Equal("23505", failed.SqlState);
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM north_migrations_unfinished"));

        // The DBA fixes the data and drops the invalid index the build left; the next run applies the file once.
        await db.ExecuteAsync("DELETE FROM books WHERE ctid = (SELECT max(ctid) FROM books)");
        await db.ExecuteAsync("DROP INDEX books_title");
        Assert.Single(await migrator.MigrateAsync());
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM north_migrations WHERE name = '1.1-unique-ddl.sql' AND mode = 'applied'"));
        Assert.Equal("after_it", await db.ScalarAsync("SELECT to_regclass('after_it')::text"));
    }

    [Fact]
    public async Task AnInterruptedFileCanBeRunAgainAfterUnregister()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var repo = new ScriptFolder();
        repo.Write("schemas/schema_1.0.sql", "CREATE TABLE books (title text);\n");
        repo.Write("1.0/1.0-0-version-dml.sql", "SELECT 1;\n");
        var file = repo.Write("1.1/1.1-index-ddl.sql", "CREATE INDEX CONCURRENTLY books_title ON books (title);\nSELECT 1/0;\n");
        var migrator = NewMigrator(db, new NorthSettings { MigrationsRoot = repo.Root });
        await Assert.ThrowsAsync<PartlyAppliedException>(() => migrator.MigrateAsync());

        await db.ExecuteAsync("DROP INDEX books_title");
        File.WriteAllText(file, "CREATE INDEX CONCURRENTLY books_title ON books (title);\n");
        await migrator.UnregisterAsync(MigrationVersion.Parse("1.1"), "1.1-index-ddl.sql");
        Assert.Single(await migrator.MigrateAsync());
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM north_migrations WHERE name = '1.1-index-ddl.sql' AND mode = 'applied'"));
    }

    [Fact]
    public async Task AFileThatTakesNorthsOwnKeyIsReportedInsteadOfWaitingForever()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var repo = new ScriptFolder();
        repo.Write("schemas/schema_1.0.sql", "CREATE TABLE books (title text);\n");
        repo.Write("1.0/1.0-0-version-dml.sql", "SELECT 1;\n");
        var settings = new NorthSettings { MigrationsRoot = repo.Root };
        var key = await NewMigrator(db, settings).ResolveLockKeyAsync();
        repo.Write("1.1/1.1-lock-dml.sql", $"SELECT pg_advisory_lock({key});\nINSERT INTO books VALUES ('x');\n");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<NorthException>(() => NewMigrator(db, settings).MigrateAsync());
        Assert.Equal("NorthLockSelfDeadlock", error.ErrorId);
        Assert.Contains("1.1-lock-dml.sql", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30));
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM north_migrations WHERE version = '1.1'"));
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM books"));
    }

    [Fact]
    public async Task AModifiedFileWarnsAndFailOnModifiedMakesItAnError()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var repo = new ScriptFolder();
        repo.Write("schemas/schema_1.0.sql", "CREATE TABLE books (title text);\n");
        repo.Write("1.0/1.0-0-version-dml.sql", "SELECT 1;\n");
        var file = repo.Write("1.1/1.1-a-dml.sql", "INSERT INTO books VALUES ('a');\n");
        var settings = new NorthSettings { MigrationsRoot = repo.Root };
        await NewMigrator(db, settings).MigrateAsync();
        File.WriteAllText(file, "INSERT INTO books VALUES ('b');\n");
        repo.Write("1.1/1.1-b-dml.sql", "INSERT INTO books VALUES ('c');\n");

        var strict = await Assert.ThrowsAsync<NorthException>(() => NewMigrator(db, settings with { FailOnModified = true }).MigrateAsync());
        Assert.Equal("NorthMigrationModified", strict.ErrorId);
        Assert.Equal(file, strict.Target);

        var reporter = new CollectingReporter();
        Assert.Single(await NewMigrator(db, settings, reporter).MigrateAsync());
        Assert.Contains(reporter.Warnings, w => w.Contains("1.1-a-dml.sql") && w.Contains("edited after it was applied"));
        Assert.Equal("a,c", await db.ScalarAsync("SELECT string_agg(title, ',' ORDER BY title) FROM books"));
    }

    [Fact]
    public async Task AnExistingNorthTableGetsItsUniqueKeyOrItsDuplicatesReported()
    {
        await using var db = await TestDatabase.CreateAsync();
        const string table = "CREATE TABLE north_migrations (id bigserial PRIMARY KEY, version text NOT NULL, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), checksum text, duration_ms bigint, applied_by text DEFAULT current_user, mode text)";
        await db.ExecuteAsync(table + "; INSERT INTO north_migrations (version, name, mode) VALUES ('1.0', '1.0-0-version-dml.sql', 'faked'), ('1.0', '1.0-0-version-dml.sql', 'applied')");
        using var repo = new ScriptFolder();
        repo.Write("schemas/schema_1.0.sql", "SELECT 1;\n");
        repo.Write("1.0/1.0-0-version-dml.sql", "SELECT 1;\n");
        var reporter = new CollectingReporter();
        await NewMigrator(db, new NorthSettings { MigrationsRoot = repo.Root }, reporter).MigrateAsync();
        Assert.Contains(reporter.Warnings, w => w.Contains("1.0/1.0-0-version-dml.sql (2 rows)"));
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM pg_indexes WHERE tablename = 'north_migrations' AND indexdef LIKE 'CREATE UNIQUE%(version, name)'"));

        await db.ExecuteAsync("DELETE FROM north_migrations WHERE mode = 'applied'");
        await NewMigrator(db, new NorthSettings { MigrationsRoot = repo.Root }).MigrateAsync();
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM pg_indexes WHERE tablename = 'north_migrations' AND indexdef LIKE 'CREATE UNIQUE%(version, name)'"));
    }

    private static void NpgsqlPoolsClear()
    {
        TestConnections.Pools.ClearAll();
        Npgsql.NpgsqlConnection.ClearAllPools();
    }
}
