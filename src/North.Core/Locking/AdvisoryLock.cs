using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using North.Core.Connections;
using North.Core.Errors;
using North.Core.Reporting;
using Npgsql;

namespace North.Core.Locking;

/// <summary>
/// The run lock: a session-level advisory lock held on a connection of its own (scripts never run
/// there: their <c>DISCARD ALL</c> would release it). Taken with <c>pg_try_advisory_lock</c> polled
/// with back-off, not a blocking <c>pg_advisory_lock</c>: a blocked session would hold a snapshot
/// that <c>CREATE INDEX CONCURRENTLY</c> in the holder's run waits for, a deadlock the server
/// cannot see. Disposing releases the lock and closes its session.
/// </summary>
public sealed class AdvisoryLock : IAsyncDisposable
{
    /// <summary>How long to wait for another run when nothing is said.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(2);

    private NpgsqlConnection? _connection;

    private AdvisoryLock(NpgsqlConnection connection, long key)
    {
        _connection = connection;
        Key = key;
    }

    public long Key { get; }

    /// <summary>Server process id of the session holding the lock.</summary>
    public int BackendPid => _connection?.ProcessID ?? 0;

    /// <summary>
    /// A stable key for a name (North uses the history table's qualified name, so runs against one
    /// history serialise): the first 8 bytes of SHA-256 of <c>north:</c> + name.
    /// </summary>
    public static long KeyFor(string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("north:" + name));
        return BitConverter.ToInt64(hash, 0);
    }

    /// <summary>
    /// Takes the lock on a new unpooled session of <paramref name="connections"/>, waiting up to
    /// <paramref name="timeout"/> (null: <see cref="DefaultTimeout"/>). On timeout throws
    /// <c>NorthLockTimeout</c> naming the holder.
    /// </summary>
    public static async Task<AdvisoryLock> AcquireAsync(ConnectionFactory connections, long key, TimeSpan? timeout = null,
        IReporter? reporter = null, CancellationToken cancel = default)
    {
        reporter ??= NullReporter.Instance;
        var limit = timeout ?? DefaultTimeout;
        var connection = await connections.OpenAsync(pooled: false, cancel).ConfigureAwait(false);
        try
        {
            var clock = Stopwatch.StartNew();
            var pause = FirstPause;
            var nextReport = TimeSpan.Zero;
            await using var attempt = new NpgsqlCommand("SELECT pg_catalog.pg_try_advisory_lock($1)", connection);
            attempt.Parameters.Add(new NpgsqlParameter { Value = key });
            while (true)
            {
                if ((bool)(await attempt.ExecuteScalarAsync(cancel).ConfigureAwait(false))!)
                {
                    reporter.Verbose($"Took the migration lock (advisory lock {key}) on session {connection.ProcessID}.");
                    return new AdvisoryLock(connection, key);
                }
                var waited = clock.Elapsed;
                if (waited >= limit)
                {
                    var holder = await FindHolderAsync(connection, key, cancel).ConfigureAwait(false);
                    throw Timeout(connections, key, limit, holder);
                }
                if (waited >= nextReport)
                {
                    var holder = await FindHolderAsync(connection, key, cancel).ConfigureAwait(false);
                    reporter.Verbose($"Waiting for the migration lock, held by {holder?.ToString() ?? "a session that just ended"}.");
                    nextReport = waited + TimeSpan.FromSeconds(10);
                }
                var remaining = limit - waited;
                await Task.Delay(pause < remaining ? pause : remaining, cancel).ConfigureAwait(false);
                pause = TimeSpan.FromTicks(Math.Min(LongestPause.Ticks, (long)(pause.Ticks * 1.6)));
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Who holds advisory lock <paramref name="key"/> in the current database, or null.</summary>
    public static async Task<LockHolder?> FindHolderAsync(NpgsqlConnection connection, long key, CancellationToken cancel = default)
    {
        // A bigint advisory key shows in pg_locks as classid (high 32 bits), objid (low 32 bits), objsubid 1.
        const string sql = @"
SELECT a.pid, a.application_name, a.usename::text, host(a.client_addr), a.backend_start, a.state_change, a.state
FROM pg_catalog.pg_locks l
JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
  AND l.classid::bigint = $1 AND l.objid::bigint = $2
  AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())
LIMIT 1";
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = (long)(uint)(key >> 32) });
        command.Parameters.Add(new NpgsqlParameter { Value = (long)(uint)key });
        await using var reader = await command.ExecuteReaderAsync(cancel).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancel).ConfigureAwait(false))
        {
            return null;
        }
        return new LockHolder(
            reader.GetInt32(0),
            reader.IsDBNull(1) ? null : reader.GetString(1),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.IsDBNull(4) ? null : new DateTimeOffset(reader.GetDateTime(4)),
            reader.IsDBNull(5) ? null : new DateTimeOffset(reader.GetDateTime(5)),
            reader.IsDBNull(6) ? null : reader.GetString(6));
    }

    /// <summary>Releases the lock and ends its session.</summary>
    public async ValueTask DisposeAsync()
    {
        var connection = Interlocked.Exchange(ref _connection, null);
        if (connection is null)
        {
            return;
        }
        try
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await using var command = new NpgsqlCommand("SELECT pg_catalog.pg_advisory_unlock($1)", connection);
                command.Parameters.Add(new NpgsqlParameter { Value = Key });
                await command.ExecuteScalarAsync().ConfigureAwait(false);
            }
        }
        catch (NpgsqlException)
        {
            // The session is going anyway; closing it releases the lock.
        }
        finally
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static NorthException Timeout(ConnectionFactory connections, long key, TimeSpan limit, LockHolder? holder)
    {
        var who = holder is null ? "a session that ended just now" : holder.ToString();
        return new NorthException(
            $"Another migration run holds the lock on {connections.Target} (advisory lock {key}): {who}. Waited {limit.TotalSeconds:0.#} s.",
            "NorthLockTimeout", NorthErrorKind.ResourceBusy, connections.Target,
            holder is null
                ? "Run again."
                : $"Wait for that run to finish, or raise -LockTimeout; if the session is stuck, a DBA can end it with SELECT pg_terminate_backend({holder.Pid}).");
    }
}
