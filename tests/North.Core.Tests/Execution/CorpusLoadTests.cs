using North.Core.Execution;
using North.Core.Tests.Infrastructure;
using North.Core.Tests.Sql;

namespace North.Core.Tests.Execution;

/// <summary>Real pg_dump outputs and a real migration repository load through the engine exactly as through psql.</summary>
public class CorpusLoadTests
{
    private const string CatalogCounts = """
        SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p'))
            || ' tables, ' || (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'i')
            || ' indexes, ' || (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('v', 'm'))
            || ' views, ' || (SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace)
            || ' routines, ' || (SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal)
            || ' triggers, ' || (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'S')
            || ' sequences'
        """;

    private static async Task LoadAsync(TestDatabase db, params string[] files)
    {
        await using var connection = await db.OpenAsync();
        var executor = new ScriptExecutor(connection);
        foreach (var file in files)
            await executor.ExecuteFileAsync(file, null, default);
    }

    private static async Task PsqlAsync(TestDatabase db, params string[] files)
    {
        foreach (var file in files)
            await Psql.RunFileAsync(db.ConnectionString, file);
    }

    [Fact]
    public async Task PagilaLoadsWithTheCountsPsqlGives()
    {
        var files = new[] { Corpus.PathOf("pagila/pagila-schema.sql"), Corpus.PathOf("pagila/pagila-data.sql") };
        await using var north = await TestDatabase.CreateAsync();
        await using var psql = await TestDatabase.CreateAsync();
        await LoadAsync(north, files);
        await PsqlAsync(psql, files);

        Assert.Equal("22 tables, 55 indexes, 8 views, 10 routines, 15 triggers, 13 sequences", await north.ScalarAsync(CatalogCounts));
        Assert.Equal(16044L, await north.ScalarAsync("SELECT count(*) FROM public.rental"));
        Assert.Equal(16049L, await north.ScalarAsync("SELECT count(*) FROM public.payment"));
        await PgDump.AssertSameDatabaseAsync(psql.ConnectionString, north.ConnectionString);
    }

    [Fact]
    public async Task NorthwindLoadsWithTheCountsPsqlGives()
    {
        var file = Corpus.PathOf("northwind/northwind.sql");
        await using var north = await TestDatabase.CreateAsync();
        await using var psql = await TestDatabase.CreateAsync();
        await LoadAsync(north, file);
        await PsqlAsync(psql, file);

        Assert.StartsWith("14 tables, 14 indexes,", (string)(await north.ScalarAsync(CatalogCounts))!);
        Assert.Equal(830L, await north.ScalarAsync("SELECT count(*) FROM orders"));
        await PgDump.AssertSameDatabaseAsync(psql.ConnectionString, north.ConnectionString);
    }

    [Fact]
    public async Task SeptentrionExampleMigrationsApplyFileByFileLikePsql()
    {
        var root = Corpus.PathOf("septentrion/example_migrations");
        var files = new List<string> { Path.Combine(root, "schemas", "schema_0.1.sql") };
        foreach (var version in new[] { "1.0", "1.1", "1.2", "1.3" })
            files.AddRange(Directory.GetFiles(Path.Combine(root, version), "*.sql").OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal));
        await using var north = await TestDatabase.CreateAsync();
        await using var psql = await TestDatabase.CreateAsync();
        await LoadAsync(north, files.ToArray());
        await PsqlAsync(psql, files.ToArray());

        Assert.Equal(2L, await north.ScalarAsync("SELECT count(*) FROM pg_indexes WHERE indexname IN ('north_app_author_idx', 'north_app_book_idx')"));
        await PgDump.AssertSameDatabaseAsync(psql.ConnectionString, north.ConnectionString);
    }
}
