using System.Diagnostics;

namespace North.Core.Fleet;

/// <summary>
/// Runs one piece of work per target with .NET's async machinery: a global cap
/// (<see cref="FleetOptions.ThrottleLimit"/>) and a cap per server, both <see cref="SemaphoreSlim"/>s
/// taken in target order, so targets start in the order given as slots free up and a full server
/// never holds back the targets of another. Canaries run first; a failure ends the canary stage,
/// and under <see cref="FleetOptions.StopOnFailure"/> any failure stops new starts.
/// </summary>
public sealed class FleetRunner<T>
{
    private readonly FleetOptions _options;
    private readonly Func<T, string> _serverOf;

    /// <param name="options">The caps, canaries and stop policy.</param>
    /// <param name="serverOf">The server a target runs on (the key of the per-server cap).</param>
    public FleetRunner(FleetOptions options, Func<T, string> serverOf)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serverOf);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ThrottleLimit, 1);
        _options = options;
        _serverOf = serverOf;
    }

    /// <summary>Called as a target starts (on a worker thread).</summary>
    public Action<T>? OnStarted { get; init; }

    /// <summary>Called as a target ends, with its outcome and, when it failed, its error (on a worker thread).</summary>
    public Action<T, TargetOutcome, Exception?>? OnFinished { get; init; }

    /// <summary>
    /// Runs <paramref name="work"/> for each target (its result: <see cref="TargetOutcome.Succeeded"/>
    /// or <see cref="TargetOutcome.NoOp"/>; an exception is a failure and the others go on).
    /// Cancellation stops waiting targets and is passed to running ones.
    /// </summary>
    public async Task<FleetSummary> RunAsync(IReadOnlyList<T> targets, Func<T, CancellationToken, Task<TargetOutcome>> work, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(work);
        var clock = Stopwatch.StartNew();
        using var global = new SemaphoreSlim(_options.ThrottleLimit);
        var servers = new Dictionary<string, SemaphoreSlim>(StringComparer.Ordinal);
        var outcomes = new TargetOutcome[targets.Count];
        var failed = 0;
        try
        {
            var canaries = Math.Clamp(_options.CanaryCount, 0, targets.Count);
            await RunStageAsync(0, canaries).ConfigureAwait(false);
            if (canaries > 0 && Volatile.Read(ref failed) > 0)
            {
                for (var i = canaries; i < targets.Count; i++)
                {
                    Finish(i, TargetOutcome.Skipped, null);
                }
            }
            else
            {
                await RunStageAsync(canaries, targets.Count).ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (var semaphore in servers.Values)
            {
                semaphore.Dispose();
            }
        }
        cancel.ThrowIfCancellationRequested();
        return new FleetSummary(targets.Count, outcomes.Count(o => o == TargetOutcome.Succeeded), outcomes.Count(o => o == TargetOutcome.NoOp),
            outcomes.Count(o => o == TargetOutcome.Failed), outcomes.Count(o => o == TargetOutcome.Skipped), clock.Elapsed);

        Task RunStageAsync(int from, int to)
        {
            var running = new List<Task>(to - from);
            for (var i = from; i < to; i++)
            {
                // Each call queues on its semaphores before returning: the queues keep the targets' order.
                running.Add(RunOneAsync(i));
            }
            return Task.WhenAll(running);
        }

        async Task RunOneAsync(int index)
        {
            var target = targets[index];
            var server = ServerSemaphore(_serverOf(target));
            var holdsServer = false;
            var holdsGlobal = false;
            try
            {
                if (server is not null)
                {
                    await server.WaitAsync(cancel).ConfigureAwait(false);
                    holdsServer = true;
                }
                await global.WaitAsync(cancel).ConfigureAwait(false);
                holdsGlobal = true;
                if (_options.StopOnFailure && Volatile.Read(ref failed) > 0)
                {
                    Finish(index, TargetOutcome.Skipped, null);
                    return;
                }
                OnStarted?.Invoke(target);
                TargetOutcome outcome;
                try
                {
                    outcome = await Task.Run(() => work(target, cancel), cancel).ConfigureAwait(false);
                }
                catch (Exception e) when (!cancel.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failed);
                    Finish(index, TargetOutcome.Failed, e);
                    return;
                }
                Finish(index, outcome, null);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                Finish(index, TargetOutcome.Skipped, null);
            }
            finally
            {
                if (holdsGlobal) global.Release();
                if (holdsServer) server!.Release();
            }
        }

        SemaphoreSlim? ServerSemaphore(string key)
        {
            if (_options.ServerThrottleLimit <= 0 || _options.ServerThrottleLimit >= _options.ThrottleLimit)
            {
                return null; // the global cap is the stronger one
            }
            lock (servers)
            {
                if (!servers.TryGetValue(key, out var semaphore))
                {
                    servers[key] = semaphore = new SemaphoreSlim(_options.ServerThrottleLimit);
                }
                return semaphore;
            }
        }

        void Finish(int index, TargetOutcome outcome, Exception? error)
        {
            outcomes[index] = outcome;
            OnFinished?.Invoke(targets[index], outcome, error);
        }
    }
}
