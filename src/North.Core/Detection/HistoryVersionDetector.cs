using North.Core.Versions;

namespace North.Core.Detection;

/// <summary>
/// The greatest version recorded in the history table that also exists on disk, as septentrion
/// reads it. Rows whose version is not a version (django's own apps share django_migrations), or
/// that no folder on disk has, do not count. With no versions on disk given, every recorded one counts.
/// </summary>
public sealed class HistoryVersionDetector : IVersionDetector
{
    public string Name => "History";

    public async Task<MigrationVersion?> DetectAsync(VersionDetectionContext context, CancellationToken cancel = default)
    {
        var rows = context.HistoryRows ?? await context.History.ReadAsync(context.Connection, cancel).ConfigureAwait(false);
        var known = context.KnownVersions.Count == 0 ? null : new HashSet<MigrationVersion>(context.KnownVersions);
        MigrationVersion? best = null;
        foreach (var row in rows)
        {
            var version = row.ParsedVersion;
            if (version is null || (known is not null && !known.TryGetValue(version, out version)))
            {
                continue;
            }
            if (best is null || version > best)
            {
                best = version;
            }
        }
        return best;
    }
}
