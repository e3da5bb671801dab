using System.Text;
using North.Core.Errors;
using North.Core.Files;
using North.Core.Migrating;
using North.Core.Planning;
using North.Core.Settings;
using North.Core.Sql;
using North.Core.Tests.Connections;
using North.Core.Tests.Infrastructure;
using North.Core.Tests.Repository;

namespace North.Core.Tests.Running;

/// <summary>Issue 11's breaks that a run shows: each decision made once and carried down.</summary>
public class OneDecisionTests
{
    private const string AuthorSchema = """
        CREATE TABLE store_author (id int PRIMARY KEY);
        CREATE TABLE store_book (id int PRIMARY KEY, author_id int, author_first_name text, author_last_name text);
        CREATE TABLE book_authorinfo (book_id int, author_id int, first_name text, last_name text);
        INSERT INTO store_author SELECT g FROM generate_series(1, 10) g;
        INSERT INTO store_book SELECT g, g, 'first', 'last' FROM generate_series(1, 10) g;
        """;

    private static string FakeManual => Corpus.PathOf("django-north/tests/test_data/sql/17.02/17.02-feature_c_fakemanual-ddl.sql");

    private static Migrator NewMigrator(TestDatabase db, string root) =>
        new(new NorthSettings { MigrationsRoot = root }, TestConnections.Factory(db));

    [Fact]
    public async Task TheCorpusFakeManualDdlFileRunsOnceAndAtomically()
    {
        using var folder = new TempFolder();
        folder.Write("schemas/schema_1.0.sql", AuthorSchema);
        folder.Folder("1.0");
        var file = folder.Write("17.02/17.02-feature_c_fakemanual-ddl.sql", await File.ReadAllTextAsync(FakeManual));
        await using var db = await TestDatabase.CreateAsync();
        var migrator = NewMigrator(db, folder.Path);

        var step = (await migrator.ReadStateAsync()).Plan.Single(s => s.Name == "17.02-feature_c_fakemanual-ddl.sql");
        Assert.False(step.Manual);
        Assert.Equal(TransactionMode.Atomic, step.Transaction);

        var result = (await migrator.MigrateAsync()).Single(r => r.Name == "17.02-feature_c_fakemanual-ddl.sql");
        Assert.Equal(StepStatus.Succeeded, result.Status);
        Assert.Equal(0, result.Iterations);
        Assert.Equal(10L, result.RowsAffected);
        Assert.Equal(10L, await db.ScalarAsync("SELECT count(*) FROM book_authorinfo"));
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM north_migrations WHERE name = '17.02-feature_c_fakemanual-ddl.sql' AND mode = 'applied'"));
        Assert.Equal(file, step.Path);
    }

    [Fact]
    public async Task AFakeManualDdlFileRunsItsBlockOnceNotUntilZero()
    {
        using var folder = new TempFolder();
        folder.Write("schemas/schema_1.0.sql", AuthorSchema);
        folder.Folder("1.0");
        // The reproduction: a 3-row LIMIT over 10 source rows. Looped, it copies all 10.
        folder.Write("17.02/17.02-feature_c_fakemanual-ddl.sql", (await File.ReadAllTextAsync(FakeManual)).Replace("LIMIT 5000", "LIMIT 3"));
        await using var db = await TestDatabase.CreateAsync();

        await NewMigrator(db, folder.Path).MigrateAsync();

        Assert.Equal(3L, await db.ScalarAsync("SELECT count(*) FROM book_authorinfo"));
    }

    [Fact]
    public async Task ADeferredForeignKeyViolatedAtCommitNamesTheFileAndKeepsNothing()
    {
        using var folder = new TempFolder();
        folder.Write("schemas/schema_1.0.sql",
            "CREATE TABLE parent (id int PRIMARY KEY);\nCREATE TABLE child (parent_id int REFERENCES parent DEFERRABLE INITIALLY DEFERRED);\n");
        folder.Folder("1.0");
        var file = folder.Write("1.1/1.1-orphan-ddl.sql", "CREATE TABLE marker (id int);\nINSERT INTO child\n  VALUES (42);\n");
        await using var db = await TestDatabase.CreateAsync();
        var completed = new List<StepResult>();

        var e = await Assert.ThrowsAsync<ScriptException>(() => NewMigrator(db, folder.Path).MigrateAsync(new MigrateOptions { OnStepCompleted = completed.Add }));

        Assert.Equal("NorthScriptFailed", e.ErrorId);
        Assert.Equal(file, e.Target);
        Assert.Equal(file, e.File);
        Assert.Equal(2, e.Line); // the last statement: the COMMIT is North's
        Assert.Equal("23503", e.SqlState);
        Assert.NotNull(e.Detail);
        Assert.Contains("COMMIT", e.StatementFirstLine);
        Assert.StartsWith($"{file}:2:", e.Message);
        Assert.Equal(StepStatus.Failed, completed[^1].Status);
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM pg_class WHERE relname = 'marker'"));
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM child"));
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM north_migrations WHERE name = '1.1-orphan-ddl.sql'"));
    }

