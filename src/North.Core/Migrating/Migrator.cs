using System.Diagnostics;
using North.Core.Connections;
using North.Core.Detection;
using North.Core.Errors;
using North.Core.Execution;
using North.Core.Sql;
using North.Core.History;
using North.Core.Locking;
using North.Core.Planning;
using North.Core.Reporting;
using North.Core.Repository;
using North.Core.Running;
using North.Core.Settings;
using North.Core.Versions;
using Npgsql;

namespace North.Core.Migrating;

/// <summary>
/// Runs migrations against one database (DESIGN.md section 3): takes the run lock on a session of
/// its own, reads where the database stands, initialises it when needed, applies the plan file by
/// file on one other session, and records each file — inside the file's own transaction when it
/// runs atomically. Stops at the first error. Also registers and unregisters history rows.
/// </summary>
public sealed class Migrator
{
    private const int ProgressId = 1;
    private const int IterationProgressId = 2;

    private readonly RunContext _context;
    private readonly NorthSettings _settings;
    private readonly ConnectionFactory _connections;
    private readonly IReporter _reporter;

    /// <summary>A migrator for callers without a shell location: <c>\i</c> resolves against the migrations root.</summary>
    public Migrator(NorthSettings settings, ConnectionFactory connections, IReporter? reporter = null, IVersionDetector? detector = null)
        : this(new RunContext(settings, settings.MigrationsRoot, connections), reporter, detector)
    {
    }

    /// <summary>A migrator for one call, with what the call decided once (<see cref="RunContext"/>).</summary>
    public Migrator(RunContext context, IReporter? reporter = null, IVersionDetector? detector = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        var settings = context.Settings;
        _settings = settings;
        _connections = context.Connections;
        _reporter = reporter ?? NullReporter.Instance;
        History = new HistoryTable(new HistoryTableOptions
        {
            Style = settings.HistoryStyle,
            Schema = settings.HistorySchema,
            Table = settings.HistoryTable,
            VersionColumn = settings.VersionColumn,
            NameColumn = settings.NameColumn,
            AppliedAtColumn = settings.AppliedAtColumn,
        });
        Detector = detector ?? VersionDetectors.Create(settings);
    }

    /// <summary>What this call decided once: settings, working folder, connections, file facts.</summary>
    public RunContext Context => _context;

    public HistoryTable History { get; }

    /// <summary>The database, as <c>host:port/database</c>, for messages and confirmations (no password).</summary>
    public string Target => _connections.Target;

    public IVersionDetector Detector { get; }

    /// <summary>
    /// The advisory lock key of runs on this history table: from the table as the database resolves
    /// it (schema and name after lookup), so every spelling of one table gives one key.
    /// </summary>
    public async Task<long> ResolveLockKeyAsync(CancellationToken cancel = default)
    {
        await using var connection = await _connections.OpenAsync(cancel: cancel).ConfigureAwait(false);
        return AdvisoryLock.KeyFor((await History.InspectAsync(connection, cancel).ConfigureAwait(false)).QualifiedName);
    }

    /// <summary>Where the database stands and what a run would do; changes nothing and takes no lock.</summary>
    public async Task<MigrationState> ReadStateAsync(bool allowOutOfOrder = false, CancellationToken cancel = default)
    {
        var repository = MigrationRepository.Load(_settings, _reporter, _context.Files);
        await using var connection = await _connections.OpenAsync(cancel: cancel).ConfigureAwait(false);
        var shape = await History.InspectAsync(connection, cancel).ConfigureAwait(false);
        var unfinished = await new UnfinishedTable(shape).ReadAsync(connection, cancel).ConfigureAwait(false);
        return await ReadStateAsync(connection, repository, shape, unfinished, allowOutOfOrder, cancel).ConfigureAwait(false);
    }

