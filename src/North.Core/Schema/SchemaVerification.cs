using North.Core.Connections;
using North.Core.Errors;
using North.Core.Execution;
using North.Core.Migrating;
using North.Core.Repository;
using North.Core.Reporting;
using North.Core.Running;
using North.Core.Settings;
using North.Core.Versions;
using Npgsql;

namespace North.Core.Schema;

/// <summary>What <c>Test-NorthSchema</c> compares the live database with, and how.</summary>
public sealed record SchemaVerificationRequest
{
    /// <summary>A schema file to load as the expected side, instead of the one of the current version.</summary>
    public string? SchemaFile { get; init; }

    /// <summary>A database that already holds the expected schema.</summary>
    public string? ReferenceConnectionString { get; init; }

    /// <summary>Replay: the previous snapshot plus the migrations up to <see cref="Version"/>, against that version's snapshot.</summary>
    public bool Replay { get; init; }

    /// <summary>The version to replay up to (default: the target version).</summary>
    public MigrationVersion? Version { get; init; }

    public SchemaCompareOptions Compare { get; init; } = SchemaCompareOptions.Default;
}

/// <summary>
/// Ties the schema comparison to a repository and a database: chooses the expected side (the
/// snapshot of the database's current version with the before/after-schema files, a given file,
/// a reference database, or a replay of a release), loads it with North's own script engine into
/// scratch databases, and leaves the history and version tables out.
/// </summary>
public sealed class SchemaVerification
{
    private readonly RunContext _context;
    private readonly NorthSettings _settings;
    private readonly ConnectionFactory _connections;
    private readonly Migrator _migrator;
    private readonly IReporter _reporter;

    /// <summary>Verification in the call of <paramref name="migrator"/>: its settings, connections, working folder and file facts.</summary>
    public SchemaVerification(Migrator migrator, IReporter? reporter = null)
    {
        ArgumentNullException.ThrowIfNull(migrator);
        _context = migrator.Context;
        _settings = _context.Settings;
        _connections = _context.Connections;
        _migrator = migrator;
        _reporter = reporter ?? NullReporter.Instance;
    }

    public async Task<IReadOnlyList<SchemaDifference>> RunAsync(SchemaVerificationRequest request, CancellationToken cancel = default)
    {
        var options = WithBookkeepingExcluded(request.Compare);
        var check = new SchemaCheck(_reporter, pools: _connections.Pools);
        var live = _connections.ConnectionString;

        if (request.Replay)
        {
            return await ReplayAsync(check, request, options, cancel).ConfigureAwait(false);
        }
        if (request.ReferenceConnectionString is { } reference)
        {
            var referenceConnection = new ConnectionFactory(new ConnectionOptions { ConnectionString = reference, ApplicationName = ConnectionFactory.DefaultApplicationName }, pools: _connections.Pools);
            return await check.CompareWithDatabaseAsync(live, referenceConnection.ConnectionString, options, cancel).ConfigureAwait(false);
        }

        var repository = MigrationRepository.Load(_settings, _reporter, _context.Files);
        var schemaFile = request.SchemaFile ?? await CurrentSchemaFileAsync(repository, cancel).ConfigureAwait(false);
        var files = WithBeforeAndAfter(repository, schemaFile);
        return await check.CompareWithFilesAsync(live, files, LoadFilesAsync, options, cancel).ConfigureAwait(false);
    }

    /// <summary>The snapshot of the version the database is at.</summary>
    private async Task<string> CurrentSchemaFileAsync(MigrationRepository repository, CancellationToken cancel)
    {
        var state = await _migrator.ReadStateAsync(cancel: cancel).ConfigureAwait(false);
        var current = state.Version.CurrentVersion ?? throw new NorthException(
            $"{_connections.Target} is not initialized: there is no current version whose schema file to compare with.",
            ErrorIds.NotInitialized, NorthErrorKind.InvalidOperation, _connections.Target,
            "Migrate the database first, or give the expected side with -SchemaFile or -ReferenceConnectionString.");
        return repository.GetSchemaFile(current) ?? throw new NorthException(
            $"The database is at {current.Text} but '{repository.SchemasFolder}' has no schema file for it ({MigrationRepository.FormatTemplate(_settings.SchemaTemplate, current)}).",
            ErrorIds.SchemaSnapshotNotFound, NorthErrorKind.ObjectNotFound, current.Text,
            "Dump the schema of that version into schemas/, or give -SchemaFile, -ReferenceConnectionString or -Replay -Version.");
    }

