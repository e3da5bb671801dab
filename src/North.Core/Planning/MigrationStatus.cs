using North.Core.History;
using North.Core.Repository;
using North.Core.Versions;

namespace North.Core.Planning;

/// <summary>
/// The state of one migration: a file on disk up to the target, or a row recorded in the history
/// whose file is gone (<see cref="MissingOnDisk"/>: reported, never ignored).
/// </summary>
public sealed record MigrationStatus
{
    public required MigrationVersion Version { get; init; }

    public required string Name { get; init; }

    /// <summary>Ddl or Dml; null for a recorded row whose file is missing.</summary>
    public MigrationKind? Kind { get; init; }

    public bool Manual { get; init; }

    /// <summary>Recorded in the history (run, or faked).</summary>
    public bool Applied { get; init; }

    /// <summary>A run would apply it.</summary>
    public bool Pending { get; init; }

    /// <summary>Not recorded in a version already passed: added late. Applied only with AllowOutOfOrder.</summary>
    public bool OutOfOrder { get; init; }

    /// <summary>Below the first recorded version: counted as covered by the initial schema.</summary>
    public bool CoveredBySchema { get; init; }

    public DateTimeOffset? AppliedAt { get; init; }

    /// <summary>How it was recorded; null where the history table has no mode column.</summary>
    public HistoryMode? Mode { get; init; }

    /// <summary>The file's SHA-256 differs from the one recorded when it was applied.</summary>
    public bool Modified { get; init; }

    /// <summary>
    /// Started by a run that never finished it (a file that cannot be atomic, marked in the history
    /// table's <c>_unfinished</c> table): what it did may be kept; runs stop on it until it is resolved.
    /// </summary>
    public bool Interrupted { get; init; }

    /// <summary>Recorded in the history, but no such file on disk.</summary>
    public bool MissingOnDisk { get; init; }

    /// <summary>Full path of the file; null when missing on disk.</summary>
    public string? Path { get; init; }

    /// <summary>The file, when on disk.</summary>
    public MigrationFile? File { get; init; }

    /// <summary>The server the object is about: <c>host:port</c>, or the socket folder.</summary>
    public string? Server { get; init; }

    /// <summary>The database the object is about.</summary>
    public string? Database { get; init; }
}

/// <summary>Where a database stands against a repository.</summary>
public sealed record VersionInfo(
    MigrationVersion? CurrentVersion,
    MigrationVersion TargetVersion,
    MigrationVersion? LatestVersion,
    MigrationVersion? InitVersion,
    bool Initialized,
    int PendingCount)
{
    /// <summary>The server the object is about: <c>host:port</c>, or the socket folder.</summary>
    public string? Server { get; init; }

    /// <summary>The database the object is about.</summary>
    public string? Database { get; init; }
}
