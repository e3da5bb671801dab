namespace North.Core.Fleet;

/// <summary>How a call runs its targets.</summary>
public sealed record FleetOptions
{
    /// <summary>Targets running at once, in all (-ThrottleLimit).</summary>
    public int ThrottleLimit { get; init; } = DefaultThrottleLimit;

    /// <summary>Targets running at once on one server (host and port); 0 = no cap beyond <see cref="ThrottleLimit"/>.</summary>
    public int ServerThrottleLimit { get; init; }

    /// <summary>The first N targets run (and end) before any other starts; if one fails, no other starts.</summary>
    public int CanaryCount { get; init; }

    /// <summary>After the first failure start no new target (running ones finish): -ErrorAction Stop.</summary>
    public bool StopOnFailure { get; init; }

    /// <summary>-ThrottleLimit's default.</summary>
    public const int DefaultThrottleLimit = 4;
}

/// <summary>How one target ended.</summary>
public enum TargetOutcome
{
    /// <summary>It did (or found) something: changes made, migrations pending.</summary>
    Succeeded,

    /// <summary>Nothing to do: up to date, nothing pending.</summary>
    NoOp,

    Failed,

    /// <summary>Not started: a canary or, under -ErrorAction Stop, another target failed first.</summary>
    Skipped,
}

/// <summary>What a multi-target call did, for its closing information record.</summary>
public sealed record FleetSummary(int Targets, int Succeeded, int NoOp, int Failed, int Skipped, TimeSpan Duration)
{
    public override string ToString() =>
        $"{Targets} target(s): {Succeeded} succeeded, {NoOp} no-op, {Failed} failed, {Skipped} skipped, in {Duration.TotalSeconds:0.0} s.";
}
