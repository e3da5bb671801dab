namespace North.Core.Contention;

/// <summary>North's script session seen waiting on a lock: for how long its statement has waited, and who blocks it.</summary>
public sealed record LockWait(TimeSpan Waiting, IReadOnlyList<DatabaseSession> Blockers, DateTimeOffset SeenAt);