    private async Task<IReadOnlyList<SchemaDifference>> ReplayAsync(SchemaCheck check, SchemaVerificationRequest request, SchemaCompareOptions options, CancellationToken cancel)
    {
        var repository = MigrationRepository.Load(_settings, _reporter, _context.Files);
        var version = request.Version ?? repository.GetTargetVersion();
        var target = repository.GetSchemaFile(version) ?? throw new NorthException(
            $"Version {version.Text} has no schema file ({MigrationRepository.FormatTemplate(_settings.SchemaTemplate, version)}) to replay against.",
            ErrorIds.SchemaSnapshotNotFound, NorthErrorKind.ObjectNotFound, version.Text,
            "Replay a version whose snapshot is in schemas/.");
        var previous = repository.Versions
            .Select(v => v.Version)
            .Where(v => v < version && repository.GetSchemaFile(v) is not null)
            .LastOrDefault() ?? throw new NorthException(
                $"No version below {version.Text} has a schema file: there is nothing to replay {version.Text}'s migrations from.",
                ErrorIds.SchemaSnapshotNotFound, NorthErrorKind.ObjectNotFound, version.Text,
                "Keep the snapshot of the previous release in schemas/.");
        _reporter.Verbose($"Replaying: schema {previous.Text} + the migrations up to {version.Text}, against schema {version.Text}.");

        // The migrator initializes the empty scratch database from the previous snapshot (with its
        // before/after files and fixtures), then applies every later migration up to the version.
        var replaySettings = _settings with { SchemaVersion = previous, TargetVersion = version };
        Task Migrate(string connectionString, CancellationToken token)
        {
            var connections = new ConnectionFactory(new ConnectionOptions { ConnectionString = connectionString, ApplicationName = ConnectionFactory.DefaultApplicationName }, pools: _connections.Pools);
            var replay = new RunContext(replaySettings, _context.WorkingDirectory, connections, _context.Files);
            return new Migrator(replay, _reporter).MigrateAsync(cancel: token);
        }
        return await check.ReplayAsync(_connections.ConnectionString, [], Migrate, WithBeforeAndAfter(repository, target),
            LoadFilesAsync, options, cancel).ConfigureAwait(false);
    }

    private static IReadOnlyList<string> WithBeforeAndAfter(MigrationRepository repository, string schemaFile) =>
        [.. repository.ResolveBeforeSchemaFiles(), Path.GetFullPath(schemaFile), .. repository.ResolveAfterSchemaFiles()];

    /// <summary>Loads files into a scratch database the way a migration run loads a schema.</summary>
    private async Task LoadFilesAsync(string connectionString, IReadOnlyList<string> files, CancellationToken cancel)
    {
        // The scratch database has the live one's encoding: a SQL_ASCII one loads the files' bytes as a run does.
        await using var connection = await ConnectionPools.OpenAsync(_connections.Pools, connectionString, cancel).ConfigureAwait(false);
        var executor = new ScriptExecutor(connection, _reporter);
        foreach (var file in files)
        {
            // Schema and before/after files are never manual: their --meta-psql: lines are comments.
            var options = _context.FileOptions() with { Manual = false };
            await executor.ExecuteFileAsync(file, options, cancel).ConfigureAwait(false);
        }
    }

    /// <summary>The history and version tables record North's own bookkeeping, not the schema.</summary>
    private SchemaCompareOptions WithBookkeepingExcluded(SchemaCompareOptions options)
    {
        var history = _migrator.History.Definition;
        var excluded = new List<string>(options.ExcludeTables)
        {
            history.Schema is null ? history.Table : $"{history.Schema}.{history.Table}",
            // North's table of unfinished work, beside the history table (see UnfinishedTable).
            history.Schema is null ? history.Table + "_unfinished" : $"{history.Schema}.{history.Table}_unfinished",
            _settings.VersionTable,
        };
        return options with { ExcludeTables = excluded };
    }
}
