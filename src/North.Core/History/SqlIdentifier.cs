namespace North.Core.History;

/// <summary>Quoting of SQL identifiers, as PostgreSQL's <c>quote_ident</c> but always quoting.</summary>
public static class SqlIdentifier
{
    /// <summary>
    /// <paramref name="name"/> in double quotes with inner quotes doubled: safe for any name, and
    /// case-preserving (a DBA's <c>History</c> stays <c>History</c>).
    /// </summary>
    public static string Quote(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("An SQL identifier cannot be empty.", nameof(name));
        }
        if (name.Contains('\0'))
        {
            throw new ArgumentException("An SQL identifier cannot contain a NUL character.", nameof(name));
        }
        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
