using System.Data.Common;
using System.Text;
using North.Core.Errors;
using Npgsql;

namespace North.Core.Connections;

/// <summary>
/// Reads the three spellings of a connection string a DBA may paste — libpq keywords
/// (<c>host=db dbname=app</c>), a <c>postgresql://</c> URI, Npgsql's <c>Host=db;Database=app</c> —
/// into one set of Npgsql keywords (canonical names, e.g. <c>Host</c>, <c>SSL Mode</c>).
/// Errors name the offending keyword, never a value: a value may be a password.
/// </summary>
public static class ConnectionStringParser
{
    // libpq keyword -> Npgsql keyword. Only what Npgsql can honour; others are an error.
    private static readonly Dictionary<string, string> LibpqKeywords = new(StringComparer.Ordinal)
    {
        ["host"] = "Host",
        ["hostaddr"] = "Host",
        ["port"] = "Port",
        ["dbname"] = "Database",
        ["user"] = "Username",
        ["password"] = "Password",
        ["passfile"] = "Passfile",
        ["sslmode"] = "SSL Mode",
        ["application_name"] = "Application Name",
        ["fallback_application_name"] = "Application Name",
        ["connect_timeout"] = "Timeout",
        ["options"] = "Options",
        ["target_session_attrs"] = "Target Session Attributes",
        ["sslrootcert"] = "Root Certificate",
        ["sslcert"] = "SSL Certificate",
        ["sslkey"] = "SSL Key",
        ["sslpassword"] = "SSL Password",
        ["client_encoding"] = "Client Encoding",
        ["keepalives_idle"] = "Keepalive",
    };

    /// <summary>
    /// Parses <paramref name="connectionString"/> in whichever form it is written.
    /// Keys come back as Npgsql's canonical keywords, in the order given.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Parse(string connectionString)
    {
        var text = connectionString.Trim();
        if (text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) ||
            text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
        {
            return ParseUri(text);
        }
        return text.Contains(';') ? ParseNpgsql(text) : ParseKeywords(text);
    }

