using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using North.Core.Connections;
using North.Core.Contention;
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
/// The lock is held or the run stops: its session has no idle timeouts and keepalives, and
/// <see cref="VerifyAsync"/>, <see cref="GuardCommand"/> and <see cref="Watch(int, CancellationToken, TimeSpan?)"/> prove it is still held.
/// Beside the run lock, the session holds a second one on a key drawn at random for this run, the
/// token (<see cref="TokenKey"/>): while that session lives it holds both, and only it holds the
/// token, so another session proves the run still holds its lock by failing to take the token,
/// without reading <c>pg_locks</c> (which copies the server's whole lock table) twice per file.
/// </summary>
public sealed class AdvisoryLock : IAsyncDisposable
{
    /// <summary>How long to wait for another run when nothing is said.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(2);

    /// <summary>SQLSTATE raised by <see cref="GuardCommand"/> when the lock is no longer held.</summary>
    public const string LostSqlState = "NTHLK";

    // One statement at a time on the lock's session: the watch and the checks between steps share it.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _target;
    private NpgsqlConnection? _connection;
    private readonly int _pid;

    private AdvisoryLock(NpgsqlConnection connection, long key, long token, string target)
    {
        _connection = connection;
        _pid = connection.ProcessID;
        Key = key;
        TokenKey = token;
        _target = target;
    }

    public long Key { get; }

    /// <summary>The key of this run's token lock, held by the lock's session as long as it holds <see cref="Key"/>.</summary>
    public long TokenKey { get; }

