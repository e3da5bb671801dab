using North.Core.Contention;

namespace North.Core.Tests.Contention;

public class LockRetryPolicyTests
{
    [Theory]
    [InlineData(2, 0.999999, 500)]
    [InlineData(3, 0.999999, 1000)]
    [InlineData(4, 0.999999, 2000)]
    [InlineData(8, 0.999999, 30000)] // capped
    [InlineData(40, 0.999999, 30000)]
    [InlineData(2, 0.0, 250)] // jitter: half the step at least
    [InlineData(5, 0.0, 2000)]
    public void TheWaitDoublesFrom500MsUpToTheCapWithJitterDownToHalf(int attempt, double jitter, int milliseconds)
    {
        var policy = new LockRetryPolicy(5, TimeSpan.FromSeconds(30));
        Assert.Equal(milliseconds, policy.DelayBefore(attempt, jitter).TotalMilliseconds, 0);
    }

    [Fact]
    public void ASmallCapAlsoCapsTheFirstWait()
    {
        var policy = new LockRetryPolicy(3, TimeSpan.FromMilliseconds(100));
        Assert.Equal(100, policy.DelayBefore(2, 0.999999).TotalMilliseconds, 0);
        Assert.Equal(100, policy.DelayBefore(4, 0.999999).TotalMilliseconds, 0);
        Assert.Equal(4, policy.MaxAttempts);
    }

    [Theory]
    [InlineData("55P03", true)]
    [InlineData("40P01", true)]
    [InlineData("57014", false)] // statement_timeout: the statement may have done its work for minutes; not a lock wait
    [InlineData("40001", false)]
    [InlineData(null, false)]
    public void OnlyLockTimeoutsAndDeadlocksAreRetried(string? sqlState, bool retried) =>
        Assert.Equal(retried, LockRetryPolicy.IsLockFailure(sqlState));
}
