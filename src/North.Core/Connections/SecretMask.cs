using System.Text.RegularExpressions;

namespace North.Core.Connections;

/// <summary>
/// Masks the fields known to hold a password, and only those: <c>password=</c> of a connection
/// string (libpq or Npgsql form), the user-info password of a <c>postgresql://</c> URI, and the
/// <c>PASSWORD '...'</c> literal of <c>CREATE/ALTER ROLE/USER/GROUP</c> (and of a user mapping's
/// <c>OPTIONS (password '...')</c>) in SQL North echoes. Never a search for the password's text:
/// a password <c>postgres</c> or <c>5432</c> must not hide the user name or the port.
/// </summary>
public static partial class SecretMask
{
    /// <summary>What a masked value reads as.</summary>
    public const string Masked = "***";

    /// <summary>
    /// <paramref name="text"/> (a message, a server DETAIL) with the password of every connection
    /// string or URI it holds masked.
    /// </summary>
    public static string InText(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return text ?? "";
        text = UriPassword().Replace(text, m => m.Groups["head"].Value + Masked + "@");
        return KeywordPassword().Replace(text, m => m.Groups["key"].Value + "=" + Masked);
    }

    /// <summary>
    /// A statement (or its first line) as North may echo it: the password literal of a role or
    /// user-mapping statement masked, and any connection string in it.
    /// </summary>
    public static string InStatement(string? sql)
    {
        if (string.IsNullOrEmpty(sql))
            return sql ?? "";
        if (RoleStatement().IsMatch(sql))
            sql = PasswordLiteral().Replace(sql, m => m.Groups["head"].Value + "'" + Masked + "'");
        return InText(sql);
    }

    // postgresql://user:secret@host -> postgresql://user:***@host
    [GeneratedRegex(@"(?<head>\bpostgres(?:ql)?://[^:/@\s?#]*:)[^@\s]*@", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UriPassword();

    // password=secret, Password='it''s', SSL Password=x; up to the next blank or ';' when unquoted.
    [GeneratedRegex(@"(?<key>(?<![\w-])(?:ssl\s?)?password)\s*=\s*(?:'(?:[^'\\]|\\.)*(?:'|$)|""(?:[^""]|"""")*(?:""|$)|[^\s;]*)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex KeywordPassword();

    // CREATE ROLE / ALTER USER / CREATE USER MAPPING ..., after any leading comments.
    [GeneratedRegex(@"^(?:\s|--[^\n]*\n|/\*.*?\*/)*(?:CREATE|ALTER)\s+(?:ROLE|USER|GROUP)\b", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex RoleStatement();

    // PASSWORD 'x', ENCRYPTED PASSWORD E'x', password $$x$$; an unterminated literal (a first line) to its end.
    [GeneratedRegex(@"(?<head>\bPASSWORD\s+)(?:[Ee]'(?:[^'\\]|''|\\.)*(?:'|$)|'(?:[^']|'')*(?:'|$)|\$(?<tag>[A-Za-z_]\w*|)\$.*?(?:\$\k<tag>\$|$))",
        RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex PasswordLiteral();
}