    /// <summary>The history table's rows (none when it does not exist).</summary>
    public async Task<IReadOnlyList<HistoryRow>> ReadHistoryAsync(CancellationToken cancel = default)
    {
        await using var connection = await _connections.OpenAsync(cancel: cancel).ConfigureAwait(false);
        return await History.ReadAsync(connection, cancel).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the plan (or the given prefix of it) under the run lock. Returns one result per step; on
    /// the first failure, reports the failed step through <see cref="MigrateOptions.OnStepCompleted"/>
    /// and throws its error (a <see cref="ScriptException"/> naming file, line and SQLSTATE;
    /// <c>NorthLockLost</c> when the run lock is gone).
    /// </summary>
    public async Task<IReadOnlyList<StepResult>> MigrateAsync(MigrateOptions? options = null, CancellationToken cancel = default)
    {
        options ??= new MigrateOptions();
        var repository = MigrationRepository.Load(_settings, _reporter, _context.Files);
        var key = await ResolveLockKeyAsync(cancel).ConfigureAwait(false);
        await using var runLock = await AdvisoryLock.AcquireAsync(_connections, key, options.LockTimeout ?? _settings.LockTimeout, _reporter, cancel).ConfigureAwait(false);
        // The script session opens once the lock is held (a session waiting idle could meet the
        // server's idle_session_timeout), and is the run's own, not a pooled one that idled.
        await using var connection = await _connections.OpenAsync(pooled: false, cancel: cancel).ConfigureAwait(false);

        // Read under the lock: a run that waited sees what the previous one did.
        var shape = await History.InspectAsync(connection, cancel).ConfigureAwait(false);
        await EnsureUniqueKeyAsync(connection, shape, cancel).ConfigureAwait(false);
        var journal = new UnfinishedTable(shape);
        var unfinished = await journal.ReadAsync(connection, cancel).ConfigureAwait(false);
        StopOnInterrupted(unfinished);
        var state = await ReadStateAsync(connection, repository, shape, unfinished, options.AllowOutOfOrder, cancel).ConfigureAwait(false);
        WarnOutOfOrder(state, options.AllowOutOfOrder);
        CheckModified(state);
        var initMarker = unfinished.FirstOrDefault(u => u.IsInitialization);
        if (!state.Version.Initialized && initMarker is null && !options.Force)
        {
            await RefuseStrangerAsync(connection, shape, journal, cancel).ConfigureAwait(false);
        }
        IReadOnlyList<PlanStep> steps = options.Steps is null ? state.Plan : MigrationPlanner.RequirePrefix(state.Plan, options.Steps);
        if (options.InitializeOnly)
        {
            steps = state.Version.Initialized ? Array.Empty<PlanStep>() : steps.TakeWhile(s => s.Action != PlanAction.Apply).ToList();
        }
        if (steps.Count == 0)
        {
            if (initMarker is not null)
            {
                // Killed after the last step and before the marker went: the initialization is complete.
                await RunBatchAsync(connection, null, journal.FinishCommand(initMarker.Version, UnfinishedTable.InitializationName)).ConfigureAwait(false);
                _reporter.Verbose($"The initialization of {_connections.Target} had completed; its marker is removed.");
            }
            _reporter.Verbose($"Nothing to do: {_connections.Target} is at {state.Version.CurrentVersion?.Text ?? "(not initialized)"}, target {state.Version.TargetVersion.Text}.");
            return Array.Empty<StepResult>();
        }

        await using var run = new MigrationRun(connection, new ScriptExecutor(connection, _reporter), runLock, journal, options,
            $"Migrating {_connections.Target} to {state.Version.TargetVersion.Text}", steps.Count, _reporter, cancel) { Shape = shape, Connections = _connections };
        await WarnLongTransactionsAsync(connection, runLock, cancel).ConfigureAwait(false);
        try
        {
            var initSteps = state.Version.Initialized ? new List<PlanStep>() : steps.TakeWhile(s => s.Action != PlanAction.Apply).ToList();
            if (initSteps.Count > 0)
            {
                var initVersion = (state.Version.InitVersion ?? initSteps.First(s => s.Version is not null).Version!).Text;
                if (initMarker is null && initSteps.All(s => s.Action == PlanAction.RecordFaked || s.Transaction == TransactionMode.Atomic))
                {
                    await InitializeAtomicallyAsync(run, initSteps, cancel).ConfigureAwait(false);
                }
                else
                {
                    await InitializeResumablyAsync(run, initSteps, initVersion, initMarker is null, cancel).ConfigureAwait(false);
                }
            }
            foreach (var step in steps.Skip(initSteps.Count))
            {
                var clock = Stopwatch.StartNew();
                // An atomic file proves the lock in its first round trip (ApplyAsync's FirstCommands).
                var result = await run.StepAsync(step, clock, token => ApplyAsync(run, step, clock, token), cancel,
                    checkedInside: step.Transaction == TransactionMode.Atomic).ConfigureAwait(false);
                run.Completed(result);
            }
        }
        finally
        {
            _reporter.Progress(new ProgressReport(ProgressId, run.Activity, "Done", 100, Completed: true));
        }
        return run.Results;
    }

    /// <summary>Pre-flight: sessions idle in a transaction, or in one older than LongTransactionThreshold, will make DDL wait.</summary>
    private async Task WarnLongTransactionsAsync(NpgsqlConnection connection, AdvisoryLock runLock, CancellationToken cancel)
    {
        if (_settings.LongTransactionThreshold <= TimeSpan.Zero)
            return;
        var sessions = await Contention.DatabaseSession.ReadLongTransactionsAsync(connection, _settings.LongTransactionThreshold, [runLock.BackendPid], cancel).ConfigureAwait(false);
        if (sessions.Count == 0)
            return;
        _reporter.Warning($"{_connections.Target}: {sessions.Count} session(s) idle in a transaction or in one older than {_settings.LongTransactionThreshold} " +
            $"will make a migration's DDL wait for its locks: {string.Join("; ", sessions.Take(10))}{(sessions.Count > 10 ? "; ..." : "")}.");
    }

    /// <summary>Step 2 alone: initialises a database that is not initialized; does nothing otherwise.</summary>
    public Task<IReadOnlyList<StepResult>> InitializeAsync(MigrateOptions? options = null, CancellationToken cancel = default) =>
        MigrateAsync((options ?? new MigrateOptions()) with { InitializeOnly = true }, cancel);

    /// <summary>
    /// Records migrations as applied without running them (septentrion's <c>fake</c>): every
    /// unrecorded file of every version up to <paramref name="version"/>, or only the file
    /// <paramref name="name"/> of that version. Returns the rows recorded.
    /// </summary>
    public async Task<IReadOnlyList<HistoryRow>> RegisterAsync(MigrationVersion version, string? name = null, CancellationToken cancel = default)
    {
        var repository = MigrationRepository.Load(_settings, _reporter, _context.Files);
        var folder = repository.Find(version) ?? throw new NorthException(
            $"Version {version.Text} has no folder in '{repository.Root}'.", ErrorIds.VersionNotFound, NorthErrorKind.ObjectNotFound, version.Text,
            "Give a version that exists on disk.");
        IEnumerable<MigrationFile> files = name is null
            ? repository.Versions.Where(v => v.Version <= folder.Version).SelectMany(v => v.Migrations)
            : new[] { folder.Migrations.FirstOrDefault(m => m.Name == name) ?? throw new NorthException(
                $"Version {folder.Version.Text} has no migration named '{name}'.", ErrorIds.MigrationNotFound, NorthErrorKind.ObjectNotFound,
                System.IO.Path.Combine(folder.Path, name), $"Check the name (Get-NorthStatus -TargetVersion {folder.Version.Text} lists them).") };

        await using var connection = await _connections.OpenAsync(cancel: cancel).ConfigureAwait(false);
        await using var runLock = await LockAsync(connection, cancel).ConfigureAwait(false);
        var shape = await History.EnsureCreatedAsync(connection, cancel).ConfigureAwait(false);
        var recorded = (await HistoryTable.ReadAsync(connection, shape, cancel).ConfigureAwait(false))
            .Where(r => r.ParsedVersion is not null).Select(r => (r.ParsedVersion!, r.Name)).ToHashSet();
        var chosen = files.ToList();
        var records = chosen.Where(f => !recorded.Contains((f.Version, f.Name)))
            .Select(f => new HistoryRecord(f.Version.Text, f.Name, HistoryMode.Faked, FileChecksum.Compute(f.Path, _context.Files))).ToList();
        var journal = new UnfinishedTable(shape);
        var unfinished = await journal.ReadAsync(connection, cancel).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancel).ConfigureAwait(false);
        var rows = await HistoryTable.InsertAsync(connection, shape, records, cancel).ConfigureAwait(false);
        // Registering resolves an interrupted file (its work is declared complete), and an
        // initialization's interrupted step (done by hand).
        var resolved = ResolvingCommands(journal, unfinished, version, name, chosen, done: true);
        if (resolved.Length > 0) await RunBatchAsync(connection, transaction, resolved).ConfigureAwait(false);
        await transaction.CommitAsync(cancel).ConfigureAwait(false);
        return rows;
    }

