using North.TestServer;
using Npgsql;

namespace North.Core.Tests.Infrastructure;

/// <summary>
/// A fresh, empty database on the suite's PostgreSQL, dropped when disposed. The server is had
/// once per test process (build.ps1 passes one through NORTH_TEST_CONNECTION); if none can be
/// had every database test fails with the reason: none is skipped.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private static readonly Lazy<Task<TestPostgres>> Server = new(StartServer);

    private TestDatabase(TestPostgres server, string connectionString)
    {
        ServerInstance = server;
        ConnectionString = connectionString;
    }

    public TestPostgres ServerInstance { get; }

    /// <summary>Connection string of this test's own database.</summary>
    public string ConnectionString { get; }

    public string Name => new NpgsqlConnectionStringBuilder(ConnectionString).Database!;

    /// <summary>The maintenance connection string (database <c>postgres</c>), for server-wide checks.</summary>
    public static async Task<string> ServerConnectionStringAsync() => (await Server.Value).ConnectionString;

    public static async Task<TestDatabase> CreateAsync()
    {
        var server = await Server.Value;
        return new TestDatabase(server, await server.CreateDatabaseAsync());
    }

    /// <summary>A database of encoding SQL_ASCII (a legacy database psql stores bytes in as sent).</summary>
    public static async Task<TestDatabase> CreateSqlAsciiAsync()
    {
        var server = await Server.Value;
        return new TestDatabase(server, await server.CreateDatabaseAsync(with: "ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"));
    }

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Connections.TestConnections.Pools.ClearAll();
        NpgsqlConnection.ClearAllPools();
        await ServerInstance.DropDatabaseAsync(ConnectionString);
    }

    private static async Task<TestPostgres> StartServer()
    {
        var server = await TestPostgres.StartAsync();
        // A cluster this process started must go with it.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return server;
    }
}
