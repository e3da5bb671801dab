using Npgsql;

namespace North.Core.Connections;

/// <summary>
/// The owner of North's Npgsql data sources (one per connection string, each with its pool),
/// for as long as its holder lives: the PowerShell module holds one per imported session, a test
/// harness one per run. Built with <see cref="NpgsqlSlimDataSourceBuilder"/> and only the parts
/// North uses, which a cold process pays for once instead of Npgsql's every type mapping:
/// the basic types (text, integers, boolean, timestamptz, float), arrays (North reads text[]),
/// TLS (sslmode) and Kerberos/GSS (libpq's gss authentication). Values of any other type never
/// reach North as objects: <c>\gset</c> and <c>\gexec</c> read the server's text, and a file's own
/// result rows are not read.
/// </summary>
public sealed class ConnectionPools : IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, NpgsqlDataSource> _sources = new(StringComparer.Ordinal);
    // The server sessions (backend process ids) each data source has handed out.
    private readonly Dictionary<string, HashSet<int>> _sessions = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>A new, closed connection of the data source of <paramref name="connectionString"/> (made the first time).</summary>
    public NpgsqlConnection CreateConnection(string connectionString)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_sources.TryGetValue(connectionString, out var source))
            {
                source = Build(connectionString);
                _sources.Add(connectionString, source);
            }
            return source.CreateConnection();
        }
    }

    /// <summary>
    /// A new, closed connection of <paramref name="connectionString"/> from <paramref name="owner"/>, or from
    /// Npgsql's own process-wide pools when the caller has no owner (a library user's choice).
    /// </summary>
    public static NpgsqlConnection CreateConnection(ConnectionPools? owner, string connectionString) =>
        owner is null ? new NpgsqlConnection(connectionString) : owner.CreateConnection(connectionString);

    /// <summary>
    /// An open session of <paramref name="connectionString"/> from <paramref name="owner"/> (see
    /// <see cref="CreateConnection(ConnectionPools?, string)"/>), byte-transparent when its database is SQL_ASCII
    /// (<see cref="ByteTransparentSession"/>): for sessions that read or load what a database holds.
    /// </summary>
    public static Task<NpgsqlConnection> OpenAsync(ConnectionPools? owner, string connectionString, CancellationToken cancel) =>
        ByteTransparentSession.OpenAsync(connectionString, async text =>
        {
            var connection = CreateConnection(owner, text);
            try
            {
                await connection.OpenAsync(cancel).ConfigureAwait(false);
                return connection;
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        });

    /// <summary>
    /// Forgets and closes the data sources of every connection string to the database that
    /// <paramref name="connectionString"/> names (the same host, port and database, whatever the
    /// other settings: application names, pooled or not, byte-transparent): a database that is gone
    /// (a dropped scratch or test database) must not keep pools for the session's life.
    /// </summary>
    public void ReleaseDatabase(string connectionString)
    {
        var target = Server(connectionString);
        List<NpgsqlDataSource> released = [];
        lock (_gate)
        {
            foreach (var key in _sources.Keys.Where(key => Server(key) == target).ToList())
            {
                released.Add(_sources[key]);
                _sources.Remove(key);
                _sessions.Remove(key);
            }
        }
        released.ForEach(source => source.Dispose());
    }

    /// <summary>The number of data sources held (for tests).</summary>
    internal int Count
    {
        get
        {
            lock (_gate)
            {
                return _sources.Count;
            }
        }
    }

    private static (string Host, int Port, string Database) Server(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return ((builder.Host ?? "").ToLowerInvariant(), builder.Port, builder.Database ?? "");
    }

    /// <summary>
    /// Whether the session <paramref name="processId"/>, just opened from the pool of
    /// <paramref name="connectionString"/>, was handed out before: one that idled in the pool,
    /// which a server restart may have ended unseen. A new session is remembered, so only reused
    /// ones cost a check.
    /// </summary>
    public bool IsReused(string connectionString, int processId)
    {
        lock (_gate)
        {
            if (!_sessions.TryGetValue(connectionString, out var seen))
            {
                _sessions[connectionString] = seen = new HashSet<int>();
            }
            return !seen.Add(processId);
        }
    }

    /// <summary>
    /// Closes the idle connections of <paramref name="connectionString"/>'s pool (a database about
    /// to be cloned or dropped must have no session); those in use close when they are returned.
    /// </summary>
    public void Clear(string connectionString)
    {
        NpgsqlDataSource? source;
        lock (_gate)
        {
            _sources.TryGetValue(connectionString, out source);
        }
        source?.Clear();
    }

    /// <summary>Closes the idle connections of every pool.</summary>
    public void ClearAll()
    {
        foreach (var source in Snapshot())
        {
            source.Clear();
        }
    }

    /// <summary>Closes every pool; the owner cannot make connections afterwards.</summary>
    public void Dispose()
    {
        List<NpgsqlDataSource> sources;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            sources = _sources.Values.ToList();
            _sources.Clear();
            _sessions.Clear();
        }
        foreach (var source in sources)
        {
            source.Dispose();
        }
    }

    private List<NpgsqlDataSource> Snapshot()
    {
        lock (_gate)
        {
            return _sources.Values.ToList();
        }
    }

    private static NpgsqlDataSource Build(string connectionString) =>
        new NpgsqlSlimDataSourceBuilder(connectionString)
            .EnableArrays()
            .EnableTransportSecurity()
            .EnableIntegratedSecurity()
            .Build();
}
