using System.Diagnostics;
using North.Core.Connections;
using North.Core.Detection;
using North.Core.Errors;
using North.Core.Execution;
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

    /// <summary>The advisory lock key of runs on this history table.</summary>
    public long LockKey => AdvisoryLock.KeyFor(History.QualifiedName);

    /// <summary>Where the database stands and what a run would do; changes nothing and takes no lock.</summary>
    public async Task<MigrationState> ReadStateAsync(bool allowOutOfOrder = false, CancellationToken cancel = default)
    {
        var repository = MigrationRepository.Load(_settings, _reporter, _context.Files);
        await using var connection = await _connections.OpenAsync(cancel: cancel).ConfigureAwait(false);
        return await ReadStateAsync(connection, repository, allowOutOfOrder, cancel).ConfigureAwait(false);
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
    /// and throws its error (a <see cref="ScriptException"/> naming file, line and SQLSTATE).
    /// </summary>
    public async Task<IReadOnlyList<StepResult>> MigrateAsync(MigrateOptions? options = null, CancellationToken cancel = default)
    {
        options ??= new MigrateOptions();
        var repository = MigrationRepository.Load(_settings, _reporter, _context.Files);
        await using var connection = await _connections.OpenAsync(cancel: cancel).ConfigureAwait(false);
        await using var runLock = await AdvisoryLock.AcquireAsync(_connections, LockKey, options.LockTimeout ?? _settings.LockTimeout, _reporter, cancel).ConfigureAwait(false);

        // Read under the lock: a run that waited sees what the previous one did.
        var state = await ReadStateAsync(connection, repository, options.AllowOutOfOrder, cancel).ConfigureAwait(false);
        WarnOutOfOrder(state, options.AllowOutOfOrder);
        IReadOnlyList<PlanStep> steps = options.Steps is null ? state.Plan : MigrationPlanner.RequirePrefix(state.Plan, options.Steps);
        if (options.InitializeOnly)
        {
            steps = state.Version.Initialized ? Array.Empty<PlanStep>() : steps.TakeWhile(s => s.Action != PlanAction.Apply).ToList();
        }
        if (steps.Count == 0)
        {
            _reporter.Verbose($"Nothing to do: {_connections.Target} is at {state.Version.CurrentVersion?.Text ?? "(not initialized)"}, target {state.Version.TargetVersion.Text}.");
            return Array.Empty<StepResult>();
        }

        var executor = new ScriptExecutor(connection, _reporter);
        var results = new List<StepResult>(steps.Count);
        var activity = $"Migrating {_connections.Target} to {state.Version.TargetVersion.Text}";
        try
        {
            for (var i = 0; i < steps.Count; i++)
            {
                var step = steps[i];
                _reporter.Progress(new ProgressReport(ProgressId, activity, $"{i + 1}/{steps.Count} {step.Action} {step.Version?.Text} {step.Name}", i * 100 / steps.Count));
                var clock = Stopwatch.StartNew();
                StepResult result;
                try
                {
                    result = await RunStepAsync(connection, executor, step, activity, clock, cancel).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // Stop at the first error; the caller sees the failed step, then the error itself.
                    options.OnStepCompleted?.Invoke(Result(step, StepStatus.Failed, clock.Elapsed, 0, 0));
                    throw;
                }
                results.Add(result);
                options.OnStepCompleted?.Invoke(result);
            }
        }
        finally
        {
            _reporter.Progress(new ProgressReport(ProgressId, activity, "Done", 100, Completed: true));
        }
        return results;
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
            $"Version {version.Text} has no folder in '{repository.Root}'.", "NorthVersionNotFound", NorthErrorKind.ObjectNotFound, version.Text,
            "Give a version that exists on disk.");
        IEnumerable<MigrationFile> files = name is null
            ? repository.Versions.Where(v => v.Version <= folder.Version).SelectMany(v => v.Migrations)
            : new[] { folder.Migrations.FirstOrDefault(m => m.Name == name) ?? throw new NorthException(
                $"Version {folder.Version.Text} has no migration named '{name}'.", "NorthMigrationNotFound", NorthErrorKind.ObjectNotFound,
                System.IO.Path.Combine(folder.Path, name), $"Check the name (Get-NorthStatus -TargetVersion {folder.Version.Text} lists them).") };

        await using var connection = await _connections.OpenAsync(cancel: cancel).ConfigureAwait(false);
        await using var runLock = await AdvisoryLock.AcquireAsync(_connections, LockKey, _settings.LockTimeout, _reporter, cancel).ConfigureAwait(false);
        await History.EnsureCreatedAsync(connection, cancel).ConfigureAwait(false);
        var recorded = (await History.ReadAsync(connection, cancel).ConfigureAwait(false))
            .Where(r => r.ParsedVersion is not null).Select(r => (r.ParsedVersion!, r.Name)).ToHashSet();
        var records = files.Where(f => !recorded.Contains((f.Version, f.Name)))
            .Select(f => new HistoryRecord(f.Version.Text, f.Name, HistoryMode.Faked, FileChecksum.Compute(f.Path, _context.Files)));
        return await History.InsertAsync(connection, records, cancel).ConfigureAwait(false);
    }

    /// <summary>Removes the history rows of a version, or of one of its files (repair). Returns the rows removed.</summary>
    public async Task<IReadOnlyList<HistoryRow>> UnregisterAsync(MigrationVersion version, string? name = null, CancellationToken cancel = default)
    {
        await using var connection = await _connections.OpenAsync(cancel: cancel).ConfigureAwait(false);
        await using var runLock = await AdvisoryLock.AcquireAsync(_connections, LockKey, _settings.LockTimeout, _reporter, cancel).ConfigureAwait(false);
        var removed = new List<HistoryRow>();
        foreach (var row in await History.ReadAsync(connection, cancel).ConfigureAwait(false))
        {
            if (row.ParsedVersion == version && (name is null || row.Name == name))
            {
                removed.AddRange(await History.DeleteAsync(connection, row.Version, row.Name, cancel).ConfigureAwait(false));
            }
        }
        return removed;
    }

    private async Task<MigrationState> ReadStateAsync(NpgsqlConnection connection, MigrationRepository repository, bool allowOutOfOrder, CancellationToken cancel)
    {
        // Look the table up again: a read before the lock (the cmdlet's plan) may have cached
        // "no history table" while another run was creating it.
        await History.InspectAsync(connection, cancel).ConfigureAwait(false);
        var history = await History.ReadAsync(connection, cancel).ConfigureAwait(false);
        var known = repository.Versions.Select(v => v.Version).ToList();
        var current = await Detector.DetectAsync(new VersionDetectionContext(connection, History, known) { HistoryRows = history }, cancel).ConfigureAwait(false);
        return new MigrationPlanner(repository, _context.WorkingDirectory, connection.Database).Plan(history, current, allowOutOfOrder);
    }

    private void WarnOutOfOrder(MigrationState state, bool allowed)
    {
        if (allowed) return;
        foreach (var late in state.Migrations.Where(m => m.OutOfOrder))
        {
            _reporter.Warning($"{late.Path}: added to version {late.Version.Text} after the database passed it; left unapplied. Use -AllowOutOfOrder to apply it.");
        }
    }

    private async Task<StepResult> RunStepAsync(NpgsqlConnection connection, ScriptExecutor executor, PlanStep step, string activity, Stopwatch clock, CancellationToken cancel)
    {
        {
            switch (step.Action)
            {
                case PlanAction.RecordFaked:
                {
                    await History.EnsureCreatedAsync(connection, cancel).ConfigureAwait(false);
                    var records = step.Files.Select(f => new HistoryRecord(f.Version.Text, f.Name, HistoryMode.Faked, FileChecksum.Compute(f.Path, _context.Files))).ToList();
                    if (step.SchemaFile is not null)
                    {
                        records.Add(new HistoryRecord(step.Version!.Text, step.Name, HistoryMode.Faked, FileChecksum.Compute(step.SchemaFile, _context.Files)));
                    }
                    await History.InsertAsync(connection, records, cancel).ConfigureAwait(false);
                    return Result(step, StepStatus.Succeeded, clock.Elapsed, records.Count, 0);
                }
                case PlanAction.Apply:
                {
                    if (!History.Exists)
                    {
                        await History.EnsureCreatedAsync(connection, cancel).ConfigureAwait(false);
                    }
                    var file = step.Files[0];
                    var checksum = FileChecksum.Compute(file.Path, _context.Files);
                    // The history row travels with the file's COMMIT: applied and recorded together, in one round trip.
                    var options = ExecutionOptionsFor(step, activity) with
                    {
                        RecordCommand = () => History.InsertBatchCommand(connection,
                            new HistoryRecord(file.Version.Text, file.Name, HistoryMode.Applied, checksum, clock.ElapsedMilliseconds)),
                    };
                    var script = await executor.ExecuteFileAsync(file.Path, options, cancel).ConfigureAwait(false);
                    return Result(step, StepStatus.Succeeded, clock.Elapsed, script.RowsAffected, script.Iterations.Sum(b => b.Count));
                }
                default:
                {
                    var script = await executor.ExecuteFileAsync(step.Path!, ExecutionOptionsFor(step, activity), cancel).ConfigureAwait(false);
                    return Result(step, StepStatus.Succeeded, clock.Elapsed, script.RowsAffected, script.Iterations.Sum(b => b.Count));
                }
            }
        }
    }

    // The step carries what the plan decided about the file: manual or not, and its classification.
    internal ExecutionOptions ExecutionOptionsFor(PlanStep step, string activity) => new()
    {
        NonTransactionalKeywords = _settings.NonTransactionalKeywords,
        Classification = step.Classification,
        Manual = step.Manual,
        WorkingDirectory = _context.WorkingDirectory,
        LockTimeout = _settings.DdlLockTimeout,
        StatementTimeout = _settings.DdlStatementTimeout,
        OnIteration = it => _reporter.Progress(new ProgressReport(IterationProgressId, $"{System.IO.Path.GetFileName(it.File)} block {it.Block}",
            $"iteration {it.Iteration}: {it.Rows} row(s)", -1, ProgressId)),
    };

    private static StepResult Result(PlanStep step, StepStatus status, TimeSpan duration, long rows, int iterations) =>
        new(step.Order, step.Version, step.Name, step.Action, status, duration, rows, iterations, step.Path);
}
