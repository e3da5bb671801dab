using System.Diagnostics;
using North.Core.Errors;
using North.Core.Execution;
using North.Core.History;
using North.Core.Locking;
using North.Core.Planning;
using North.Core.Reporting;
using North.Core.Sql;
using Npgsql;

namespace North.Core.Migrating;

/// <summary>
/// One run's working state: its script session, executor, run lock, history shape and results.
/// The run is under one <see cref="LockWatch"/> from start to end; each step first proves the lock is held.
/// </summary>
internal sealed class MigrationRun(NpgsqlConnection connection, ScriptExecutor executor, AdvisoryLock runLock, UnfinishedTable journal,
    MigrateOptions options, string activity, int stepCount, IReporter reporter, CancellationToken cancel) : IAsyncDisposable
{
    private readonly LockWatch _watch = runLock.Watch(connection.ProcessID, new BlockerReport(reporter).OnWait, cancel);

    private const int ProgressId = 1;
    private bool _journalReady;

    public NpgsqlConnection Connection { get; } = connection;
    public ScriptExecutor Executor { get; } = executor;
    public AdvisoryLock Lock { get; } = runLock;
    public UnfinishedTable Journal { get; } = journal;
    public string Activity { get; } = activity;

    /// <summary>Where the run's sessions come from (errors name its target; a lost connection clears its pool).</summary>
    public required Connections.ConnectionFactory Connections { get; init; }

    /// <summary>The history table as last inspected or created in this run.</summary>
    public HistoryShape? Shape { get; set; }

    public List<StepResult> Results { get; } = new();

    /// <summary>Creates the unfinished-work table once per run, when a step needs it.</summary>
    public async Task EnsureJournalAsync(CancellationToken cancel)
    {
        if (_journalReady) return;
        await using var batch = new NpgsqlBatch(Connection);
        batch.BatchCommands.Add(Journal.CreateCommand());
        await batch.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
        _journalReady = true;
    }

    /// <summary>
    /// Runs one step: proves the lock first, watches it during the step, and turns a lost lock or a
    /// file waiting for North's own key into its error. A failed step is reported before the error.
    /// With <c>checkedInside</c> the body proves the lock itself before anything of the step runs
    /// (<see cref="AdvisoryLock.HeldCommand"/> first in an atomic file's first round trip): no check of its own here.
    /// </summary>
    public async Task<StepResult> StepAsync(PlanStep step, Stopwatch clock, Func<CancellationToken, Task<StepResult>> body, CancellationToken cancel, bool checkedInside = false)
    {
        reporter.Progress(new ProgressReport(ProgressId, Activity, $"{Results.Count + 1}/{stepCount} {step.Action} {step.Version?.Text} {step.Name}",
            Results.Count * 100 / Math.Max(1, stepCount)));
        var watch = _watch;
        try
        {
            if (!checkedInside)
                await Lock.VerifyAsync(cancel).ConfigureAwait(false);
            cancel.ThrowIfCancellationRequested();
            return await body(watch.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Stop at the first error; the caller sees the failed step, then the error itself.
            options.OnStepCompleted?.Invoke(new StepResult(step.Order, step.Version, step.Name, step.Action, StepStatus.Failed, clock.Elapsed, 0, 0, step.Path));
            var problem = watch.Problem;
            // The script session itself broke (no SQLSTATE). When the server went away the lock
            // session went with it, and the watch may see that first: the broken session is the cause.
            var broken = !Connection.State.HasFlag(System.Data.ConnectionState.Open) && IsBrokenConnection(e);
            if (broken)
            {
                // The server's other sessions of this pool are likely gone too (a restart, a crash):
                // the next call must not be handed one of them.
                Connections.ClearPool();
            }
            if (problem == WatchProblem.SelfDeadlock)
                throw Lock.SelfDeadlock(step.Path ?? step.Name, e);
            if (broken)
                throw ConnectionLost(step, e);
            if (problem == WatchProblem.LockLost || IsLockLost(e))
                throw Lock.Lost(e);
            throw;
        }
    }

    /// <summary>The sessions seen blocking the script session since <paramref name="since"/>.</summary>
    public IReadOnlyList<Contention.DatabaseSession> BlockersSince(DateTimeOffset since) => _watch.BlockersSince(since);

    public ValueTask DisposeAsync() => _watch.DisposeAsync();

    public void Completed(StepResult result)
    {
        Results.Add(result);
        options.OnStepCompleted?.Invoke(result);
    }

    // The script session's connection broke (the server went away, a network failure): no SQLSTATE,
    // only the file and what its mode means for what was kept.
    private NorthException ConnectionLost(PlanStep step, Exception e)
    {
        var file = step.Version is null ? step.Name : $"{step.Version.Text}/{step.Name}";
        var atomic = step.Transaction == TransactionMode.Atomic;
        var kept = atomic
            ? "It ran in one transaction with its history row: the server rolls both back when the session ends, unless its COMMIT had arrived, so the history says whether it was applied."
            : "It runs outside one transaction: what it committed before the loss is kept, and it stays marked unfinished, so the next run stops on it and says how to resolve it.";
        return new NorthException(
            $"The connection to {Connections.Target} was lost while {file} ran ({e.Message}{(e.InnerException is { } inner ? ": " + inner.Message : "")}). {kept}",
            ErrorIds.ConnectionLost, NorthErrorKind.ConnectionError, step.Path ?? step.Name,
            atomic
                ? "Once the server answers again, Get-NorthStatus shows whether the file is recorded; run Invoke-NorthMigration again to apply what is left."
                : "Once the server answers again, check what the file did, then follow the next run's advice (Register-NorthMigration when it is complete).",
            e);
    }

    private static bool IsBrokenConnection(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is NpgsqlException and not PostgresException)
                return true;
        }
        return false;
    }

    private static bool IsLockLost(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is PostgresException { SqlState: AdvisoryLock.LostSqlState } || x is Errors.ScriptException { SqlState: AdvisoryLock.LostSqlState })
                return true;
            if (x is Errors.NorthException { ErrorId: ErrorIds.LockLost })
                return true;
        }
        return false;
    }
}

/// <summary>
/// Says who blocks the script session once its statement has waited on a lock for a second: to
/// -Verbose and the progress bar's status, again when the blockers change or every 5 seconds.
/// </summary>
internal sealed class BlockerReport(IReporter reporter)
{
    private const int ProgressId = 3;
    private static readonly TimeSpan After = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Again = TimeSpan.FromSeconds(5);
    private string _last = "";
    private DateTimeOffset _lastAt;

    public void OnWait(Contention.LockWait wait)
    {
        if (wait.Waiting < After)
            return;
        var pids = string.Join(",", wait.Blockers.Select(b => b.Pid));
        if (pids == _last && wait.SeenAt - _lastAt < Again)
            return;
        _last = pids;
        _lastAt = wait.SeenAt;
        var text = $"waiting {wait.Waiting.TotalSeconds:0.#} s on a lock held by {string.Join("; ", wait.Blockers)}";
        reporter.Verbose("North's statement is " + text + ".");
        reporter.Progress(new ProgressReport(ProgressId, "Waiting for a lock", text.Length > 200 ? text[..200] : text, -1, 1));
    }
}

