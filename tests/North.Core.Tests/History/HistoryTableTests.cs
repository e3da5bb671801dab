using North.Core.Settings;
using North.Core.History;
using North.Core.Tests.Infrastructure;

namespace North.Core.Tests.History;

public class HistoryTableTests
{
    [Fact]
    public async Task NorthTableIsCreatedInItsSchemaAndRecordsEverything()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var connection = await db.OpenAsync();
        var history = new HistoryTable(new HistoryTableOptions { Schema = "North Ops", Table = "Migrations \"log\"" });
        Assert.Empty(await history.ReadAsync(connection));

        await history.EnsureCreatedAsync(connection);
        var shape = await history.EnsureCreatedAsync(connection); // idempotent
        Assert.Equal("\"North Ops\".\"Migrations \"\"log\"\"\"", history.QualifiedName);
        Assert.Equal("\"North Ops\".\"Migrations \"\"log\"\"\"", shape.QualifiedName);
        Assert.True(shape.HasUniqueKey);
        Assert.All(HistoryTable.ExtraColumns, c => Assert.True(shape.HasColumn(c), c));

        var row = await history.InsertAsync(connection, new HistoryRecord("1.0", "1.0-a-ddl.sql", HistoryMode.Applied, new string('a', 64), 12));
        Assert.Equal(("1.0", "1.0-a-ddl.sql", new string('a', 64), 12L, HistoryMode.Applied), (row.Version, row.Name, row.Checksum, row.DurationMs, row.Mode));
        Assert.Equal((string)(await db.ScalarAsync("SELECT current_user::text"))!, row.AppliedBy);
        Assert.NotNull(row.AppliedAt);

        var faked = await history.InsertAsync(connection, new[]
        {
            new HistoryRecord("0.9", "0.9-x-ddl.sql", HistoryMode.Faked),
            new HistoryRecord("0.9", "0.9-y-dml.sql", HistoryMode.Faked),
        });
        Assert.Equal(2, faked.Count);
        var rows = await history.ReadAsync(connection);
        Assert.Equal(new[] { "1.0-a-ddl.sql", "0.9-x-ddl.sql", "0.9-y-dml.sql" }, rows.Select(r => r.Name));
        Assert.Equal(HistoryMode.Faked, rows[1].Mode);

        var removed = await history.DeleteAsync(connection, "0.9", "0.9-x-ddl.sql");
        Assert.Single(removed);
        Assert.Equal(2, (await history.ReadAsync(connection)).Count);
    }

    [Fact]
    public async Task InsertJoinsTheCallersTransaction()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var connection = await db.OpenAsync();
        var history = new HistoryTable();
        await history.EnsureCreatedAsync(connection);

        await using (var tx = await connection.BeginTransactionAsync())
        {
            await history.InsertAsync(connection, new HistoryRecord("1.0", "rolled-back-ddl.sql"));
            await tx.RollbackAsync();
        }
        // A transaction begun in SQL text, as a file's BEGIN would.
        await using (var begin = new Npgsql.NpgsqlCommand("BEGIN", connection)) await begin.ExecuteNonQueryAsync();
        await history.InsertAsync(connection, new HistoryRecord("1.0", "kept-ddl.sql"));
        await using (var commit = new Npgsql.NpgsqlCommand("COMMIT", connection)) await commit.ExecuteNonQueryAsync();

        Assert.Equal(new[] { "kept-ddl.sql" }, (await history.ReadAsync(connection)).Select(r => r.Name));
    }

    [Fact]
    public async Task SeptentrionTableIsReadAndWrittenWithoutExtraColumnsAndNeverAltered()
    {
        await using var db = await TestDatabase.CreateAsync();
        // As septentrion creates it.
        await db.ExecuteAsync(@"CREATE TABLE septentrion_migrations (id BIGSERIAL PRIMARY KEY, version TEXT, name TEXT, applied_at TIMESTAMP WITH TIME ZONE DEFAULT NOW());
            INSERT INTO septentrion_migrations (version, name) VALUES ('1.0', '1.0-a-ddl.sql');");
        var before = await ColumnsAsync(db, "septentrion_migrations");
        await using var connection = await db.OpenAsync();
        var history = new HistoryTable(new HistoryTableOptions { Style = HistoryStyle.Septentrion });
        Assert.False((await history.EnsureCreatedAsync(connection)).HasColumn("checksum"));

        var row = await history.InsertAsync(connection, new HistoryRecord("1.1", "1.1-b-ddl.sql", HistoryMode.Applied, "abc", 5));
        Assert.Null(row.Checksum);
        Assert.Null(row.Mode);
        var rows = await history.ReadAsync(connection);
        Assert.Equal(new[] { ("1.0", "1.0-a-ddl.sql"), ("1.1", "1.1-b-ddl.sql") }, rows.Select(r => (r.Version, r.Name)));
        Assert.Equal(before, await ColumnsAsync(db, "septentrion_migrations"));
    }

    [Fact]
    public async Task DjangoNorthTableKeepsTheVersionInAppAndSkipsDjangoApps()
    {
        await using var db = await TestDatabase.CreateAsync();
        // As Django creates it: no default on "applied".
        await db.ExecuteAsync(@"CREATE TABLE django_migrations (id serial PRIMARY KEY, app varchar(255) NOT NULL, name varchar(255) NOT NULL, applied timestamp with time zone NOT NULL);
            INSERT INTO django_migrations (app, name, applied) VALUES ('contenttypes', '0001_initial', now()), ('1.0', '1.0-a-ddl.sql', now());");
        await using var connection = await db.OpenAsync();
        var history = new HistoryTable(new HistoryTableOptions { Style = HistoryStyle.DjangoNorth });
        await history.InsertAsync(connection, new HistoryRecord("1.1", "1.1-b-ddl.sql"));
        var rows = await history.ReadAsync(connection);
        Assert.Equal(3, rows.Count);
        Assert.Null(rows[0].ParsedVersion);
        Assert.Equal("1.1", rows[2].ParsedVersion!.Text);
        Assert.NotNull(rows[2].AppliedAt);
    }

    [Fact]
    public async Task PerNameOverridesAndAWrongStyleIsAClearError()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync(@"CREATE TABLE ""Releases"" (id bigserial, rel text, script text, at timestamptz DEFAULT now())");
        await using var connection = await db.OpenAsync();
        var custom = new HistoryTable(new HistoryTableOptions { Style = HistoryStyle.Septentrion, Table = "Releases", VersionColumn = "rel", NameColumn = "script", AppliedAtColumn = "at" });
        await custom.EnsureCreatedAsync(connection);
        await custom.InsertAsync(connection, new HistoryRecord("2.0", "2.0-x-ddl.sql"));
        Assert.Equal("2.0", (await custom.ReadAsync(connection)).Single().Version);

        var wrong = new HistoryTable(new HistoryTableOptions { Style = HistoryStyle.North, Table = "Releases" });
        var e = await Assert.ThrowsAsync<North.Core.Errors.NorthException>(() => wrong.ReadAsync(connection));
        Assert.Equal("NorthHistoryTableInvalid", e.ErrorId);
        Assert.Contains("\"version\"", e.Message);
    }

    private static async Task<string> ColumnsAsync(TestDatabase db, string table) =>
        (string)(await db.ScalarAsync($"SELECT string_agg(column_name || ' ' || data_type || ' ' || coalesce(column_default, ''), ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = '{table}'"))!;
}
