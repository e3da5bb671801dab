using North.Core.Contention;
using North.Core.Errors;

namespace North.Core.Execution;

/// <summary>
/// A statement met a lock timeout or a deadlock and North stopped: its retries ran out, or a retry
/// would have redone work the file kept. Names the sessions seen blocking it and how a DBA can end them.
/// </summary>
public sealed class LockWaitException : ScriptException
{
    internal LockWaitException(ScriptException failure, string why, IReadOnlyList<DatabaseSession> blockers)
        : base(failure, Text(failure, why, blockers), ErrorIds.LockWaitFailed, Advice(failure, blockers))
    {
        Blockers = blockers;
    }

    /// <summary>The sessions seen blocking the statement during its last attempt (none when none was seen).</summary>
    public IReadOnlyList<DatabaseSession> Blockers { get; }

    private static string Text(ScriptException failure, string why, IReadOnlyList<DatabaseSession> blockers) =>
        $"{failure.Message}; {why}." + (blockers.Count == 0
            ? " No blocking session was seen (it may have ended, or the wait was shorter than a look)."
            : $" Blocked by {string.Join("; ", blockers)}.");

    private static string Advice(ScriptException failure, IReadOnlyList<DatabaseSession> blockers)
    {
        var first = failure.RecommendedAction is { Length: > 0 } hint ? hint + " " : "";
        if (blockers.Count == 0)
            return first + "Find the sessions that hold locks on the objects of the statement (pg_locks, pg_stat_activity), then run again; raise LockRetries or DdlLockTimeout for a busy table.";
        var pids = string.Join(", ", blockers.Select(b => b.Pid));
        return first + $"Let the blocking work finish and run again, or end it: SELECT pg_cancel_backend(pid) cancels its running statement, " +
            $"SELECT pg_terminate_backend(pid) ends its session (pid {pids}; e.g. SELECT pg_cancel_backend({blockers[0].Pid})). Raise LockRetries or DdlLockTimeout for a busy table.";
    }
}