    /// <summary>
    /// Removes the history rows of a version, or of one of its files (repair); also clears the file's
    /// unfinished mark, so the next run runs it again. Returns the rows removed.
    /// </summary>
    public async Task<IReadOnlyList<HistoryRow>> UnregisterAsync(MigrationVersion version, string? name = null, CancellationToken cancel = default)
    {
        await using var connection = await _connections.OpenAsync(cancel: cancel).ConfigureAwait(false);
        await using var runLock = await LockAsync(connection, cancel).ConfigureAwait(false);
        var shape = await History.InspectAsync(connection, cancel).ConfigureAwait(false);
        var journal = new UnfinishedTable(shape);
        var unfinished = await journal.ReadAsync(connection, cancel).ConfigureAwait(false);
        var removed = new List<HistoryRow>();
        foreach (var row in await HistoryTable.ReadAsync(connection, shape, cancel).ConfigureAwait(false))
        {
            if (row.ParsedVersion == version && (name is null || row.Name == name))
            {
                removed.AddRange(await History.DeleteAsync(connection, row.Version, row.Name, cancel).ConfigureAwait(false));
            }
        }
        var resolved = ResolvingCommands(journal, unfinished, version, name, Array.Empty<MigrationFile>(), done: false);
        if (resolved.Length > 0) await RunBatchAsync(connection, null, resolved).ConfigureAwait(false);
        return removed;
    }

