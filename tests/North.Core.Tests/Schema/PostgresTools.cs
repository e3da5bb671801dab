using System.Diagnostics;
using North.Core.Execution;
using North.Core.Tests.Sql;
using Npgsql;

namespace North.Core.Tests.Schema;

/// <summary>
/// psql (the suite's <see cref="Psql"/>) and pg_dump --schema-only as a DBA runs them, for whole
/// dump files and round trips; and North's own script engine as a loader. Host, port, role and
/// password come from the connection string (the password through PGPASSWORD, never argv).
/// </summary>
internal static class PostgresTools
{
    /// <summary>Runs a SQL file with <c>psql -X -v ON_ERROR_STOP=1 -f</c>.</summary>
    public static Task PsqlFileAsync(string connectionString, string file) => Psql.RunFileAsync(connectionString, file);

    /// <summary>A loader for <c>SchemaCheck</c> that runs each file with North's <see cref="ScriptExecutor"/>, in order.</summary>
    public static async Task ExecuteFilesAsync(string connectionString, IReadOnlyList<string> files, CancellationToken cancel)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancel);
        var executor = new ScriptExecutor(connection);
        foreach (var file in files)
        {
            await executor.ExecuteFileAsync(file, null, cancel);
        }
    }

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
