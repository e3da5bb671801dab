namespace North.Core.Sql;

/// <summary>psql's ParseVariableBool (src/bin/psql/variables.c): what <c>\if</c> and boolean variables accept.</summary>
internal static class PsqlBoolean
{
    /// <summary>True or false as psql reads <paramref name="value"/>; null when it is not a boolean.</summary>
    public static bool? Parse(string value)
    {
        int length = value.Length;
        // Any unique prefix of true/false/yes/no; on and off need two letters ('o' alone is ambiguous).
        if (length > 0 && IsPrefix(value, "true")) return true;
        if (length > 0 && IsPrefix(value, "false")) return false;
        if (length > 0 && IsPrefix(value, "yes")) return true;
        if (length > 0 && IsPrefix(value, "no")) return false;
        if (length >= 2 && IsPrefix(value, "on")) return true;
        if (length >= 2 && IsPrefix(value, "off")) return false;
        if (value == "1") return true;
        if (value == "0") return false;
        return null;
    }

    private static bool IsPrefix(string value, string word) =>
        value.Length <= word.Length && word.StartsWith(value, StringComparison.OrdinalIgnoreCase);
}
