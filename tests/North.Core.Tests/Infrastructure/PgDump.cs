using System.Diagnostics;
using System.Text.RegularExpressions;
using North.Core.Schema;
using North.Core.Tests.Sql;
using Npgsql;

namespace North.Core.Tests.Infrastructure;

/// <summary>
/// Whether the machine's pg_dump can dump the suite's server (it refuses a newer major version:
/// Debian's client is 15, the version matrix goes to 18), and the comparison of two databases
/// that uses pg_dump where it can and North's own catalog comparison plus the tables' contents
/// where it cannot. Tests that cannot do without pg_dump are excluded by name in
/// tests/PostgresServers.psd1, never skipped here.
/// </summary>
public static partial class PgDump
{
    /// <summary>True when <c>pg_dump</c> is at least the major version of the server behind
    /// <paramref name="connectionString"/>.</summary>
    public static async Task<bool> CanDumpAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var serverMajor = connection.PostgreSqlVersion.Major;
        return await ClientMajorAsync() >= serverMajor;
    }

    /// <summary>Asserts that two databases hold the same schema and the same rows: their pg_dump
    /// outputs are equal, or, when pg_dump cannot dump the server, North's catalog comparison finds
    /// no difference and every table and sequence holds the same content.</summary>
    public static async Task AssertSameDatabaseAsync(string expected, string actual)
    {
        if (await CanDumpAsync(expected))
        {
            Assert.Equal(await Psql.DumpAsync(expected), await Psql.DumpAsync(actual));
            return;
        }
        var differences = await new SchemaCheck().CompareDatabasesAsync(actual, expected, SchemaCompareOptions.Default);
        Assert.True(differences.Count == 0, string.Join(Environment.NewLine, differences.Select(d => $"{d.ObjectType} {d.Name} {d.Property}: {d.Expected} -> {d.Actual}")));
        Assert.Equal(await ContentsAsync(expected), await ContentsAsync(actual));
    }

    /// <summary>Each user table's rows (as text, sorted) and each sequence's state, by name.</summary>
    private static async Task<string> ContentsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var queries = new List<string>();
        await using (var list = new NpgsqlCommand("""
            SELECT format('SELECT %L || '': '' || coalesce(string_agg(t::text, E''\n'' ORDER BY t::text COLLATE "C"), '''') FROM %I.%I t', n.nspname || '.' || c.relname, n.nspname, c.relname)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
            UNION ALL
            SELECT format('SELECT %L || '': '' || last_value || '' '' || is_called FROM %I.%I', n.nspname || '.' || c.relname, n.nspname, c.relname)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'S'
            ORDER BY 1
            """, connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                queries.Add(reader.GetString(0));
            }
        }
        var contents = new List<string>();
        foreach (var query in queries)
        {
            await using var command = new NpgsqlCommand(query, connection);
            contents.Add((string)(await command.ExecuteScalarAsync())!);
        }
        return string.Join(Environment.NewLine, contents);
    }

    private static async Task<int> ClientMajorAsync()
    {
        var start = new ProcessStartInfo("pg_dump", "--version") { RedirectStandardOutput = true, RedirectStandardError = true };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return 0;
        }
        using (process)
        {
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            var match = ClientVersion().Match(output);
            return match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        }
    }

    [GeneratedRegex(@"\) (\d+)")]
    private static partial Regex ClientVersion();
}
