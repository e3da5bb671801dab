using Npgsql;

namespace North.Core.Contention;

/// <summary>
/// How often and how long North waits before it runs again what met a lock timeout (55P03) or a
/// deadlock (40P01): up to <see cref="Retries"/> more attempts, the wait doubling from
/// <see cref="FirstDelay"/> up to <see cref="MaxDelay"/>, each drawn between half and all of that
/// (jitter: two runs that collided do not collide again in step).
/// </summary>
public sealed record LockRetryPolicy(int Retries, TimeSpan MaxDelay)
{
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>The SQLSTATEs a retry can cure: the statement was cancelled before it changed anything.</summary>
    public static bool IsLockFailure(string? sqlState) =>
        sqlState is PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.DeadlockDetected;

    /// <summary>The most attempts, the first included.</summary>
    public int MaxAttempts => Retries + 1;

    /// <summary>
    /// The wait before attempt <paramref name="attempt"/> (2 or more); <paramref name="jitter"/> in
    /// [0, 1) picks it between half and all of the capped exponential step.
    /// </summary>
    public TimeSpan DelayBefore(int attempt, double jitter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 2);
        var first = FirstDelay < MaxDelay ? FirstDelay : MaxDelay;
        var doublings = Math.Min(attempt - 2, 30);
        var step = Math.Min(MaxDelay.Ticks, first.Ticks * (1L << doublings));
        return TimeSpan.FromTicks((long)(step * (0.5 + 0.5 * Math.Clamp(jitter, 0, 1))));
    }
}
