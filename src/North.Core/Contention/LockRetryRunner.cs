using North.Core.Reporting;

namespace North.Core.Contention;

/// <summary>
/// Runs again what met a lock timeout or a deadlock, as <see cref="LockRetryPolicy"/> says (the
/// LockRetries setting): the one loop of the script executor's whole-file retries and of the
/// clear's, and the one back-off (jittered) and verbose record of every retry, statement retries
/// included. Which failure may run again, and what a spent retry becomes, is the caller's.
/// </summary>
public sealed class LockRetryRunner
{
    private readonly IReporter _reporter;

    /// <param name="policy">How often and how long to wait; null: a lock failure is never retried.</param>
    /// <param name="reporter">Where the verbose record of each retry and the warning of a success after retries go.</param>
    public LockRetryRunner(LockRetryPolicy? policy, IReporter? reporter = null)
    {
        Policy = policy;
        _reporter = reporter ?? NullReporter.Instance;
    }

    public LockRetryPolicy? Policy { get; }

    /// <summary>The most attempts, the first included (1 without a policy).</summary>
    public int MaxAttempts => Policy?.MaxAttempts ?? 1;

    /// <summary>Whether attempt <paramref name="attempt"/> (1 first) may be followed by another.</summary>
    public bool CanRetryAfter(int attempt) => attempt < MaxAttempts;

    /// <summary>
    /// Runs <paramref name="attempt"/> (given its number, 1 first) until it returns. A failure that
    /// <paramref name="retry"/> answers with a text (what failed and why running again is safe; it
    /// checks <see cref="CanRetryAfter"/>) waits the back-off and runs it again; null rethrows it, and
    /// <paramref name="retry"/> may throw what the failure becomes instead. A success after more than
    /// one attempt (<paramref name="attempts"/> counts them, default the whole attempts) is a
    /// warning: <paramref name="subject"/> needed N attempts.
    /// </summary>
    public async Task<T> RunAsync<T>(string subject, Func<int, CancellationToken, Task<T>> attempt, Func<Exception, int, string?> retry,
        CancellationToken cancel, Func<int, int>? attempts = null)
    {
        for (var number = 1; ; number++)
        {
            try
            {
                var result = await attempt(number, cancel).ConfigureAwait(false);
                var total = attempts?.Invoke(number) ?? number;
                if (total > 1)
                {
                    _reporter.Warning($"{subject} needed {total} attempts (a lock timeout or deadlock, retried); it succeeded.");
                }
                return result;
            }
            catch (Exception e)
            {
                var failure = retry(e, number);
                if (failure is null)
                {
                    throw;
                }
                await WaitBeforeAsync(number + 1, failure, cancel).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Waits the back-off before attempt <paramref name="next"/> (2 or more), saying so in a verbose
    /// record: <paramref name="failure"/>; attempt N of M in T ms.
    /// </summary>
    public Task WaitBeforeAsync(int next, string failure, CancellationToken cancel)
    {
        var policy = Policy ?? throw new InvalidOperationException("No LockRetries policy: nothing is retried.");
        var delay = policy.DelayBefore(next, Random.Shared.NextDouble());
        _reporter.Verbose($"{failure}; attempt {next} of {policy.MaxAttempts} in {delay.TotalMilliseconds:0} ms.");
        return Task.Delay(delay, cancel);
    }
}
