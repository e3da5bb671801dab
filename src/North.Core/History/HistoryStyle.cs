namespace North.Core.History;

/// <summary>Which history table layout a database uses.</summary>
public enum HistoryStyle
{
    /// <summary>North's own <c>north_migrations</c>, with checksum, duration, author and mode.</summary>
    North,

    /// <summary>septentrion's <c>septentrion_migrations(id, version, name, applied_at)</c>.</summary>
    Septentrion,

    /// <summary>django-north's <c>django_migrations(id, app, name, applied)</c>, the version in <c>app</c>.</summary>
    DjangoNorth,
}

/// <summary>How a migration came to be recorded.</summary>
public enum HistoryMode
{
    /// <summary>Run by North.</summary>
    Applied,

    /// <summary>Recorded without running: at schema load, or by Register-NorthMigration.</summary>
    Faked,
}