    private async Task<AdvisoryLock> LockAsync(NpgsqlConnection connection, CancellationToken cancel)
    {
        var key = AdvisoryLock.KeyFor((await History.InspectAsync(connection, cancel).ConfigureAwait(false)).QualifiedName);
        return await AdvisoryLock.AcquireAsync(_connections, key, _settings.LockTimeout, _reporter, cancel).ConfigureAwait(false);
    }

    private NpgsqlBatchCommand[] ResolvingCommands(UnfinishedTable journal, IReadOnlyList<UnfinishedEntry> unfinished, MigrationVersion version, string? name,
        IReadOnlyList<MigrationFile> registered, bool done)
    {
        var commands = new List<NpgsqlBatchCommand>();
        foreach (var entry in unfinished)
        {
            if (entry.IsInitialization)
            {
                if (entry.Running is { } running && name is not null && running.EndsWith(" " + name, StringComparison.Ordinal)
                    && MigrationVersion.TryParse(entry.Version, out var initVersion) && initVersion == version)
                {
                    commands.Add(done ? journal.DoneCommand(entry.Version, running) : journal.RetryCommand(entry.Version));
                    _reporter.Verbose($"The initialization's interrupted step {running} is marked {(done ? "done" : "to run again")}.");
                }
                continue;
            }
            var matches = MigrationVersion.TryParse(entry.Version, out var v) && v == version && (name is null || entry.Name == name)
                          || registered.Any(f => f.Version.Text == entry.Version && f.Name == entry.Name);
            if (matches)
            {
                commands.Add(journal.FinishCommand(entry.Version, entry.Name));
                _reporter.Verbose($"{entry.Version}/{entry.Name}: no longer marked unfinished.");
            }
        }
        return commands.ToArray();
    }

    private async Task<MigrationState> ReadStateAsync(NpgsqlConnection connection, MigrationRepository repository, HistoryShape shape,
        IReadOnlyList<UnfinishedEntry> unfinished, bool allowOutOfOrder, CancellationToken cancel)
    {
        var history = await HistoryTable.ReadAsync(connection, shape, cancel).ConfigureAwait(false);
        var known = repository.Versions.Select(v => v.Version).ToList();
        var initMarker = unfinished.FirstOrDefault(u => u.IsInitialization);
        if (initMarker is not null)
        {
            // An initialization that stopped: the database is not initialized, whatever its rows say,
            // and the plan is what is left of the initialization, then the rest.
            var resumed = new MigrationPlanner(repository, _context.WorkingDirectory).Plan(history, null, allowOutOfOrder);
            var left = resumed.Plan.Where(s => !initMarker.Done.Contains(InitStepId(s))).Select((s, i) => s with { Order = i + 1 }).ToList();
            return resumed with { Plan = left };
        }
        var current = await Detector.DetectAsync(new VersionDetectionContext(connection, History, known) { HistoryRows = history }, cancel).ConfigureAwait(false);
        return MarkInterrupted(new MigrationPlanner(repository, _context.WorkingDirectory, connection.Database).Plan(history, current, allowOutOfOrder), unfinished);
    }

