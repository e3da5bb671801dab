using System.Diagnostics;
using North.Core.Connections;
using North.Core.Errors;
using North.Core.Execution;
using North.Core.History;
using North.Core.Locking;
using North.Core.Migrating;
using North.Core.Reporting;
using North.Core.Repository;
using North.Core.Settings;
using North.Core.Sql;
using Npgsql;

namespace North.Core.Clearing;

/// <summary>
/// django-north's <c>flush</c> (DESIGN.md section 5): empties every table of every non-system schema
/// except the history table, the version table and the tables extensions own, restarting their
/// sequences, then loads the fixtures of the greatest version at or below the current one, all in
/// one transaction under the run lock. A failure anywhere keeps nothing.
/// </summary>
public sealed class DatabaseClearer
{

    // Ordinary and partitioned tables that are not partitions (TRUNCATE on a parent empties its
    // partitions), not temporary, outside the system schemas, with the extension owning each, if any.
    private const string TablesSql = @"
SELECT c.oid::bigint, n.nspname::text, c.relname::text, e.extname::text
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
LEFT JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relpersistence <> 't'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
ORDER BY n.nspname COLLATE ""C"", c.relname COLLATE ""C""";

    private readonly NorthSettings _settings;
    private readonly ConnectionFactory _connections;
    private readonly Migrator _migrator;
    private readonly IReporter _reporter;

    public DatabaseClearer(NorthSettings settings, ConnectionFactory connections, Migrator migrator, IReporter? reporter = null)
    {
        _settings = settings;
        _connections = connections;
        _migrator = migrator;
        _reporter = reporter ?? NullReporter.Instance;
    }

    /// <summary>Refuses (<see cref="ErrorIds.ClearRefused"/>) unless forced or the database's name is clearable.</summary>
    public void DemandAllowed(bool force) => ClearableDatabaseGuard.Demand(_settings, _connections.Database, _connections.Target, force);

    /// <summary>Why a clear would be refused, or null when it is allowed.</summary>
    public string? RefusalReason(bool force)
    {
        try
        {
            DemandAllowed(force);
            return null;
        }
        catch (NorthException e) when (e.ErrorId == ErrorIds.ClearRefused)
        {
            return e.Message.Replace(" Nothing was changed.", "", StringComparison.Ordinal) + " " + e.RecommendedAction;
        }
    }

    /// <summary>What a clear would do now; changes nothing.</summary>
    public async Task<ClearPlan> PlanAsync(CancellationToken cancel = default)
    {
        var repository = MigrationRepository.Load(_settings, _reporter);
        await using var connection = await _connections.OpenAsync(cancel: cancel).ConfigureAwait(false);
        return await PlanAsync(connection, repository, cancel).ConfigureAwait(false);
    }

    /// <summary>
    /// Clears the database under the run lock, re-reading the plan there. Reports each step through
    /// <paramref name="onStep"/> once the transaction has committed, and returns them. The TRUNCATE
    /// waits on its tables' locks no longer than DdlLockTimeout; a lock timeout or deadlock rolls the
    /// whole clear back and, up to LockRetries times, runs it again after the back-off.
    /// </summary>
    public async Task<IReadOnlyList<ClearResult>> ClearAsync(Action<ClearResult>? onStep = null, CancellationToken cancel = default)
    {
        var repository = MigrationRepository.Load(_settings, _reporter);
        await using var connection = await _connections.OpenAsync(cancel: cancel).ConfigureAwait(false);
        // The run lock: a migration must not run while its tables are emptied and refilled.
        await using var runLock = await AdvisoryLock.AcquireAsync(_connections, await _migrator.ResolveLockKeyAsync(cancel).ConfigureAwait(false), _settings.LockTimeout, _reporter, cancel).ConfigureAwait(false);
        var plan = await PlanAsync(connection, repository, cancel).ConfigureAwait(false);

        // The clear retries as a whole: the executor must not retry the fixtures alone.
        var fileOptions = _migrator.Context.FileOptions();
        var retries = new Contention.LockRetryRunner(fileOptions.LockRetries!, _reporter);
        var results = await retries.RunAsync($"{_connections.Target}: the clear",
            (_, token) => ClearOnceAsync(connection, plan, fileOptions with { LockRetries = null }, token),
            (e, attempt) => LockFailure(e) is { } sqlState && retries.CanRetryAfter(attempt)
                ? $"{_connections.Target}: {sqlState} (a lock timeout or deadlock): the clear was rolled back"
                : null,
            cancel).ConfigureAwait(false);
        foreach (var result in results)
        {
            onStep?.Invoke(result);
        }
        return results;
    }

    // The SQLSTATE of a lock timeout or deadlock that ended the clear (the TRUNCATE or a fixture), else null.
    private static string? LockFailure(Exception e) => e switch
    {
        ScriptException script when Contention.LockRetryPolicy.IsLockFailure(script.SqlState) => script.SqlState,
        NorthException { InnerException: PostgresException server } when Contention.LockRetryPolicy.IsLockFailure(server.SqlState) => server.SqlState,
        _ => null,
    };

    // One attempt: the TRUNCATE and the fixtures in one transaction, under the files' timeouts.
    private async Task<List<ClearResult>> ClearOnceAsync(NpgsqlConnection connection, ClearPlan plan, ExecutionOptions fileOptions, CancellationToken cancel)
    {
        var truncateTime = TimeSpan.Zero;
        async Task TruncateAsync(NpgsqlTransaction? transaction)
        {
            if (plan.Tables.Count == 0)
            {
                return;
            }
            var clock = Stopwatch.StartNew();
            var sql = "TRUNCATE TABLE " + string.Join(", ", plan.Tables) + " RESTART IDENTITY";
            _reporter.Verbose($"{_connections.Target}: {sql}");
            try
            {
                await using var command = new NpgsqlCommand(sql, connection, transaction);
                await command.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
            }
            catch (PostgresException e)
            {
                throw new NorthException(
                    $"Cannot empty the tables of {_connections.Target}: {e.MessageText} (SQLSTATE {e.SqlState}).{(e.Detail is null ? "" : " " + e.Detail)} Nothing was changed.",
                    ErrorIds.ClearFailed, NorthErrorKind.InvalidOperation, _connections.Target,
                    e.SqlState == PostgresErrorCodes.FeatureNotSupported
                        ? "A table that is kept (history, version table, an extension's) has a foreign key to an emptied table: drop that key or clear by hand."
                        : Contention.LockRetryPolicy.IsLockFailure(e.SqlState)
                            ? "Another session holds a lock on one of these tables (pg_locks, pg_stat_activity name it): let it finish or end it, then run again; raise LockRetries or DdlLockTimeout for a busy table."
                            : "Check the locks and permissions on these tables (the connecting role must own them or have TRUNCATE).", e);
            }
            truncateTime = clock.Elapsed;
        }

        ClearResult Emptied() => new(ServerName, _connections.Database, ClearAction.EmptyTables, plan.Version,
            plan.Tables, plan.Kept, null, 0, truncateTime);

        var results = new List<ClearResult>(2);
        if (plan.FixturesFile is null)
        {
            await using (var transaction = await connection.BeginTransactionAsync(cancel).ConfigureAwait(false))
            {
                // As for a file: the TRUNCATE's ACCESS EXCLUSIVE locks are never waited for blindly.
                if (fileOptions.LockTimeout is { } lockTimeout)
                {
                    await using var set = new NpgsqlCommand($"SET LOCAL lock_timeout = '{(long)lockTimeout.TotalMilliseconds}ms'", connection, transaction);
                    await set.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
                }
                await TruncateAsync(transaction).ConfigureAwait(false);
                await transaction.CommitAsync(cancel).ConfigureAwait(false);
            }
            _reporter.Verbose($"No fixtures at or below {plan.Version.Text}: nothing to load.");
            results.Add(Emptied());
        }
        else
        {
            // The fixtures run atomically with the TRUNCATE first in their transaction: both or neither.
            var executor = new ScriptExecutor(connection, _reporter);
            var options = fileOptions with
            {
                Mode = TransactionMode.Atomic,
                Manual = false,
                BeforeFirstStatement = (_, transaction, _) => TruncateAsync(transaction),
            };
            var script = await executor.ExecuteFileAsync(plan.FixturesFile, options, cancel).ConfigureAwait(false);
            results.Add(Emptied());
            results.Add(new ClearResult(ServerName, _connections.Database, ClearAction.LoadFixtures, plan.Version,
                [], [], plan.FixturesFile, script.RowsAffected, script.Duration - truncateTime));
        }
        return results;
    }

    private string ServerName => _connections.Host.Contains(',') ? _connections.Host : $"{_connections.Host}:{_connections.Port}";

    private async Task<ClearPlan> PlanAsync(NpgsqlConnection connection, MigrationRepository repository, CancellationToken cancel)
    {
        var state = await _migrator.ReadStateAsync(cancel: cancel).ConfigureAwait(false);
        var version = state.Version.CurrentVersion ?? throw new NorthException(
            $"{_connections.Target} is not initialized (the {_migrator.Detector.Name} detector finds no version): there is nothing to clear.",
            ErrorIds.NotInitialized, NorthErrorKind.InvalidOperation, _connections.Target,
            "Initialize it first (Invoke-NorthMigration or Initialize-NorthDatabase).");

        var keptTables = new Dictionary<long, string>();
        async Task KeepAsync(string name, string why)
        {
            await using var command = new NpgsqlCommand("SELECT pg_catalog.to_regclass($1)::oid::bigint", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = name });
            if (await command.ExecuteScalarAsync(cancel).ConfigureAwait(false) is long oid)
            {
                keptTables.TryAdd(oid, why);
            }
        }
        var history = await _migrator.History.InspectAsync(connection, cancel).ConfigureAwait(false);
        await KeepAsync(history.QualifiedName, $"the {_settings.HistoryStyle} history table");
        // North's record of interrupted work: emptying it would let a half-run file run again blindly.
        await KeepAsync(new UnfinishedTable(history).QualifiedName, "North's unfinished-work table");
        await KeepAsync(_settings.VersionTable, "the version table");

        var tables = new List<string>();
        var kept = new List<string>();
        await using (var command = new NpgsqlCommand(TablesSql, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancel).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancel).ConfigureAwait(false))
            {
                var name = $"{SqlIdentifier.Quote(reader.GetString(1))}.{SqlIdentifier.Quote(reader.GetString(2))}";
                if (keptTables.TryGetValue(reader.GetInt64(0), out var why))
                {
                    kept.Add($"{name} ({why})");
                }
                else if (!reader.IsDBNull(3))
                {
                    kept.Add($"{name} (owned by extension {reader.GetString(3)})");
                }
                else
                {
                    tables.Add(name);
                }
            }
        }
        return new ClearPlan(_connections.Target, version, tables, kept, repository.GetFixturesFile(version));
    }
}
