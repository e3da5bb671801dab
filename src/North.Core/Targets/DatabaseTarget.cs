using System.Data.Common;
using System.Globalization;
using System.Text;
using North.Core.Connections;
using North.Core.Settings;

namespace North.Core.Targets;

/// <summary>
/// One database a call acts on, as the caller named it: a connection string, a service of
/// <c>pg_service.conf</c>, and/or host, port, database and user values (what <c>Import-Csv</c>
/// gives). Every member is optional; what is missing comes from the call's settings and libpq's
/// defaults, as for a single database.
/// </summary>
public sealed record DatabaseTarget
{
    public string? ConnectionString { get; init; }

    /// <summary>A service name of <c>pg_service.conf</c>; default <c>PGSERVICE</c>.</summary>
    public string? Service { get; init; }

    /// <summary>A host, socket folder, or <c>host:port</c> (the <c>Server</c> of an output object).</summary>
    public string? Host { get; init; }

    public int? Port { get; init; }

    public string? Database { get; init; }

    public string? Username { get; init; }

    /// <summary>How the caller named it, for errors met before it is resolved (never a password).</summary>
    public string Label
    {
        get
        {
            if (Service is not null) return "service " + Service;
            if (ConnectionString is not null) return ConnectionFactory.Mask(ConnectionString);
            return $"{Host ?? "(default host)"}{(Port is null ? "" : ":" + Port.Value.ToString(CultureInfo.InvariantCulture))}/{Database ?? "(default database)"}";
        }
    }

    /// <summary>
    /// The call's settings with this target's connection values put in as parameters (the strongest
    /// source). A service becomes a connection string of its keywords, under the values this
    /// target names itself (libpq: explicit values win over the service's).
    /// </summary>
    public NorthSettings ApplyTo(NorthSettings settings, ConnectionEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var (host, port) = SplitHostPort(Host, Port);
        ArgumentNullException.ThrowIfNull(environment);
        var connectionString = ConnectionString;
        var service = Service ?? environment.Get("PGSERVICE");
        if (service is not null)
        {
            var values = ServiceFile.Find(service, environment).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
            if (host is not null) { values["host"] = host; values.Remove("hostaddr"); }
            if (port is not null) values["port"] = port.Value.ToString(CultureInfo.InvariantCulture);
            if (Database is not null) values["dbname"] = Database;
            if (Username is not null) values["user"] = Username;
            connectionString = ConnectionString is null ? KeywordForm(values) : Merge(KeywordForm(values), ConnectionString);
        }
        return settings with
        {
            ConnectionString = connectionString ?? settings.ConnectionString,
            Host = host ?? settings.Host,
            Port = port ?? settings.Port,
            Database = Database ?? settings.Database,
            Username = Username ?? settings.Username,
        };
    }

    /// <summary><c>host:port</c> (the Server of an output object piped back in) split when no port is given apart.</summary>
    private static (string? Host, int? Port) SplitHostPort(string? host, int? port)
    {
        if (host is null || port is not null || host.StartsWith('/') || host.Contains(','))
        {
            return (host, port);
        }
        var colon = host.LastIndexOf(':');
        var bracketed = host.StartsWith('[');
        if (colon > 0 && (bracketed ? host[colon - 1] == ']' : host.IndexOf(':') == colon)
            && int.TryParse(host[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed is > 0 and < 65536)
        {
            var name = host[..colon];
            return (bracketed ? name[1..^1] : name, parsed);
        }
        return (host, port);
    }

    // The service's values under the connection string's own, in Npgsql's form (the ';' marks that form even for one key).
    private static string Merge(string weaker, string stronger)
    {
        var merged = new DbConnectionStringBuilder();
        foreach (var (key, value) in ConnectionStringParser.Parse(weaker).Concat(ConnectionStringParser.Parse(stronger)))
        {
            merged[key] = value;
        }
        return merged.ConnectionString + ";";
    }

    // libpq's keyword form, every value quoted (\ and ' escaped), which ConnectionStringParser reads.
    private static string KeywordForm(Dictionary<string, string> values)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in values)
        {
            text.Append(text.Length == 0 ? "" : " ").Append(key).Append("='")
                .Append(value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)).Append('\'');
        }
        return text.ToString();
    }
}
