using North.Core.Settings;

namespace North.Core.Detection;

/// <summary>Builds the detector a setting names.</summary>
public static class VersionDetectors
{
    /// <summary>
    /// The detector of <paramref name="kind"/>; <paramref name="table"/> and <paramref name="column"/>
    /// override what it reads (<c>sql_version.version_num</c> for VersionTable, <c>django_site</c> for TableComment).
    /// </summary>
    public static IVersionDetector Create(VersionDetector kind, string? table = null, string? column = null) => kind switch
    {
        VersionDetector.VersionTable => new VersionTableDetector(table ?? "sql_version", column ?? "version_num"),
        VersionDetector.TableComment => new TableCommentDetector(table ?? "django_site"),
        _ => new HistoryVersionDetector(),
    };

    /// <summary>The detector the settings name, reading the tables they name.</summary>
    public static IVersionDetector Create(NorthSettings settings) => settings.VersionDetector switch
    {
        VersionDetector.VersionTable => Create(VersionDetector.VersionTable, settings.VersionTable, settings.VersionTableColumn),
        VersionDetector.TableComment => Create(VersionDetector.TableComment, settings.CommentTable),
        var other => Create(other),
    };
}
