using North.Core.Schema;
using North.Core.Tests.Execution;
using North.Core.Tests.Infrastructure;

namespace North.Core.Tests.Schema;

/// <summary>
/// No false differences: a real schema, and what pg_dump --schema-only gives back of it loaded
/// elsewhere, compare equal, although the server's deparse of some texts changes on the way.
/// Where the machine's pg_dump cannot dump the server (a newer major version), the reference is a
/// second load of the same files instead, compared by North's catalog reader just the same.
/// </summary>
public class RoundTripTests
{
    [Fact]
    public async Task PagilaAndItsDumpHaveNoDifference()
    {
        await using var live = await TestDatabase.CreateAsync();
        await PostgresTools.PsqlFileAsync(live.ConnectionString, Corpus.PathOf("pagila/pagila-schema.sql"));
        Assert.Equal(22L, await live.ScalarAsync("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"));

        var differences = await DumpAndCompareAsync(live, [Corpus.PathOf("pagila/pagila-schema.sql")]);

        Assert.True(differences.Count == 0, SchemaPair.Describe(differences));
    }

    [Fact]
    public async Task PagilaLoadedByNorthsScriptEngineOnBothSidesHasNoDifference()
    {
        // The loader Test-NorthSchema will be given: North's own psql-compatible executor.
        await using var live = await TestDatabase.CreateAsync();
        await PostgresTools.ExecuteFilesAsync(live.ConnectionString, [Corpus.PathOf("pagila/pagila-schema.sql")], default);
        var differences = await DumpAndCompareAsync(live, [Corpus.PathOf("pagila/pagila-schema.sql")], PostgresTools.ExecuteFilesAsync);
        Assert.True(differences.Count == 0, SchemaPair.Describe(differences));
    }

    [Fact]
    public async Task NorthwindAndItsDumpHaveNoDifference()
    {
        await using var live = await TestDatabase.CreateAsync();
        await PostgresTools.PsqlFileAsync(live.ConnectionString, Corpus.PathOf("northwind/northwind.sql"));

        var differences = await DumpAndCompareAsync(live, [Corpus.PathOf("northwind/northwind.sql")]);

        Assert.True(differences.Count == 0, SchemaPair.Describe(differences));
    }

    [Fact]
    public async Task SeptentrionExampleMigratedAndItsDumpHaveNoDifference()
    {
        // Schema 0.1, then every migration of 1.0 to 1.3 in order: a dropped column, a table
        // renamed away and back, a view made and dropped, indexes built CONCURRENTLY.
        await using var live = await TestDatabase.CreateAsync();
        var root = Corpus.PathOf("septentrion/example_migrations");
        var files = new List<string> { Path.Combine(root, "schemas", "schema_0.1.sql") };
        foreach (var version in new[] { "1.0", "1.1", "1.2", "1.3" })
        {
            files.AddRange(Directory.GetFiles(Path.Combine(root, version), "*.sql").Order(StringComparer.Ordinal));
        }
        await PostgresTools.LoadFilesAsync(live.ConnectionString, files, default);
        Assert.Equal("1.3", await live.ScalarAsync("SELECT max(version_num) FROM sql_version"));

        var differences = await DumpAndCompareAsync(live, files);

        Assert.True(differences.Count == 0, SchemaPair.Describe(differences));
    }

    [Fact]
    public async Task ACheckWhoseDeparseChangesOnRestoreIsNotADifferenceButAChangedOneIs()
    {
        // x IN (...) on varchar deparses one way when created and another once restored.
        const string schema = """
            CREATE TABLE t (x varchar(10) CONSTRAINT x_check CHECK (x IN ('a', 'b')), y text DEFAULT 'y');
            CREATE INDEX t_x ON t (x) WHERE x IN ('a', 'b');
            CREATE VIEW v AS SELECT x FROM t WHERE x IN ('a', 'b');
            CREATE DOMAIN yes_no AS varchar(3) CONSTRAINT yes_no_check CHECK (VALUE IN ('YES', 'NO'));
            ALTER TABLE t ENABLE ROW LEVEL SECURITY;
            CREATE POLICY t_ab ON t USING (x IN ('a', 'b')) WITH CHECK (x IN ('a', 'b'));
            ALTER TABLE t ADD COLUMN g boolean GENERATED ALWAYS AS (x IN ('a', 'b')) STORED;
            """;
        await using var live = await TestDatabase.CreateAsync();
        await live.ExecuteAsync(schema);
        var dumped = await DumpAndCompareAsync(live, null);
        Assert.True(dumped.Count == 0, SchemaPair.Describe(dumped));

        // Without the round trip the texts do differ: the comparer alone sees them.
        await using var restored = await TestDatabase.CreateAsync();
        var dump = Path.Combine(Path.GetTempPath(), $"north-{Guid.NewGuid():N}.sql");
        try
        {
            await PostgresTools.DumpSchemaAsync(live.ConnectionString, dump);
            await PostgresTools.PsqlFileAsync(restored.ConnectionString, dump);
        }
        finally
        {
            File.Delete(dump);
        }
        var reader = new CatalogReader();
        var raw = SchemaComparer.Compare(await reader.ReadAsync(restored.ConnectionString, null), await reader.ReadAsync(live.ConnectionString, null));
        Assert.Equal(
            ["Domain public.yes_no Check yes_no_check", "Column public.t.g Generated", "Constraint public.t.x_check Definition",
             "Index public.t_x Definition", "View public.v Definition", "Policy public.t.t_ab Using", "Policy public.t.t_ab WithCheck"],
            raw.Select(d => $"{d.ObjectType} {d.Name} {d.Property}"));

        // A real change of the same texts still shows.
        await restored.ExecuteAsync("ALTER TABLE t DROP CONSTRAINT x_check, ADD CONSTRAINT x_check CHECK (x IN ('a', 'c'))");
        var changed = await new SchemaCheck().CompareDatabasesAsync(restored.ConnectionString, live.ConnectionString, SchemaCompareOptions.Default);
        var difference = Assert.Single(changed);
        Assert.Equal(("public.t.x_check", "Definition"), (difference.Name, difference.Property));
        Assert.Contains("'c'", difference.Expected);
    }

    /// <summary>Dumps <paramref name="live"/> with pg_dump and compares it with that dump loaded
    /// into a scratch database (by psql, or <paramref name="loader"/>), the way Test-NorthSchema
    /// -SchemaFile does. Where pg_dump cannot dump the server, <paramref name="sources"/>, the files
    /// <paramref name="live"/> was made from, are loaded instead.</summary>
    private static async Task<IReadOnlyList<SchemaDifference>> DumpAndCompareAsync(
        TestDatabase live, IReadOnlyList<string>? sources, SchemaFileLoader? loader = null)
    {
        loader ??= PostgresTools.LoadFilesAsync;
        if (sources is not null && !await PgDump.CanDumpAsync(live.ConnectionString))
        {
            return await new SchemaCheck().CompareWithFilesAsync(live.ConnectionString, sources, loader, SchemaCompareOptions.Default);
        }
        var dump = Path.Combine(Path.GetTempPath(), $"north-{Guid.NewGuid():N}.sql");
        try
        {
            await PostgresTools.DumpSchemaAsync(live.ConnectionString, dump);
            return await new SchemaCheck().CompareWithFilesAsync(
                live.ConnectionString, [dump], loader, SchemaCompareOptions.Default);
        }
        finally
        {
            File.Delete(dump);
        }
    }
}
