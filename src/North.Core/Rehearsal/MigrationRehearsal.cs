using North.Core.Connections;
using North.Core.Errors;
using North.Core.Execution;
using North.Core.Migrating;
using North.Core.Planning;
using North.Core.Reporting;
using North.Core.Repository;
using North.Core.Running;
using North.Core.Schema;
using North.Core.Versions;
using Npgsql;

namespace North.Core.Rehearsal;

/// <summary>
/// <c>Test-NorthMigration</c>: rehearses a target database's pending files on a scratch copy of its
/// schema and measures their locks. The scratch database is built the way replay builds one: the
/// snapshot at or below the target's current version, then the target's recorded migrations above
/// it. The target is only read (its plan, its history, the size of the relations touched); the
/// scratch database is dropped afterwards, whatever happened.
/// </summary>
public sealed class MigrationRehearsal
{
    /// <summary>
    /// A relation below both figures on the target is small: a rewrite or a full scan of it is over
    /// in milliseconds, so a blocking lock held for one is Low, not High. 1,000 rows and 1 MiB (128
    /// pages): well under what PostgreSQL rewrites in a few milliseconds on any current hardware.
    /// </summary>
    public const long SmallTableRows = 1_000;

    /// <inheritdoc cref="SmallTableRows"/>
    public const long SmallTableBytes = 1024 * 1024;

    private const int ProgressId = 5;

    private const string SizeSql = """
        select c.reltuples::float8, pg_total_relation_size(c.oid) from pg_class c where c.oid = to_regclass(@name)
        """;

    private readonly Migrator _migrator;
    private readonly RunContext _context;
    private readonly IReporter _reporter;

    /// <summary>A rehearsal of the database of <paramref name="migrator"/>, with its settings and plan.</summary>
    public MigrationRehearsal(Migrator migrator, IReporter? reporter = null)
    {
        ArgumentNullException.ThrowIfNull(migrator);
        _migrator = migrator;
        _context = migrator.Context;
        _reporter = reporter ?? NullReporter.Instance;
    }

    /// <summary>
    /// Rehearses the pending files up to the target version, or only those of
    /// <paramref name="version"/> (the pending files before it run first on the scratch copy, unmeasured).
    /// </summary>
    public async Task<IReadOnlyList<LockObservation>> RunAsync(MigrationVersion? version = null, CancellationToken cancel = default)
    {
        var settings = version is null ? _context.Settings : _context.Settings with { TargetVersion = version };
        var connections = _context.Connections;
        var target = version is null ? _migrator : new Migrator(new RunContext(settings, _context.WorkingDirectory, connections, _context.Files), _reporter, _migrator.Detector);
        var repository = MigrationRepository.Load(settings, _reporter, _context.Files);
        var state = await target.ReadStateAsync(cancel: cancel).ConfigureAwait(false);
        var pending = state.Plan.Where(s => s.Action == PlanAction.Apply).ToList();

        await using var scratch = await ScratchDatabase.CreateAsync(connections.ConnectionString, connections.Pools, _reporter, cancel).ConfigureAwait(false);
        var scratchConnections = new ConnectionFactory(new ConnectionOptions { ConnectionString = scratch.ConnectionString, ApplicationName = ConnectionFactory.DefaultApplicationName }, pools: connections.Pools);
        await BuildAsync(scratchConnections, repository, state, cancel).ConfigureAwait(false);

        var observations = new List<LockObservation>();
        await using (var connection = await scratchConnections.OpenAsync(pooled: false, cancel: cancel).ConfigureAwait(false))
        {
            var executor = new ScriptExecutor(connection, _reporter);
            var rehearsal = new LockRehearsal(settings.NonTransactionalKeywords);
            var activity = $"Rehearsing {connections.Target}'s pending migrations on {scratch.Name}";
            try
            {
                for (var i = 0; i < pending.Count; i++)
                {
                    var step = pending[i];
                    var file = step.Files[0];
                    _reporter.Progress(new ProgressReport(ProgressId, activity, $"{i + 1}/{pending.Count} {file.Version.Text} {file.Name}", i * 100 / pending.Count));
                    var options = target.ExecutionOptionsFor(step);
                    if (version is not null && file.Version != version)
                    {
                        // Earlier pending files shape the schema -Version's files meet: they run, unmeasured.
                        await executor.ExecuteFileAsync(file.Path, options, cancel).ConfigureAwait(false);
                        await ResetAsync(connection, cancel).ConfigureAwait(false);
                        continue;
                    }
                    observations.AddRange(await rehearsal.RunFileAsync(connection, file, options, cancel).ConfigureAwait(false));
                    await ResetAsync(connection, cancel).ConfigureAwait(false);
                }
            }
            finally
            {
                _reporter.Progress(new ProgressReport(ProgressId, activity, "Done", 100, Completed: true));
            }
        }
        return await WithTargetSizesAsync(observations, cancel).ConfigureAwait(false);
    }