    /// <summary>Server process id of the session holding the lock.</summary>
    public int BackendPid => _pid;

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
        var connection = await connections.OpenAsync(pooled: false, keepAlive: true, cancel: cancel).ConfigureAwait(false);
        try
        {
            // This session idles for the whole run: no server timeout may end it (PostgreSQL 14+ has idle_session_timeout).
            await using (var settings = new NpgsqlCommand(
                "SELECT pg_catalog.set_config(name, '0', false) FROM pg_catalog.pg_settings " +
                "WHERE name IN ('idle_session_timeout', 'idle_in_transaction_session_timeout', 'statement_timeout')", connection))
            {
                await settings.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
            }
            var clock = Stopwatch.StartNew();
            var pause = FirstPause;
            var nextReport = TimeSpan.Zero;
            await using var attempt = new NpgsqlCommand("SELECT pg_catalog.pg_try_advisory_lock($1)", connection);
            attempt.Parameters.Add(new NpgsqlParameter { Value = key });
            while (true)
            {
                if ((bool)(await attempt.ExecuteScalarAsync(cancel).ConfigureAwait(false))!)
                {
                    await WaitForLastCommitAsync(connection, key, cancel).ConfigureAwait(false);
                    var token = await TakeTokenAsync(connection, key, cancel).ConfigureAwait(false);
                    reporter.Verbose($"Took the migration lock (advisory lock {key}, token {token}) on session {connection.ProcessID}.");
                    return new AdvisoryLock(connection, key, token, connections.Target);
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

    /// <summary>
    /// The key a guarded commit holds (<see cref="GuardCommand"/>) from its check to the end of its
    /// transaction: distinct from the run lock's, so a new holder can wait for an old one's COMMIT.
    /// </summary>
    internal static long CommitKeyFor(long key) => KeyFor("commit:" + key.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// A run killed while its guarded COMMIT was in flight leaves its script session committing on
    /// the server after its lock session is gone: the new holder waits for that transaction to end
    /// (a transaction-level lock on the commit key, released at once), so it never plans against a
    /// commit still under way.
    /// </summary>
    private static async Task WaitForLastCommitAsync(NpgsqlConnection connection, long key, CancellationToken cancel)
    {
        await using var barrier = new NpgsqlCommand("SELECT pg_catalog.pg_advisory_xact_lock($1)", connection);
        barrier.Parameters.Add(new NpgsqlParameter { Value = CommitKeyFor(key) });
        await barrier.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes this run's token lock on the lock's session, just after the run lock: a key drawn at
    /// random, so no other session holds it (drawn again in the unlikely case one does).
    /// </summary>
    private static async Task<long> TakeTokenAsync(NpgsqlConnection connection, long key, CancellationToken cancel)
    {
        await using var take = new NpgsqlCommand("SELECT pg_catalog.pg_try_advisory_lock($1)", connection);
        var parameter = new NpgsqlParameter { Value = 0L };
        take.Parameters.Add(parameter);
        while (true)
        {
            var token = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8));
            if (token == key || token == CommitKeyFor(key))
            {
                continue;
            }
            parameter.Value = token;
            if ((bool)(await take.ExecuteScalarAsync(cancel).ConfigureAwait(false))!)
            {
                return token;
            }
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
        var (high, low) = Split(key);
        command.Parameters.Add(new NpgsqlParameter { Value = high });
        command.Parameters.Add(new NpgsqlParameter { Value = low });
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

    /// <summary>
    /// Proves, on the lock's own session, that the lock is still held; throws <c>NorthLockLost</c>
    /// when it is not or the session is gone.
    /// </summary>
    public async Task VerifyAsync(CancellationToken cancel = default)
    {
        var (held, _) = await CheckAsync(0, cancel).ConfigureAwait(false);
        if (!held)
        {
            throw Lost(null);
        }
    }

    /// <summary>
    /// A statement for another session (the script's, inside a file's transaction before its COMMIT)
    /// that fails with SQLSTATE <see cref="LostSqlState"/> unless this lock's session still holds its
    /// token (and so the lock), so a file whose run lost the lock is rolled back, never committed.
    /// </summary>
    public NpgsqlBatchCommand GuardCommand() =>
        // The commit key first: held to the end of the transaction, so a run that takes the lock
        // after this check passed waits for this COMMIT (see WaitForLastCommitAsync).
        new($"DO $north_lock$ BEGIN PERFORM pg_catalog.pg_advisory_xact_lock({CommitKeyFor(Key)}); {HeldOrRaise()} END $north_lock$");

    /// <summary>
    /// <see cref="VerifyAsync"/> as a statement for the script session, sent first in a file's first
    /// round trip (so the check costs no round trip of its own): fails with SQLSTATE
    /// <see cref="LostSqlState"/> unless this lock's session still holds its token (and so the lock),
    /// before anything of the file runs.
    /// </summary>
    public NpgsqlBatchCommand HeldCommand() => new($"DO $north_lock$ BEGIN {HeldOrRaise()} END $north_lock$");

    // Literals only (numbers): a DO block takes no parameters. The try succeeds only when nobody
    // holds the token, that is when the lock's session has ended or let go; the shared lock it then
    // takes ends with the transaction the RAISE aborts.
    private string HeldOrRaise() =>
        $"IF pg_catalog.pg_try_advisory_xact_lock_shared({TokenKey}) " +
        $"THEN RAISE EXCEPTION 'North''s run lock is no longer held by session {_pid}' USING ERRCODE = '{LostSqlState}'; END IF;";

    /// <summary>
    /// Watches the lock while a step runs on session <paramref name="scriptPid"/>: every
    /// <paramref name="interval"/> (default 1 s) it checks the lock is held and that the script
    /// session is not waiting for this very key (a file taking North's own key would wait forever).
    /// Either problem cancels <see cref="LockWatch.Token"/> and is kept in <see cref="LockWatch.Problem"/>.
    /// </summary>
    public LockWatch Watch(int scriptPid, CancellationToken cancel, TimeSpan? interval = null) =>
        new(this, scriptPid, interval ?? TimeSpan.FromSeconds(1), cancel);

    /// <summary>
    /// <see cref="Watch(int, CancellationToken, TimeSpan?)"/>, which also looks every 250 ms whether the
    /// script session waits on a lock and, when it does, reads who blocks it (<see cref="LockWatch.BlockersSince"/>,
    /// and <paramref name="onWait"/> at each look).
    /// </summary>
    public LockWatch Watch(int scriptPid, Action<LockWait> onWait, CancellationToken cancel) =>
        new(this, scriptPid, TimeSpan.FromSeconds(1), cancel, onWait);

    internal async Task<(bool Held, bool ScriptWaits)> CheckAsync(int scriptPid, CancellationToken cancel)
    {
        var check = await CheckWaitAsync(scriptPid, false, cancel).ConfigureAwait(false);
        return (check.Held, check.ScriptWaits);
    }

    /// <summary>
    /// The lock check, plus how the script session waits: for how long its statement has been waiting
    /// on a lock (null when it is not) and, when <paramref name="readBlockers"/> and it waits, who blocks it.
    /// Reads only, in autocommit: the lock's session never holds a transaction or a snapshot.
    /// </summary>
    internal async Task<LockCheck> CheckWaitAsync(int scriptPid, bool readBlockers, CancellationToken cancel)
    {
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            var connection = _connection;
            if (connection is null || connection.State != System.Data.ConnectionState.Open)
            {
                return new LockCheck(false, false, null, []);
            }
            var (high, low) = Split(Key);
            await using var command = new NpgsqlCommand(@"
SELECT coalesce(bool_or(l.pid = pg_catalog.pg_backend_pid() AND l.granted), false), coalesce(bool_or(l.pid = $3 AND NOT l.granted), false),
  (SELECT extract(epoch FROM pg_catalog.clock_timestamp() - a.query_start)::float8 FROM pg_catalog.pg_stat_activity a
   WHERE $4 AND a.pid = $3 AND a.wait_event_type = 'Lock')
FROM pg_catalog.pg_locks l
WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.classid::pg_catalog.int8 = $1 AND l.objid::pg_catalog.int8 = $2
  AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = high });
            command.Parameters.Add(new NpgsqlParameter { Value = low });
            command.Parameters.Add(new NpgsqlParameter { Value = scriptPid });
            command.Parameters.Add(new NpgsqlParameter { Value = readBlockers });
            bool held, waits;
            TimeSpan? waiting;
            await using (var reader = await command.ExecuteReaderAsync(cancel).ConfigureAwait(false))
            {
                await reader.ReadAsync(cancel).ConfigureAwait(false);
                (held, waits, waiting) = (reader.GetBoolean(0), reader.GetBoolean(1), reader.IsDBNull(2) ? null : TimeSpan.FromSeconds(reader.GetDouble(2)));
            }
            var blockers = waiting is not null && held && !waits
                ? await DatabaseSession.ReadBlockersAsync(connection, scriptPid, cancel).ConfigureAwait(false)
                : [];
            return new LockCheck(held, waits, waiting, blockers);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException)
        {
            // The session is gone (terminated, timed out, network): so is the lock.
            return new LockCheck(false, false, null, []);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The error of a run whose lock is gone.</summary>
    public NorthException Lost(Exception? inner) => new(
        $"The migration run lost its lock on {_target} (advisory lock {Key}, session {_pid} ended or released it): the run stopped. " +
        "A file that was running atomically was rolled back; nothing more was applied.",
        ErrorIds.LockLost, NorthErrorKind.ConnectionError, _target,
        "Find why the session ended (idle_session_timeout, a proxy or firewall, pg_terminate_backend, a server restart), then run again: " +
        "the next run starts where this one stopped.", inner);

    /// <summary>The error of a file that waits for North's own key.</summary>
    public NorthException SelfDeadlock(string file, Exception? inner) => new(
        $"{file}: the file waits for North's own run lock (advisory lock {Key}), which this run holds: it would wait forever. North cancelled it; the file was not recorded.",
        ErrorIds.LockSelfDeadlock, NorthErrorKind.ResourceBusy, file,
        $"Remove the advisory lock call on key {Key} from the file (North already serialises runs), or use another key.", inner);

    private static (long High, long Low) Split(long key) => ((uint)(key >> 32), (uint)key);

    /// <summary>Releases the lock and ends its session.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        var connection = Interlocked.Exchange(ref _connection, null);
        _gate.Release();
        if (connection is null)
        {
            return;
        }
        try
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                // The token first: whoever sees it free may take the lock to be gone.
                await using var unlock = new NpgsqlBatch(connection);
                foreach (var key in new[] { TokenKey, Key })
                {
                    var command = new NpgsqlBatchCommand("SELECT pg_catalog.pg_advisory_unlock($1)");
                    command.Parameters.Add(new NpgsqlParameter { Value = key });
                    unlock.BatchCommands.Add(command);
                }
                await unlock.ExecuteNonQueryAsync().ConfigureAwait(false);
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
            ErrorIds.LockTimeout, NorthErrorKind.ResourceBusy, connections.Target,
            holder is null
                ? "Run again."
                : $"Wait for that run to finish, or raise -LockTimeout; if the session is stuck, a DBA can end it with SELECT pg_terminate_backend({holder.Pid}).");
    }
}

/// <summary>One look at the run lock and at the script session's lock wait.</summary>
internal sealed record LockCheck(bool Held, bool ScriptWaits, TimeSpan? Waiting, IReadOnlyList<DatabaseSession> Blockers);

