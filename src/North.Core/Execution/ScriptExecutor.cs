using North.Core.Errors;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using North.Core.Connections;
using North.Core.Reporting;
using North.Core.Sql;
using Npgsql;

namespace North.Core.Execution;

/// <summary>
/// Runs script files on one open connection the way <c>psql -f</c> would, plus what psql cannot:
/// atomic recording, exact error locations, row counts. Each statement is one round trip with
/// no prepare and no extra query. After each file the session is reset with <c>DISCARD ALL</c>
/// (an atomic file's travels with its COMMIT, in the same round trip).
/// Not thread-safe: one file at a time per connection.
/// </summary>
public sealed partial class ScriptExecutor
{
    private readonly NpgsqlConnection _connection;
    private readonly IReporter _reporter;
    /// <summary>unsafe_new_enum_value_usage, which Npgsql's PostgresErrorCodes lacks.</summary>
    private const string UnsafeNewEnumValueUsage = "55P04";

    private ScriptItem? _current;
    private bool _atomic;
    // \setenv's values, for this executor's files only (never the process's environment).
    private readonly Dictionary<string, string?> _environment = new(StringComparer.Ordinal);
    private Dictionary<string, string>? _automatic;
    private Func<ExecutedStatement, CancellationToken, Task>? _afterStatement;

    /// <param name="connection">An open connection, used for every file (never the advisory lock's: DISCARD ALL releases it).</param>
    /// <param name="reporter">Where statements, rows, durations, notices and progress go.</param>
    public ScriptExecutor(NpgsqlConnection connection, IReporter? reporter = null)
    {
        _connection = connection;
        _reporter = reporter ?? NullReporter.Instance;
        _byteTransparent = ByteTransparentSession.Carries(connection);
    }

    // The connection speaks bytes (a SQL_ASCII database's session, as its opener made it): read once, carried to every reading.
    private readonly bool _byteTransparent;

    /// <summary>
    /// Runs a file. <see cref="ExecutionOptions.RecordCommands"/> (the history insert) goes with the
    /// file's COMMIT in <see cref="TransactionMode.Atomic"/> mode, after the file otherwise. Throws
    /// <see cref="ScriptException"/> on the first failure, the server's included (a statement, the
    /// COMMIT, the history insert, the file's SETs, the session reset); in atomic mode nothing of
    /// the file nor its record is kept then.
    /// </summary>
    public async Task<ScriptResult> ExecuteFileAsync(string path, ExecutionOptions? options = null, CancellationToken cancel = default)
    {
        options ??= new ExecutionOptions();
        var readerOptions = new ScriptReaderOptions
        {
            Variables = options.Variables,
            WorkingDirectory = options.WorkingDirectory,
            ReadableFolders = options.ReadableFolders,
            CurrentDatabase = _connection.Database,
            Manual = options.Manual,
        };
        // The run's reading: psql's automatic variables, \if decided with \gset's results, \setenv kept across files.
        var runOptions = new ScriptReaderOptions
        {
            Variables = await VariablesAsync(options.Variables, cancel),
            WorkingDirectory = options.WorkingDirectory,
            ReadableFolders = options.ReadableFolders,
            CurrentDatabase = _connection.Database,
            Manual = options.Manual,
            Offline = false,
            Environment = _environment,
            Warning = _reporter.Warning,
        };

        // The plan's classification when given (decided once); else read the file now. Either way
        // the file was proved to read cleanly before anything is sent.
        var classification = options.Classification ?? ScriptClassifier.Classify(path, options.NonTransactionalKeywords, readerOptions);
        var mode = options.Mode ?? classification.Mode;
        if (mode == TransactionMode.Atomic && classification.Mode != TransactionMode.Atomic)
            throw new ScriptException(path, 1, 1,
                $"cannot run atomically: the file has {(classification.Mode == TransactionMode.None ? $"a non-transactional statement ({classification.NonTransactionalKeyword})" : "its own transaction control")}");
        _reporter.Verbose($"{path}: running {mode}{(classification.Manual ? ", manual" : "")}");

        var clock = Stopwatch.StartNew();
        var attempts = new AttemptCount();
        var retries = new Contention.LockRetryRunner(options.LockRetries, _reporter);
        Run run = null!;
        return await retries.RunAsync($"{path}:", (number, token) =>
            {
                attempts.File = number;
                run = new Run(mode, classification, options, attempts) { Path = path };
                return RunOnceAsync(path, runOptions, run, clock, token);
            },
            (failure, number) =>
            {
                if (failure is not ScriptException e || e is LockWaitException)
                    return null;
                if (!Contention.LockRetryPolicy.IsLockFailure(e.SqlState))
                {
                    Kept(e, run);
                    return null;
                }
                var (retry, why) = WholeFileRetry(run);
                if (!retry)
                    throw Kept(GiveUp(e, run, why!), run);
                if (!retries.CanRetryAfter(number))
                    throw Kept(GiveUp(e, run, $"gave up after {attempts.Total} attempt(s) (LockRetries {options.LockRetries?.Retries ?? 0})"), run);
                return $"{e.File}:{e.Line}:{e.Column}: {e.SqlState} {e.ServerMessage}: {why}";
            },
            cancel, _ => attempts.Total);
    }

    /// <summary>
    /// Marks a failure of a file run outside North's own transaction that kept nothing: no statement
    /// of it committed work before the failing one (which the server rolled back).
    /// </summary>
    private static ScriptException Kept(ScriptException failure, Run run)
    {
        if (run.Mode != TransactionMode.Atomic && run.KeptBefore is null)
            failure.NothingKept = true;
        return failure;
    }

    /// <summary>Whether a lock failure lets the whole file run again: only when nothing of it was kept. The text says why (or why not).</summary>
    private static (bool Retry, string? Why) WholeFileRetry(Run run)
    {
        if (run.GaveUp is { } reason)
            return (false, reason);
        if (run.Mode == TransactionMode.Atomic)
            return run.Options.EnclosingTransaction is null
                ? (true, "the file's transaction was rolled back, it runs again whole")
                : (false, "not retried: the file runs inside the initialization's transaction, which the failure aborted");
        if (run.Mode == TransactionMode.AsWritten && run.KeptBefore is null)
            return (true, "the file's own transaction was rolled back and nothing of it was committed, it runs again whole");
        return (false, run.KeptBefore is { } kept
            ? $"not retried: the file had already committed work (from line {kept.Line}) that running it again would redo"
            : "not retried: the statement ran inside the file's own transaction block, whose earlier statements a retry of it alone would lose");
    }

