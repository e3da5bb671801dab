using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace North.TestServer;

/// <summary>
/// The real PostgreSQL that the tests and the demo run against. Three ways are tried in order:
/// <c>NORTH_TEST_CONNECTION</c>; Testcontainers when a Docker engine answers; a throwaway local
/// cluster made with <c>initdb</c>/<c>pg_ctl</c>. When none works the start fails and says why
/// each way failed: a suite must never pass because the database was missing.
/// </summary>
public sealed class TestPostgres : IAsyncDisposable
{
    public const string ConnectionVariable = "NORTH_TEST_CONNECTION";

    /// <summary>A folder of server binaries (initdb, pg_ctl, postgres; their libraries in ../lib)
    /// to make the cluster with, instead of the machine's: build.ps1 -PostgresVersion sets it.</summary>
    public const string BinariesVariable = "NORTH_TEST_POSTGRES_BIN";

    /// <summary>More server options for a throwaway cluster (<c>-c max_connections=50</c>), after the harness's own so they win.</summary>
    public const string OptionsVariable = "NORTH_TEST_POSTGRES_OPTIONS";

    private readonly Func<ValueTask>? _stop;

    private TestPostgres(string connectionString, string origin, Func<ValueTask>? stop)
    {
        ConnectionString = connectionString;
        Origin = origin;
        _stop = stop;
    }

    /// <summary>Npgsql connection string to the maintenance database (<c>postgres</c>), as a superuser.</summary>
    public string ConnectionString { get; }

    /// <summary>Which way the server was had, for the logs.</summary>
    public string Origin { get; }

    public static async Task<TestPostgres> StartAsync(Action<string>? log = null, CancellationToken cancel = default)
    {
        log ??= _ => { };
        var given = Environment.GetEnvironmentVariable(ConnectionVariable);
        if (!string.IsNullOrWhiteSpace(given))
        {
            // A DBA who names a server wants that server: no falling back to another one.
            try
            {
                await ProbeAsync(given, cancel);
                return new TestPostgres(given, ConnectionVariable, null);
            }
            catch (Exception e)
            {
                throw new TestServerUnavailableException(
                    $"{ConnectionVariable} is set but its server does not answer: {Describe(e)} " +
                    $"(connection: {Mask(given)}). Fix or unset {ConnectionVariable}.");
            }
        }

        var binaries = Environment.GetEnvironmentVariable(BinariesVariable);
        if (!string.IsNullOrWhiteSpace(binaries))
        {
            // A version asked for by its binaries: that version or nothing.
            try
            {
                log($"Starting a throwaway local cluster with the binaries in {binaries}...");
                var cluster = await LocalCluster.StartAsync(log, binaries, cancel);
                return new TestPostgres(cluster.ConnectionString, $"local cluster on port {cluster.Port} ({BinariesVariable})", cluster.StopAsync);
            }
            catch (Exception e)
            {
                throw new TestServerUnavailableException($"{BinariesVariable} is set but no cluster could be made with it: {Describe(e)}");
            }
        }

        var failures = new List<string> { $"{ConnectionVariable}: not set" };
        try
        {
            log("Trying Testcontainers (needs a Docker engine)...");
            return await ContainerServer.StartAsync(cancel);
        }
        catch (Exception e)
        {
            failures.Add($"Testcontainers: {Describe(e)}");
        }

        try
        {
            log("Starting a throwaway local cluster with initdb/pg_ctl...");
            var cluster = await LocalCluster.StartAsync(log, null, cancel);
            return new TestPostgres(cluster.ConnectionString, $"local cluster on port {cluster.Port}", cluster.StopAsync);
        }
        catch (Exception e)
        {
            failures.Add($"local cluster: {Describe(e)}");
        }

        throw new TestServerUnavailableException(
            "No PostgreSQL could be had for the tests. Tried, in order:" + Environment.NewLine +
            string.Join(Environment.NewLine, failures.Select(f => "  - " + f)) + Environment.NewLine +
            $"Set {ConnectionVariable} to a server's connection string, start a Docker engine, or install the PostgreSQL server packages.");
    }

