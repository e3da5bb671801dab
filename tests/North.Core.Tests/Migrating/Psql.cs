using System.Diagnostics;
using Npgsql;

namespace North.Core.Tests.Migrating;

/// <summary>Runs files with the real psql, as septentrion and DBAs do, to build databases North must adopt.</summary>
internal static class Psql
{
    public static async Task RunFileAsync(string connectionString, string file)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        var info = new ProcessStartInfo("psql") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", b.Host!, "-p", b.Port.ToString(), "-U", b.Username!, "-d", b.Database!, "-f", file })
        {
            info.ArgumentList.Add(arg);
        }
        if (!string.IsNullOrEmpty(b.Password))
        {
            info.Environment["PGPASSWORD"] = b.Password;
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"psql -f {file} failed: {await error}{await output}");
    }
}