    /// <summary>The lock failure North stops on, with the sessions seen blocking the statement.</summary>
    private static LockWaitException GiveUp(ScriptException failure, Run run, string why) =>
        new(failure, why, run.Options.BlockersSince?.Invoke(run.StatementStarted) ?? []);

    private async Task<ScriptResult> RunOnceAsync(string path, ScriptReaderOptions readerOptions, Run run, Stopwatch clock, CancellationToken cancel)
    {
        var mode = run.Mode;
        var options = run.Options;
        _atomic = mode == TransactionMode.Atomic;
        _afterStatement = options.AfterStatement;
        // Each file starts in the session the connection reports (after the last file's reset), as psql -f does.
        run.Session = new ReadingSession(_connection.PostgresParameters, _byteTransparent);
        run.Defers = Defers(path, run, readerOptions);
        NpgsqlTransaction? transaction = null;
        bool reset = false;
        _connection.Notice += OnNotice;
        try
        {
            if (mode == TransactionMode.Atomic)
            {
                transaction = options.EnclosingTransaction ?? await _connection.BeginTransactionAsync(cancel);
                // In the file's transaction, North's checks and timeouts travel with its first statement: fewer round trips per file.
                run.WaitingCommands = [.. options.FirstCommands?.Invoke() ?? [], .. TimeoutCommands(options)];
            }
            else
                await SendBeforeFileAsync(path, [.. options.FirstCommands?.Invoke() ?? [], .. TimeoutCommands(options)], cancel);
            if (options.BeforeFirstStatement is { } first)
            {
                if (transaction is null)
                    throw new InvalidOperationException("ExecutionOptions.BeforeFirstStatement needs an atomic file.");
                await SendWaitingCommandsAsync(run, cancel);
                await first(_connection, transaction, cancel);
            }

            using (var reader = ScriptReader.Open(path, readerOptions.WithSession(run.Session)))
                await RunItemsAsync(reader, run, transaction, cancel);
            // A file that undoes its own work is still recorded as applied: say so, it is rarely meant.
            if (run.LastItem is SqlStatement { Control: TransactionControl.Rollback } rollback)
                _reporter.Warning($"{rollback.Location}: the file ends with its own ROLLBACK: the changes of that transaction are undone, yet the file is recorded as applied. End it with COMMIT, or remove the file if it is only a test.");

            // A file without a statement of its own: its SETs go before North's (waiting statements take them along).
            if (run.Deferred.Count == 0)
                await SendWaitingCommandsAsync(run, cancel);
            if (transaction is not null && options.EnclosingTransaction is not null)
            {
                await FlushAsync(run, cancel);
                _current = null;
                var inside = new List<NpgsqlBatchCommand>(options.RecordCommands?.Invoke() ?? []) { new("RESET ALL"), new("RESET ROLE") };
                await using var batch = new NpgsqlBatch(_connection, transaction);
                inside.ForEach(batch.BatchCommands.Add);
                await batch.ExecuteNonQueryAsync(cancel);
                transaction = null;
                reset = true;
            }
            else if (transaction is not null)
            {
                _current = null;
                await CommitAndResetAsync(run, options.RecordCommands?.Invoke(), cancel);
                transaction = null;
                reset = true;
            }
            else
            {
                await ResetSessionAsync(path, run.LastItem, cancel);
                reset = true;
                if (options.RecordCommands?.Invoke() is { Count: > 0 } record)
                {
                    await using var batch = new NpgsqlBatch(_connection);
                    foreach (var command in record)
                        batch.BatchCommands.Add(command);
                    try
                    {
                        await batch.ExecuteNonQueryAsync(cancel);
                    }
                    catch (PostgresException e)
                    {
                        throw AtEnd(path, run.LastItem, e, "the history insert (North's, after the file)");
                    }
                }
            }
        }
        catch
        {
            if (transaction is not null)
                await QuietlyAsync(() => transaction.RollbackAsync(CancellationToken.None));
            if (!reset)
                await QuietlyAsync(() => ResetSessionAsync(path, null, CancellationToken.None));
            throw;
        }
        finally
        {
            _connection.Notice -= OnNotice;
            _current = null;
            _afterStatement = null;
            _atomic = false;
            if (transaction is not null)
                await transaction.DisposeAsync();
        }

        _reporter.Verbose($"{path}: done, {run.Statements} statement(s), {run.Rows} row(s), {clock.ElapsedMilliseconds} ms");
        return new ScriptResult
        {
            File = path,
            Mode = mode,
            Manual = run.Classification.Manual,
            RowsAffected = run.Rows,
            Iterations = run.Blocks,
            Duration = clock.Elapsed,
            StatementCount = run.Statements,
            Attempts = run.Attempts.Total,
        };
    }

    private async Task RunItemsAsync(ScriptReader reader, Run run, NpgsqlTransaction? transaction, CancellationToken cancel)
    {
        int ordinal = 0;
        List<SqlStatement>? block = null;
        MetaPsqlMarker? blockStart = null;

        foreach (var item in reader.Read())
        {
            cancel.ThrowIfCancellationRequested();
            run.LastItem = item;
            // Anything but a plain statement needs the server's answer to the statements before it.
            if (item is not SqlStatement { ResultCommand: null })
                await FlushAsync(run, cancel);
            // Only a plain statement carries the file's SETs in its own round trip (ExecuteAsync); anything else sends them first.
            if (item is not (SqlStatement { ResultCommand: null } or MetaPsqlMarker))
                await SendWaitingCommandsAsync(run, cancel);
            switch (item)
            {
                case CopyFromStdin copy:
                    ordinal++;
                    run.Rows += await CopyAsync(copy, cancel);
                    run.Statements++;
                    if (transaction is null && !run.InOwnBlock)
                        run.KeptBefore ??= copy.Statement;
                    break;

                case SqlStatement { ResultCommand: { } then } query:
                    ordinal++;
                    if (block is not null)
                        throw new ScriptSyntaxException(then.File, then.Line, then.Column, $"\\{then.Name} inside a do-until-0 block cannot be repeated");
                    run.Rows += await QueryAsync(query, then, reader, run, transaction, cancel);
                    run.Statements++;
                    break;

                case SqlStatement statement:
                {
                    int index = ordinal++;
                    if (run.Mode == TransactionMode.Atomic
                        && (index == run.Classification.OuterBeginIndex || index == run.Classification.OuterCommitIndex))
                    {
                        _reporter.Verbose($"{statement.Location}: {SecretMask.InStatement(statement.FirstLine)} (replaced by North's own transaction)");
                        // Between them the file is in its own transaction block, as psql would be (SET LOCAL holds there).
                        run.InOwnBlock = index == run.Classification.OuterBeginIndex;
                        break;
                    }
                    if (run.Mode == TransactionMode.Atomic && statement.Parts.Any(p => p.Control is not (TransactionControl.None or TransactionControl.Savepoint)))
                        throw new ScriptException(statement.File, statement.Line, statement.Column,
                            $"'{statement.FirstLine}' was not read when the plan classified the file (an \\if took another branch at run time), and North runs the file in one transaction of its own",
                            "Keep BEGIN/COMMIT out of \\if branches, or give the file BEGIN and COMMIT outside them.", ErrorIds.ScriptInvalid, NorthErrorKind.InvalidOperation);
                    if (block is not null)
                    {
                        block.Add(statement);
                        break;
                    }
                    if (run.Defers && Deferrable(statement, run))
                    {
                        run.Deferred.Add(statement);
                        break;
                    }
                    await FlushAsync(run, cancel);
                    run.Rows += await ExecuteAsync(statement, run, transaction, cancel);
                    run.Statements++;
                    break;
                }

                case MetaPsqlMarker marker when marker.IsDoUntilZero:
                    block = new List<SqlStatement>();
                    blockStart = marker;
                    break;

                case MetaPsqlMarker marker when marker.IsDone:
                    await RunBlockAsync(blockStart!, block!, run, transaction, cancel);
                    block = null;
                    break;

                case MetaCommand meta:
                    if (block is not null && meta.Name is not ("echo" or "qecho" or "warn" or "timing" or "pset" or "set" or "unset"))
                        throw new ScriptSyntaxException(meta.File, meta.Line, meta.Column, $"\\{meta.Name} inside a do-until-0 block cannot be repeated");
                    if (meta.Name is "connect" or "c")
                        await NewSessionAsync(meta, run, transaction, cancel);
                    Meta(meta);
                    break;
            }
        }
    }

