using Npgsql;

namespace North.Core.Rehearsal;

/// <summary>
/// A second session that polls <c>pg_locks</c> for a script backend's pid while a file runs in
/// autocommit: a statement there (<c>CREATE INDEX CONCURRENTLY</c>) releases its locks before it
/// returns, so its own session can no longer see them afterwards. The watcher keeps a snapshot
/// open: a <c>CONCURRENTLY</c> build or reindex waits for older snapshots before it ends, so it
/// cannot finish unseen; once the watcher sees it wait, it ends its snapshot and takes a new one.
/// </summary>
internal sealed class LockWatcher : IAsyncDisposable
{
    private const string LocksSql = """
        select coalesce(l.relation::bigint, 0), l.mode::text, l.granted from pg_locks l
        where l.pid = @pid and (l.locktype = 'relation' and l.granted and l.relation = any(@oids)
                                or l.locktype in ('virtualxid', 'transactionid') and not l.granted)
        """;

    // A snapshot that a CONCURRENTLY statement started later must wait for (WaitForOlderSnapshots).
    private const string SnapshotSql = "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 1";

    // Short enough to see the locks of a statement that runs for a few milliseconds, long enough
    // to leave the second core to the statement.
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(1);

    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlCommand _command;
    // Held by a poll in flight: a statement's observation waits for it, so what the poll saw is the statement's.
    private readonly object _gate = new();
    private readonly Thread _thread;
    private volatile bool _stopping;
    private Exception? _failure;
    private Dictionary<long, HashSet<string>> _seen = [];
    // Polls without pause right after a statement ends, when the next one is starting.
    private long _hotUntil = Environment.TickCount64 + HotMilliseconds;
    private const int HotMilliseconds = 200;

    private LockWatcher(NpgsqlConnection connection, NpgsqlCommand command)
    {
        _connection = connection;
        _command = command;
        // A thread of its own, polling synchronously: on a busy thread pool an awaiting poller
        // resumes too late to see a statement of a few milliseconds.
        _thread = new Thread(Poll) { IsBackground = true, Name = "North lock watcher" };
    }

    /// <summary>Starts watching the backend of <paramref name="script"/>, on a connection of its own to the same database.</summary>
    public static async Task<LockWatcher> StartAsync(NpgsqlConnection script, long[] oids, CancellationToken cancel)
    {
        var connection = script.CloneWith(script.ConnectionString);
        await connection.OpenAsync(cancel).ConfigureAwait(false);
        var command = new NpgsqlCommand(LocksSql, connection);
        command.Parameters.AddWithValue("pid", script.ProcessID);
        command.Parameters.AddWithValue("oids", oids);
        await command.PrepareAsync(cancel).ConfigureAwait(false);
        await using (var snapshot = new NpgsqlCommand(SnapshotSql, connection))
            await snapshot.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
        var watcher = new LockWatcher(connection, command);
        // One poll before the file starts: the query is known to work.
        watcher.PollOnce();
        watcher._thread.Start();
        return watcher;
    }

    /// <summary>The locks seen since the last call, per relation oid.</summary>
    public Dictionary<long, HashSet<string>> Take()
    {
        lock (_gate)
        {
            var seen = _seen;
            _seen = [];
            Volatile.Write(ref _hotUntil, Environment.TickCount64 + HotMilliseconds);
            return seen;
        }
    }

    private void Poll()
    {
        try
        {
            while (!_stopping)
            {
                PollOnce();
                if (Environment.TickCount64 < Volatile.Read(ref _hotUntil))
                    Thread.Yield();
                else
                    Thread.Sleep(Interval);
            }
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            _failure = e;
        }
    }

    private void PollOnce()
    {
        lock (_gate)
        {
            var waiting = false;
            using (var reader = _command.ExecuteReader())
            {
                while (reader.Read())
                {
                    if (!reader.GetBoolean(2))
                    {
                        waiting = true;
                        continue;
                    }
                    var oid = reader.GetInt64(0);
                    if (!_seen.TryGetValue(oid, out var modes))
                        _seen[oid] = modes = [];
                    modes.Add(reader.GetString(1));
                }
            }
            if (waiting)
            {
                // The statement waits for a transaction, maybe ours: what it holds is seen; let it go on.
                using var renew = new NpgsqlCommand("COMMIT; " + SnapshotSql, _connection);
                renew.ExecuteNonQuery();
            }
        }
    }

    /// <summary>Stops the watcher; a watcher that failed says so, rather than report a statement as lock-free.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        if (_thread.IsAlive)
            _thread.Join();
        await _command.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Throws when the polling session failed: what it would have seen is unknown.</summary>
    public void ThrowIfFailed()
    {
        if (_failure is { } failure)
            throw new InvalidOperationException($"The session watching the locks of the rehearsal failed: {failure.Message}", failure);
    }
}
