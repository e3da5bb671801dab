using North.Core.Sql;

namespace North.Core.Execution;

/// <summary>What running one file did.</summary>
public sealed class ScriptResult
{
    public required string File { get; init; }

    /// <summary>The transaction mode the file ran in.</summary>
    public TransactionMode Mode { get; init; }

    /// <summary>The file has do-until-0 blocks.</summary>
    public bool Manual { get; init; }

    /// <summary>Rows changed by INSERT/UPDATE/DELETE/MERGE statements, plus rows loaded by COPY.</summary>
    public long RowsAffected { get; init; }

    /// <summary>Per do-until-0 block, the rows changed by each of its executions (the last is 0).</summary>
    public IReadOnlyList<IReadOnlyList<long>> Iterations { get; init; } = Array.Empty<IReadOnlyList<long>>();

    public TimeSpan Duration { get; init; }

    /// <summary>Executions of the file and of its statements: 1, plus one per retry after a lock timeout or deadlock.</summary>
    public int Attempts { get; init; } = 1;

    /// <summary>Statements executed (a block's statements count once per execution).</summary>
    public int StatementCount { get; init; }
}
