using System.Diagnostics;
using Npgsql;

namespace North.Bench.Migrate;

/// <summary>Timing and fresh-database plumbing shared by the benchmark's columns.</summary>
public static class Measure
{
    /// <summary>Median of the samples, in milliseconds.</summary>
    public static double Median(IReadOnlyList<double> samples)
    {
        var sorted = samples.OrderBy(x => x).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static async Task<double> TimeAsync(Func<Task> run)
    {
        var clock = Stopwatch.StartNew();
        await run();
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>Creates an empty database on the server and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string serverConnectionString, string name)
    {
        await using var connection = new NpgsqlConnection(serverConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE); CREATE DATABASE \"{name}\"", connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name }.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string serverConnectionString, string name)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(serverConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// psql on one file in one session, the limit North is measured against:
    /// <c>psql -X -q -v ON_ERROR_STOP=1 -f file</c>, the password passed through PGPASSWORD.
    /// </summary>
    public static async Task RunPsqlAsync(string connectionString, string file)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        var info = new ProcessStartInfo("psql")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", b.Host!, "-p", b.Port.ToString(), "-U", b.Username!, "-d", b.Database!, "-f", file })
        {
            info.ArgumentList.Add(arg);
        }
        if (!string.IsNullOrEmpty(b.Password))
        {
            info.Environment["PGPASSWORD"] = b.Password;
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"psql exited with {process.ExitCode}: {await stderr}");
        }
        await stdout;
    }
}