    private async Task RunBlockAsync(MetaPsqlMarker start, List<SqlStatement> statements, Run run, NpgsqlTransaction? transaction, CancellationToken cancel)
    {
        int blockNumber = run.Blocks.Count + 1;
        var rowsPerIteration = new List<long>();
        run.Blocks.Add(rowsPerIteration);
        int progressId = 1000 + blockNumber;
        // The time limit cancels the running statement (Npgsql sends the server a cancel request).
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        if (run.Options.BlockTimeLimit is TimeSpan timeLimit)
            limit.CancelAfter(timeLimit);
        int iteration = 1;
        try
        {
            for (; ; iteration++)
            {
                if (run.Options.MaxIterations is int cap && iteration > cap)
                    throw new ScriptException(start.File, start.Line, start.Column,
                        $"do-until-0 block still changed rows after {cap} iteration(s) (last: {rowsPerIteration[^1]} rows); {KeptText(run)}",
                        "Check that the block's statements converge to 0 rows, or raise DoUntilZeroMaxIterations (NORTH_DO_UNTIL_ZERO_MAX_ITERATIONS, north.json).",
                        ErrorIds.DoUntilZeroIterationLimit, Errors.NorthErrorKind.InvalidOperation);
                long rows = 0;
                foreach (var statement in statements)
                {
                    var changed = await ExecuteAsync(statement, run, transaction, limit.Token);
                    rows += changed;
                    run.Statements++;
                }
                run.Rows += rows;
                rowsPerIteration.Add(rows);
                run.Options.OnIteration?.Invoke(new BlockIteration(start.File, start.Line, blockNumber, iteration, rows));
                _reporter.Progress(new ProgressReport(progressId, $"{start.File}:{start.Line} do-until-0", $"iteration {iteration}: {rows} row(s)", -1, -1, rows == 0));
                _reporter.Verbose($"{start.Location}: do-until-0 iteration {iteration}: {rows} row(s)");
                if (rows == 0)
                    return;
                limit.Token.ThrowIfCancellationRequested();
            }
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancel.IsCancellationRequested)
        {
            _current = null;
            // The limit may pass after the server finished the iteration's last statement (its cancel request
            // then cancels nothing): that iteration is done, and says so.
            var done = rowsPerIteration.Count;
            var last = done > 0 ? rowsPerIteration[^1] : 0;
            var when = done == iteration
                ? $"after iteration {iteration} ({done} done, last: {last} rows); no statement was cancelled and {KeptText(run)}"
                : $"in iteration {iteration} ({done} done, last: {last} rows); iteration {iteration} was cancelled and {KeptText(run)}";
            throw new ScriptException(start.File, start.Line, start.Column,
                $"do-until-0 block ran past its time limit of {run.Options.BlockTimeLimit} {when}",
                "Check that the block's statements converge to 0 rows, or raise DoUntilZeroTimeLimit (NORTH_DO_UNTIL_ZERO_TIME_LIMIT, north.json).",
                ErrorIds.DoUntilZeroTimeLimit, Errors.NorthErrorKind.OperationTimeout);
        }
    }

    // What a failed block leaves behind: an atomic file's transaction rolls back, an autocommit file keeps what it committed.
    private static string KeptText(Run run) => run.Mode == TransactionMode.Atomic
        ? "nothing of the file is kept or recorded"
        : "the file is not recorded; statements it committed before stay";

