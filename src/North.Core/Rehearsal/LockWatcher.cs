using Npgsql;

namespace North.Core.Rehearsal;

/// <summary>
/// A second session that polls <c>pg_locks</c> for a script backend's pid while a file runs in
/// autocommit: a statement there (<c>CREATE INDEX CONCURRENTLY</c>) releases its locks before it
/// returns, so its own session can no longer see them afterwards.
/// </summary>
internal sealed class LockWatcher : IAsyncDisposable
{
    private const string LocksSql = """
        select l.relation::bigint, l.mode::text from pg_locks l
        where l.pid = @pid and l.locktype = 'relation' and l.granted and l.relation = any(@oids)
        """;

    // Short enough to see the locks of a statement that runs for a few milliseconds, long enough
    // to leave the second core to the statement.
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(2);

    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlCommand _command;
    private readonly CancellationTokenSource _stop = new();
    // Held by a poll in flight: a statement's observation waits for it, so what the poll saw is the statement's.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Dictionary<long, HashSet<string>> _seen = [];
    private Task _polling = Task.CompletedTask;

    private LockWatcher(NpgsqlConnection connection, NpgsqlCommand command)
    {
        _connection = connection;
        _command = command;
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
        var watcher = new LockWatcher(connection, command);
        watcher._polling = Task.Run(() => watcher.PollAsync(watcher._stop.Token), CancellationToken.None);
        return watcher;
    }

    /// <summary>The locks seen since the last call, per relation oid.</summary>
    public async Task<Dictionary<long, HashSet<string>>> TakeAsync(CancellationToken cancel)
    {
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            var seen = _seen;
            _seen = [];
            return seen;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task PollAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await _gate.WaitAsync(stop).ConfigureAwait(false);
            try
            {
                await using var reader = await _command.ExecuteReaderAsync(stop).ConfigureAwait(false);
                while (await reader.ReadAsync(stop).ConfigureAwait(false))
                {
                    var oid = reader.GetInt64(0);
                    if (!_seen.TryGetValue(oid, out var modes))
                        _seen[oid] = modes = [];
                    modes.Add(reader.GetString(1));
                }
            }
            finally
            {
                _gate.Release();
            }
            await Task.Delay(Interval, stop).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _polling.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or NpgsqlException)
        {
            // Stopping the watcher cancels its poll in flight; the file's own outcome is what counts.
        }
        await _command.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        _gate.Dispose();
    }
}
