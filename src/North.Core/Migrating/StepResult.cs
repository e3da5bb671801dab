using North.Core.Planning;
using North.Core.Versions;

namespace North.Core.Migrating;

/// <summary>How a step ended.</summary>
public enum StepStatus
{
    Succeeded,
    Failed,
}

/// <summary>What one step of a run did.</summary>
public sealed record StepResult(
    int Order,
    MigrationVersion? Version,
    string Name,
    PlanAction Action,
    StepStatus Status,
    TimeSpan Duration,
    long RowsAffected,
    int Iterations,
    string? Path)
{
    /// <summary>Executions the step took: 1, plus one per retry after a lock timeout or deadlock (a file run again whole, or one of its statements).</summary>
    public int Attempts { get; init; } = 1;

    /// <summary>The server the object is about: <c>host:port</c>, or the socket folder.</summary>
    public string? Server { get; init; }

    /// <summary>The database the object is about.</summary>
    public string? Database { get; init; }
}

/// <summary>Choices for a run.</summary>
public sealed record MigrateOptions
{
    /// <summary>Apply files added late to versions already passed, before the others.</summary>
    public bool AllowOutOfOrder { get; init; }

    /// <summary>Run only these steps, which must be the start of the current plan (pipeline input).</summary>
    public IReadOnlyList<PlanStep>? Steps { get; init; }

    /// <summary>Only step 2 (initialisation): stop before the first Apply of a version above the init version.</summary>
    public bool InitializeOnly { get; init; }

    /// <summary>Initialize a database that has tables of its own and no history (refused otherwise).</summary>
    public bool Force { get; init; }

    /// <summary>Overrides the settings' LockTimeout.</summary>
    public TimeSpan? LockTimeout { get; init; }

    /// <summary>Called after each step, failed ones included, before the next starts.</summary>
    public Action<StepResult>? OnStepCompleted { get; init; }
}
