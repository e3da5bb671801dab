using System.Diagnostics;
using Npgsql;

namespace North.Core.Tests.Sql;

/// <summary>Runs the real psql binary against a test database, for differential tests.</summary>
public static class Psql
{
    /// <summary>Runs <c>psql -X -q -e -v ON_ERROR_STOP=1 -f file</c>; returns what psql echoed (the statements it sent).</summary>
    public static async Task<string> RunFileAsync(string connectionString, string file, string? workingDirectory = null, params string[] extra)
    {
        var (code, stdout, stderr) = await RunAsync(connectionString, workingDirectory,
            new[] { "-X", "-q", "-e", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null" }.Concat(extra).Concat(new[] { "-f", file }).ToArray());
        if (code != 0)
            throw new InvalidOperationException($"psql failed ({code}) on {file}: {stderr}");
        return stdout;
    }

    /// <summary>pg_dump of a database (schema and data, no owners), to compare two databases.</summary>
    public static async Task<string> DumpAsync(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        var (code, stdout, stderr) = await ExecAsync("pg_dump", connectionString, null, "--no-owner", "--no-privileges", "-d", b.Database!);
        if (code != 0)
            throw new InvalidOperationException($"pg_dump failed: {stderr}");
        // Strip the restrict key line pg_dump randomises, and the comment lines naming the dump.
        return string.Join('\n', stdout.Split('\n').Where(l => !l.StartsWith("\\restrict") && !l.StartsWith("\\unrestrict") && !l.StartsWith("-- Dumped")));
    }

    public static Task<(int Code, string Stdout, string Stderr)> RunAsync(string connectionString, string? workingDirectory, params string[] args)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return ExecAsync("psql", connectionString, workingDirectory, new[] { "-d", b.Database! }.Concat(args).ToArray());
    }

    private static async Task<(int, string, string)> ExecAsync(string program, string connectionString, string? workingDirectory, params string[] args)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["PGHOST"] = b.Host;
        start.Environment["PGPORT"] = b.Port.ToString();
        start.Environment["PGUSER"] = b.Username;
        if (b.Password is not null) start.Environment["PGPASSWORD"] = b.Password;
        start.Environment["PGCLIENTENCODING"] = "UTF8";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }
}
