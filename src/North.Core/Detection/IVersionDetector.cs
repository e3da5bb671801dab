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
public sealed record VersionDetectionContext(NpgsqlConnection Connection, HistoryTable History, IReadOnlyCollection<MigrationVersion> KnownVersions);

/// <summary>The detectors a setting can name.</summary>
public enum VersionDetectorKind
{
    /// <summary>Greatest recorded version that exists on disk (septentrion).</summary>
    History,

    /// <summary>Greatest <c>version_num</c> in <c>sql_version</c> (django-north's default).</summary>
    VersionTable,

    /// <summary>A <c>version X</c> comment on a table, default <c>django_site</c> (django-north).</summary>
    TableComment,
}
