using North.Core.Connections;
using North.Core.Errors;
using North.Core.Reporting;
using Npgsql;

namespace North.Core.Schema;

/// <summary>
/// A throwaway database on the same server as a given connection, named
/// <c>north_scratch_*</c>, where an expected schema is loaded to be read back. Dropped
/// (<c>WITH (FORCE)</c>) on dispose, whatever happened: an exception, a cancelled token.
/// </summary>
public sealed class ScratchDatabase : IAsyncDisposable
{
    /// <summary>The prefix of every scratch database's name, so a DBA can spot leftovers.</summary>
    public const string NamePrefix = "north_scratch_";

    // CREATE and DROP DATABASE wait for a checkpoint: on a busy server that takes longer than
    // Npgsql's default 30 s, and a timed-out drop leaves the database behind.
    private const int DatabaseCommandTimeout = 600;

    private readonly string _serverConnectionString;
    private readonly ConnectionPools? _pools;
    private readonly IReporter _reporter;
    private bool _dropped;

    private ScratchDatabase(string name, string serverConnectionString, string connectionString, ConnectionPools? pools, IReporter reporter)
    {
        Name = name;
        _serverConnectionString = serverConnectionString;
        ConnectionString = connectionString;
        _pools = pools;
        _reporter = reporter;
    }

    /// <summary>The scratch database's name.</summary>
    public string Name { get; }

    /// <summary>A connection string to the scratch database: the given one with the database
    /// replaced (same host, role, password) and pooling off, so nothing lingers after the drop.</summary>
    public string ConnectionString { get; }

    /// <summary>
    /// Creates an empty database (from <c>template0</c>, with the encoding and locale of the
    /// database <paramref name="connectionString"/> points at) on that server. Its connections come
    /// from <paramref name="pools"/>, the caller's owner of data sources (without one, Npgsql's own).
    /// </summary>
    /// <exception cref="NorthException"><c>NorthScratchDatabaseDenied</c> when the role may not create databases;
    /// <c>NorthServerUnsupported</c> for a server older than North supports.</exception>
    public static async Task<ScratchDatabase> CreateAsync(string connectionString, ConnectionPools? pools = null, IReporter? reporter = null, CancellationToken cancel = default)
    {
        reporter ??= NullReporter.Instance;
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // The time says how old a leftover is (a killed process cannot drop its database).
        var name = $"{NamePrefix}{DateTime.UtcNow:yyyyMMddHHmmss}_{Guid.NewGuid():N}";

        var server = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        await using var connection = ConnectionPools.CreateConnection(pools, server);
        await connection.OpenAsync(cancel);
        // An unsupported server is refused before anything is made on it (its DROP has no FORCE).
        SupportedServer.Check(connection, $"{connection.Host}:{connection.Port}/{connection.Database}");
        string create;
        await using (var locale = new NpgsqlCommand(
            "SELECT pg_catalog.pg_encoding_to_char(encoding), datcollate, datctype FROM pg_catalog.pg_database WHERE datname = current_database()",
            connection))
        await using (var reader = await locale.ExecuteReaderAsync(cancel))
        {
            await reader.ReadAsync(cancel);
            create = $"CREATE DATABASE {Quote(name)} TEMPLATE template0 ENCODING {Literal(reader.GetString(0))} " +
                     $"LC_COLLATE {Literal(reader.GetString(1))} LC_CTYPE {Literal(reader.GetString(2))}";
        }

        try
        {
            await using var command = new NpgsqlCommand(create, connection) { CommandTimeout = DatabaseCommandTimeout };
            await command.ExecuteNonQueryAsync(cancel);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new NorthException(
                $"Role '{builder.Username}' may not create databases on {builder.Host}:{builder.Port}, and North needs a scratch database " +
                $"to load the expected schema into: {e.MessageText}",
                ErrorIds.ScratchDatabaseDenied, NorthErrorKind.PermissionDenied, builder.Host,
                "Compare with a database that already holds the expected schema (-ReferenceConnectionString), " +
                "or grant the role CREATEDB.", e);
        }

        reporter.Verbose($"Created scratch database {name}.");
        var scratch = new NpgsqlConnectionStringBuilder(connectionString) { Database = name, Pooling = false }.ConnectionString;
        return new ScratchDatabase(name, server, scratch, pools, reporter);
    }

    /// <summary>Drops the database, ending any session still connected to it. Never cancelled:
    /// a Ctrl+C must not leave the database behind.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_dropped)
        {
            return;
        }
        _dropped = true;
        try
        {
            await using var connection = ConnectionPools.CreateConnection(_pools, _serverConnectionString);
            await connection.OpenAsync(CancellationToken.None);
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Quote(Name)} WITH (FORCE)", connection) { CommandTimeout = DatabaseCommandTimeout };
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
            _reporter.Verbose($"Dropped scratch database {Name}.");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            // Disposal must not hide the error that got us here; say what to clean up by hand.
            _reporter.Warning($"Could not drop scratch database {Name}: {e.Message}. Drop it by hand: DROP DATABASE \"{Name}\" WITH (FORCE);");
        }
        _pools?.ReleaseDatabase(ConnectionString);
    }

    internal static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    private static string Literal(string value) => "'" + value.Replace("'", "''") + "'";
}
