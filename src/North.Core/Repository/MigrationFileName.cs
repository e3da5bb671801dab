namespace North.Core.Repository;

/// <summary>
/// Decides from a file name alone whether a file is a migration, a look-alike that will be
/// ignored, or something else. The rule is both originals': the name ends in <c>ddl.sql</c> or
/// <c>dml.sql</c>, case-sensitive (django-north's <c>endswith</c>, septentrion's
/// <c>suffix == ".sql"</c> and <c>stem[-3:] in ("ddl", "dml")</c>).
/// </summary>
internal static class MigrationFileName
{
    public static MigrationKind? KindOf(string name) =>
        name.EndsWith("ddl.sql", StringComparison.Ordinal) ? MigrationKind.Ddl
        : name.EndsWith("dml.sql", StringComparison.Ordinal) ? MigrationKind.Dml
        : null;

    /// <summary>Why a non-migration name looks like a migration, or null when it does not.</summary>
    public static string? LookAlikeReason(string name)
    {
        if (name.EndsWith("ddl.sql", StringComparison.OrdinalIgnoreCase) || name.EndsWith("dml.sql", StringComparison.OrdinalIgnoreCase))
        {
            return "its suffix is not in lower case; migration names end in exactly 'ddl.sql' or 'dml.sql'";
        }
        if (name.EndsWith(".sql", StringComparison.OrdinalIgnoreCase))
        {
            return "it is a .sql file whose name does not end in 'ddl.sql' or 'dml.sql'";
        }
        var stem = System.IO.Path.GetFileNameWithoutExtension(name);
        if (stem.EndsWith("ddl", StringComparison.OrdinalIgnoreCase) || stem.EndsWith("dml", StringComparison.OrdinalIgnoreCase)
            || name.Contains("ddl.sql", StringComparison.OrdinalIgnoreCase) || name.Contains("dml.sql", StringComparison.OrdinalIgnoreCase))
        {
            return $"its extension is '{System.IO.Path.GetExtension(name)}', not '.sql'";
        }
        return null;
    }
}