    [Fact]
    public async Task AFailingPerFileSetIsTheFilesFailure()
    {
        using var folder = new TempFolder();
        var file = folder.Write("f.sql", "CREATE TABLE t (id int);\n");
        await using var db = await TestDatabase.CreateAsync();
        await using var connection = await db.OpenAsync();
        // Above PostgreSQL's maximum for lock_timeout (INT_MAX ms): the server refuses the SET.
        var options = new North.Core.Execution.ExecutionOptions { LockTimeout = TimeSpan.FromDays(30) };

        var e = await Assert.ThrowsAsync<ScriptException>(() => new North.Core.Execution.ScriptExecutor(connection).ExecuteFileAsync(file, options));

        Assert.Equal(file, e.Target);
        Assert.Equal("22023", e.SqlState);
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM pg_class WHERE relname = 't'"));
    }

    [Theory]
    [InlineData("ISO_8859_1")]
    [InlineData("iso-8859-1")]
    [InlineData("Latin-1")]
    [InlineData("LATIN1")]
    public void EncodingNamesAreCleanedAsPostgreSqlDoes(string name)
    {
        var bytes = Encoding.Latin1.GetBytes($"SET client_encoding = '{name}';\nSELECT 'caf\u00e9';\n");
        using var reader = ScriptReader.FromStream(new MemoryStream(bytes), "latin1.sql");
        var statements = reader.Read().OfType<SqlStatement>().ToList();
        Assert.Equal("SELECT 'caf\u00e9';", statements[^1].Text.Trim());
    }

    [Fact]
    public void AFileEditedInPlaceWithinTheSameSecondIsReadAgain()
    {
        using var folder = new TempFolder();
        var path = folder.Write("f.sql", "SELECT 1;\n");
        var written = new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, written);
        var now = written.AddMilliseconds(300);
        var files = new FileStampCache(() => now);
        Assert.Equal(FileStampCache.HashOf(path), FileChecksum.Compute(path, files));

        // Same length, same (coarse) time: only the content says it changed.
        File.WriteAllText(path, "SELECT 2;\n");
        File.SetLastWriteTimeUtc(path, written);
        Assert.Equal(FileStampCache.HashOf(path), FileChecksum.Compute(path, files));

        // Long after its last write, the stamp alone is trusted again.
        now = written.AddMinutes(5);
        var sum = FileChecksum.Compute(path, files);
        Assert.Equal(sum, FileChecksum.Compute(path, files));
        Assert.Equal(1, files.Count);
    }

    [Fact]
    public void PgVariablesAreASettingsLayerBetweenSeptentrionAndNorthJson()
    {
        using var folder = new TempFolder();
        folder.Write("north.json", "{ \"Host\": \"nohost.invalid\", \"Port\": 6000, \"Database\": \"jsondb\" }");
        var environment = new Dictionary<string, string> { ["PGHOST"] = "pghost", ["PGDATABASE"] = "pgdb", ["SEPTENTRION_DBNAME"] = "septdb" };

        var settings = SettingsLoader.Load(new SettingsOverrides { MigrationsRoot = folder.Path }, folder.Path, environment);

        Assert.Equal(("pghost", 6000, "septdb"), (settings.Host, settings.Port, settings.Database));
        Assert.Equal(SettingSourceKind.PgEnvironment, settings.SourceOf(nameof(NorthSettings.Host)).Kind);
        Assert.Equal("environment variable PGHOST", settings.SourceOf(nameof(NorthSettings.Host)).Description);
        Assert.Equal(SettingSourceKind.NorthJson, settings.SourceOf(nameof(NorthSettings.Port)).Kind);
    }

    [Theory]
    [InlineData("NORTH_LOCK_TIMEOUT", "-5")]
    [InlineData("NORTH_DDL_LOCK_TIMEOUT", "-1s")]
    [InlineData("NORTH_DDL_STATEMENT_TIMEOUT", "-00:00:05")]
    public void NegativeDurationsAreRefusedInSettings(string variable, string value)
    {
        using var folder = new TempFolder();
        var e = Assert.Throws<SettingsException>(() => SettingsLoader.Load(new SettingsOverrides { MigrationsRoot = folder.Path }, folder.Path,
            new Dictionary<string, string> { [variable] = value }));
        Assert.Contains("must not be negative", e.Message);
        Assert.Contains(variable, e.Message);

        folder.Write("north.json", "{ \"LockTimeout\": -2 }");
        var json = Assert.Throws<SettingsException>(() => SettingsLoader.Load(new SettingsOverrides { MigrationsRoot = folder.Path }, folder.Path, new Dictionary<string, string>()));
        Assert.Contains("must not be negative", json.Message);
    }
}