    internal static TestPostgres FromContainer(string connectionString, Func<ValueTask> stop) =>
        new(connectionString, "Testcontainers", stop);

    /// <summary>Creates a fresh, empty database and returns its connection string.</summary>
    /// <summary>The server's <c>server_version</c> and <c>server_version_num</c>, e.g. "18.4 180004".</summary>
    public async Task<string> ServerVersionAsync(CancellationToken cancel = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancel);
        await using var command = new NpgsqlCommand("SELECT current_setting('server_version') || ' ' || current_setting('server_version_num')", connection);
        return (string)(await command.ExecuteScalarAsync(cancel))!;
    }

    /// <param name="with">What follows CREATE DATABASE's name, if anything (ENCODING 'SQL_ASCII' ... TEMPLATE template0).</param>
    public async Task<string> CreateDatabaseAsync(string prefix = "north_test", CancellationToken cancel = default, string? with = null)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)];
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancel);
        await using (var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\" {with}", connection))
        {
            await create.ExecuteNonQueryAsync(cancel);
        }
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name, Pooling = false }.ConnectionString;
    }

    public async Task DropDatabaseAsync(string connectionString, CancellationToken cancel = default)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancel);
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync(cancel);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop is not null)
        {
            await _stop();
        }
    }

    private static async Task ProbeAsync(string connectionString, CancellationToken cancel)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 10, Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancel);
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        await command.ExecuteScalarAsync(cancel);
    }

    internal static string Describe(Exception e)
    {
        var message = e.Message;
        if (e.InnerException is { } inner && !message.Contains(inner.Message, StringComparison.Ordinal))
        {
            message += " (" + inner.Message + ")";
        }
        return message.ReplaceLineEndings(" ");
    }

    /// <summary>The connection string with its password hidden, for messages.</summary>
    public static string Mask(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (!string.IsNullOrEmpty(builder.Password))
            {
                builder.Password = "********";
            }
            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            return "(unparsable connection string)";
        }
    }
}

public sealed class TestServerUnavailableException(string message) : Exception(message);

/// <summary>The Testcontainers way, isolated so its types load only when tried.</summary>
internal static class ContainerServer
{
    public static async Task<TestPostgres> StartAsync(CancellationToken cancel)
    {
        var container = new Testcontainers.PostgreSql.PostgreSqlBuilder()
            .WithImage("postgres:15-alpine")
            .WithUsername("postgres")
            .WithPassword("postgres")
            .Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        try
        {
            await container.StartAsync(timeout.Token);
        }
        catch
        {
            await container.DisposeAsync();
            throw;
        }
        var builder = new NpgsqlConnectionStringBuilder(container.GetConnectionString()) { Database = "postgres" };
        return TestPostgres.FromContainer(builder.ConnectionString, container.DisposeAsync);
    }
}

/// <summary>
/// A cluster made with initdb in a temporary folder, listening on a free loopback port, with
/// durability switched off (tests do not need it), removed when stopped.
/// </summary>
internal sealed class LocalCluster
{
    private readonly string _bin;
    private readonly string? _libraries;
    private readonly string _root;
    private readonly bool _asPostgresUser;

    private LocalCluster(string bin, string? libraries, string root, int port, bool asPostgresUser)
    {
        _bin = bin;
        _libraries = libraries;
        _root = root;
        Port = port;
        _asPostgresUser = asPostgresUser;
    }

    public int Port { get; }