    /// <summary>libpq's <c>keyword = value</c> form; values may be single-quoted with <c>\'</c> and <c>\\</c> escapes.</summary>
    private static Dictionary<string, string> ParseKeywords(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i >= text.Length) break;
            var keyStart = i;
            while (i < text.Length && text[i] != '=' && !char.IsWhiteSpace(text[i])) i++;
            var key = text[keyStart..i];
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i >= text.Length || text[i] != '=')
            {
                throw Invalid($"missing \"=\" after \"{key}\" in the connection string");
            }
            i++;
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            var value = new StringBuilder();
            if (i < text.Length && text[i] == '\'')
            {
                i++;
                var closed = false;
                while (i < text.Length)
                {
                    var c = text[i++];
                    if (c == '\\' && i < text.Length) { value.Append(text[i++]); continue; }
                    if (c == '\'') { closed = true; break; }
                    value.Append(c);
                }
                if (!closed)
                {
                    throw Invalid($"unterminated quoted value for \"{key}\" in the connection string");
                }
            }
            else
            {
                while (i < text.Length && !char.IsWhiteSpace(text[i]))
                {
                    var c = text[i++];
                    if (c == '\\' && i < text.Length) { value.Append(text[i++]); continue; }
                    value.Append(c);
                }
            }
            Add(result, CanonicalKey(key), value.ToString());
        }
        return result;
    }

    /// <summary>Npgsql's own <c>Key=Value;...</c> form.</summary>
    private static Dictionary<string, string> ParseNpgsql(string text)
    {
        var raw = new DbConnectionStringBuilder();
        try
        {
            raw.ConnectionString = text;
        }
        catch (ArgumentException)
        {
            throw Invalid("the connection string is not well formed (expected Key=Value pairs separated by ';')");
        }
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string key in raw.Keys)
        {
            Add(result, CanonicalKey(key), Convert.ToString(raw[key], System.Globalization.CultureInfo.InvariantCulture) ?? "");
        }
        return result;
    }

    /// <summary><c>postgresql://user:password@host:port,host2:port2/dbname?sslmode=require</c>, percent-decoded.</summary>
    private static Dictionary<string, string> ParseUri(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var rest = text[(text.IndexOf("://", StringComparison.Ordinal) + 3)..];

        string? query = null;
        var q = rest.IndexOf('?');
        if (q >= 0) { query = rest[(q + 1)..]; rest = rest[..q]; }

        string? path = null;
        var slash = rest.IndexOf('/');
        if (slash >= 0) { path = rest[(slash + 1)..]; rest = rest[..slash]; }

        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = rest[..at];
            rest = rest[(at + 1)..];
            var colon = userInfo.IndexOf(':');
            var user = colon >= 0 ? userInfo[..colon] : userInfo;
            if (user.Length > 0) result["Username"] = Decode(user);
            if (colon >= 0) result["Password"] = Decode(userInfo[(colon + 1)..]);
        }

        if (rest.Length > 0)
        {
            var hosts = new List<(string Host, string? Port)>();
            foreach (var part in rest.Split(','))
            {
                hosts.Add(SplitHostPort(part));
            }
            if (hosts.Count == 1)
            {
                if (hosts[0].Host.Length > 0) result["Host"] = hosts[0].Host;
                if (hosts[0].Port is { } port) result["Port"] = port;
            }
            else
            {
                // Npgsql takes several hosts as host:port pairs in one Host value.
                result["Host"] = string.Join(',', hosts.Select(h => h.Port is null ? h.Host : $"{h.Host}:{h.Port}"));
            }
        }

        if (!string.IsNullOrEmpty(path)) result["Database"] = Decode(path);

        if (!string.IsNullOrEmpty(query))
        {
            foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=');
                if (eq < 0) throw Invalid($"URI parameter \"{Decode(pair)}\" has no value");
                result[CanonicalKey(Decode(pair[..eq]))] = Decode(pair[(eq + 1)..]);
            }
        }
        return result;
    }

    private static (string Host, string? Port) SplitHostPort(string part)
    {
        if (part.StartsWith('['))
        {
            // [::1]:5432
            var close = part.IndexOf(']');
            if (close < 0) throw Invalid("an IPv6 host in the URI lacks its closing \"]\"");
            var host = part[1..close];
            var after = part[(close + 1)..];
            return (host, after.StartsWith(':') && after.Length > 1 ? after[1..] : null);
        }
        var colon = part.LastIndexOf(':');
        return colon >= 0
            ? (Decode(part[..colon]), part.Length > colon + 1 ? part[(colon + 1)..] : null)
            : (Decode(part), null);
    }

    private static string Decode(string value)
    {
        try
        {
            return Uri.UnescapeDataString(value);
        }
        catch (UriFormatException)
        {
            throw Invalid("the URI holds an invalid percent-encoding");
        }
    }

    /// <summary>A libpq keyword, or any key Npgsql knows, to Npgsql's canonical keyword.</summary>
    internal static string CanonicalKey(string key)
    {
        if (LibpqKeywords.TryGetValue(key, out var mapped))
        {
            return mapped;
        }
        // The builder's indexer accepts every synonym and its ConnectionString then shows the
        // canonical name. A value of the wrong type fails too, so try a number, then a boolean.
        foreach (var probeValue in new[] { "1", "true" })
        {
            var probe = new NpgsqlConnectionStringBuilder();
            try
            {
                probe[key] = probeValue;
            }
            catch (ArgumentException)
            {
                continue;
            }
            var written = probe.ConnectionString;
            var eq = written.IndexOf('=');
            return eq > 0 ? written[..eq] : key;
        }
        throw Invalid($"unknown connection keyword \"{key}\"");
    }

    private static void Add(Dictionary<string, string> result, string key, string value) => result[key] = value;

    private static NorthException Invalid(string message) =>
        new(char.ToUpperInvariant(message[0]) + message[1..] + ".", ErrorIds.ConnectionStringInvalid, NorthErrorKind.InvalidArgument,
            "ConnectionString", "Write the connection string as libpq keywords (host=... dbname=...), a postgresql:// URI, or Npgsql's Host=...;Database=... form.");
}
