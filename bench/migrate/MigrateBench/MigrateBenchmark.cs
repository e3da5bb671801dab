using North.Core.Connections;
using North.Core.Migrating;
using North.Core.Planning;
using North.Core.Reporting;
using North.Core.Repository;
using North.Core.Settings;

namespace North.Bench.Migrate;

/// <summary>
/// The core-level columns of the migrate benchmark, each round on fresh databases, rounds
/// interleaved (psql, North, psql, North...) so drift on a shared machine hits both alike:
/// (a) psql -f on the concatenation, one session: the limit;
/// (b0) North's <see cref="Migrator"/> in this warm process: what the cmdlet adds on top is the lead's (b);
/// (d0) <see cref="Migrator.ReadStateAsync"/> on the migrated database, for 1,000 and 10,000 files.
/// </summary>
public sealed class MigrateBenchmark
{
    private readonly BenchOptions _options;

    public MigrateBenchmark(BenchOptions options) => _options = options;

    public async Task RunAsync()
    {
        var root = Path.Combine(_options.WorkFolder, "repository");
        var files = RepositoryGenerator.Generate(root, _options.Versions, _options.FilesPerVersion);
        var concatenated = RepositoryGenerator.Concatenate(files, Path.Combine(_options.WorkFolder, "all.sql"));
        Console.WriteLine($"Repository: {files.Count} files in {_options.Versions} versions; {_options.Rounds} rounds after a warm-up, each on a fresh database.");

        var psql = new List<double>();
        var north = new List<double>();
        for (var round = 0; round <= (_options.StatusOnly ? -1 : _options.Rounds); round++)
        {
            var a = await OnFreshDatabaseAsync($"a{round}", cs => Measure.RunPsqlAsync(cs, concatenated));
            var b = await OnFreshDatabaseAsync($"b{round}", cs => MigrateAsync(cs, root));
            if (round == 0) continue; // warm-up
            psql.Add(a);
            north.Add(b);
        }

        var status1000 = await StatusAsync(root, files.Count);
        var bigRoot = Path.Combine(_options.WorkFolder, "repository-10k");
        var bigFiles = RepositoryGenerator.Generate(bigRoot, _options.Versions * 10, _options.FilesPerVersion);
        var status10000 = await StatusAsync(bigRoot, bigFiles.Count);

        var am = psql.Count == 0 ? double.NaN : Measure.Median(psql);
        var bm = north.Count == 0 ? double.NaN : Measure.Median(north);
        Console.WriteLine();
        Console.WriteLine("| column | what | median ms | ratio to (a) |");
        Console.WriteLine("| --- | --- | ---: | ---: |");
        Console.WriteLine($"| (a) | psql -X -q -v ON_ERROR_STOP=1 -f, {files.Count} files in one session | {am:0} | 1.00 |");
        Console.WriteLine($"| (b0) | North core Migrator.MigrateAsync, warm process | {bm:0} | {bm / am:0.00} |");
        Console.WriteLine($"| (d0) | North core ReadStateAsync, {files.Count} files | {status1000.Total:0.0} | |");
        Console.WriteLine($"| | of which repository discovery (MigrationRepository.Load) | {status1000.Discovery:0.0} | |");
        Console.WriteLine($"| (d0) | North core ReadStateAsync, {bigFiles.Count} files | {status10000.Total:0.0} | |");
        Console.WriteLine($"| | of which repository discovery (MigrationRepository.Load) | {status10000.Discovery:0.0} | |");
        Console.WriteLine();
        Console.WriteLine($"samples (a): {string.Join(", ", psql.Select(x => x.ToString("0")))}");
        Console.WriteLine($"samples (b0): {string.Join(", ", north.Select(x => x.ToString("0")))}");
    }

    private async Task<double> OnFreshDatabaseAsync(string suffix, Func<string, Task> run)
    {
        var name = $"north_bench_{suffix}";
        var connectionString = await Measure.CreateDatabaseAsync(_options.ServerConnectionString, name);
        try
        {
            return await Measure.TimeAsync(() => run(connectionString));
        }
        finally
        {
            await Measure.DropDatabaseAsync(_options.ServerConnectionString, name);
        }
    }

    private static Migrator NewMigrator(string connectionString, string root) => new(
        new NorthSettings { MigrationsRoot = root },
        new ConnectionFactory(new ConnectionOptions { ConnectionString = connectionString }, new ConnectionEnvironment()),
        NullReporter.Instance);

    private static async Task MigrateAsync(string connectionString, string root)
    {
        var results = await NewMigrator(connectionString, root).MigrateAsync();
        if (results.Any(r => r.Status != StepStatus.Succeeded))
        {
            throw new InvalidOperationException("The North run did not apply every file.");
        }
    }

    /// <summary>Migrates a fresh database once, then times reading the status (median of the rounds, after a warm-up).</summary>
    private async Task<(double Total, double Discovery)> StatusAsync(string root, int fileCount)
    {
        var name = $"north_bench_status_{fileCount}";
        var connectionString = await Measure.CreateDatabaseAsync(_options.ServerConnectionString, name);
        try
        {
            var migrator = NewMigrator(connectionString, root);
            await migrator.MigrateAsync();
            var samples = new List<double>();
            var discovery = new List<double>();
            for (var round = 0; round <= _options.Rounds; round++)
            {
                var load = await Measure.TimeAsync(() => { MigrationRepository.Load(new NorthSettings { MigrationsRoot = root }); return Task.CompletedTask; });
                if (round > 0) discovery.Add(load);
                var fresh = NewMigrator(connectionString, root);
                MigrationState? state = null;
                var ms = await Measure.TimeAsync(async () => state = await fresh.ReadStateAsync());
                if (state!.Migrations.Count != fileCount || state.Version.PendingCount != 0)
                {
                    throw new InvalidOperationException($"Status saw {state.Migrations.Count} migrations, {state.Version.PendingCount} pending; expected {fileCount}, 0.");
                }
                if (round > 0) samples.Add(ms);
            }
            return (Measure.Median(samples), Measure.Median(discovery));
        }
        finally
        {
            await Measure.DropDatabaseAsync(_options.ServerConnectionString, name);
        }
    }
}
