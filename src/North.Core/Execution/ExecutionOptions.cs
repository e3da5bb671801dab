using Npgsql;
using North.Core.Sql;

namespace North.Core.Execution;

/// <summary>How <see cref="ScriptExecutor"/> runs one file.</summary>
public sealed record ExecutionOptions
{
    /// <summary>Forced transaction mode; null takes the classification's.</summary>
    public TransactionMode? Mode { get; init; }

    /// <summary>
    /// What the plan read in the file (mode, outer BEGIN/COMMIT): the executor uses it and does not
    /// decide again. Null: the executor classifies the file itself (callers without a plan).
    /// </summary>
    public ScriptClassification? Classification { get; init; }

    /// <summary>
    /// The file is manual (decided at discovery): its <c>--meta-psql:</c> lines are markers; in
    /// any other file they are comments. Default true, for callers that run bare files.
    /// </summary>
    public bool Manual { get; init; } = true;

    /// <summary>Keywords that make a file non-transactional; null means <see cref="ScriptClassifier.DefaultNonTransactionalKeywords"/>.</summary>
    public IReadOnlyList<string>? NonTransactionalKeywords { get; init; }

    /// <summary>Cap on the executions of one do-until-0 block; reaching it without a 0-row execution is an error. Null: no cap.</summary>
    public int? MaxIterations { get; init; }

    /// <summary>Time one do-until-0 block may run, all its executions together; past it the running statement is cancelled and the file fails. Null: no limit.</summary>
    public TimeSpan? BlockTimeLimit { get; init; }

    /// <summary>
    /// North's commands before the file (the run lock's check, the mark its history row is timed from): in
    /// <see cref="TransactionMode.Atomic"/> mode they go first in the file's first round trip, in its
    /// transaction, and are asked for once per attempt, when it begins; in the others, alone before the file.
    /// A failure of one is the file's, before its first statement, and nothing of the file runs.
    /// </summary>
    public Func<IReadOnlyList<NpgsqlBatchCommand>>? FirstCommands { get; init; }

    /// <summary>Applied with <c>SET lock_timeout</c> for the file (reset by <c>DISCARD ALL</c>).</summary>
    public TimeSpan? LockTimeout { get; init; }

    /// <summary>
    /// Retries of what met a lock timeout or deadlock (null: none): an atomic file runs again whole; a
    /// non-transactional file runs the failing statement again when it ran alone (in autocommit); a file
    /// with its own transactions runs again whole while nothing of it was kept (no COMMIT, no autocommit work).
    /// </summary>
    public Contention.LockRetryPolicy? LockRetries { get; init; }

    /// <summary>The sessions seen blocking the script session since the given time (named when North gives up); null: none known.</summary>
    public Func<DateTimeOffset, IReadOnlyList<Contention.DatabaseSession>>? BlockersSince { get; init; }

    /// <summary>An invalid index met before the CONCURRENTLY build of its name is dropped concurrently and built again (false: an error).</summary>
    public bool RebuildInvalidIndexes { get; init; }

    /// <summary>Applied with <c>SET statement_timeout</c> for the file (reset by <c>DISCARD ALL</c>).</summary>
    public TimeSpan? StatementTimeout { get; init; }

    /// <summary>psql variables (<c>:name</c> in the file), like <c>psql -v</c>.</summary>
    public IReadOnlyDictionary<string, string>? Variables { get; init; }

    /// <summary>Folder <c>\i</c> is relative to (the run's working folder); null: a relative <c>\i</c> is an error.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Folders <c>\i</c>/<c>\ir</c> may read from; null: anywhere.</summary>
    public Repository.ReadableFolders? ReadableFolders { get; init; }

    /// <summary>
    /// The history insert, with the statements that must travel with it (the run lock's check,
    /// North's own role and search_path), made when the file has run. In atomic mode they go in the
    /// same round trip as COMMIT (no extra round trip per file); otherwise they run after the file,
    /// in one implicit transaction.
    /// </summary>
    public Func<IReadOnlyList<NpgsqlBatchCommand>>? RecordCommands { get; init; }

    /// <summary>
    /// A transaction of the caller's (an initialization that commits as one): an atomic file runs
    /// inside it and neither commits nor discards the session; the file's session settings are
    /// reset with <c>RESET ALL</c> and <c>RESET ROLE</c> instead.
    /// </summary>
    public NpgsqlTransaction? EnclosingTransaction { get; init; }

    /// <summary>
    /// Work done first inside an atomic file's transaction, before its first statement (Clear-NorthDatabase's
    /// TRUNCATE before the fixtures): it commits or rolls back with the file. Requires <see cref="TransactionMode.Atomic"/>.
    /// </summary>
    public Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task>? BeforeFirstStatement { get; init; }

    /// <summary>Called after each execution of a do-until-0 block (for progress).</summary>
    public Action<BlockIteration>? OnIteration { get; init; }

    /// <summary>
    /// Called after each SQL statement succeeds, on the file's connection and inside its transaction
    /// (if any), before the next one is sent: lets a caller observe what the statement did (the lock
    /// rehearsal of <c>Test-NorthMigration</c> reads <c>pg_locks</c> there). Null: nothing is called.
    /// </summary>
    public Func<ExecutedStatement, CancellationToken, Task>? AfterStatement { get; init; }
}

/// <summary>A statement that has just run: where it is, how long it took, and the session it ran in.</summary>
public sealed record ExecutedStatement(SqlStatement Statement, TimeSpan Duration, NpgsqlConnection Connection, NpgsqlTransaction? Transaction);

/// <summary>One execution of a do-until-0 block: <paramref name="Rows"/> is the sum of its INSERT/UPDATE/DELETE/MERGE rows.</summary>
/// <param name="File">The manual file.</param>
/// <param name="Line">Line of the block's <c>--meta-psql:do-until-0</c>.</param>
/// <param name="Block">1-based number of the block in the file.</param>
/// <param name="Iteration">1-based execution number.</param>
/// <param name="Rows">Rows changed by this execution; 0 ends the block.</param>
public sealed record BlockIteration(string File, int Line, int Block, int Iteration, long Rows);