    /// <summary>
    /// Executes one statement, alone, and returns the rows it changed (INSERT/UPDATE/DELETE/MERGE). A
    /// statement that met a lock timeout or deadlock while it ran alone in autocommit (a non-transactional
    /// file, outside any block of its own) runs again, after a back-off: every statement before it is done.
    /// A CONCURRENTLY index build is checked valid after it, and an invalid index of its name before it.
    /// </summary>
    private async Task<long> ExecuteAsync(SqlStatement statement, Run run, NpgsqlTransaction? transaction, CancellationToken cancel)
    {
        if (statement.Keyword == "COPY" && ToStdout(statement.Words))
        {
            await SendWaitingCommandsAsync(run, cancel);
            return await CopyOutAsync(statement, cancel);
        }
        if (_atomic && !run.InOwnBlock && OnlyInTransactionBlock(statement) is { } only)
        {
            // psql sends it in autocommit: the server warns and it does nothing. In North's one transaction it would hold for the rest of the file.
            _reporter.Warning($"{statement.Location}: WARNING: {only} can only be used in transaction blocks (psql runs this statement outside one, where it does nothing; North skips it)");
            return 0;
        }
        _current = statement;
        _reporter.Debug($"{statement.Location}:\n{SecretMask.InStatement(statement.Text)}");
        var index = transaction is null ? Contention.ConcurrentIndex.Parse(statement) : null;
        bool? indexExisted = null;
        // A batch of one: Npgsql sends its text untouched (no parameter rewriting, no splitting at ';').
        // Statements psql joins with \; go as one batch: one round trip, one implicit transaction (a
        // failure keeps none of them), as psql's one multi-statement query.
        await using var batch = new NpgsqlBatch(_connection, transaction) { Timeout = 0 };
        // North's commands before the file (an atomic file's checks and SETs, in its transaction) go first, in the same round trip.
        var sets = run.WaitingCommands ?? [];
        run.WaitingCommands = null;
        foreach (var set in sets)
            batch.BatchCommands.Add(set);
        foreach (var part in statement.Parts)
            batch.BatchCommands.Add(new NpgsqlBatchCommand(part.Text));
        long started;
        for (int attempt = 1; ; attempt++)
        {
            if (index is { Kind: Contention.ConcurrentIndexKind.Create })
            {
                var exists = await CheckBeforeBuildAsync(statement, index, run, attempt > 1 && indexExisted == false, cancel);
                indexExisted ??= exists;
            }
            _current = statement;
            run.StatementStarted = DateTimeOffset.UtcNow;
            started = Stopwatch.GetTimestamp();
            PostgresException failure;
            try
            {
                await batch.ExecuteNonQueryAsync(cancel);
                break;
            }
            catch (PostgresException e) when (FailedIndex(batch, e) is var at && at >= 0 && at < sets.Count)
            {
                throw AtEnd(run.Path, null, e, batch.BatchCommands[at].CommandText + " (North's, before the file)");
            }
            catch (PostgresException e) when (_atomic && e.SqlState is PostgresErrorCodes.ActiveSqlTransaction
                or PostgresErrorCodes.InvalidTransactionTermination or UnsafeNewEnumValueUsage)
            {
                throw NeedsAutocommit(FailedPart(statement, batch, sets.Count, e), e);
            }
            catch (PostgresException e)
            {
                failure = e;
            }
            var failed = FailedPart(statement, batch, sets.Count, failure);
            if (!Contention.LockRetryPolicy.IsLockFailure(failure.SqlState) || run.Mode != TransactionMode.None || transaction is not null)
                throw Located(failed, failure);
            var policy = run.Options.LockRetries;
            if (run.InOwnBlock || !await RanAloneAsync(cancel))
            {
                run.GaveUp = "not retried: the statement ran inside the file's own transaction block, whose earlier statements a retry of it alone would lose";
                throw Located(failed, failure);
            }
            var retries = new Contention.LockRetryRunner(policy, _reporter);
            if (!retries.CanRetryAfter(attempt))
            {
                run.GaveUp = $"gave up after {attempt} attempt(s) of the statement (LockRetries {policy?.Retries ?? 0}); the statements before it stay done";
                throw Located(failed, failure);
            }
            run.Attempts.StatementRetries++;
            await retries.WaitBeforeAsync(attempt + 1, $"{statement.Location}: {failure.SqlState} {failure.MessageText}: the statement ran alone and was rolled back" +
                $"{(run.Statements > 0 ? "; the statements before it are done and are not run again" : "")}", cancel);
        }
        UpdateKept(statement, run, transaction);
        await FollowSessionAsync(statement, run, cancel);
        if (index is not null)
            await CheckAfterBuildAsync(statement, index, cancel);
        long rows = 0;
        var parts = batch.BatchCommands.Count - sets.Count;
        for (int i = sets.Count; i < batch.BatchCommands.Count; i++)
            if (batch.BatchCommands[i].StatementType is StatementType.Insert or StatementType.Update or StatementType.Delete or StatementType.Merge)
                rows += (long)batch.BatchCommands[i].Rows;
        var duration = Stopwatch.GetElapsedTime(started);
        var done = parts == 1 ? RowsText(batch.BatchCommands[sets.Count]) : $"{parts} statements joined with \\;, {rows} rows";
        _reporter.Verbose($"{statement.Location}: {SecretMask.InStatement(statement.FirstLine)} ({done}, {duration.TotalMilliseconds:0} ms)");
        if (_afterStatement is not null)
            await _afterStatement(new ExecutedStatement(statement, duration, _connection, transaction), cancel);
        return rows;
    }