    /// <summary>The statuses of files a run started and never finished say so.</summary>
    private static MigrationState MarkInterrupted(MigrationState state, IReadOnlyList<UnfinishedEntry> unfinished)
    {
        if (!unfinished.Any(u => !u.IsInitialization)) return state;
        var started = unfinished.Where(u => !u.IsInitialization).Select(u => (u.Version, u.Name)).ToHashSet();
        return state with { Migrations = state.Migrations.Select(m => started.Contains((m.Version.Text, m.Name)) ? m with { Interrupted = true } : m).ToList() };
    }

    /// <summary>How an initialization step is named in its marker.</summary>
    private static string InitStepId(PlanStep step) => $"{step.Action} {step.Name}";

    private void WarnOutOfOrder(MigrationState state, bool allowed)
    {
        if (allowed) return;
        foreach (var late in state.Migrations.Where(m => m.OutOfOrder))
        {
            _reporter.Warning($"{late.Path}: added to version {late.Version.Text} after the database passed it; left unapplied. Use -AllowOutOfOrder to apply it.");
        }
    }

    /// <summary>Every part of the initialization is transactional: they commit together, or nothing is kept.</summary>
    private async Task InitializeAtomicallyAsync(MigrationRun run, List<PlanStep> steps, CancellationToken cancel)
    {
        var done = new List<StepResult>();
        await using (var transaction = await run.Connection.BeginTransactionAsync(cancel).ConfigureAwait(false))
        {
            foreach (var step in steps)
            {
                var clock = Stopwatch.StartNew();
                done.Add(await run.StepAsync(step, clock, async token =>
                {
                    if (step.Action == PlanAction.RecordFaked)
                    {
                        return await RecordFakedAsync(run, step, clock, transaction, null, token).ConfigureAwait(false);
                    }
                    var options = ExecutionOptionsFor(step, run) with { Mode = TransactionMode.Atomic, EnclosingTransaction = transaction };
                    var script = await run.Executor.ExecuteFileAsync(step.Path!, options, token).ConfigureAwait(false);
                    return Result(step, StepStatus.Succeeded, clock.Elapsed, script.RowsAffected, script.Iterations.Sum(b => b.Count)) with { Attempts = script.Attempts };
                }, cancel).ConfigureAwait(false));
            }
            try
            {
                await RunBatchAsync(run.Connection, transaction, run.Lock.GuardCommand()).ConfigureAwait(false);
                await transaction.CommitAsync(cancel).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState == AdvisoryLock.LostSqlState)
            {
                throw run.Lock.Lost(e);
            }
        }
        await RunBatchAsync(run.Connection, null, new NpgsqlBatchCommand("DISCARD ALL")).ConfigureAwait(false);
        _reporter.Verbose($"Initialized {_connections.Target} in one transaction ({steps.Count} step(s)).");
        foreach (var result in done)
        {
            run.Completed(result);
        }
    }

