using North.Core.Execution;
using North.Core.Repository;
using North.Core.Sql;
using Npgsql;

namespace North.Core.Rehearsal;

/// <summary>
/// Runs migration files with North's own engine and modes and measures, after each statement and
/// from its own session before its transaction ends, what it did to the relations that existed
/// before the file: the locks it took (<c>pg_locks</c> for its pid), rewrites (<c>relfilenode</c>
/// changed) and full scans (<c>pg_stat_xact_user_tables.seq_scan</c> grew). Meant for a scratch
/// database: the files really run.
/// </summary>
public sealed class LockRehearsal
{
    // Tables, partitioned tables and materialized views of user schemas.
    private const string RelationsSql = """
        select c.oid::bigint, quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relfilenode::bigint
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p', 'm') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'
        """;

    private const string ObserveSql = """
        select c.oid::bigint, c.relfilenode::bigint, coalesce(s.seq_scan, 0),
               coalesce((select array_agg(l.mode::text) from pg_locks l
                         where l.pid = pg_backend_pid() and l.locktype = 'relation' and l.granted and l.relation = c.oid), '{}')
        from pg_class c left join pg_stat_xact_user_tables s on s.relid = c.oid
        where c.oid = any(@oids)
        """;

    /// <summary>PostgreSQL's table-level lock modes, weakest first (the "Table-Level Lock Modes" list).</summary>
    private static readonly string[] Strength =
    [
        "AccessShareLock", "RowShareLock", "RowExclusiveLock", "ShareUpdateExclusiveLock",
        "ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock",
    ];

    private readonly IReadOnlyList<string> _nonTransactionalKeywords;

    public LockRehearsal(IReadOnlyList<string> nonTransactionalKeywords) => _nonTransactionalKeywords = nonTransactionalKeywords;

    /// <summary>Runs <paramref name="file"/> on <paramref name="connection"/>; one observation per (statement, relation) it touched.</summary>
    public Task<IReadOnlyList<LockObservation>> RunFileAsync(NpgsqlConnection connection, MigrationFile file, CancellationToken cancel = default) =>
        RunFileAsync(connection, file, new ExecutionOptions { NonTransactionalKeywords = _nonTransactionalKeywords, Manual = file.IsManual }, cancel);

