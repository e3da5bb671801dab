using North.Core.Fleet;
using North.Core.Settings;

namespace North.Core.Tests.Fleet;

public class FleetRunnerTests
{
    private sealed record Job(string Name, string Server, bool Fails = false, int Milliseconds = 30);

    // Counts how many jobs run at once, in all and per server.
    private sealed class Meter
    {
        private readonly object _gate = new();
        private readonly Dictionary<string, int> _perServer = new();
        private int _running;

        public int MaxRunning { get; private set; }
        public Dictionary<string, int> MaxPerServer { get; } = new();
        public List<string> Started { get; } = new();

        public async Task<TargetOutcome> RunAsync(Job job, CancellationToken cancel)
        {
            lock (_gate)
            {
                Started.Add(job.Name);
                _running++;
                _perServer[job.Server] = _perServer.GetValueOrDefault(job.Server) + 1;
                MaxRunning = Math.Max(MaxRunning, _running);
                MaxPerServer[job.Server] = Math.Max(MaxPerServer.GetValueOrDefault(job.Server), _perServer[job.Server]);
            }
            try
            {
                await Task.Delay(job.Milliseconds, cancel);
                if (job.Fails) throw new InvalidOperationException(job.Name + " failed");
                return TargetOutcome.Succeeded;
            }
            finally
            {
                lock (_gate)
                {
                    _running--;
                    _perServer[job.Server]--;
                }
            }
        }
    }

    private static List<Job> Jobs(int count, int servers = 1, params int[] failing) =>
        Enumerable.Range(0, count).Select(i => new Job($"t{i:00}", $"s{i % servers}", failing.Contains(i))).ToList();

    [Fact]
    public async Task HoldsTheGlobalAndThePerServerCaps()
    {
        var meter = new Meter();
        var runner = new FleetRunner<Job>(new FleetOptions { ThrottleLimit = 6, ServerThrottleLimit = 2 }, j => j.Server);
        var summary = await runner.RunAsync(Jobs(24, servers: 2), meter.RunAsync);
        Assert.Equal(new FleetSummary(24, 24, 0, 0, 0, summary.Duration), summary);
        Assert.Equal(4, meter.MaxRunning); // two servers, two each
        Assert.All(meter.MaxPerServer.Values, max => Assert.Equal(2, max));

        meter = new Meter();
        await new FleetRunner<Job>(new FleetOptions { ThrottleLimit = 6 }, j => j.Server).RunAsync(Jobs(24, servers: 1), meter.RunAsync);
        Assert.Equal(6, meter.MaxRunning);
    }

    [Fact]
    public void ThePerServerCapIsTheSettingElseOneForChangesAndNoneForReads()
    {
        var unset = new NorthSettings();
        Assert.Equal((1, 0), (unset.ServerThrottleLimitFor(changesDatabases: true), unset.ServerThrottleLimitFor(changesDatabases: false)));
        var set = new NorthSettings { ServerThrottleLimit = 3 };
        Assert.Equal((3, 3), (set.ServerThrottleLimitFor(true), set.ServerThrottleLimitFor(false)));
        var none = new NorthSettings { ServerThrottleLimit = 0 };
        Assert.Equal(0, none.ServerThrottleLimitFor(true));
    }

    [Fact]
    public async Task StartsTargetsInTheOrderGiven()
    {
        // One slot: strictly in order. Three: the first three take them.
        var started = new List<string>();
        await new FleetRunner<Job>(new FleetOptions { ThrottleLimit = 1 }, j => j.Server) { OnStarted = j => started.Add(j.Name) }
            .RunAsync(Jobs(12, servers: 3), new Meter().RunAsync);
        Assert.Equal(Jobs(12, servers: 3).Select(j => j.Name), started);
        started.Clear();
        await new FleetRunner<Job>(new FleetOptions { ThrottleLimit = 3, ServerThrottleLimit = 1 }, j => j.Server) { OnStarted = j => { lock (started) started.Add(j.Name); } }
            .RunAsync(Jobs(12, servers: 3), new Meter().RunAsync);
        Assert.Equal(["t00", "t01", "t02"], started.Take(3).Order());
    }