    private string DataDir => Path.Combine(_root, "data");

    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Password = _password,
        Database = "postgres",
    }.ConnectionString;

    // A throwaway password for a throwaway cluster.
    private readonly string _password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    public static async Task<LocalCluster> StartAsync(Action<string> log, string? binaries, CancellationToken cancel)
    {
        var bin = binaries ?? FindBin() ?? throw new InvalidOperationException(
            "initdb and pg_ctl were found neither on PATH nor under /usr/lib/postgresql/*/bin");
        if (!File.Exists(Path.Combine(bin, "initdb")) || !File.Exists(Path.Combine(bin, "pg_ctl")))
        {
            throw new InvalidOperationException($"no initdb and pg_ctl in {bin}");
        }
        var asPostgresUser = Environment.UserName == "root" || geteuid() == 0;
        var root = Directory.CreateTempSubdirectory("north-pg-").FullName;
        if (asPostgresUser)
        {
            // PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
            await RunAsync("chown", ["postgres:postgres", root], cancel);
        }
        // Binaries given by folder (npm's) find their libraries beside them, in ../lib.
        var libraries = binaries is null ? null : Path.GetFullPath(Path.Combine(bin, "..", "lib"));
        var cluster = new LocalCluster(bin, libraries, root, FreePort(), asPostgresUser);
        try
        {
            // Password authentication over TCP, as on a real server, so tests of wrong passwords mean something.
            var passwordFile = Path.Combine(root, "password");
            await File.WriteAllTextAsync(passwordFile, cluster._password, cancel);
            if (asPostgresUser)
            {
                await RunAsync("chown", ["postgres:postgres", passwordFile], cancel);
            }
            await cluster.RunPgAsync("initdb", ["-D", cluster.DataDir, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256",
                "--pwfile=" + passwordFile, "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], cancel);
            File.Delete(passwordFile);
            var options = $"-p {cluster.Port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 {Environment.GetEnvironmentVariable(TestPostgres.OptionsVariable)}".TrimEnd();
            await cluster.RunPgAsync("pg_ctl", ["-D", cluster.DataDir, "-o", options, "-l", Path.Combine(root, "server.log"), "-w", "-t", "60", "start"], cancel);
            log($"Local cluster started on 127.0.0.1:{cluster.Port}.");
            return cluster;
        }
        catch
        {
            await cluster.StopAsync();
            throw;
        }
    }

    public async ValueTask StopAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(DataDir, "postmaster.pid")))
            {
                await RunPgAsync("pg_ctl", ["-D", DataDir, "-m", "immediate", "-w", "stop"], CancellationToken.None);
            }
        }
        catch (Exception)
        {
            // Removing the folder below still frees the disk; the postmaster exits when its data goes.
        }
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private Task RunPgAsync(string tool, string[] args, CancellationToken cancel)
    {
        var path = Path.Combine(_bin, tool);
        // env passes the library path through runuser, whose PAM session may drop it.
        string[] command = _libraries is null ? [path, .. args] : ["env", "LD_LIBRARY_PATH=" + _libraries, path, .. args];
        return _asPostgresUser
            ? RunAsync("runuser", ["-u", "postgres", "--", .. command], cancel)
            : RunAsync(command[0], command[1..], cancel);
    }

    private static string? FindBin()
    {
        var candidates = new List<string>();
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            candidates.Add(dir);
        }
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        }
        foreach (var dir in candidates)
        {
            if (File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")))
            {
                // Resolve symlinks so pg_ctl finds its postgres binary beside it.
                var initdb = new FileInfo(Path.Combine(dir, "initdb"));
                var target = initdb.ResolveLinkTarget(returnFinalTarget: true);
                return target is null ? dir : Path.GetDirectoryName(target.FullName)!;
            }
        }
        return null;
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static async Task RunAsync(string file, string[] args, CancellationToken cancel)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancel);
        var stderr = process.StandardError.ReadToEndAsync(cancel);
        await process.WaitForExitAsync(cancel);
        if (process.ExitCode != 0)
        {
            var output = new StringBuilder().Append(await stderr).Append(await stdout).ToString().Trim();
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)} exited with {process.ExitCode}: {output}");
        }
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();
}
