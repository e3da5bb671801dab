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

    /// <summary>Applied with <c>SET lock_timeout</c> for the file (reset by <c>DISCARD ALL</c>).</summary>
    public TimeSpan? LockTimeout { get; init; }

    /// <summary>Applied with <c>SET statement_timeout</c> for the file (reset by <c>DISCARD ALL</c>).</summary>
    public TimeSpan? StatementTimeout { get; init; }

    /// <summary>psql variables (<c>:name</c> in the file), like <c>psql -v</c>.</summary>
    public IReadOnlyDictionary<string, string>? Variables { get; init; }

    /// <summary>Folder <c>\i</c> is relative to (the run's working folder); null: a relative <c>\i</c> is an error.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>
    /// The history insert as a command, made when the file has run. In atomic mode it goes in the
    /// same round trip as COMMIT (no extra round trip per file); otherwise it runs after the file.
    /// </summary>
    public Func<NpgsqlBatchCommand>? RecordCommand { get; init; }

    /// <summary>Called after each execution of a do-until-0 block (for progress).</summary>
    public Action<BlockIteration>? OnIteration { get; init; }
}

/// <summary>One execution of a do-until-0 block: <paramref name="Rows"/> is the sum of its INSERT/UPDATE/DELETE/MERGE rows.</summary>
/// <param name="File">The manual file.</param>
/// <param name="Line">Line of the block's <c>--meta-psql:do-until-0</c>.</param>
/// <param name="Block">1-based number of the block in the file.</param>
/// <param name="Iteration">1-based execution number.</param>
/// <param name="Rows">Rows changed by this execution; 0 ends the block.</param>
public sealed record BlockIteration(string File, int Line, int Block, int Iteration, long Rows);
