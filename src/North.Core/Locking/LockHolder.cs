namespace North.Core.Locking;

/// <summary>The session that holds a lock, as <c>pg_stat_activity</c> shows it.</summary>
public sealed record LockHolder(
    int Pid,
    string? ApplicationName,
    string? UserName,
    string? ClientAddress,
    DateTimeOffset? BackendStart,
    DateTimeOffset? StateChange,
    string? State)
{
    /// <summary>One line for a DBA: <c>pid 4242 (application "North", user dba, client 10.0.0.5, connected since ..., idle since ...)</c>.</summary>
    public override string ToString()
    {
        var parts = new List<string>
        {
            $"application \"{ApplicationName}\"",
            $"user {UserName ?? "?"}",
            $"client {ClientAddress ?? "local socket"}",
        };
        if (BackendStart is { } start) parts.Add($"connected since {start:yyyy-MM-dd HH:mm:ss zzz}");
        if (StateChange is { } change) parts.Add($"{State ?? "state"} since {change:yyyy-MM-dd HH:mm:ss zzz}");
        return $"pid {Pid} ({string.Join(", ", parts)})";
    }
}