    /// <summary>
    /// Runs <paramref name="file"/> with the options a migration run would use (the plan's
    /// classification, manual flag, timeouts). In autocommit (a non-transactional file) a statement's
    /// locks are gone when it returns: a second session watches them while it runs.
    /// </summary>
    public async Task<IReadOnlyList<LockObservation>> RunFileAsync(NpgsqlConnection connection, MigrationFile file, ExecutionOptions options, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options = options with { NonTransactionalKeywords = options.NonTransactionalKeywords ?? _nonTransactionalKeywords };
        var mode = options.Mode ?? options.Classification?.Mode ?? ScriptClassifier.Classify(file.Path, options.NonTransactionalKeywords).Mode;
        var names = new Dictionary<long, string>();
        var last = new Dictionary<long, (long FileNode, long SeqScan, HashSet<string> Locks)>();
        await using (var command = new NpgsqlCommand(RelationsSql, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancel).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancel).ConfigureAwait(false))
            {
                names[reader.GetInt64(0)] = reader.GetString(1);
                last[reader.GetInt64(0)] = (reader.GetInt64(2), 0, []);
            }
        }
        var oids = names.Keys.ToArray();
        var observations = new List<LockObservation>();

        async Task<List<(long Oid, long FileNode, long SeqScan, HashSet<string> Locks)>> ReadAsync(NpgsqlTransaction? transaction, CancellationToken token)
        {
            await using var command = new NpgsqlCommand(ObserveSql, connection, transaction);
            command.Parameters.AddWithValue("oids", oids);
            await using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
            var seen = new List<(long Oid, long FileNode, long SeqScan, HashSet<string> Locks)>();
            while (await reader.ReadAsync(token).ConfigureAwait(false))
                seen.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), [.. reader.GetFieldValue<string[]>(3)]));
            return seen;
        }

        // The session's pending counters may hold scans of earlier transactions not yet reported
        // to the statistics system: the baseline is read from the same session.
        foreach (var (oid, fileNode, seqScan, _) in await ReadAsync(null, cancel).ConfigureAwait(false))
            last[oid] = (fileNode, seqScan, []);

        await using var watcher = mode == TransactionMode.None ? await LockWatcher.StartAsync(connection, oids, cancel).ConfigureAwait(false) : null;

        async Task Observe(ExecutedStatement executed, CancellationToken token)
        {
            watcher?.ThrowIfFailed();
            var watched = watcher?.Take();
            var reported = false;
            foreach (var (oid, fileNode, seqScan, locks) in await ReadAsync(executed.Transaction, token).ConfigureAwait(false))
            {
                var before = last[oid];
                // Locks seen while it ran are gone by now (autocommit): they are the statement's, not the session's.
                var held = watched is not null && watched.TryGetValue(oid, out var during) ? [.. locks, .. during] : locks;
                // Counters that went down were reported between two transactions (autocommit): they count afresh.
                var scans = seqScan >= before.SeqScan ? seqScan - before.SeqScan : seqScan;
                var taken = held.Where(l => !before.Locks.Contains(l)).ToList();
                var rewrite = fileNode != before.FileNode;
                last[oid] = (fileNode, seqScan, locks);
                var strongest = taken.OrderBy(l => Array.IndexOf(Strength, l)).LastOrDefault();
                if (strongest is null && !rewrite && scans == 0)
                    continue;
                var (risk, reason) = Grade(strongest, rewrite, scans > 0);
                if (watched is not null)
                    reason = strongest is not null
                        ? reason + "; seen from a second session while the statement ran (autocommit)"
                        : $"ran in autocommit and its locks ended before a second session could see them; {reason}";
                observations.Add(new LockObservation(file.Version.Text, file.Name, executed.Statement.Line, executed.Statement.FirstLine.Trim(),
                    names[oid], strongest, rewrite, scans > 0, executed.Duration, risk, reason));
                reported = true;
            }
            // Every statement is in the report, so a DBA sees all of the file: one that took no new
            // lock on an existing relation (a CREATE TABLE, a lock its transaction already held) has no relation.
            if (!reported)
                observations.Add(new LockObservation(file.Version.Text, file.Name, executed.Statement.Line, executed.Statement.FirstLine.Trim(),
                    null, null, false, false, executed.Duration, RiskLevel.None, "takes no new lock on a relation that existed before the file"));
        }

        var executor = new ScriptExecutor(connection);
        await executor.ExecuteFileAsync(file.Path, options with { AfterStatement = Observe }, cancel)
            .ConfigureAwait(false);
        return observations;
    }

    /// <summary>
    /// The risk of a lock, from what it blocks ("Table-Level Lock Modes", "Conflicting Lock Modes"):
    /// ShareLock and stronger block writes, AccessExclusiveLock blocks reads too.
    /// </summary>
    internal static (RiskLevel Risk, string Reason) Grade(string? lockMode, bool rewrite, bool fullScan)
    {
        var strength = lockMode is null ? -1 : Array.IndexOf(Strength, lockMode);
        var blocksWrites = strength >= Array.IndexOf(Strength, "ShareLock");
        var blocksReads = lockMode == "AccessExclusiveLock";
        var work = rewrite ? "rewrites the table" : fullScan ? "reads the whole table" : null;
        if (!blocksWrites)
            return (RiskLevel.None, lockMode is null ? $"no lock kept; it {work}" : $"{lockMode} blocks neither reads nor writes");
        var blocked = blocksReads ? "reads and writes" : "writes";
        if (work is not null)
            return (RiskLevel.High, $"{lockMode} blocks {blocked} while it {work}");
        if (lockMode == "ShareLock")
            return (RiskLevel.High, "ShareLock blocks writes for the whole index build");
        return (RiskLevel.Low, $"{lockMode} blocks {blocked}, briefly; it still queues behind long transactions");
    }
}
