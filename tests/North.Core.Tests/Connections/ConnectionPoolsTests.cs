using North.Core.Connections;
using North.Core.Migrating;
using North.Core.Settings;
using North.Core.Tests.Infrastructure;
using North.Core.Tests.Sql;
using Npgsql;
using NpgsqlTypes;

namespace North.Core.Tests.Connections;

/// <summary>
/// North's data sources are Npgsql's slim ones: every type North reads and sends must still work,
/// a file's statements of any other type must still run, and the owner's pools must clear.
/// </summary>
public class ConnectionPoolsTests
{
    [Fact]
    public async Task EveryTypeNorthReadsAndSendsWorksOnTheSlimDataSource()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var pools = new ConnectionPools();
        var factory = new ConnectionFactory(new ConnectionOptions { ConnectionString = db.ConnectionString },
            new ConnectionEnvironment { UserName = "north-tests", HomeDirectory = null }, pools);
        await using var connection = await factory.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT $1::text, 42::int4, 42::int8, true, timestamptz '2026-01-02 03:04:05+00', 1.5::float8, ARRAY['a', NULL, 'c']::text[], pg_blocking_pids(pg_backend_pid()), $2::int8, $3::text[]",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = "t", NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = 7L, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = new[] { "x", "y" } });
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("t", reader.GetString(0));
        Assert.Equal(42, reader.GetInt32(1));
        Assert.Equal(42L, reader.GetInt64(2));
        Assert.True(reader.GetBoolean(3));
        Assert.Equal(new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), reader.GetDateTime(4));
        Assert.Equal(1.5, reader.GetDouble(5));
        Assert.Equal(new[] { "a", null, "c" }, reader.GetFieldValue<string?[]>(6));
        Assert.Empty(reader.GetFieldValue<int[]>(7));
        Assert.Equal(7L, reader.GetInt64(8));
        Assert.Equal(new[] { "x", "y" }, reader.GetFieldValue<string[]>(9));
    }

    [Fact]
    public async Task FilesReturningTypesOutsideTheSlimSetRunAndGsetReadsThemAsText()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var repo = new ScriptFolder();
        repo.Write("schemas/schema_1.0.sql", "SELECT 1;\n");
        repo.Write("1.0/1.0-0-version-dml.sql", "SELECT 1;\n");
        const string values = "'{\"a\": 1}'::jsonb AS j, int4range(1, 3) AS r, ROW(1, 'a') AS rec, point(1, 2) AS p, inet '10.0.0.1' AS i, to_tsvector('simple', 'north') AS v, "
            + "'1 day'::interval AS d, 12.5::numeric AS n, gen_random_uuid() IS NOT NULL AS u, '\\x01'::bytea AS b";
        repo.Write("1.1/1.1-types-ddl.sql",
            $"BEGIN;\nSELECT {values};\nCREATE TABLE seen (j text, r text, rec text, p text, i text, v text);\nCOMMIT;\n");
        repo.Write("1.1/1.1-types-dml.sql",
            $"SELECT {values} \\gset\nINSERT INTO seen VALUES (:'j', :'r', :'rec', :'p', :'i', :'v');\n"
            + "SELECT 'INSERT INTO seen (j) VALUES (' || quote_literal(jsonb_build_object('b', 2)::text) || ')' \\gexec\n"
            + "COPY (SELECT int4range(5, 7), jsonb_build_array(1)) TO STDOUT;\n");
        var migrator = new Migrator(new NorthSettings { MigrationsRoot = repo.Root }, TestConnections.Factory(db));

        await migrator.MigrateAsync();

        Assert.Equal("{\"a\": 1}|[1,3)|(1,a)|(1,2)|10.0.0.1|'north':1",
            await db.ScalarAsync("SELECT j || '|' || r || '|' || rec || '|' || p || '|' || i || '|' || v FROM seen WHERE r IS NOT NULL"));
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM seen WHERE j = '{\"b\": 2}'"));
        var history = await migrator.ReadHistoryAsync();
        Assert.Contains(history, row => row.Name == "1.1-types-dml.sql" && row.AppliedAt is not null);
        Assert.Empty((await migrator.ReadStateAsync()).Plan);
    }

    [Fact]
    public async Task ClearPoolClosesTheIdleSessionsOfTheOwnersPool()
    {
        await using var db = await TestDatabase.CreateAsync();
        var application = "north_pools_" + Guid.NewGuid().ToString("N")[..8];
        var pooled = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Pooling = true }.ConnectionString;
        using var pools = new ConnectionPools();
        var factory = new ConnectionFactory(new ConnectionOptions { ConnectionString = pooled, ApplicationName = application },
            new ConnectionEnvironment { UserName = "north-tests", HomeDirectory = null }, pools);
        await (await factory.OpenAsync()).DisposeAsync(); // back to the pool, its session still open
        Assert.Equal(1L, await db.ScalarAsync($"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{application}'"));

        factory.ClearPool();

        Assert.Equal(0L, await SessionsAfterAsync(db, application));
        pools.Dispose();
        Assert.Throws<ObjectDisposedException>(() => factory.CreateConnection());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task APooledSessionTheServerEndedWhileItIdledIsReplacedBeforeTheCallerUsesIt(bool owned)
    {
        // What a server restart between two calls does to the pool, on this test's own session only.
        await using var db = await TestDatabase.CreateAsync();
        var application = "north_dead_" + Guid.NewGuid().ToString("N")[..8];
        var pooled = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Pooling = true }.ConnectionString;
        using var pools = new ConnectionPools();
        var factory = new ConnectionFactory(new ConnectionOptions { ConnectionString = pooled, ApplicationName = application },
            new ConnectionEnvironment { UserName = "north-tests", HomeDirectory = null }, owned ? pools : null);
        int first;
        await using (var connection = await factory.OpenAsync())
        {
            first = connection.ProcessID;
        }
        await db.ExecuteAsync($"SELECT pg_terminate_backend({first})");
        Assert.Equal(0L, await SessionsAfterAsync(db, application));

        await using (var connection = await factory.OpenAsync())
        {
            Assert.NotEqual(first, connection.ProcessID);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            Assert.Equal(1, await command.ExecuteScalarAsync());
        }
        factory.ClearPool();
    }

    [Fact]
    public async Task APooledSessionThatStillAnswersIsKept()
    {
        await using var db = await TestDatabase.CreateAsync();
        var pooled = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Pooling = true }.ConnectionString;
        using var pools = new ConnectionPools();
        var factory = new ConnectionFactory(new ConnectionOptions { ConnectionString = pooled },
            new ConnectionEnvironment { UserName = "north-tests", HomeDirectory = null }, pools);
        int first;
        await using (var connection = await factory.OpenAsync())
        {
            first = connection.ProcessID;
        }
        await using (var connection = await factory.OpenAsync())
        {
            Assert.Equal(first, connection.ProcessID);
        }
        factory.ClearPool();
    }

    // A closed session leaves pg_stat_activity a moment after the client closed it.
    [Fact]
    public async Task ReleasingADatabaseForgetsEveryPoolOfItAndKeepsTheOthers()
    {
        await using var gone = await TestDatabase.CreateAsync();
        await using var kept = await TestDatabase.CreateAsync();
        var application = "north_release_" + Guid.NewGuid().ToString("N")[..8];
        using var pools = new ConnectionPools();
        ConnectionFactory Factory(TestDatabase db, string name) => new(new ConnectionOptions
            {
                ConnectionString = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Pooling = true }.ConnectionString,
                ApplicationName = name,
            },
            new ConnectionEnvironment { UserName = "north-tests", HomeDirectory = null }, pools);
        // Two connection strings to one database (two application names, as the cmdlets and a rehearsal make), one to another.
        foreach (var factory in new[] { Factory(gone, application), Factory(gone, application + "_2"), Factory(kept, application + "_3") })
            await (await factory.OpenAsync()).DisposeAsync();
        Assert.Equal(3, pools.Count);
        Assert.Equal(2L, await gone.ScalarAsync($"SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE '{application}%' AND datname = current_database()"));

        pools.ReleaseDatabase(new NpgsqlConnectionStringBuilder(gone.ConnectionString) { ApplicationName = "any" }.ConnectionString);

        Assert.Equal(1, pools.Count);
        Assert.Equal(0L, await SessionsAfterAsync(gone, application));
        Assert.Equal(0L, await SessionsAfterAsync(gone, application + "_2"));
        Assert.Equal(1L, await kept.ScalarAsync($"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{application}_3'"));
    }

    private static async Task<object?> SessionsAfterAsync(TestDatabase db, string application)
    {
        for (var i = 0; ; i++)
        {
            var count = await db.ScalarAsync($"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{application}'");
            if (count is 0L || i == 50)
            {
                return count;
            }
            await Task.Delay(100);
        }
    }
}
