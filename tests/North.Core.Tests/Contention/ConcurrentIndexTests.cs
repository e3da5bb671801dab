using North.Core.Contention;
using North.Core.Sql;
using North.Core.Tests.Infrastructure;
using North.Core.Tests.Sql;

namespace North.Core.Tests.Contention;

public class ConcurrentIndexTests
{
    private static SqlStatement Statement(string sql)
    {
        using var folder = new ScriptFolder();
        var path = folder.Write("f.sql", sql + "\n");
        using var reader = ScriptReader.Open(path, new ScriptReaderOptions());
        return reader.Read().OfType<SqlStatement>().Single();
    }

    [Theory]
    [InlineData("CREATE INDEX CONCURRENTLY i ON t (a);", ConcurrentIndexKind.Create, "i", "t")]
    [InlineData("create unique index concurrently if not exists U_X on only app.\"Big\" using btree (x);", ConcurrentIndexKind.Create, "u_x", "app.\"Big\"")]
    [InlineData("CREATE INDEX CONCURRENTLY \"Mixed\" ON s.t (a);", ConcurrentIndexKind.Create, "Mixed", "s.t")]
    [InlineData("REINDEX INDEX CONCURRENTLY s.i;", ConcurrentIndexKind.ReindexIndex, null, "s.i")]
    [InlineData("REINDEX (VERBOSE) TABLE CONCURRENTLY t;", ConcurrentIndexKind.ReindexTable, null, "t")]
    public void NamesTheIndexOrTableTheStatementBuilds(string sql, ConcurrentIndexKind kind, string? index, string relation)
    {
        var found = ConcurrentIndex.Parse(Statement(sql));
        Assert.NotNull(found);
        Assert.Equal((kind, index, relation), (found.Kind, found.Index, found.Relation));
    }

    [Theory]
    [InlineData("CREATE INDEX i ON t (a);")]
    [InlineData("CREATE INDEX CONCURRENTLY ON t (a);")] // unnamed: the server picks the name
    [InlineData("REINDEX SCHEMA CONCURRENTLY s;")]
    [InlineData("DROP INDEX CONCURRENTLY i;")]
    [InlineData("SELECT 'CREATE INDEX CONCURRENTLY i ON t (a)';")]
    public void OtherStatementsAreNotChecked(string sql) => Assert.Null(ConcurrentIndex.Parse(Statement(sql)));

    [Fact]
    public async Task FindsTheIndexInItsTablesSchemaThroughTheSessionsSearchPath()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync("CREATE SCHEMA app; CREATE TABLE app.t (a int); CREATE INDEX i ON app.t (a); CREATE TABLE public.t (a int)");
        await using var connection = await db.OpenAsync();

        var unqualified = ConcurrentIndex.Parse(Statement("CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);"))!;
        Assert.Empty(await unqualified.ReadAsync(connection, default)); // public.t has no index i
        await using (var path = new Npgsql.NpgsqlCommand("SET search_path = app", connection))
            await path.ExecuteNonQueryAsync();
        Assert.Equal([new IndexState("app.i", true)], await unqualified.ReadAsync(connection, default));

        var reindex = ConcurrentIndex.Parse(Statement("REINDEX TABLE CONCURRENTLY app.t;"))!;
        Assert.Equal([new IndexState("app.i", true)], await reindex.ReadAsync(connection, default));
    }
}
