using North.Core.Connections;
using North.Core.Errors;

namespace North.Core.Targets;

/// <summary>
/// libpq's connection service file (<c>pg_service.conf</c>), read with libpq's rules: the service
/// is looked for in <c>PGSERVICEFILE</c> (else <c>~/.pg_service.conf</c>), then in
/// <c>PGSYSCONFDIR/pg_service.conf</c>; the first file holding a <c>[name]</c> section wins, and
/// only its first such section is read. Lines are trimmed; blank lines and <c>#</c> comments are
/// skipped; inside the section each line is <c>keyword=value</c> (the keyword exactly as libpq
/// spells it, the first occurrence wins). Npgsql does not read this file, so North does.
/// </summary>
public static class ServiceFile
{
    // libpq's connection keywords (fe-connect.c PQconninfoOptions) a service may set.
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "sslmode", "application_name",
        "fallback_application_name", "connect_timeout", "options", "target_session_attrs", "sslrootcert", "sslcert",
        "sslkey", "sslpassword", "client_encoding", "keepalives", "keepalives_idle", "keepalives_interval",
        "keepalives_count", "tcp_user_timeout", "sslcompression", "sslcrl", "sslcrldir", "sslsni", "requirepeer",
        "require_auth", "ssl_min_protocol_version", "ssl_max_protocol_version", "gssencmode", "krbsrvname", "gsslib",
        "gssdelegation", "channel_binding", "replication", "load_balance_hosts", "sslnegotiation", "sslcertmode",
    };

    /// <summary>
    /// The files searched for a service, in libpq's order: the user's file (<c>PGSERVICEFILE</c>,
    /// else <c>~/.pg_service.conf</c>), then the system's (<c>PGSYSCONFDIR</c>, else Debian's
    /// <c>/etc/postgresql-common</c>, where its libpq looks).
    /// </summary>
    public static IReadOnlyList<string> SearchPath(ConnectionEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var files = new List<string>();
        var user = environment.Get("PGSERVICEFILE")
            ?? (environment.HomeDirectory is null ? null : Path.Combine(environment.HomeDirectory, ".pg_service.conf"));
        if (user is not null)
        {
            files.Add(user);
        }
        var system = environment.Get("PGSYSCONFDIR") ?? (OperatingSystem.IsWindows() ? null : "/etc/postgresql-common");
        if (system is not null)
        {
            files.Add(Path.Combine(system, "pg_service.conf"));
        }
        return files;
    }

    /// <summary>
    /// The keywords and values of <paramref name="service"/>, in file order, from the first file
    /// of <see cref="SearchPath"/> that defines it. A service found nowhere is
    /// <c>NorthServiceNotFound</c>, naming the files searched; a bad line is
    /// <c>NorthServiceFileInvalid</c>, naming the file and line.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Find(string service, ConnectionEnvironment environment)
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        var searched = SearchPath(environment);
        foreach (var file in searched)
        {
            if (File.Exists(file) && Read(file, service) is { } found)
            {
                return found;
            }
        }
        throw new NorthException(
            $"The connection service \"{service}\" is defined in none of the service files searched ({string.Join(", ", searched)}).",
            ErrorIds.ServiceNotFound, NorthErrorKind.ObjectNotFound, service,
            "Check the name, or add a [" + service + "] section to ~/.pg_service.conf (or the file PGSERVICEFILE names).");
    }

    /// <summary>The service's keywords in <paramref name="path"/>, or null when the file has no such section.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>>? Read(string path, string service)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NorthException($"The service file \"{path}\" cannot be read: {e.Message}", ErrorIds.ServiceFileInvalid,
                NorthErrorKind.ReadError, path, "Check the file's permissions.", e);
        }
        List<KeyValuePair<string, string>>? values = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            if (line[0] == '[')
            {
                if (values is not null)
                {
                    return values; // the end of the wanted section
                }
                if (line == "[" + service + "]")
                {
                    values = new List<KeyValuePair<string, string>>();
                }
                continue;
            }
            if (values is null)
            {
                continue; // another service's line: libpq does not look at it
            }
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                throw Invalid(path, i + 1, $"\"{line}\" is not keyword=value");
            }
            var key = line[..equals];
            if (key is "service" or "servicefile")
            {
                throw Invalid(path, i + 1, "a service may not name another service (nested service specifications are not supported)");
            }
            if (!Keywords.Contains(key))
            {
                throw Invalid(path, i + 1, $"\"{key}\" is not a libpq connection keyword");
            }
            if (!values.Exists(v => v.Key == key))
            {
                values.Add(new(key, line[(equals + 1)..]));
            }
        }
        return values;
    }

    private static NorthException Invalid(string path, int line, string reason) =>
        new($"Syntax error in the service file \"{path}\", line {line}: {reason}.", ErrorIds.ServiceFileInvalid,
            NorthErrorKind.InvalidData, $"{path}:{line}", "Correct that line (libpq reads the file the same way).");
}
