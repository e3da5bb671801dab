using North.Core.Settings;

namespace North.Core.Connections;

/// <summary>
/// What the caller said about the connection: the settings (parameters, environment including
/// <c>PG*</c>, north.json, septentrion.ini, resolved once by SettingsLoader). Every value is
/// optional: what is missing comes from the password file and libpq's defaults.
/// </summary>
public sealed record ConnectionOptions
{
    /// <summary>
    /// A whole connection string, strongest of all: libpq keyword form (<c>host=db dbname=app</c>),
    /// a <c>postgresql://</c> or <c>postgres://</c> URI, or Npgsql's form (<c>Host=db;Database=app</c>).
    /// </summary>
    public string? ConnectionString { get; init; }

    /// <summary>Host name, address, socket directory, or several separated by commas.</summary>
    public string? Host { get; init; }

    public int? Port { get; init; }

    public string? Database { get; init; }

    public string? Username { get; init; }

    /// <summary>The password; never printed. Prefer <c>~/.pgpass</c> or <c>PGPASSWORD</c>.</summary>
    public string? Password { get; init; }

    /// <summary>libpq's sslmode: disable, allow, prefer, require, verify-ca, verify-full.</summary>
    public string? SslMode { get; init; }

    /// <summary>Shown in <c>pg_stat_activity</c>; default <c>North</c>.</summary>
    public string? ApplicationName { get; init; }

    /// <summary>Seconds to wait for the connection to open (libpq's connect_timeout).</summary>
    public int? ConnectTimeout { get; init; }

    /// <summary>
    /// False: every connection is a session of its own, ended when closed, so nothing stays open
    /// once a target is done (a fleet of many databases must not keep a pool per database).
    /// </summary>
    public bool Pooling { get; init; } = true;

    /// <summary>The connection values the settings carry (parameters, environment, north.json, septentrion.ini).</summary>
    public static ConnectionOptions FromSettings(NorthSettings settings, string? sslMode = null, string? applicationName = null, int? connectTimeout = null) => new()
    {
        ConnectionString = settings.ConnectionString,
        Host = settings.Host,
        Port = settings.Port,
        Database = settings.Database,
        Username = settings.Username,
        Password = settings.Password,
        SslMode = sslMode,
        ApplicationName = applicationName,
        ConnectTimeout = connectTimeout,
    };
}
