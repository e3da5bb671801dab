using North.Core.Connections;
using North.Core.Sql;
using Npgsql;

namespace North.Core.Execution;

/// <summary>
/// An atomic file's plain statements, sent together. Each round trip costs the client a thread
/// hop and the server a wake-up, more than most migration statements cost to run: a file that
/// reads alike in every session (<see cref="ReadingSession.FileReadsAlike"/>) needs no answer
/// from the server before its next statement is read, so its statements wait and go in one
/// batch, with North's checks before them and, at the file's end, its history row, COMMIT and
/// DISCARD ALL after them: one round trip for the whole file. The server runs them in order and
/// skips the rest at the first failure, which is placed at its statement as if each had gone
/// alone. With -Verbose each statement goes alone, so that each line's time is its own.
/// </summary>
public sealed partial class ScriptExecutor
{
    // The batch in flight and what it holds: a notice is placed at the statement the server was running.
    private (NpgsqlBatch Batch, DeferredBatch Sent)? _inFlight;

    /// <summary>Whether a file's statements may wait for the next round trip (decided once per attempt).</summary>
    private bool Defers(string path, Run run, ScriptReaderOptions readerOptions) =>
        run.Mode == TransactionMode.Atomic
        && _afterStatement is null
        && !_reporter.WritesVerbose
        && (readerOptions.Variables?.Values.All(ReadingSession.TextReadsAlike) ?? true)
        && ReadingSession.FileReadsAlike(path);

    /// <summary>
    /// A plain statement that needs nothing of the server before the next one is read. Its text
    /// reads alike already: it comes from the file and the variables <see cref="Defers"/> checked.
    /// </summary>
    private bool Deferrable(SqlStatement statement, Run run) =>
        !(statement.Keyword == "COPY" && ToStdout(statement.Words))
        && !(_atomic && !run.InOwnBlock && OnlyInTransactionBlock(statement) is not null)
        && !NamesClientEncoding(statement);

    /// <summary>Sends the waiting statements (none: nothing is sent) and follows the session after them.</summary>
    private async Task FlushAsync(Run run, CancellationToken cancel)
    {
        if (run.Deferred.Count == 0)
            return;
        await using var batch = new NpgsqlBatch(_connection) { Timeout = 0 };
        var sent = AddDeferred(batch, run);
        await SendAsync(batch, sent, run, null, cancel);
        await FollowSessionAsync(sent.Parts[^1].Statement, run, cancel);
    }

    /// <summary>Puts North's waiting commands and the waiting statements in <paramref name="batch"/>, and takes them from the run.</summary>
    private DeferredBatch AddDeferred(NpgsqlBatch batch, Run run)
    {
        var waiting = run.WaitingCommands ?? [];
        run.WaitingCommands = null;
        waiting.ForEach(batch.BatchCommands.Add);
        var parts = new List<(SqlStatement Statement, SqlStatement Part)>();
        foreach (var statement in run.Deferred)
        {
            _reporter.Debug($"{statement.Location}:\n{SecretMask.InStatement(statement.Text)}");
            foreach (var part in statement.Parts)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(part.Text));
                parts.Add((statement, part));
            }
        }
        run.Deferred.Clear();
        return new DeferredBatch(waiting.Count, parts);
    }

    /// <summary>
    /// Runs the batch (without <paramref name="after"/>, it holds statements). A failure of one of its statements is that statement's, at its line; of
    /// North's commands before them, the file's, "(North's, before the file)"; of the commands
    /// after them, <paramref name="after"/>'s to place.
    /// </summary>
    private async Task SendAsync(NpgsqlBatch batch, DeferredBatch sent, Run run, Func<PostgresException, int, Exception>? after, CancellationToken cancel)
    {
        run.StatementStarted = DateTimeOffset.UtcNow;
        _current = null;
        _inFlight = (batch, sent);
        try
        {
            await batch.ExecuteNonQueryAsync(cancel);
        }
        catch (PostgresException e)
        {
            int at = FailedIndex(batch, e);
            if (at >= 0 && at < sent.Waiting)
                throw AtEnd(run.Path, null, e, batch.BatchCommands[at].CommandText + " (North's, before the file)");
            // Past the statements (or unknown): North's commands after them, when there are any; else the last statement.
            var index = at - sent.Waiting;
            if ((index < 0 || index >= sent.Parts.Count) && after is not null)
                throw after(e, at);
            var (statement, part) = sent.Parts[index >= 0 && index < sent.Parts.Count ? index : sent.Parts.Count - 1];
            var failed = statement.Joined is null ? statement : part;
            if (_atomic && e.SqlState is PostgresErrorCodes.ActiveSqlTransaction or PostgresErrorCodes.InvalidTransactionTermination or UnsafeNewEnumValueUsage)
                throw NeedsAutocommit(failed, e);
            throw Located(failed, e);
        }
        finally
        {
            _inFlight = null;
        }
        SqlStatement? last = null;
        for (int i = 0; i < sent.Parts.Count; i++)
        {
            var command = batch.BatchCommands[sent.Waiting + i];
            if (command.StatementType is StatementType.Insert or StatementType.Update or StatementType.Delete or StatementType.Merge)
                run.Rows += (long)command.Rows;
            if (!ReferenceEquals(sent.Parts[i].Statement, last))
                run.Statements++;
            last = sent.Parts[i].Statement;
        }
    }

    /// <summary>The statement part the server is running while a batch is in flight (the first not yet complete).</summary>
    private SqlStatement? InFlightStatement()
    {
        if (_inFlight is not var (batch, sent))
            return null;
        for (int i = 0; i < sent.Parts.Count; i++)
            if (batch.BatchCommands[sent.Waiting + i].StatementType == StatementType.Unknown)
                return sent.Parts[i].Part;
        return null;
    }

    /// <param name="Waiting">How many of North's commands come first.</param>
    /// <param name="Parts">Then each statement's parts (one, or those joined with <c>\;</c>), in order.</param>
    private sealed record DeferredBatch(int Waiting, List<(SqlStatement Statement, SqlStatement Part)> Parts);
}
