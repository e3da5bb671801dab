using North.Core.Settings;

namespace North.Core.Detection;

/// <summary>Builds the detector a setting names.</summary>
public static class VersionDetectors
{
    /// <summary>
    /// The detector of <paramref name="kind"/>; <paramref name="table"/> overrides the table it reads
    /// (<c>sql_version</c> for VersionTable, <c>django_site</c> for TableComment).
    /// </summary>
    public static IVersionDetector Create(VersionDetector kind, string? table = null) => kind switch
    {
        VersionDetector.VersionTable => new VersionTableDetector(table ?? "sql_version"),
        VersionDetector.TableComment => new TableCommentDetector(table ?? "django_site"),
        _ => new HistoryVersionDetector(),
    };
}
