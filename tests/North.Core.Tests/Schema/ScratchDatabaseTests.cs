using North.Core.Connections;
using North.Core.Errors;
using North.Core.Schema;
using North.Core.Tests.Infrastructure;
using Npgsql;

namespace North.Core.Tests.Schema;

public class ScratchDatabaseTests
{
    [Fact]
    public async Task AScratchDatabaseIsMadeOnTheSameServerAndDroppedOnDispose()
    {
        var server = await TestDatabase.ServerConnectionStringAsync();
        string name;
        await using (var scratch = await ScratchDatabase.CreateAsync(server))
        {
            name = scratch.Name;
            Assert.StartsWith(ScratchDatabase.NamePrefix, name);
            await using var connection = new NpgsqlConnection(scratch.ConnectionString);
            await connection.OpenAsync();
            Assert.Equal(name, connection.Database);
            Assert.True(await ExistsAsync(name));
        }
        Assert.False(await ExistsAsync(name));
    }

    [Fact]
    public async Task TheScratchDatabaseAndTheCatalogReaderConnectThroughTheCallersOwnerOfDataSources()
    {
        var server = await TestDatabase.ServerConnectionStringAsync();
        var pools = new ConnectionPools();
        await using (var scratch = await ScratchDatabase.CreateAsync(server, pools))
        {
            var catalog = await new CatalogReader(pools: pools).ReadAsync(scratch.ConnectionString, null);
            Assert.Equal(scratch.Name, catalog.Database);
        }
        pools.Dispose();
        // An owner that is gone makes no connection: nothing went around it.
        await Assert.ThrowsAsync<ObjectDisposedException>(() => ScratchDatabase.CreateAsync(server, pools));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => new CatalogReader(pools: pools).ReadAsync(server, null));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => new SchemaCheck(pools: pools).CompareDatabasesAsync(server, server, SchemaCompareOptions.Default));
    }

    [Fact]
    public async Task TheScratchDatabaseIsDroppedWhenLoadingFails()
    {
        await using var live = await TestDatabase.CreateAsync();
        string? scratchName = null;
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => new SchemaCheck().CompareWithFilesAsync(
            live.ConnectionString, ["schema_1.0.sql"],
            (connectionString, _, _) =>
            {
                scratchName = new NpgsqlConnectionStringBuilder(connectionString).Database;
                throw new InvalidOperationException("the loader failed");
            },
            SchemaCompareOptions.Default));
        Assert.Equal("the loader failed", failure.Message);
        Assert.NotNull(scratchName);
        Assert.False(await ExistsAsync(scratchName));
    }

    [Fact]
    public async Task TheScratchDatabaseIsDroppedWhenCancelled()
    {
        // Ctrl+C in the cmdlet cancels the token while a file loads.
        await using var live = await TestDatabase.CreateAsync();
        using var cancel = new CancellationTokenSource();
        string? scratchName = null;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new SchemaCheck().CompareWithFilesAsync(
            live.ConnectionString, ["schema_1.0.sql"],
            async (connectionString, _, token) =>
            {
                scratchName = new NpgsqlConnectionStringBuilder(connectionString).Database;
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(token);
                cancel.Cancel();
                await using var sleep = new NpgsqlCommand("SELECT pg_sleep(30)", connection);
                await sleep.ExecuteNonQueryAsync(token);
            },
            SchemaCompareOptions.Default, cancel.Token));
        Assert.NotNull(scratchName);
        Assert.False(await ExistsAsync(scratchName));
    }

    [Fact]
    public async Task ARoleWithoutCreatedbGetsAClearErrorWithoutItsPassword()
    {
        var server = await TestDatabase.ServerConnectionStringAsync();
        var role = $"north_nocreatedb_{Guid.NewGuid():N}"[..30];
        var password = Guid.NewGuid().ToString("N");
        await ExecuteAsync(server, $"CREATE ROLE {role} LOGIN NOCREATEDB PASSWORD '{password}'");
        try
        {
            var asRole = new NpgsqlConnectionStringBuilder(server) { Username = role, Password = password, Pooling = false }.ConnectionString;
            var error = await Assert.ThrowsAsync<NorthException>(() => ScratchDatabase.CreateAsync(asRole));
            Assert.Equal("NorthScratchDatabaseDenied", error.ErrorId);
            Assert.Equal(NorthErrorKind.PermissionDenied, error.Kind);
            Assert.Contains(role, error.Message);
            Assert.Contains("-ReferenceConnectionString", error.RecommendedAction);
            Assert.DoesNotContain(password, error.Message + error.RecommendedAction + error.Target);
        }
        finally
        {
            await ExecuteAsync(server, $"DROP ROLE {role}");
        }
    }

    private static async Task<bool> ExistsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(await TestDatabase.ServerConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = @name", connection);
        command.Parameters.AddWithValue("name", database);
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
