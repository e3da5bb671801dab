using North.Core.Contention;
using North.Core.Tests.Execution;

namespace North.Core.Tests.Contention;

/// <summary>The one loop of lock retries (whole files, the clear): its counting, back-off records and stops.
/// What it runs again against a real server is in <see cref="LockRetryExecutionTests"/> and the clear's tests.</summary>
public class LockRetryRunnerTests
{
    [Fact]
    public async Task RunsAgainWhileTheCallerSaysSoThenWarnsOfTheAttemptsItNeeded()
    {
        var reporter = new RecordingReporter();
        var runner = new LockRetryRunner(new LockRetryPolicy(3, TimeSpan.FromMilliseconds(1)), reporter);
        var seen = new List<int>();

        var result = await runner.RunAsync("f.sql:", (number, _) =>
            {
                seen.Add(number);
                return number < 3 ? throw new TimeoutException("locked") : Task.FromResult("done");
            },
            (e, number) => e is TimeoutException && runner.CanRetryAfter(number) ? "f.sql:1:1: 55P03 locked" : null,
            CancellationToken.None);

        Assert.Equal("done", result);
        Assert.Equal([1, 2, 3], seen);
        Assert.Equal(2, reporter.Verboses.Count);
        Assert.Matches(@"^f\.sql:1:1: 55P03 locked; attempt 2 of 4 in \d+ ms\.$", reporter.Verboses[0]);
        Assert.StartsWith("f.sql:1:1: 55P03 locked; attempt 3 of 4 in ", reporter.Verboses[1]);
        Assert.Equal(["f.sql: needed 3 attempts (a lock timeout or deadlock, retried); it succeeded."], reporter.Warnings);
    }

    [Fact]
    public async Task AFailureTheCallerDoesNotRetryOrASpentPolicyEndsTheRunWithItsError()
    {
        var reporter = new RecordingReporter();
        var runner = new LockRetryRunner(new LockRetryPolicy(1, TimeSpan.FromMilliseconds(1)), reporter);
        var calls = 0;
        var error = await Assert.ThrowsAsync<TimeoutException>(() => runner.RunAsync<int>("x", (_, _) =>
            {
                calls++;
                throw new TimeoutException("locked");
            },
            (_, number) => runner.CanRetryAfter(number) ? "again" : null, CancellationToken.None));
        Assert.Equal("locked", error.Message);
        Assert.Equal(2, calls);
        Assert.Empty(reporter.Warnings);

        var none = new LockRetryRunner(null, reporter);
        Assert.False(none.CanRetryAfter(1));
        await Assert.ThrowsAsync<InvalidOperationException>(() => none.RunAsync<int>("x", (_, _) => throw new InvalidOperationException(),
            (_, _) => null, CancellationToken.None));
    }
}
