using North.Core.Schema;
using North.Core.Tests.Infrastructure;

namespace North.Core.Tests.Schema;

/// <summary>
/// Replay: schema 1.0 plus the migrations of 1.1 must give schema 1.1. A repository written by
/// the test, where the snapshot agrees, and one where a migration was forgotten.
/// </summary>
public sealed class ReplayTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"north-replay-{Guid.NewGuid():N}");

    public ReplayTests()
    {
        Write("schemas/schema_1.0.sql", """
            CREATE TABLE book (id serial PRIMARY KEY, title varchar(200) NOT NULL);
            CREATE TABLE north_migrations (id bigserial PRIMARY KEY, version text NOT NULL, name text NOT NULL);
            """);
        Write("schemas/schema_1.1.sql", """
            CREATE TABLE book (
                id serial PRIMARY KEY,
                title varchar(200) NOT NULL CHECK (title IN ('Dune', 'Emma')),
                pages integer DEFAULT 0 NOT NULL);
            CREATE INDEX book_title ON book (title);
            CREATE TABLE north_migrations (id bigserial PRIMARY KEY, version text NOT NULL, name text NOT NULL);
            """);
        Write("1.1/1.1-add-pages-ddl.sql", "ALTER TABLE book ADD COLUMN pages integer DEFAULT 0 NOT NULL;");
        Write("1.1/1.1-check-title-ddl.sql", "ALTER TABLE book ADD CONSTRAINT book_title_check CHECK (title IN ('Dune', 'Emma'));");
        Write("1.1/1.1-index-ddl.sql", "CREATE INDEX CONCURRENTLY book_title ON book (title);");
    }

    [Fact]
    public async Task TheSnapshotAgreesWithThePreviousOnePlusTheMigrations()
    {
        var differences = await ReplayAsync(Directory.GetFiles(Path.Combine(_root, "1.1")));
        Assert.True(differences.Count == 0, SchemaPair.Describe(differences));
    }

    [Fact]
    public async Task AForgottenMigrationIsReportedAsTheMissingColumn()
    {
        var differences = await ReplayAsync(Directory.GetFiles(Path.Combine(_root, "1.1")).Where(f => !f.Contains("add-pages")));
        var difference = Assert.Single(differences);
        Assert.Equal((SchemaObjectType.Column, "public.book.pages", SchemaDifferenceKind.Missing, "integer"),
            (difference.ObjectType, difference.Name, difference.Difference, difference.Expected));
    }

    private async Task<IReadOnlyList<SchemaDifference>> ReplayAsync(IEnumerable<string> migrations)
    {
        var files = migrations.Order(StringComparer.Ordinal).ToList();
        // The migrator writes its history; the snapshot's copy of that table is empty: the
        // caller excludes the history table, as Test-NorthSchema does.
        return await new SchemaCheck().ReplayAsync(
            await TestDatabase.ServerConnectionStringAsync(),
            [Path.Combine(_root, "schemas", "schema_1.0.sql")],
            async (connectionString, cancel) =>
            {
                await PostgresTools.LoadFilesAsync(connectionString, files, cancel);
                await using var connection = new Npgsql.NpgsqlConnection(connectionString);
                await connection.OpenAsync(cancel);
                await using var record = new Npgsql.NpgsqlCommand("ALTER TABLE north_migrations ADD COLUMN applied_at timestamptz", connection);
                await record.ExecuteNonQueryAsync(cancel);
            },
            [Path.Combine(_root, "schemas", "schema_1.1.sql")],
            PostgresTools.LoadFilesAsync,
            new SchemaCompareOptions { ExcludeTables = ["north_migrations"] });
    }

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
