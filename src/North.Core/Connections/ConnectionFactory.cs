using System.Globalization;
using System.Net.Sockets;
using North.Core.Errors;
using Npgsql;

namespace North.Core.Connections;

/// <summary>
/// Turns what a DBA gave (a connection string, host/port/database/user values as resolved by
/// <see cref="North.Core.Settings.SettingsLoader"/>, libpq's other variables, the password file) into Npgsql connections, with libpq's habits: strongest source
/// first, user defaults to the operating-system user, database to the user, application name
/// <c>North</c>. Everything it prints or raises is free of the password.
/// </summary>
public sealed class ConnectionFactory
{
    /// <summary>Application name when none is given.</summary>
    public const string DefaultApplicationName = "North";

    private readonly NpgsqlConnectionStringBuilder _builder;
    private readonly List<string> _warnings = new();
    private readonly bool _pooling;

    /// <summary>
    /// Resolves the connection from <paramref name="options"/>, then the variables of <paramref name="environment"/> (default: this process) that are not settings.
    /// Connections come from <paramref name="pools"/> (the caller's owner of data sources); without one, from Npgsql's own process-wide pools.
    /// </summary>
    public ConnectionFactory(ConnectionOptions? options = null, ConnectionEnvironment? environment = null, ConnectionPools? pools = null)
    {
        options ??= new ConnectionOptions();
        environment ??= ConnectionEnvironment.Current();
        _pooling = options.Pooling;
        Pools = pools;
        var given = options.ConnectionString is { Length: > 0 } text
            ? ConnectionStringParser.Parse(text)
            : new Dictionary<string, string>();

        // Weakest first; each layer overwrites what the previous set.
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        void Layer(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value)) values[key] = value;
        }
        // PGHOST, PGPORT, PGDATABASE, PGUSER and PGPASSWORD are settings: SettingsLoader resolves
        // them in their place among the other sources and they arrive in options. Only libpq's
        // knobs that are not settings are read here.
        Layer("Passfile", environment.Get("PGPASSFILE"));
        Layer("SSL Mode", environment.Get("PGSSLMODE"));
        Layer("Root Certificate", environment.Get("PGSSLROOTCERT"));
        Layer("Application Name", environment.Get("PGAPPNAME"));
        Layer("Timeout", environment.Get("PGCONNECT_TIMEOUT"));
        Layer("Host", options.Host);
        Layer("Port", options.Port?.ToString(CultureInfo.InvariantCulture));
        Layer("Database", options.Database);
        Layer("Username", options.Username);
        Layer("Password", options.Password);
        Layer("SSL Mode", options.SslMode);
        Layer("Application Name", options.ApplicationName);
        Layer("Timeout", options.ConnectTimeout?.ToString(CultureInfo.InvariantCulture));
        foreach (var (key, value) in given)
        {
            values[key] = value;
        }

        // libpq's defaults.
        values.TryAdd("Host", environment.DefaultHost);
        values.TryAdd("Port", "5432");
        values.TryAdd("Username", environment.UserName);
        values.TryAdd("Database", values["Username"]);
        values.TryAdd("Application Name", DefaultApplicationName);
        // Migrations run as long as they need: Npgsql's 30 s command default would cut a long index build.
        values.TryAdd("Command Timeout", "0");
        // The server's DETAIL is the DBA's own database talking: show it (Npgsql redacts it by default).
        values.TryAdd("Include Error Detail", "true");
        if (values.TryGetValue("SSL Mode", out var sslMode))
        {
            values["SSL Mode"] = SslModeName(sslMode);
        }

        _builder = new NpgsqlConnectionStringBuilder();
        foreach (var (key, value) in values)
        {
            if (key.Equals("Passfile", StringComparison.OrdinalIgnoreCase))
            {
                continue; // read here, below, with libpq's rules
            }
            try
            {
                _builder[key] = value;
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                throw new NorthException($"The connection setting \"{key}\" has a value Npgsql cannot use.", ErrorIds.ConnectionStringInvalid,
                    NorthErrorKind.InvalidArgument, key, "Correct that setting in the connection string, the parameters or the PG* environment variables.");
            }
        }

        if (string.IsNullOrEmpty(_builder.Password))
        {
            var path = values.TryGetValue("Passfile", out var passfile) ? passfile : environment.PasswordFilePath();
            if (path is not null)
            {
                var password = PasswordFile.Find(path, FirstHost, _builder.Port, _builder.Database!, _builder.Username!, _warnings.Add);
                if (password is not null)
                {
                    _builder.Password = password;
                }
            }
        }
        if (string.IsNullOrEmpty(_builder.Password))
        {
            // Npgsql would read PGPASSFILE or ~/.pgpass on its own, a file just refused included:
            // point it at an empty file so the password North resolved (none) is the one used.
            _builder.Passfile = OperatingSystem.IsWindows() ? @"\\.\NUL" : "/dev/null";
        }
        ResolveRootCertificate(environment);
    }

    /// <summary>
    /// libpq's meaning of verify-ca and verify-full: the server's certificate is checked against
    /// sslrootcert (PGSSLROOTCERT), else ~/.postgresql/root.crt, never the operating system's
    /// store; a missing file is an error. require, prefer and allow encrypt without verifying.
    /// </summary>
    private void ResolveRootCertificate(ConnectionEnvironment environment)
    {
        if (_builder.SslMode is not (SslMode.VerifyCA or SslMode.VerifyFull))
        {
            return;
        }
        var mode = _builder.SslMode == SslMode.VerifyCA ? "verify-ca" : "verify-full";
        var path = string.IsNullOrEmpty(_builder.RootCertificate) ? environment.RootCertificatePath() : _builder.RootCertificate;
        if (path is null || !File.Exists(path))
        {
            var shown = path ?? "~/.postgresql/root.crt";
            throw new NorthException(
                $"sslmode={mode} needs the root certificate that signed the server's certificate, and the root certificate file \"{shown}\" does not exist.",
                ErrorIds.SslRootCertificateMissing, NorthErrorKind.ObjectNotFound, shown,
                "Put the CA certificate in ~/.postgresql/root.crt, or name it with sslrootcert (or PGSSLROOTCERT); or choose sslmode=require to encrypt without verifying the server.");
        }
        _builder.RootCertificate = path;
    }

    /// <summary>The owner of the data sources this factory's connections come from; null: Npgsql's own pools.</summary>
    public ConnectionPools? Pools { get; }

    /// <summary>
    /// Closes the idle pooled sessions of <paramref name="connectionString"/> (default: this
    /// factory's), in whichever pools its connections come from: a database about to be cloned or
    /// dropped must have none.
    /// </summary>
    public void ClearPool(string? connectionString = null)
    {
        connectionString ??= ConnectionString;
        // And the pool of its byte-transparent sessions (a SQL_ASCII database's).
        foreach (var pool in new[] { connectionString, ByteTransparentSession.ConnectionString(connectionString) })
        {
            if (Pools is not null)
            {
                Pools.Clear(pool);
            }
            else
            {
                using var connection = new NpgsqlConnection(pool);
                NpgsqlConnection.ClearPool(connection);
            }
        }
    }

    /// <summary>The Npgsql connection string, password included: hand it to Npgsql only, never print it.</summary>
    public string ConnectionString => _builder.ConnectionString;

    public string Host => _builder.Host!;

    public int Port => _builder.Port;

    public string Database => _builder.Database!;

    public string Username => _builder.Username!;

    /// <summary>Whether a password was found (given, environment, or password file).</summary>
    public bool HasPassword => !string.IsNullOrEmpty(_builder.Password);

    /// <summary><c>host:port/database</c>: the target of connection errors.</summary>
    public string Target => Host.Contains(',') ? $"{Host}/{Database}" : $"{Host}:{Port}/{Database}";

    /// <summary>Why a source was ignored (e.g. a password file others can read).</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>A printable form with no password: <c>user@host:port/database (sslmode=..., application_name=...)</c>.</summary>
    public string Describe() =>
        $"{Username}@{Target} (sslmode={_builder.SslMode.ToString().ToLowerInvariant()}, application_name={_builder.ApplicationName})";

    /// <summary>
    /// A new, closed connection. <paramref name="pooled"/> false gives a session that really ends on
    /// close; <paramref name="keepAlive"/> adds TCP keepalives and Npgsql's keepalive query (the run
    /// lock's session, idle for a whole run, must not be dropped by a proxy or a firewall).
    /// </summary>
    public NpgsqlConnection CreateConnection(bool pooled = true, bool keepAlive = false) => Create(ConnectionStringFor(pooled, keepAlive));

    private NpgsqlConnection Create(string connectionString) => ConnectionPools.CreateConnection(Pools, connectionString);

    private string ConnectionStringFor(bool pooled, bool keepAlive)
    {
        pooled &= _pooling;
        if (pooled && !keepAlive)
        {
            return ConnectionString;
        }
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = pooled };
        if (keepAlive)
        {
            builder.TcpKeepAlive = true;
            builder.KeepAlive = 15;
        }
        return builder.ConnectionString;
    }

    /// <summary>Opens a connection; a failure becomes a <see cref="NorthException"/> (<c>NorthConnectionFailed</c>) without the password,
    /// a server older than North supports <c>NorthServerUnsupported</c>. A pooled session that idled is checked first: one the
    /// server ended meanwhile (a restart) clears the pool and the connection is opened once more, before anything of the caller ran on it.</summary>
    /// <remarks>A session with a SQL_ASCII database is byte-transparent (<see cref="ByteTransparentSession"/>): decided here,
    /// once per session, from the server_encoding the server reported when it started (a database's encoding never changes,
    /// but a database of the same name can be made again with another).</remarks>
    public async Task<NpgsqlConnection> OpenAsync(bool pooled = true, bool keepAlive = false, CancellationToken cancel = default)
    {
        var connectionString = ConnectionStringFor(pooled, keepAlive);
        return await ByteTransparentSession.OpenAsync(connectionString, text => OpenAsync(text, pooled, cancel)).ConfigureAwait(false);
    }

    private async Task<NpgsqlConnection> OpenAsync(string connectionString, bool pooled, CancellationToken cancel)
    {
        var connection = await OpenSessionAsync(connectionString, cancel).ConfigureAwait(false);
        bool answers;
        try
        {
            answers = !(pooled && _pooling && _builder.Pooling) || await AnswersAsync(connection, connectionString, cancel).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        if (!answers)
        {
            // Its pool's other idle sessions died with it: the next one must be new.
            await connection.DisposeAsync().ConfigureAwait(false);
            ClearPool(connectionString);
            connection = await OpenSessionAsync(connectionString, cancel).ConfigureAwait(false);
        }
        if (SupportedServer.Refusal(connection.PostgreSqlVersion, connection.ServerVersion, Target) is { } refusal)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw refusal;
        }
        return connection;
    }

    private async Task<NpgsqlConnection> OpenSessionAsync(string connectionString, CancellationToken cancel)
    {
        for (var attempt = 1; ; attempt++)
        {
            var connection = Create(connectionString);
            try
            {
                await connection.OpenAsync(cancel).ConfigureAwait(false);
                return connection;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.TooManyConnections && attempt < TooManyConnectionsAttempts)
            {
                // The server is full for a moment (other targets, other clients): wait and try again.
                await connection.DisposeAsync().ConfigureAwait(false);
                await Task.Delay(TooManyConnectionsBackOff(attempt), cancel).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException or InvalidOperationException or ArgumentException)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw ConnectionFailed(e);
            }
        }
    }

    /// <summary>
    /// False when <paramref name="connection"/> is a pooled session the server has ended since it
    /// idled (Npgsql hands it out as open and only the first statement finds out). A SELECT of nothing,
    /// which runs nothing, asks; a new session (the owner knows its process id) needs no asking.
    /// </summary>
    private async Task<bool> AnswersAsync(NpgsqlConnection connection, string connectionString, CancellationToken cancel)
    {
        if (Pools?.IsReused(connectionString, connection.ProcessID) == false)
        {
            return true;
        }
        try
        {
            await using var probe = new NpgsqlCommand("SELECT", connection);
            await probe.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
            return true;
        }
        catch (NpgsqlException) when (!connection.State.HasFlag(System.Data.ConnectionState.Open))
        {
            return false;
        }
    }

    // 53300 too_many_connections: up to 12 attempts, waiting 100 ms doubling to 5 s, with jitter (about 40 s in all).
    private const int TooManyConnectionsAttempts = 12;

    private static TimeSpan TooManyConnectionsBackOff(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(5000, 100 * (1 << Math.Min(attempt - 1, 6))) * (0.75 + Random.Shared.NextDouble() / 2));

    /// <summary>Maps a failure to connect to North's error: names the target and user, keeps the password out.</summary>
    public NorthException ConnectionFailed(Exception error)
    {
        var (reason, action) = Explain(error);
        // Built from the parsed parts, none of which is the password; Npgsql never puts the password in its messages.
        var message = $"Cannot connect to PostgreSQL at {Target} as user \"{Username}\": {SecretMask.InText(reason)}";
        return new NorthException(message, ErrorIds.ConnectionFailed, NorthErrorKind.ConnectionError, Target, action, error);
    }

    /// <summary>
    /// <paramref name="connectionString"/> with its password replaced by <c>***</c>, in Npgsql's form;
    /// a string that cannot be read comes back as a placeholder rather than as itself.
    /// </summary>
    public static string Mask(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return "";
        }
        try
        {
            var parsed = ConnectionStringParser.Parse(connectionString);
            var builder = new System.Data.Common.DbConnectionStringBuilder();
            foreach (var (key, value) in parsed)
            {
                builder[key] = key.Equals("Password", StringComparison.OrdinalIgnoreCase) || key.Equals("SSL Password", StringComparison.OrdinalIgnoreCase)
                    ? "***"
                    : value;
            }
            return builder.ConnectionString;
        }
        catch (Exception)
        {
            return "(a connection string that could not be read)";
        }
    }

    private string FirstHost
    {
        get
        {
            var host = Host.Split(',')[0];
            var colon = host.LastIndexOf(':');
            return colon > 0 && !host.StartsWith('/') && host.Count(c => c == ':') == 1 ? host[..colon] : host;
        }
    }

    private (string Reason, string Action) Explain(Exception error)
    {
        switch (error)
        {
            case PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } pg:
                return (pg.MessageText + ".", HasPassword
                    ? "Check the user name and the password (PGPASSWORD, ~/.pgpass or -Credential), and pg_hba.conf."
                    : "No password was found: give one with -Credential, PGPASSWORD or ~/.pgpass, or check pg_hba.conf.");
            case PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } pg:
                return (pg.MessageText + ".", "Check the database name, or create the database first.");
            case PostgresException pg:
                return ($"{pg.MessageText} (SQLSTATE {pg.SqlState}).", "Check the server's log and the connection settings.");
            case TimeoutException:
                return ("the connection timed out.", "Check the host and port, the network, and connect_timeout.");
        }
        var socket = FindInner<SocketException>(error);
        if (socket is not null)
        {
            return ($"{socket.Message} ({socket.SocketErrorCode}).", "Check that the server runs and listens on that host and port (listen_addresses, firewall).");
        }
        var timeout = FindInner<TimeoutException>(error);
        if (timeout is not null)
        {
            return ("the connection timed out.", "Check the host and port, the network, and connect_timeout.");
        }
        return (error.Message, "Check the connection settings.");
    }

    private static T? FindInner<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T found) return found;
        }
        return null;
    }

    // libpq spells modes in lower case with dashes; Npgsql in PascalCase.
    private static string SslModeName(string mode) => mode.ToLowerInvariant() switch
    {
        "disable" => "Disable",
        "allow" => "Allow",
        "prefer" => "Prefer",
        "require" => "Require",
        "verify-ca" or "verifyca" => "VerifyCA",
        "verify-full" or "verifyfull" => "VerifyFull",
        _ => throw new NorthException($"sslmode \"{mode}\" is not one of disable, allow, prefer, require, verify-ca, verify-full.",
            ErrorIds.ConnectionStringInvalid, NorthErrorKind.InvalidArgument, "sslmode"),
    };
}