    /// <summary>
    /// A part of the initialization cannot be in a transaction: a marker is recorded first and each
    /// step's completion after it (in the step's own transaction when it has one), so the next run
    /// resumes after the last completed step; a non-transactional step found begun stops it.
    /// </summary>
    private async Task InitializeResumablyAsync(MigrationRun run, IReadOnlyList<PlanStep> steps, string initVersion, bool fresh, CancellationToken cancel)
    {
        var journal = run.Journal;
        await run.EnsureJournalAsync(cancel).ConfigureAwait(false);
        if (fresh)
        {
            await RunBatchAsync(run.Connection, null, journal.StartCommand(initVersion, UnfinishedTable.InitializationName)).ConfigureAwait(false);
            _reporter.Verbose($"Initializing {_connections.Target} step by step (not every part is transactional); progress is kept in {journal.QualifiedName}.");
        }
        foreach (var step in steps)
        {
            var id = InitStepId(step);
            var clock = Stopwatch.StartNew();
            var result = await run.StepAsync(step, clock, async token =>
            {
                if (step.Action == PlanAction.RecordFaked)
                {
                    await using var transaction = await run.Connection.BeginTransactionAsync(token).ConfigureAwait(false);
                    var recorded = await RecordFakedAsync(run, step, clock, transaction, journal.DoneCommand(initVersion, id), token).ConfigureAwait(false);
                    await transaction.CommitAsync(token).ConfigureAwait(false);
                    return recorded;
                }
                var atomic = step.Transaction == TransactionMode.Atomic;
                if (!atomic)
                {
                    await RunBatchAsync(run.Connection, null, journal.RunningCommand(initVersion, id)).ConfigureAwait(false);
                }
                var options = ExecutionOptionsFor(step, run) with
                {
                    RecordCommands = () => atomic ? [run.Lock.GuardCommand(), journal.DoneCommand(initVersion, id)] : [journal.DoneCommand(initVersion, id)],
                };
                var script = await run.Executor.ExecuteFileAsync(step.Path!, options, token).ConfigureAwait(false);
                return Result(step, StepStatus.Succeeded, clock.Elapsed, script.RowsAffected, script.Iterations.Sum(b => b.Count)) with { Attempts = script.Attempts };
            }, cancel).ConfigureAwait(false);
            run.Completed(result);
        }
        await RunBatchAsync(run.Connection, null, journal.FinishCommand(initVersion, UnfinishedTable.InitializationName)).ConfigureAwait(false);
    }

    private async Task<StepResult> RecordFakedAsync(MigrationRun run, PlanStep step, Stopwatch clock, NpgsqlTransaction transaction, NpgsqlBatchCommand? done, CancellationToken cancel)
    {
        var shape = await History.EnsureCreatedAsync(run.Connection, cancel).ConfigureAwait(false);
        run.Shape = shape;
        var records = step.Files.Select(f => new HistoryRecord(f.Version.Text, f.Name, HistoryMode.Faked, FileChecksum.Compute(f.Path, _context.Files))).ToList();
        if (step.SchemaFile is not null)
        {
            records.Add(new HistoryRecord(step.Version!.Text, step.Name, HistoryMode.Faked, FileChecksum.Compute(step.SchemaFile, _context.Files)));
        }
        await using var batch = new NpgsqlBatch(run.Connection, transaction);
        // As the connecting user; no search_path change here: in an initialization that commits as
        // one, a transaction-local setting would last into the next files (the names are qualified).
        batch.BatchCommands.Add(new NpgsqlBatchCommand("RESET ROLE"));
        batch.BatchCommands.Add(run.Lock.GuardCommand());
        foreach (var record in records) batch.BatchCommands.Add(shape.InsertBatchCommand(record));
        if (done is not null) batch.BatchCommands.Add(done);
        await batch.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
        return Result(step, StepStatus.Succeeded, clock.Elapsed, records.Count, 0);
    }

    private async Task<StepResult> ApplyAsync(MigrationRun run, PlanStep step, Stopwatch clock, CancellationToken cancel)
    {
        if (run.Shape is not { Exists: true })
        {
            run.Shape = await History.EnsureCreatedAsync(run.Connection, cancel).ConfigureAwait(false);
        }
        var shape = run.Shape;
        var file = step.Files[0];
        var checksum = FileChecksum.Compute(file.Path, _context.Files);
        // A file that cannot be atomic is marked as started first: if it is interrupted, the next run knows.
        var atomic = step.Transaction == TransactionMode.Atomic;
        if (!atomic)
        {
            await run.EnsureJournalAsync(cancel).ConfigureAwait(false);
            await RunBatchAsync(run.Connection, null, run.Journal.StartCommand(file.Version.Text, file.Name)).ConfigureAwait(false);
        }
        // The history row travels with the file's COMMIT: applied and recorded together, in one round
        // trip, as the connecting user, after proving the run still holds its lock.
        // An atomic file's time is the client's until its transaction begins, then the server's (HistoryShape.FileStartedCommand).
        var beforeTransaction = 0L;
        var options = ExecutionOptionsFor(step, run) with
        {
            // Before anything of an atomic file runs, in its first round trip (StepAsync did not check).
            FirstCommands = atomic
                ? () =>
                {
                    beforeTransaction = clock.ElapsedMilliseconds;
                    return [HistoryShape.FileStartedCommand(), run.Lock.HeldCommand()];
                }
                : null,
            RecordCommands = () =>
            {
                var duration = atomic ? beforeTransaction : clock.ElapsedMilliseconds;
                var record = shape.InsertBatchCommand(new HistoryRecord(file.Version.Text, file.Name, HistoryMode.Applied, checksum, duration));
                return atomic
                    ? [.. AsNorth(), run.Lock.GuardCommand(), record]
                    : [record, run.Journal.FinishCommand(file.Version.Text, file.Name)];
            },
        };
        try
        {
            var script = await run.Executor.ExecuteFileAsync(file.Path, options, cancel).ConfigureAwait(false);
            return Result(step, StepStatus.Succeeded, clock.Elapsed, script.RowsAffected, script.Iterations.Sum(b => b.Count)) with { Attempts = script.Attempts };
        }
        catch (ScriptException e) when (!atomic)
        {
            if (e.NothingKept && await TryFinishAsync(run, file).ConfigureAwait(false))
            {
                // Nothing of the file stays: it is not unfinished, the next run runs it again.
                throw;
            }
            throw new PartlyAppliedException(e, step, file.Version.Text);
        }
    }

