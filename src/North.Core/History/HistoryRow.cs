using North.Core.Versions;

namespace North.Core.History;

/// <summary>
/// One row of the history table. The extra columns are null where the table lacks them
/// (septentrion's and django-north's tables). <see cref="Version"/> is the text as stored;
/// <see cref="ParsedVersion"/> is null when it is not a version (django's own apps share the table).
/// </summary>
public sealed record HistoryRow(
    long Id,
    string Version,
    string Name,
    DateTimeOffset? AppliedAt,
    string? Checksum,
    long? DurationMs,
    string? AppliedBy,
    HistoryMode? Mode)
{
    public MigrationVersion? ParsedVersion { get; } = MigrationVersion.TryParse(Version, out var v) ? v : null;

    /// <summary>The server the object is about: <c>host:port</c>, or the socket folder.</summary>
    public string? Server { get; init; }

    /// <summary>The database the object is about.</summary>
    public string? Database { get; init; }
}

/// <summary>What to record about one migration. Values for columns the table lacks are dropped.</summary>
public sealed record HistoryRecord(string Version, string Name, HistoryMode Mode = HistoryMode.Applied, string? Checksum = null, long? DurationMs = null);
