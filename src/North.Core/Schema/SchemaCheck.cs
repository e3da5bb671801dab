using North.Core.Connections;
using North.Core.Reporting;
using Npgsql;

namespace North.Core.Schema;

/// <summary>Loads SQL files (a schema snapshot with its before/after files) into the database
/// <paramref name="connectionString"/> points at, in the order given.</summary>
public delegate Task SchemaFileLoader(string connectionString, IReadOnlyList<string> files, CancellationToken cancel);

/// <summary>Applies migrations (those the caller chose, e.g. up to a version) to the database
/// <paramref name="connectionString"/> points at.</summary>
public delegate Task MigrationApplier(string connectionString, CancellationToken cancel);

/// <summary>
/// What <c>Test-NorthSchema</c> runs: reads an expected and an actual catalog, compares them,
/// and settles deparse-only differences by round trip. The expected side is a schema file
/// loaded into a scratch database, a reference database, or (replay) a release's snapshot
/// compared with the previous snapshot plus the release's migrations. Loading files and
/// applying migrations are the caller's (delegates), so the schema check does not depend on
/// the script engine or the migrator.
/// </summary>
public sealed class SchemaCheck
{
    private readonly IReporter _reporter;
    private readonly CatalogOptions _catalogOptions;
    private readonly ConnectionPools? _pools;

    /// <summary>A check whose connections (scratch databases, the sides it opens) come from <paramref name="pools"/>,
    /// the caller's owner of data sources; without one, from Npgsql's own pools.</summary>
    public SchemaCheck(IReporter? reporter = null, CatalogOptions? catalogOptions = null, ConnectionPools? pools = null)
    {
        _reporter = reporter ?? NullReporter.Instance;
        _catalogOptions = catalogOptions ?? CatalogOptions.Default;
        _pools = pools;
    }

    /// <summary>
    /// The live database against schema files (before-schema files, the snapshot, after-schema
    /// files, in that order) loaded by <paramref name="loadFiles"/> into a scratch database on the
    /// live server, dropped afterwards whatever happens.
    /// </summary>
    public async Task<IReadOnlyList<SchemaDifference>> CompareWithFilesAsync(
        string liveConnectionString, IReadOnlyList<string> schemaFiles, SchemaFileLoader loadFiles,
        SchemaCompareOptions options, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(loadFiles);
        await using var scratch = await ScratchDatabase.CreateAsync(liveConnectionString, _pools, _reporter, cancel);
        Step($"Loading {schemaFiles.Count} schema file(s) into {scratch.Name}");
        await loadFiles(scratch.ConnectionString, schemaFiles, cancel);
        return await CompareDatabasesAsync(scratch.ConnectionString, liveConnectionString, options, cancel);
    }

    /// <summary>The live database against a reference database that holds the expected schema.</summary>
    public Task<IReadOnlyList<SchemaDifference>> CompareWithDatabaseAsync(
        string liveConnectionString, string referenceConnectionString, SchemaCompareOptions options, CancellationToken cancel = default) =>
        CompareDatabasesAsync(referenceConnectionString, liveConnectionString, options, cancel);

    /// <summary>
    /// Replay, the CI check that a release's migrations and its snapshot agree: in one scratch
    /// database, <paramref name="previousSchemaFiles"/> then <paramref name="migrate"/>; in
    /// another, <paramref name="targetSchemaFiles"/>; the first compared with the second as expected.
    /// Both are made on the server of <paramref name="serverConnectionString"/>.
    /// </summary>
    public async Task<IReadOnlyList<SchemaDifference>> ReplayAsync(
        string serverConnectionString, IReadOnlyList<string> previousSchemaFiles, MigrationApplier migrate,
        IReadOnlyList<string> targetSchemaFiles, SchemaFileLoader loadFiles, SchemaCompareOptions options, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(migrate);
        ArgumentNullException.ThrowIfNull(loadFiles);
        await using var replayed = await ScratchDatabase.CreateAsync(serverConnectionString, _pools, _reporter, cancel);
        await using var snapshot = await ScratchDatabase.CreateAsync(serverConnectionString, _pools, _reporter, cancel);
        Step($"Loading the previous schema into {replayed.Name}");
        await loadFiles(replayed.ConnectionString, previousSchemaFiles, cancel);
        Step($"Applying the migrations in {replayed.Name}");
        await migrate(replayed.ConnectionString, cancel);
        Step($"Loading the target schema into {snapshot.Name}");
        await loadFiles(snapshot.ConnectionString, targetSchemaFiles, cancel);
        return await CompareDatabasesAsync(snapshot.ConnectionString, replayed.ConnectionString, options, cancel);
    }

    /// <summary>Reads both catalogs (at the same time, on two connections), compares them, and
    /// drops the differences that a round trip of the deparsed text shows are not ones.</summary>
    public async Task<IReadOnlyList<SchemaDifference>> CompareDatabasesAsync(
        string expectedConnectionString, string actualConnectionString, SchemaCompareOptions options, CancellationToken cancel = default)
    {
        var opening = new[] { ConnectionPools.OpenAsync(_pools, expectedConnectionString, cancel), ConnectionPools.OpenAsync(_pools, actualConnectionString, cancel) };
        try
        {
            await Task.WhenAll(opening);
        }
        catch
        {
            foreach (var open in opening.Where(t => t.IsCompletedSuccessfully))
                await open.Result.DisposeAsync();
            throw;
        }
        await using var expected = opening[0].Result;
        await using var actual = opening[1].Result;
        // Catalogs older than North supports are refused, not misread.
        SupportedServer.Check(actual, $"{actual.Host}:{actual.Port}/{actual.Database}");
        SupportedServer.Check(expected, $"{expected.Host}:{expected.Port}/{expected.Database}");
        return await CompareAsync(new DatabaseSide(expected), new DatabaseSide(actual), options, cancel);
    }

    /// <summary>
    /// Compares two open connections. A side given with a transaction is read inside it (it sees
    /// its uncommitted changes, and the round trip uses savepoints); otherwise each read is a
    /// read-only transaction of its own.
    /// </summary>
    public async Task<IReadOnlyList<SchemaDifference>> CompareAsync(
        DatabaseSide expected, DatabaseSide actual, SchemaCompareOptions options, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        Step("Reading the catalogs");
        var reader = new CatalogReader(_reporter, _pools);
        var expectedRead = Read(reader, expected, cancel);
        var actualRead = Read(reader, actual, cancel);
        await Task.WhenAll(expectedRead, actualRead);

        Step("Comparing");
        var differences = SchemaComparer.Compare(await expectedRead, await actualRead, options);
        if (differences.Any(DeparseRoundTrip.Applies))
        {
            differences = await new DeparseRoundTrip(_reporter).SettleAsync(differences, expected, actual, cancel);
        }
        _reporter.Progress(new ProgressReport(1, "Test-NorthSchema", "Done", 100, Completed: true));
        _reporter.Verbose($"{differences.Count} difference(s) between {expected.Connection.Database} (expected) and {actual.Connection.Database} (actual).");
        return differences;
    }

    private Task<SchemaCatalog> Read(CatalogReader reader, DatabaseSide side, CancellationToken cancel) =>
        side.Transaction is null
            ? reader.ReadAsync(side.Connection, _catalogOptions, cancel)
            : reader.ReadAsync(side.Connection, side.Transaction, _catalogOptions, cancel);

    private void Step(string status)
    {
        _reporter.Verbose(status + ".");
        _reporter.Progress(new ProgressReport(1, "Test-NorthSchema", status));
    }
}