    /// <summary>Removes a failed file's unfinished mark; false when the session cannot (the mark stays, as for an interruption).</summary>
    private static async Task<bool> TryFinishAsync(MigrationRun run, MigrationFile file)
    {
        try
        {
            await RunBatchAsync(run.Connection, null, run.Journal.FinishCommand(file.Version.Text, file.Name)).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>North's own statements run as the connecting user with a fixed search_path, whatever the file set (undone by the COMMIT's DISCARD ALL).</summary>
    private static NpgsqlBatchCommand[] AsNorth() =>
    [
        new("RESET ROLE"),
        new("SELECT pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true)"),
    ];

    private static async Task RunBatchAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, params NpgsqlBatchCommand[] commands)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var command in commands) batch.BatchCommands.Add(command);
        await batch.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private async Task EnsureUniqueKeyAsync(NpgsqlConnection connection, HistoryShape shape, CancellationToken cancel)
    {
        var duplicates = await History.EnsureUniqueKeyAsync(connection, shape, cancel).ConfigureAwait(false);
        if (duplicates.Count > 0)
        {
            var list = string.Join(", ", duplicates.Take(10).Select(d => $"{d.Version}/{d.Name} ({d.Count} rows)"));
            _reporter.Warning($"{shape.QualifiedName} records {duplicates.Count} migration(s) more than once: {list}. " +
                "North cannot add its unique (version, name) index until each is recorded once: check what was applied twice, then delete the extra rows.");
        }
    }

    /// <summary>A file that could not be atomic began and never finished: running it again blindly could apply it twice.</summary>
    private void StopOnInterrupted(IReadOnlyList<UnfinishedEntry> unfinished)
    {
        var files = unfinished.Where(u => !u.IsInitialization).ToList();
        if (files.Count > 0)
        {
            var first = files[0];
            var path = System.IO.Path.Combine(_settings.MigrationsRoot, first.Version, first.Name);
            throw new NorthException(
                $"{first.Version}/{first.Name} was started on {_connections.Target} at {first.StartedAt:yyyy-MM-dd HH:mm:ss zzz} by {first.StartedBy} and never finished " +
                "(it cannot run atomically: it has its own transactions or non-transactional statements, so what it did before it stopped may be kept)" +
                (files.Count > 1 ? $"; also unfinished: {string.Join(", ", files.Skip(1).Select(f => f.Version + "/" + f.Name))}" : "") + ". The run stopped before doing anything.",
                ErrorIds.MigrationInterrupted, NorthErrorKind.InvalidOperation, path,
                $"Check what the file did. If its work is complete (finish it by hand if needed): Register-NorthMigration -Version {first.Version} -Name {first.Name}. " +
                $"If you undid it and want it run again: Unregister-NorthMigration -Version {first.Version} -Name {first.Name}.");
        }
        if (unfinished.FirstOrDefault(u => u.IsInitialization) is { Running: { } running } init)
        {
            var name = running[(running.IndexOf(' ') + 1)..];
            throw new NorthException(
                $"The initialization of {_connections.Target} (version {init.Version}) stopped while running {name}, which is not transactional: part of it may be kept. " +
                $"Done before it: {(init.Done.Count == 0 ? "nothing" : string.Join(", ", init.Done))}.",
                ErrorIds.InitializationInterrupted, NorthErrorKind.InvalidOperation, name,
                $"Simplest: drop and recreate the database, then run again. Or complete {name} by hand and run Register-NorthMigration -Version {init.Version} -Name {name} " +
                $"(or undo it and run Unregister-NorthMigration -Version {init.Version} -Name {name} to run it again); the next run resumes after it.");
        }
    }

    private void CheckModified(MigrationState state)
    {
        foreach (var modified in state.Migrations.Where(m => m.Modified))
        {
            var text = $"{modified.Path}: edited after it was applied (its checksum differs from the one recorded at {modified.AppliedAt:yyyy-MM-dd HH:mm:ss zzz}); the change is not applied.";
            if (_settings.FailOnModified)
            {
                throw new NorthException(text, ErrorIds.MigrationModified, NorthErrorKind.InvalidData, modified.Path ?? modified.Name,
                    "Put the file back as it was applied and make the change in a new migration; or, if the edit changes nothing in the database, " +
                    "re-record it (Unregister-NorthMigration, then Register-NorthMigration for that file). FailOnModified=false makes this a warning.");
            }
            _reporter.Warning(text);
        }
    }

    /// <summary>A database with user tables and no history is someone's: North does not load a schema on top of it.</summary>
    private async Task RefuseStrangerAsync(NpgsqlConnection connection, HistoryShape shape, UnfinishedTable journal, CancellationToken cancel)
    {
        const string sql = @"
SELECT pg_catalog.count(*), pg_catalog.string_agg(name, ', ') FILTER (WHERE n <= 5) FROM (
  SELECT pg_catalog.quote_ident(ns.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS name, pg_catalog.row_number() OVER (ORDER BY ns.nspname, c.relname) AS n
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace ns ON ns.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ns.nspname NOT IN ('pg_catalog', 'information_schema') AND ns.nspname !~ '^pg_(toast|temp)'
    AND c.oid IS DISTINCT FROM pg_catalog.to_regclass($1) AND c.oid IS DISTINCT FROM pg_catalog.to_regclass($2)
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid AND d.deptype = 'e')) t";
        if (shape.Exists && (await HistoryTable.ReadAsync(connection, shape, cancel).ConfigureAwait(false)).Count > 0)
        {
            return;
        }
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = shape.QualifiedName });
        command.Parameters.Add(new NpgsqlParameter { Value = journal.QualifiedName });
        await using var reader = await command.ExecuteReaderAsync(cancel).ConfigureAwait(false);
        await reader.ReadAsync(cancel).ConfigureAwait(false);
        var count = reader.GetInt64(0);
        if (count > 0)
        {
            throw new NorthException(
                $"{_connections.Target} has {count} table(s) of its own ({reader.GetString(1)}{(count > 5 ? ", ..." : "")}) and no migration history in {shape.QualifiedName}: " +
                "North will not load a schema on top of them. Is this the right database?",
                ErrorIds.DatabaseNotEmpty, NorthErrorKind.InvalidOperation, _connections.Target,
                "If this database already has the schema (migrated by hand or by another tool), adopt it: Register-NorthMigration -Version <its version> records its migrations without running them. " +
                "To initialize it anyway, on top of what is there, run again with -Force.");
        }
    }

    // The step carries what the plan decided about the file: manual or not, and its classification.
    internal ExecutionOptions ExecutionOptionsFor(PlanStep step, MigrationRun? run = null) => _context.FileOptions() with
    {
        BlockersSince = run is null ? null : run.BlockersSince,
        Classification = step.Classification,
        Manual = step.Manual,
        OnIteration = it => _reporter.Progress(new ProgressReport(IterationProgressId, $"{System.IO.Path.GetFileName(it.File)} block {it.Block}",
            $"iteration {it.Iteration}: {it.Rows} row(s)", -1, ProgressId)),
    };

    private static StepResult Result(PlanStep step, StepStatus status, TimeSpan duration, long rows, int iterations) =>
        new(step.Order, step.Version, step.Name, step.Action, status, duration, rows, iterations, step.Path);
}
