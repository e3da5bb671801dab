using System.Diagnostics;
using Npgsql;

namespace North.Core.Tests.Schema;

/// <summary>
/// psql and pg_dump as a DBA runs them, for whole dump files and round trips. Host, port, role
/// and password come from the connection string (the password through PGPASSWORD, never argv).
/// </summary>
internal static class PostgresTools
{
    /// <summary>Runs a SQL file with <c>psql -X -v ON_ERROR_STOP=1 -f</c>.</summary>
    public static Task PsqlFileAsync(string connectionString, string file) =>
        RunAsync("psql", connectionString, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", file]);

    /// <summary>Dumps the schema of the database with <c>pg_dump --schema-only</c> into a file.</summary>
    public static Task DumpSchemaAsync(string connectionString, string file) =>
        RunAsync("pg_dump", connectionString, ["--schema-only", "--file", file]);

    /// <summary>A loader for <c>SchemaCheck</c> that runs each file with psql, in order.</summary>
    public static async Task LoadFilesAsync(string connectionString, IReadOnlyList<string> files, CancellationToken cancel)
    {
        foreach (var file in files)
        {
            cancel.ThrowIfCancellationRequested();
            await PsqlFileAsync(connectionString, file);
        }
    }

    private static async Task RunAsync(string tool, string connectionString, IEnumerable<string> arguments)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["PGHOST"] = builder.Host;
        start.Environment["PGPORT"] = builder.Port.ToString();
        start.Environment["PGUSER"] = builder.Username;
        start.Environment["PGPASSWORD"] = builder.Password ?? "";
        start.Environment["PGDATABASE"] = builder.Database;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}{await output}");
        }
    }
}
