namespace North.Core.Settings;

/// <summary>Which history table layout North reads and writes.</summary>
public enum HistoryStyle
{
    /// <summary><c>north_migrations(id, version, name, applied_at, checksum, duration_ms, applied_by, mode)</c>.</summary>
    North,

    /// <summary>septentrion's <c>septentrion_migrations(id, version, name, applied_at)</c>.</summary>
    Septentrion,

    /// <summary>django-north's <c>django_migrations(id, app, name, applied)</c>, the version in <c>app</c>.</summary>
    DjangoNorth,
}

/// <summary>How North finds the current version of a database.</summary>
public enum VersionDetector
{
    /// <summary>The greatest recorded version that exists on disk (septentrion).</summary>
    History,

    /// <summary>The greatest <c>version_num</c> in <c>sql_version</c> (django-north's default).</summary>
    VersionTable,

    /// <summary>A table comment of the form <c>version X</c> (django-north's <c>django_site</c> detector).</summary>
    TableComment,
}
