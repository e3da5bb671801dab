// Generates a COPY ... FROM stdin fixtures file of the given size (default 1 GB) in a temp folder,
// loads it through North's ScriptExecutor into a fresh database, and prints time and peak working set.
// Usage: NORTH_TEST_CONNECTION='Host=...;Username=...;Password=...' dotnet run -c Release --project bench/memory [sizeMB]
using System.Diagnostics;
using System.Text;
using North.Core.Execution;
using Npgsql;

var sizeMb = args.Length > 0 ? long.Parse(args[0]) : 1024;
var connectionString = Environment.GetEnvironmentVariable("NORTH_TEST_CONNECTION")
    ?? throw new InvalidOperationException("Set NORTH_TEST_CONNECTION to a PostgreSQL connection string.");

var folder = Path.Combine(Path.GetTempPath(), "north-bench-memory-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(folder);
var file = Path.Combine(folder, "fixtures_1.0.sql");
var database = "north_bench_" + Guid.NewGuid().ToString("N")[..8];
try
{
    var clock = Stopwatch.StartNew();
    long rows = Generate(file, sizeMb * 1024 * 1024);
    Console.WriteLine($"generated {new FileInfo(file).Length / (1024 * 1024)} MB, {rows} rows in {clock.Elapsed.TotalSeconds:0.0} s");

    var admin = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres" };
    await using (var c = new NpgsqlConnection(admin.ConnectionString))
    {
        await c.OpenAsync();
        await new NpgsqlCommand($"CREATE DATABASE {database}", c).ExecuteNonQueryAsync();
    }

    var before = Process.GetCurrentProcess();
    before.Refresh();
    Console.WriteLine($"working set before load: {before.WorkingSet64 / (1024 * 1024)} MB");
    var target = new NpgsqlConnectionStringBuilder(connectionString) { Database = database };
    await using (var connection = new NpgsqlConnection(target.ConnectionString))
    {
        await connection.OpenAsync();
        clock.Restart();
        var result = await new ScriptExecutor(connection).ExecuteFileAsync(file, null, null, default);
        clock.Stop();
        var loaded = (long)(await new NpgsqlCommand("SELECT count(*) FROM fixture", connection).ExecuteScalarAsync())!;
        Console.WriteLine($"loaded {loaded} rows (reported {result.RowsAffected}) in {clock.Elapsed.TotalSeconds:0.0} s, mode {result.Mode}");
    }
    var process = Process.GetCurrentProcess();
    process.Refresh();
    Console.WriteLine($"peak working set: {process.PeakWorkingSet64 / (1024 * 1024)} MB (target < 200 MB)");
    Console.WriteLine($"GC total allocated: {GC.GetTotalAllocatedBytes() / (1024 * 1024)} MB");
}
finally
{
    NpgsqlConnection.ClearAllPools();
    var admin = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres" };
    await using (var c = new NpgsqlConnection(admin.ConnectionString))
    {
        await c.OpenAsync();
        await new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", c).ExecuteNonQueryAsync();
    }
    Directory.Delete(folder, recursive: true);
}

static long Generate(string path, long bytes)
{
    using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
    writer.Write("-- generated fixtures\nSET client_encoding = 'UTF8';\nCREATE TABLE fixture (id bigint, name text, note text, amount numeric);\n\nCOPY fixture (id, name, note, amount) FROM stdin;\n");
    long rows = 0;
    long written = 0;
    var line = new StringBuilder();
    while (written < bytes)
    {
        rows++;
        line.Clear();
        line.Append(rows).Append("\tname é ").Append(rows % 9973).Append("\tsome note with a tab\\tand a backslash \\\\ ")
            .Append('x', (int)(rows % 40)).Append('\t').Append(rows % 1000).Append(".25\n");
        writer.Write(line);
        written += line.Length + 1;
    }
    writer.Write("\\.\n\nCREATE INDEX fixture_id ON fixture (id);\n");
    return rows;
}