    /// <summary>
    /// psql's automatic variables as psql sets them after connecting (over any given with the same
    /// name, as psql's SyncVariables). North is not a psql client: VERSION, VERSION_NAME and
    /// VERSION_NUM describe the server, as the psql installed beside it would.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, string>> VariablesAsync(IReadOnlyDictionary<string, string>? given, CancellationToken cancel)
    {
        if (_automatic is null)
        {
            var version = _connection.PostgreSqlVersion;
            var number = (version.Major >= 10 ? version.Major * 10000 + Math.Max(0, version.Minor) : version.Major * 10000 + Math.Max(0, version.Minor) * 100 + Math.Max(0, version.Build))
                .ToString(CultureInfo.InvariantCulture);
            var name = _connection.PostgresParameters.TryGetValue("server_version", out var v) ? v : _connection.ServerVersion;
            string full;
            await using (var command = new NpgsqlCommand("SELECT version()", _connection))
                full = (string)(await command.ExecuteScalarAsync(cancel))!;
            _automatic = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["DBNAME"] = _connection.Database,
                ["USER"] = _connection.UserName ?? "",
                ["HOST"] = _connection.Host ?? "",
                ["PORT"] = _connection.Port.ToString(CultureInfo.InvariantCulture),
                ["ENCODING"] = "UTF8",
                ["SERVER_VERSION_NAME"] = name,
                ["SERVER_VERSION_NUM"] = number,
                ["VERSION"] = full,
                ["VERSION_NAME"] = name,
                ["VERSION_NUM"] = number,
            };
        }
        if (given is null || given.Count == 0)
            return _automatic;
        var merged = new Dictionary<string, string>(given, StringComparer.Ordinal);
        foreach (var (key, value) in _automatic)
            merged[key] = value;
        return merged;
    }

    /// <summary>
    /// A statement sent by <c>\gset [prefix]</c> (exactly one row: each column sets prefix+name, a
    /// NULL unsets it, as psql) or <c>\gexec</c> (each non-null cell, row by row, left to right, is
    /// run as a statement in its turn). Values are read as the server's text, as psql reads them.
    /// </summary>
    private async Task<long> QueryAsync(SqlStatement statement, MetaCommand then, ScriptReader reader, Run run, NpgsqlTransaction? transaction, CancellationToken cancel)
    {
        _current = statement;
        _reporter.Debug($"{statement.Location}:\n{SecretMask.InStatement(statement.Text)}");
        var rows = new List<string?[]>();
        string[] names;
        long started = Stopwatch.GetTimestamp();
        // Every column as the server's text (as psql reads it), whatever its type.
        await using (var command = new NpgsqlCommand(statement.Text, _connection, transaction) { CommandTimeout = 0, AllResultTypesAreUnknown = true })
        {
            try
            {
                await using var result = await command.ExecuteReaderAsync(cancel);
                names = Enumerable.Range(0, result.FieldCount).Select(result.GetName).ToArray();
                while (await result.ReadAsync(cancel))
                {
                    var row = new string?[result.FieldCount];
                    for (int i = 0; i < row.Length; i++)
                        row[i] = result.IsDBNull(i) ? null : result.GetString(i);
                    rows.Add(row);
                    if (then.Name == "gset" && rows.Count > 1)
                        break;
                }
            }
            catch (PostgresException e) when (_atomic && e.SqlState is PostgresErrorCodes.ActiveSqlTransaction
                or PostgresErrorCodes.InvalidTransactionTermination or UnsafeNewEnumValueUsage)
            {
                throw NeedsAutocommit(statement, e);
            }
            catch (PostgresException e)
            {
                throw Located(statement, e);
            }
        }
        await FollowSessionAsync(statement, run, cancel);
        // A query in autocommit may have changed something (SELECT f() \gset): counted as kept work.
        if (transaction is null && !run.InOwnBlock)
            run.KeptBefore ??= statement;
        _reporter.Verbose($"{statement.Location}: {SecretMask.InStatement(statement.FirstLine)} \\{then.Name} ({rows.Count} rows, {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms)");
        if (then.Name == "gset")
        {
            if (rows.Count != 1)
                throw new ScriptException(then.File, then.Line, then.Column,
                    rows.Count == 0 ? "no rows returned for \\gset" : "more than one row returned for \\gset",
                    "\\gset needs exactly one row, as in psql: make the query return one (LIMIT 1, an aggregate).", ErrorIds.GsetRowCount, NorthErrorKind.InvalidData);
            var prefix = then.Arguments.Count > 0 ? then.Arguments[0] : "";
            for (int i = 0; i < names.Length; i++)
            {
                var name = prefix + names[i];
                if (name.Length == 0 || !name.All(ScriptLexer.IsVariableChar))
                    throw new ScriptException(then.File, then.Line, then.Column, $"\\gset: invalid variable name \"{name}\"",
                        "Name the column with AS a name of letters, digits and underscores.", ErrorIds.GsetRowCount, NorthErrorKind.InvalidData);
                reader.SetVariable(name, rows[0][i]);
            }
            return 0;
        }
        long changed = 0;
        foreach (var row in rows)
            foreach (var cell in row)
            {
                if (cell is null)
                    continue;
                using var cellReader = ScriptReader.FromText(cell, statement.File, new ScriptReaderOptions { Session = run.Session.ForText() });
                foreach (var item in cellReader.Read())
                {
                    if (item is not SqlStatement generated)
                        throw new ScriptException(then.File, then.Line, then.Column, $"\\gexec: a cell holds {item}, not SQL: North runs only SQL from a query's result",
                            "Make the query return SQL statements only.", ErrorIds.ScriptInvalid, NorthErrorKind.InvalidData);
                    var located = new SqlStatement(then.File, then.Line, then.Column, generated.Text, generated.FirstLine, generated.Words, false, [0, then.Line, then.Column]);
                    if (run.Mode == TransactionMode.Atomic && located.Control is not (TransactionControl.None or TransactionControl.Savepoint))
                        throw new ScriptException(then.File, then.Line, then.Column,
                            $"\\gexec produced transaction control ({located.FirstLine}) in a file North runs in one transaction of its own",
                            "Generate no BEGIN/COMMIT from the query, or write the file's own BEGIN and COMMIT.", ErrorIds.ScriptInvalid, NorthErrorKind.InvalidOperation);
                    changed += await ExecuteAsync(located, run, transaction, cancel);
                    run.Statements++;
                }
            }
        return changed;
    }

    private static bool ToStdout(IReadOnlyList<string> words)
    {
        for (int i = 1; i + 1 < words.Count; i++)
            if (words[i] == "TO" && words[i + 1] == "STDOUT")
                return true;
        return false;
    }

    /// <summary>
    /// The statement of a joined query (<c>\;</c>) the server failed on: the batch command the error
    /// names, else (Npgsql leaves it unset for ExecuteNonQuery) the first one that did not complete.
    /// </summary>
    // skip: how many of North's commands come first in the batch, before the statement's parts.
    private static SqlStatement FailedPart(SqlStatement statement, NpgsqlBatch batch, int skip, PostgresException e)
    {
        if (statement.Joined is null)
            return statement;
        int index = FailedIndex(batch, e) - skip;
        return index >= 0 && index < statement.Parts.Count ? statement.Parts[index] : statement;
    }

    /// <summary>The batch command the server failed on (see <see cref="FailedPart"/>); -1 when none is known.</summary>
    private static int FailedIndex(NpgsqlBatch batch, PostgresException e)
    {
        if (e.BatchCommand is { } named && batch.BatchCommands.IndexOf(named) is var at and >= 0)
            return at;
        for (int i = 0; i < batch.BatchCommands.Count; i++)
            if (batch.BatchCommands[i].StatementType == StatementType.Unknown)
                return i;
        return -1;
    }

    /// <summary>What a statement that succeeded leaves kept: autocommit work, or a COMMIT of the file's own.</summary>
    private static void UpdateKept(SqlStatement statement, Run run, NpgsqlTransaction? transaction)
    {
        if (statement.Joined is not null)
        {
            foreach (var part in statement.Parts)
                UpdateKept(part, run, transaction);
            return;
        }
        if (transaction is not null)
            return; // North's own transaction: nothing is kept before its COMMIT.
        switch (statement.Control)
        {
            case TransactionControl.Begin or TransactionControl.BeginWithOptions:
                run.InOwnBlock = true;
                break;
            case TransactionControl.Commit:
                run.InOwnBlock = false;
                run.KeptBefore ??= statement;
                break;
            case TransactionControl.Rollback:
                run.InOwnBlock = false;
                break;
            case TransactionControl.Other:
                run.InOwnBlock = false;
                run.KeptBefore ??= statement;
                break;
            default:
                // A session SET is not work: running the file again sets it again.
                if (!run.InOwnBlock && statement.Keyword is not ("SET" or "RESET" or "SHOW" or ""))
                    run.KeptBefore ??= statement;
                break;
        }
    }

    /// <summary>
    /// Asks the server whether the failed statement ran alone, outside any transaction block: only there
    /// does SAVEPOINT fail with 25P01 (no transaction block); in an aborted block it fails with 25P02.
    /// </summary>
    private async Task<bool> RanAloneAsync(CancellationToken cancel)
    {
        try
        {
            await RawAsync("SAVEPOINT north_probe", cancel);
        }
        catch (PostgresException e)
        {
            return e.SqlState == PostgresErrorCodes.NoActiveSqlTransaction;
        }
        // An open block (never after an error, but the server said so): leave it as it was.
        await RawAsync("RELEASE SAVEPOINT north_probe", cancel);
        return false;
    }

    /// <summary>
    /// <c>COPY ... TO STDOUT</c>: psql prints the rows; North drains them to the verbose stream
    /// (a file's output is not its result) and counts them. No row is changed.
    /// </summary>
    private async Task<long> CopyOutAsync(SqlStatement statement, CancellationToken cancel)
    {
        _current = statement;
        _reporter.Debug($"{statement.Location}:\n{SecretMask.InStatement(statement.Text)}");
        long started = Stopwatch.GetTimestamp();
        long rows = 0;
        try
        {
            using var reader = await _connection.BeginTextExportAsync(statement.Text, cancel);
            while (await reader.ReadLineAsync(cancel) is { } line)
            {
                rows++;
                _reporter.Verbose($"{statement.Location}: {line}");
            }
        }
        catch (PostgresException e)
        {
            throw Located(statement, e);
        }
        _reporter.Verbose($"{statement.Location}: {SecretMask.InStatement(statement.FirstLine)} ({rows} rows out, {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms)");
        return 0;
    }

    /// <summary>
    /// Before a CREATE INDEX CONCURRENTLY: an INVALID index of its name, left by an earlier failure, is an
    /// error (IF NOT EXISTS would skip it), unless RebuildInvalidIndexes or it is this very statement's
    /// (an attempt cancelled by a lock timeout left it): then it is dropped concurrently first. Returns whether the index exists.
    /// </summary>
    private async Task<bool> CheckBeforeBuildAsync(SqlStatement statement, Contention.ConcurrentIndex index, Run run, bool leftByThisStatement, CancellationToken cancel)
    {
        var found = await index.ReadAsync(_connection, cancel);
        foreach (var invalid in found.Where(i => !i.Valid))
        {
            if (!run.Options.RebuildInvalidIndexes && !leftByThisStatement)
                throw InvalidIndex(statement, invalid,
                    $"the index {invalid.QualifiedName} exists and is INVALID (left by an earlier CONCURRENTLY build that failed); the statement would {(statement.ContainsKeyword("EXISTS") ? "skip it (IF NOT EXISTS)" : "fail on it")} and the file would be recorded without a usable index");
            var drop = Contention.ConcurrentIndex.DropCommand(invalid);
            _reporter.Verbose($"{statement.Location}: the INVALID index {invalid.QualifiedName} is dropped and built again ({(leftByThisStatement ? "left by this statement's attempt" : "RebuildInvalidIndexes")}): {drop}");
            try
            {
                await RawAsync(drop, cancel);
            }
            catch (PostgresException e)
            {
                throw new ScriptException(statement.File, statement.Line, statement.Column, e, drop);
            }
            return false;
        }
        return found.Count > 0;
    }

    /// <summary>After a CONCURRENTLY build or reindex: each index it names is valid and ready, or the file fails before it is recorded.</summary>
    private async Task CheckAfterBuildAsync(SqlStatement statement, Contention.ConcurrentIndex index, CancellationToken cancel)
    {
        var found = await index.ReadAsync(_connection, cancel);
        if (found.FirstOrDefault(i => !i.Valid) is { } invalid)
            throw InvalidIndex(statement, invalid, $"after the statement the index {invalid.QualifiedName} is INVALID (not usable by queries{(index.Kind == Contention.ConcurrentIndexKind.Create ? ", and no constraint" : "")})");
        if (found.Count > 0)
            _reporter.Verbose($"{statement.Location}: {string.Join(", ", found.Select(i => i.QualifiedName))} valid and ready.");
    }

    private static ScriptException InvalidIndex(SqlStatement statement, Contention.IndexState invalid, string problem) =>
        new(statement.File, statement.Line, statement.Column, $"{problem}; the file is not recorded. In: {SecretMask.InStatement(statement.FirstLine)}",
            $"Run {Contention.ConcurrentIndex.DropCommand(invalid)}; then fix what made the build fail (duplicate values for a unique index) and run again. " +
            "Or set RebuildInvalidIndexes (NORTH_REBUILD_INVALID_INDEXES, north.json, -RebuildInvalidIndexes) so North drops it and builds it again.",
            ErrorIds.InvalidIndex, Errors.NorthErrorKind.InvalidData);

    private async Task<long> CopyAsync(CopyFromStdin copy, CancellationToken cancel)
    {
        var statement = copy.Statement;
        _current = statement;
        _reporter.Debug($"{statement.Location}:\n{SecretMask.InStatement(statement.Text)}");
        long started = Stopwatch.GetTimestamp();
        if (copy.BinaryData is { } open)
            return await CopyBinaryAsync(copy, open, started, cancel);
        long rows = 0;
        NpgsqlCopyTextWriter writer;
        try
        {
            writer = await _connection.BeginTextImportAsync(statement.Text, cancel);
        }
        catch (PostgresException e)
        {
            throw Located(statement, e);
        }
        await CompleteCopyAsync(copy, async () =>
        {
            // Npgsql's writer always encodes UTF-8: a byte-transparent session's data goes as the bytes its text holds.
            await using var bytes = _byteTransparent ? new StreamWriter(writer.BaseStream, EscapedUtf8Encoding.Instance, 64 * 1024, leaveOpen: true) : null;
            TextWriter target = (TextWriter?)bytes ?? writer;
            foreach (var line in copy.ReadDataLines())
            {
                target.Write(line);
                target.Write('\n');
                rows++;
            }
            if (bytes is not null)
                await bytes.FlushAsync(cancel);
        }, writer.CancelAsync, writer.DisposeAsync);
        _reporter.Verbose($"{statement.Location}: {SecretMask.InStatement(statement.FirstLine)} ({rows} rows, {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms)");
        return rows;
    }

    /// <summary>
    /// Sends a COPY's data with <paramref name="send"/>, then completes the COPY with <paramref name="complete"/>
    /// (the server's verdict comes there, located at the data's line); a failure while sending cancels it.
    /// </summary>
    private static async Task CompleteCopyAsync(CopyFromStdin copy, Func<Task> send, Func<Task> cancelCopy, Func<ValueTask> complete)
    {
        try
        {
            await send();
        }
        catch (Exception)
        {
            await QuietlyAsync(cancelCopy);
            await QuietlyAsync(() => complete().AsTask());
            throw;
        }
        try
        {
            await complete();
        }
        catch (PostgresException e)
        {
            throw LocatedCopy(copy, e);
        }
    }

    /// <summary>A binary <c>\copy ... from 'file'</c>: the file's bytes, streamed as psql sends them (rows are not counted).</summary>
    private async Task<long> CopyBinaryAsync(CopyFromStdin copy, Func<Stream> open, long started, CancellationToken cancel)
    {
        var statement = copy.Statement;
        long bytes = 0;
        await using var source = open();
        NpgsqlRawCopyStream target;
        try
        {
            target = await _connection.BeginRawBinaryCopyAsync(statement.Text, cancel);
        }
        catch (PostgresException e)
        {
            throw Located(statement, e);
        }
        await CompleteCopyAsync(copy, async () =>
        {
            var buffer = new byte[64 * 1024];
            for (int read; (read = await source.ReadAsync(buffer, cancel)) > 0; bytes += read)
                await target.WriteAsync(buffer.AsMemory(0, read), cancel);
        }, target.CancelAsync, target.DisposeAsync);
        _reporter.Verbose($"{statement.Location}: {SecretMask.InStatement(statement.FirstLine)} ({bytes} bytes, {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms)");
        return 0;
    }

    private void Meta(MetaCommand meta)
    {
        switch (meta.Name)
        {
            case "echo":
            case "qecho":
                _reporter.Information(string.Join(" ", meta.Arguments.SkipWhile((a, i) => i == 0 && a == "-n")));
                break;
            case "warn":
                _reporter.Warning($"{meta.Location}: {string.Join(" ", meta.Arguments)}");
                break;
            default:
                _reporter.Verbose($"{meta.Location}: {meta}");
                break;
        }
    }

    private async Task ApplyTimeoutsAsync(string path, ExecutionOptions options, CancellationToken cancel) =>
        await SendBeforeFileAsync(path, TimeoutCommands(options), cancel);

    /// <summary>North's timeouts for a file (none when neither is set).</summary>
    private static List<NpgsqlBatchCommand> TimeoutCommands(ExecutionOptions options)
    {
        var commands = new List<NpgsqlBatchCommand>(2);
        if (options.LockTimeout is TimeSpan lockTimeout)
            commands.Add(new NpgsqlBatchCommand($"SET lock_timeout = {Milliseconds(lockTimeout)}"));
        if (options.StatementTimeout is TimeSpan statementTimeout)
            commands.Add(new NpgsqlBatchCommand($"SET statement_timeout = {Milliseconds(statementTimeout)}"));
        return commands;
    }

    /// <summary>North's commands still waiting for the file's first statement, sent alone (before anything else goes).</summary>
    private async Task SendWaitingCommandsAsync(Run run, CancellationToken cancel)
    {
        if (run.WaitingCommands is not { } sets)
            return;
        run.WaitingCommands = null;
        await SendBeforeFileAsync(run.Path, sets, cancel);
    }

    private async Task SendBeforeFileAsync(string path, List<NpgsqlBatchCommand> sets, CancellationToken cancel)
    {
        if (sets.Count == 0)
            return;
        await using var batch = new NpgsqlBatch(_connection);
        sets.ForEach(batch.BatchCommands.Add);
        try
        {
            await batch.ExecuteNonQueryAsync(cancel);
        }
        catch (PostgresException e)
        {
            throw AtEnd(path, null, e, (e.BatchCommand?.CommandText ?? "SET") + " (North's, before the file)");
        }
    }

    /// <summary>
    /// DISCARD ALL, so one file's SET cannot leak into the next. It fails inside a transaction:
    /// then the file left one open (or failed inside it); it is rolled back, as psql's exit would.
    /// </summary>
    private async Task ResetSessionAsync(string path, ScriptItem? lastItem, CancellationToken cancel)
    {
        if (_connection.State != System.Data.ConnectionState.Open)
            return;
        try
        {
            await RawAsync("DISCARD ALL", cancel);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.ActiveSqlTransaction or PostgresErrorCodes.InFailedSqlTransaction)
        {
            try
            {
                await RawAsync("ROLLBACK", cancel);
                await RawAsync("DISCARD ALL", cancel);
            }
            catch (PostgresException again)
            {
                throw AtEnd(path, lastItem, again, "DISCARD ALL (North's, after the file)");
            }
            if (lastItem is not null)
                throw new ScriptException(path, lastItem.Line, lastItem.Column,
                    "the file ends inside a transaction it opened (BEGIN without COMMIT); North rolled that transaction back",
                    "End the file's transaction with COMMIT.");
        }
        catch (PostgresException e)
        {
            throw AtEnd(path, lastItem, e, "DISCARD ALL (North's, after the file)");
        }
    }

    /// <summary>
    /// The history insert (when given), COMMIT and DISCARD ALL in one round trip. DISCARD ALL refuses to run in a transaction block,
    /// explicit or implicit; in the extended protocol's pipeline it runs after the COMMIT has
    /// ended the transaction, as the first statement of a new one, which PostgreSQL accepts.
    /// If the COMMIT fails (a deferred constraint), the server skips the DISCARD ALL and the caller
    /// rolls back and resets as for any other failure.
    /// </summary>
    private async Task CommitAndResetAsync(Run run, IReadOnlyList<NpgsqlBatchCommand>? record, CancellationToken cancel)
    {
        // The file's waiting statements first (see ScriptExecutor.Deferred.cs): then the whole file is this one round trip.
        await using var batch = new NpgsqlBatch(_connection) { Timeout = run.Deferred.Count > 0 ? 0 : _connection.CommandTimeout };
        var sent = AddDeferred(batch, run);
        // The history row (and what travels with it), in the file's transaction; if one fails, the server skips the rest.
        foreach (var command in record ?? [])
            batch.BatchCommands.Add(command);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("DISCARD ALL"));
        await SendAsync(batch, sent, run, (e, at) =>
        {
            var failed = at >= 0 ? batch.BatchCommands[at] : e.BatchCommand;
            var what = record is not null && failed is not null && record.Contains(failed)
                ? "the history insert (North's, in the file's transaction)"
                : failed?.CommandText == "DISCARD ALL" ? "DISCARD ALL (North's, after the file)" : "COMMIT (North's, ending the file's transaction)";
            return AtEnd(run.Path, run.LastItem, e, what);
        }, cancel);
    }

    /// <summary>
    /// A server failure of North's own work around a file (its SETs, the COMMIT, the history
    /// insert, the reset): the file's failure all the same, placed at its last statement.
    /// </summary>
    private static ScriptException AtEnd(string path, ScriptItem? lastItem, PostgresException e, string what)
    {
        var (file, line, column) = lastItem is null ? (path, 1, 1) : (lastItem.File, lastItem.Line, lastItem.Column);
        // The file is the target even when its last statement came from an included file.
        return new ScriptException(path, lastItem is not null && file == path ? line : 1, lastItem is not null && file == path ? column : 1, e, what);
    }

    private async Task RawAsync(string sql, CancellationToken cancel)
    {
        await using var batch = new NpgsqlBatch(_connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(sql));
        await batch.ExecuteNonQueryAsync(cancel);
    }

    private void OnNotice(object sender, NpgsqlNoticeEventArgs args)
    {
        var notice = args.Notice;
        string where = "";
        if ((_current as SqlStatement ?? InFlightStatement()) is { } statement)
        {
            var (line, column) = notice.Position > 0 ? statement.MapPosition(notice.Position) : (statement.Line, statement.Column);
            where = $"{statement.File}:{line}:{column}: ";
        }
        var text = $"{where}{notice.Severity}: {notice.MessageText}" + (string.IsNullOrEmpty(notice.Hint) ? "" : $" (HINT: {notice.Hint})");
        if (notice.InvariantSeverity is "WARNING")
            _reporter.Warning(text);
        else
            _reporter.Information(text);
    }

    private static ScriptException Located(SqlStatement statement, PostgresException e)
    {
        var (line, column) = e.Position > 0 ? statement.MapPosition(e.Position) : (statement.Line, statement.Column);
        return new ScriptException(statement.File, line, column, e, statement.FirstLine);
    }

    /// <summary>
    /// A statement PostgreSQL refuses in the one transaction an atomic file runs in. North stops
    /// rather than run the file again in autocommit: the plan said Atomic, and a rerun would lose
    /// the all-or-nothing the DBA may count on; nothing of the file was kept, so the fix is safe.
    /// </summary>
    private static ScriptException NeedsAutocommit(SqlStatement statement, PostgresException e)
    {
        var (line, column) = e.Position > 0 ? statement.MapPosition(e.Position) : (statement.Line, statement.Column);
        var words = string.Join(' ', statement.Words.Take(statement.Keyword is "ALTER" or "CREATE" or "DROP" ? 2 : 1));
        return new ScriptException(statement.File, line, column, e, statement.FirstLine, ErrorIds.AutocommitRequired,
            "North ran this file in one transaction (it has no non-transactional keyword), and PostgreSQL refuses this there, as psql's autocommit would not; nothing of the file was kept or recorded",
            $"Add '{words}' to NonTransactionalKeywords (north.json, NORTH_NON_TRANSACTIONAL_KEYWORDS) so such files run statement by statement in autocommit as psql runs them, or move the statement into a file of its own that holds such a keyword.");
    }

    /// <summary>
    /// A COPY error names its data line ("COPY t, line 5"): point at that line in the file, or, for a
    /// <c>\copy</c> from a data file, at the <c>\copy</c>, naming the data file and its line.
    /// </summary>
    private static ScriptException LocatedCopy(CopyFromStdin copy, PostgresException e)
    {
        var m = CopyLine().Match(e.Where ?? "");
        if (m.Success && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var dataLine))
            return copy.DataFile is { } data
                ? new ScriptException(copy.File, copy.Line, copy.Column, e, $"{copy.Statement.FirstLine} (data file '{data}', line {dataLine})")
                : new ScriptException(copy.File, copy.DataLine + dataLine - 1, 1, e, copy.Statement.FirstLine);
        return Located(copy.Statement, e);
    }

    [GeneratedRegex(@"COPY [^,]+, line (\d+)")]
    private static partial Regex CopyLine();

    private static string RowsText(NpgsqlBatchCommand command) => command.StatementType switch
    {
        StatementType.Insert or StatementType.Update or StatementType.Delete or StatementType.Merge or StatementType.Select
            or StatementType.Copy or StatementType.Move or StatementType.Fetch => $"{command.Rows} rows",
        _ => "done",
    };

    private static string Milliseconds(TimeSpan span) => ((long)span.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    private static async Task QuietlyAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception)
        {
            // Already failing: the first error is the one worth reporting.
        }
    }

    /// <summary>Executions of one file: whole-file attempts, plus statements run again alone.</summary>
    private sealed class AttemptCount
    {
        public int File { get; set; } = 1;
        public int StatementRetries { get; set; }
        public int Total => File + StatementRetries;
    }

    private sealed class Run(TransactionMode mode, ScriptClassification classification, ExecutionOptions options, AttemptCount attempts)
    {
        public TransactionMode Mode { get; } = mode;
        public ScriptClassification Classification { get; } = classification;
        public ExecutionOptions Options { get; } = options;
        public AttemptCount Attempts { get; } = attempts;

        /// <summary>The file run (North's own failures around it are placed there).</summary>
        public required string Path { get; init; }

        /// <summary>The session settings the file's reading follows, updated from the server after each statement.</summary>
        public ReadingSession Session { get; set; } = null!;

        /// <summary>The file's own transaction block is open (it ran BEGIN and not yet COMMIT or ROLLBACK); not North's.</summary>
        public bool InOwnBlock { get; set; }

        /// <summary>The first statement of this attempt whose work was committed (autocommit, or a COMMIT of the file's); null: nothing kept yet.</summary>
        public SqlStatement? KeptBefore { get; set; }

        /// <summary>Set when a statement's own retries ran out or could not be tried: the file is not retried whole.</summary>
        public string? GaveUp { get; set; }

        /// <summary>When the last statement started (the blockers named are those seen since).</summary>
        public DateTimeOffset StatementStarted { get; set; } = DateTimeOffset.UtcNow;
        public long Rows { get; set; }
        public int Statements { get; set; }
        public List<IReadOnlyList<long>> Blocks { get; } = new();
        public ScriptItem? LastItem { get; set; }

        /// <summary>This attempt sends its plain statements together (see ScriptExecutor.Deferred.cs).</summary>
        public bool Defers { get; set; }

        /// <summary>Plain statements read and not yet sent.</summary>
        public List<SqlStatement> Deferred { get; } = new();

        /// <summary>North's commands before an atomic file (its checks, its SETs), sent with its first statement, in its transaction; alone, first, when something else goes first.</summary>
        public List<NpgsqlBatchCommand>? WaitingCommands { get; set; }
    }
}
