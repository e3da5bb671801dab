using North.Core.Contention;

namespace North.Core.Locking;

/// <summary>
/// The run lock watched while one step runs (see <see cref="AdvisoryLock.Watch(int, CancellationToken, TimeSpan?)"/>): the check is
/// also the lock session's heartbeat. Pass <see cref="Token"/> to the step; when it is cancelled,
/// <see cref="Problem"/> says why (the lock was lost, or the file waits for North's own key).
/// With a wait callback it also names who blocks the script session while it waits on a lock
/// (read on the lock's session, in autocommit: it holds no snapshot a CONCURRENTLY build would wait for).
/// </summary>
public sealed class LockWatch : IAsyncDisposable
{
    // Often enough to see the blocker of a statement that a 1 s lock_timeout cancels.
    private static readonly TimeSpan WaitInterval = TimeSpan.FromMilliseconds(250);

    private readonly CancellationTokenSource _source;
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();
    private readonly Action<LockWait>? _onWait;
    private volatile LockWait? _lastWait;

    internal LockWatch(AdvisoryLock runLock, int scriptPid, TimeSpan interval, CancellationToken cancel, Action<LockWait>? onWait = null)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        _onWait = onWait;
        var tick = onWait is not null && WaitInterval < interval ? WaitInterval : interval;
        _loop = Task.Run(() => LoopAsync(runLock, scriptPid, tick), CancellationToken.None); // stops through _stop, always runs to its end
    }

    public CancellationToken Token => _source.Token;

    /// <summary>What cancelled <see cref="Token"/>: <see cref="WatchProblem.None"/> while all is well.</summary>
    public WatchProblem Problem { get; private set; }

    /// <summary>The blockers of the last lock wait seen with any, seen at or after <paramref name="since"/> (none otherwise).</summary>
    public IReadOnlyList<DatabaseSession> BlockersSince(DateTimeOffset since) =>
        _lastWait is { } wait && wait.SeenAt >= since ? wait.Blockers : [];

    private async Task LoopAsync(AdvisoryLock runLock, int scriptPid, TimeSpan interval)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(interval, _stop.Token).ConfigureAwait(false);
                var check = await runLock.CheckWaitAsync(scriptPid, _onWait is not null, _stop.Token).ConfigureAwait(false);
                if (_stop.IsCancellationRequested) return;
                if (!check.Held || check.ScriptWaits)
                {
                    Problem = check.Held ? WatchProblem.SelfDeadlock : WatchProblem.LockLost;
                    await _source.CancelAsync().ConfigureAwait(false);
                    return;
                }
                if (check.Waiting is TimeSpan waiting && check.Blockers.Count > 0)
                {
                    var wait = new LockWait(waiting, check.Blockers, DateTimeOffset.UtcNow);
                    _lastWait = wait;
                    _onWait?.Invoke(wait);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The step ended.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A failing check has nothing to add once the step is over.
        }
        _stop.Dispose();
        _source.Dispose();
    }
}

/// <summary>Why a <see cref="LockWatch"/> stopped a step.</summary>
public enum WatchProblem
{
    None,
    LockLost,
    SelfDeadlock,
}
