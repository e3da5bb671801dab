using North.Core.History;
using North.Core.Versions;
using Npgsql;

namespace North.Core.Detection;

/// <summary>
/// Says which version a database is at. Null means "not initialized": the detector found no
/// version (no table, no row). A detector never changes the database.
/// </summary>
public interface IVersionDetector
{
    /// <summary>Name shown in messages (<c>History</c>, <c>VersionTable</c>...).</summary>
    string Name { get; }

    Task<MigrationVersion?> DetectAsync(VersionDetectionContext context, CancellationToken cancel = default);
}

/// <summary>What a detector may look at: an open connection, the history table, the versions on disk.</summary>
public sealed record VersionDetectionContext(NpgsqlConnection Connection, HistoryTable History, IReadOnlyCollection<MigrationVersion> KnownVersions)
{
    /// <summary>The history rows when the caller has read them already (saves reading them twice).</summary>
    public IReadOnlyList<HistoryRow>? HistoryRows { get; init; }
}
