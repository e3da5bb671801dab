namespace North.Core.Connections;

/// <summary>
/// The parts of the process environment libpq looks at: variables (<c>PGHOST</c>, <c>PGPASSFILE</c>...),
/// the operating-system user (default user name) and the home folder (where <c>.pgpass</c> lives).
/// Passed in so tests, and the PowerShell layer, control them.
/// </summary>
public sealed record ConnectionEnvironment
{
    /// <summary>Environment variables; names compared case-sensitively, as on Unix.</summary>
    public IReadOnlyDictionary<string, string?> Variables { get; init; } = new Dictionary<string, string?>();

    /// <summary>Operating-system user name: libpq's default user.</summary>
    public string UserName { get; init; } = Environment.UserName;

    /// <summary>Home folder, where <c>.pgpass</c> is looked for; null means no default password file.</summary>
    public string? HomeDirectory { get; init; }

    /// <summary>Host used when none is given: libpq's socket folder when it exists, else localhost.</summary>
    public string DefaultHost { get; init; } = "localhost";

    /// <summary>The environment of this process.</summary>
    public static ConnectionEnvironment Current()
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            variables[(string)entry.Key] = entry.Value as string;
        }
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return new ConnectionEnvironment
        {
            Variables = variables,
            UserName = Environment.UserName,
            HomeDirectory = string.IsNullOrEmpty(home) ? null : home,
            DefaultHost = FindDefaultHost(),
        };
    }

    internal string? Get(string name) =>
        Variables.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    /// <summary>The default password file: PGPASSFILE, else ~/.pgpass (%APPDATA%\postgresql\pgpass.conf on Windows).</summary>
    internal string? PasswordFilePath()
    {
        var given = Get("PGPASSFILE");
        if (given is not null)
        {
            return given;
        }
        if (OperatingSystem.IsWindows())
        {
            var appData = Get("APPDATA");
            return appData is null ? null : Path.Combine(appData, "postgresql", "pgpass.conf");
        }
        return HomeDirectory is null ? null : Path.Combine(HomeDirectory, ".pgpass");
    }

    /// <summary>libpq's default root certificate: ~/.postgresql/root.crt (%APPDATA%\postgresql\root.crt on Windows).</summary>
    internal string? RootCertificatePath()
    {
        if (OperatingSystem.IsWindows())
        {
            var appData = Get("APPDATA");
            return appData is null ? null : Path.Combine(appData, "postgresql", "root.crt");
        }
        return HomeDirectory is null ? null : Path.Combine(HomeDirectory, ".postgresql", "root.crt");
    }

    // psql on Debian/Ubuntu connects through the socket in /var/run/postgresql; Npgsql can too.
    private static string FindDefaultHost()
    {
        if (OperatingSystem.IsWindows())
        {
            return "localhost";
        }
        foreach (var folder in new[] { "/var/run/postgresql", "/tmp" })
        {
            if (Directory.Exists(folder) && Directory.EnumerateFiles(folder, ".s.PGSQL.*").Any(f => !f.EndsWith(".lock", StringComparison.Ordinal)))
            {
                return folder;
            }
        }
        return "localhost";
    }
}