    /// <summary>
    /// Builds the target's schema in the scratch database: not initialized, the initialization a run
    /// would do; else the snapshot of the current version (when every file of it is recorded) or the
    /// greatest snapshot below it, then the target's recorded migrations above that snapshot.
    /// </summary>
    private async Task BuildAsync(ConnectionFactory scratch, MigrationRepository repository, MigrationState state, CancellationToken cancel)
    {
        var settings = _context.Settings;
        if (state.Version.CurrentVersion is not { } current)
        {
            _reporter.Verbose($"{_context.Connections.Target} is not initialized: the scratch database is initialized as a run would.");
            await new Migrator(new RunContext(settings, _context.WorkingDirectory, scratch, _context.Files), _reporter).InitializeAsync(cancel: cancel).ConfigureAwait(false);
            return;
        }

        var currentDone = state.Migrations.Where(m => m.Version == current && !m.MissingOnDisk).All(m => m.Applied || m.CoveredBySchema);
        var snapshot = repository.Versions
            .Select(v => v.Version)
            .Where(v => (v < current || (v == current && currentDone)) && repository.GetSchemaFile(v) is not null)
            .LastOrDefault() ?? throw new NorthException(
                $"No version at or below {current.Text} (the current version of {_context.Connections.Target}) has a schema file: there is nothing to build the scratch copy from.",
                ErrorIds.SchemaSnapshotNotFound, NorthErrorKind.ObjectNotFound, current.Text,
                "Keep the snapshot of a release at or below the database's version in schemas/.");
        var recorded = state.Migrations.Where(m => m.Version > snapshot && (m.Applied || m.CoveredBySchema) && m.File is not null).Select(m => m.File!).ToList();
        _reporter.Verbose($"Scratch copy of {_context.Connections.Target}: schema {snapshot.Text} + its {recorded.Count} recorded migration(s) above it.");

        var initSettings = settings with { SchemaVersion = snapshot, TargetVersion = snapshot };
        await new Migrator(new RunContext(initSettings, _context.WorkingDirectory, scratch, _context.Files), _reporter).InitializeAsync(cancel: cancel).ConfigureAwait(false);
        if (recorded.Count == 0)
        {
            return;
        }
        await using var connection = await scratch.OpenAsync(pooled: false, cancel: cancel).ConfigureAwait(false);
        var executor = new ScriptExecutor(connection, _reporter);
        foreach (var file in recorded)
        {
            var options = _context.FileOptions() with { Manual = file.IsManual };
            await executor.ExecuteFileAsync(file.Path, options, cancel).ConfigureAwait(false);
            await ResetAsync(connection, cancel).ConfigureAwait(false);
        }
    }

    // As a run does after each file: one file's SET never leaks into the next.
    private static async Task ResetAsync(NpgsqlConnection connection, CancellationToken cancel)
    {
        await using var discard = new NpgsqlCommand("DISCARD ALL", connection);
        await discard.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
    }

    /// <summary>Names the target on each observation, adds the relation's size there (read-only) and grades risk with it.</summary>
    private async Task<IReadOnlyList<LockObservation>> WithTargetSizesAsync(List<LockObservation> observations, CancellationToken cancel)
    {
        var connections = _context.Connections;
        var server = connections.Host.Contains(',') ? connections.Host : $"{connections.Host}:{connections.Port}";
        var sizes = new Dictionary<string, (long? Rows, long? Size)>(StringComparer.Ordinal);
        await using (var connection = await connections.OpenAsync(cancel: cancel).ConfigureAwait(false))
        await using (var transaction = await connection.BeginTransactionAsync(cancel).ConfigureAwait(false))
        {
            await using (var readOnly = new NpgsqlCommand("SET TRANSACTION READ ONLY", connection, transaction))
                await readOnly.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
            foreach (var relation in observations.Select(o => o.Relation).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                await using var command = new NpgsqlCommand(SizeSql, connection, transaction);
                command.Parameters.AddWithValue("name", relation);
                await using var reader = await command.ExecuteReaderAsync(cancel).ConfigureAwait(false);
                sizes[relation] = await reader.ReadAsync(cancel).ConfigureAwait(false)
                    // reltuples is -1 for a table never vacuumed nor analyzed: unknown.
                    ? (reader.GetDouble(0) < 0 ? null : (long)reader.GetDouble(0), reader.GetInt64(1))
                    : (null, null);
            }
            await transaction.RollbackAsync(cancel).ConfigureAwait(false);
        }
        return observations.Select(o =>
        {
            var (rows, size) = o.Relation is null ? (null, null) : sizes[o.Relation];
            return Regrade(o, rows, size) with { Server = server, Database = connections.Database, Rows = rows, Size = size };
        }).ToList();
    }

    /// <summary>A rewrite or full scan under a blocking lock is High, unless the relation is small on the target.</summary>
    internal static LockObservation Regrade(LockObservation observation, long? rows, long? size)
    {
        var small = size is { } bytes && bytes < SmallTableBytes && (rows is null || rows < SmallTableRows);
        if (observation.Risk != RiskLevel.High || !small)
        {
            return observation;
        }
        var figures = rows is null ? $"{size / 1024} kB" : $"{rows} rows, {size / 1024} kB";
        return observation with { Risk = RiskLevel.Low, Reason = $"{observation.Reason}; the table is small on the target ({figures}): over in milliseconds" };
    }
}
