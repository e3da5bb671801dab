// Generates N tables (default 1,000) with a primary key, a foreign key, two CHECKs, a default,
// two indexes and a trigger each, in two scratch databases on the server of NORTH_TEST_CONNECTION
// (or NORTH_BENCH_CONNECTION), changes three things on one side, then times what
// Test-NorthSchema -ReferenceConnectionString does: read both catalogs, compare, settle deparse.
// Target: under 5 s for 1,000 tables. Prints figures; asserts nothing.
using System.Diagnostics;
using System.Text;
using North.Core.Schema;
using Npgsql;

var tables = args.Length > 0 ? int.Parse(args[0]) : 1000;
var runs = args.Length > 1 ? int.Parse(args[1]) : 3;
var connectionString = Environment.GetEnvironmentVariable("NORTH_BENCH_CONNECTION")
    ?? Environment.GetEnvironmentVariable("NORTH_TEST_CONNECTION")
    ?? throw new InvalidOperationException("Set NORTH_TEST_CONNECTION (or NORTH_BENCH_CONNECTION) to a server where the role may CREATEDB.");

var reporter = new WarningsToConsole();
await using var reference = await ScratchDatabase.CreateAsync(connectionString, reporter);
await using var live = await ScratchDatabase.CreateAsync(connectionString, reporter);

var ddl = Generate(tables);
var watch = Stopwatch.StartNew();
await Task.WhenAll(ExecuteAsync(reference.ConnectionString, ddl), ExecuteAsync(live.ConnectionString, ddl));
Console.WriteLine($"generated {tables} tables in two databases in {watch.Elapsed.TotalSeconds:F1} s");
await ExecuteAsync(live.ConnectionString,
    "ALTER TABLE t17 ALTER COLUMN name TYPE varchar(120); DROP INDEX t500_created_idx; ALTER TABLE t999 DISABLE TRIGGER t999_touch;");

var check = new SchemaCheck();
var times = new List<double>();
IReadOnlyList<SchemaDifference> differences = [];
for (var run = 0; run < runs; run++)
{
    watch.Restart();
    differences = await check.CompareWithDatabaseAsync(live.ConnectionString, reference.ConnectionString, SchemaCompareOptions.Default);
    times.Add(watch.Elapsed.TotalSeconds);
}

// The parts, once: reading one catalog, comparing two.
var reader = new CatalogReader();
watch.Restart();
var catalog = await reader.ReadAsync(reference.ConnectionString, null);
var readOne = watch.Elapsed.TotalSeconds;
var other = await reader.ReadAsync(live.ConnectionString, null);
watch.Restart();
SchemaComparer.Compare(catalog, other);
var compare = watch.Elapsed.TotalSeconds;

Console.WriteLine($"objects per database: {catalog.Objects.Count} ({string.Join(", ", catalog.Counts().Select(c => $"{c.Key} {c.Value}"))})");
Console.WriteLine($"read one catalog: {readOne:F2} s; compare two: {compare * 1000:F0} ms");
Console.WriteLine($"Test-NorthSchema against a reference database, {runs} runs: {string.Join(", ", times.Select(t => $"{t:F2} s"))} (best {times.Min():F2} s; target < 5 s)");
Console.WriteLine($"differences found: {differences.Count}");
foreach (var d in differences)
{
    Console.WriteLine($"  {d}");
}

static string Generate(int tables)
{
    var sql = new StringBuilder("""
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.updated := now(); RETURN NEW; END$$;
        CREATE TABLE t0 (id serial PRIMARY KEY);

        """);
    for (var i = 1; i <= tables; i++)
    {
        sql.Append($"""
            CREATE TABLE t{i} (
                id serial PRIMARY KEY,
                parent_id integer CONSTRAINT t{i}_parent_fk REFERENCES t{i - 1} (id) DEFERRABLE,
                name varchar(100) NOT NULL CONSTRAINT t{i}_name_check CHECK (name <> ''),
                status varchar(10) NOT NULL DEFAULT 'a' CONSTRAINT t{i}_status_check CHECK (status IN ('a', 'b', 'c')),
                created timestamptz NOT NULL DEFAULT now(),
                updated timestamptz);
            CREATE INDEX t{i}_name_idx ON t{i} (lower(name)) WHERE status <> 'c';
            CREATE INDEX t{i}_created_idx ON t{i} (created, parent_id);
            CREATE TRIGGER t{i}_touch BEFORE UPDATE ON t{i} FOR EACH ROW EXECUTE FUNCTION touch();
            COMMENT ON TABLE t{i} IS 'table {i}';

            """);
    }
    return sql.ToString();
}

static async Task ExecuteAsync(string connectionString, string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
    await command.ExecuteNonQueryAsync();
}

/// <summary>Shows the core's warnings (a scratch database that could not be dropped).</summary>
sealed class WarningsToConsole : North.Core.Reporting.IReporter
{
    public void Verbose(string message) { }
    public void Debug(string message) { }
    public void Warning(string message) => Console.Error.WriteLine("WARNING: " + message);
    public void Information(string message) { }
    public void Progress(North.Core.Reporting.ProgressReport report) { }
}
