namespace North.Core.Locking;

/// <summary>
/// The run lock watched while one step runs (see <see cref="AdvisoryLock.Watch"/>): the check is
/// also the lock session's heartbeat. Pass <see cref="Token"/> to the step; when it is cancelled,
/// <see cref="Problem"/> says why (the lock was lost, or the file waits for North's own key).
/// </summary>
public sealed class LockWatch : IAsyncDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();

    internal LockWatch(AdvisoryLock runLock, int scriptPid, TimeSpan interval, CancellationToken cancel)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        _loop = Task.Run(() => LoopAsync(runLock, scriptPid, interval));
    }

    public CancellationToken Token => _source.Token;

    /// <summary>What cancelled <see cref="Token"/>: <see cref="WatchProblem.None"/> while all is well.</summary>
    public WatchProblem Problem { get; private set; }

    private async Task LoopAsync(AdvisoryLock runLock, int scriptPid, TimeSpan interval)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(interval, _stop.Token).ConfigureAwait(false);
                var (held, waits) = await runLock.CheckAsync(scriptPid, _stop.Token).ConfigureAwait(false);
                if (_stop.IsCancellationRequested) return;
                if (!held || waits)
                {
                    Problem = held ? WatchProblem.SelfDeadlock : WatchProblem.LockLost;
                    await _source.CancelAsync().ConfigureAwait(false);
                    return;
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