    [Fact]
    public async Task AFailureIsReportedAndTheOthersGoOn()
    {
        var failures = new List<(string, Exception?)>();
        var runner = new FleetRunner<Job>(new FleetOptions { ThrottleLimit = 4 }, j => j.Server)
        {
            OnFinished = (job, outcome, error) => { if (outcome == TargetOutcome.Failed) lock (failures) failures.Add((job.Name, error)); },
        };
        var summary = await runner.RunAsync(Jobs(10, 1, 3, 7), new Meter().RunAsync);
        Assert.Equal((10, 8, 2, 0), (summary.Targets, summary.Succeeded, summary.Failed, summary.Skipped));
        Assert.Equal(["t03", "t07"], failures.Select(f => f.Item1).Order());
        Assert.All(failures, f => Assert.IsType<InvalidOperationException>(f.Item2));
    }

    [Fact]
    public async Task StopOnFailureStartsNoNewTargetAndLetsRunningOnesFinish()
    {
        // Gates, not delays: t01 fails once all three slots are taken, and the others finish only
        // after the runner has seen the failure, however slow the machine is.
        var started = new List<string>();
        var threeRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var failureSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<TargetOutcome> Run(Job job, CancellationToken cancel)
        {
            lock (started)
            {
                started.Add(job.Name);
                if (started.Count == 3) threeRunning.TrySetResult();
            }
            await threeRunning.Task.WaitAsync(TimeSpan.FromSeconds(30), cancel);
            if (job.Fails) throw new InvalidOperationException(job.Name + " failed");
            await failureSeen.Task.WaitAsync(TimeSpan.FromSeconds(30), cancel);
            return TargetOutcome.Succeeded;
        }
        var jobs = Jobs(20, 1);
        jobs[1] = jobs[1] with { Fails = true };
        var runner = new FleetRunner<Job>(new FleetOptions { ThrottleLimit = 3, StopOnFailure = true }, j => j.Server)
        {
            OnFinished = (_, outcome, _) => { if (outcome == TargetOutcome.Failed) failureSeen.TrySetResult(); },
        };
        var summary = await runner.RunAsync(jobs, Run);
        Assert.Equal(1, summary.Failed);
        Assert.Equal(2, summary.Succeeded); // t00 and t02 were running: they finish
        Assert.Equal(17, summary.Skipped);
        Assert.Equal(["t00", "t01", "t02"], started.Order());
    }

    [Fact]
    public async Task AFailingCanaryStartsNoOtherTarget()
    {
        var meter = new Meter();
        var summary = await new FleetRunner<Job>(new FleetOptions { ThrottleLimit = 8, CanaryCount = 2 }, j => j.Server).RunAsync(Jobs(10, 1, 1), meter.RunAsync);
        Assert.Equal((1, 1, 8), (summary.Succeeded, summary.Failed, summary.Skipped));
        Assert.Equal(["t00", "t01"], meter.Started.Order());

        meter = new Meter();
        summary = await new FleetRunner<Job>(new FleetOptions { ThrottleLimit = 8, CanaryCount = 2 }, j => j.Server).RunAsync(Jobs(10, 1, 5), meter.RunAsync);
        Assert.Equal((9, 1, 0), (summary.Succeeded, summary.Failed, summary.Skipped));
        Assert.Equal(["t00", "t01"], meter.Started.Take(2).Order()); // the canaries ran first
    }

    [Fact]
    public async Task CountsNoOpTargetsApart()
    {
        var summary = await new FleetRunner<Job>(new FleetOptions { ThrottleLimit = 2 }, j => j.Server)
            .RunAsync(Jobs(5), (j, _) => Task.FromResult(j.Name == "t02" ? TargetOutcome.Succeeded : TargetOutcome.NoOp));
        Assert.Equal((1, 4), (summary.Succeeded, summary.NoOp));
    }

    [Fact]
    public async Task CancellationSkipsWaitingTargetsAndThrows()
    {
        using var stop = new CancellationTokenSource();
        var runner = new FleetRunner<Job>(new FleetOptions { ThrottleLimit = 2 }, j => j.Server) { OnStarted = _ => stop.CancelAfter(20) };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            runner.RunAsync(Jobs(10).Select(j => j with { Milliseconds = 5000 }).ToList(), new Meter().RunAsync, stop.Token));
    }
}
