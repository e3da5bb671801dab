using North.Core.Contention;
using North.Core.Errors;
using North.Core.Execution;
using North.Core.Tests.Infrastructure;
using North.Core.Tests.Sql;
using Npgsql;

namespace North.Core.Tests.Contention;

/// <summary>
/// The executor's retries against a real lock: another session holds it idle in its transaction (no
/// snapshot, so a CONCURRENTLY build elsewhere does not wait for it), for a short while or for good.
/// </summary>
public class LockRetryExecutionTests
{
    private static readonly LockRetryPolicy Quick = new(10, TimeSpan.FromMilliseconds(100));

    private static ExecutionOptions Options(LockRetryPolicy? retries) => new()
    {
        Manual = false,
        LockTimeout = TimeSpan.FromMilliseconds(300),
        LockRetries = retries,
    };

    /// <summary>A session that holds <paramref name="lockSql"/> until disposed, or for <paramref name="hold"/>.</summary>
    private static async Task<NpgsqlConnection> HoldAsync(TestDatabase db, string lockSql, TimeSpan? hold = null)
    {
        var holder = await db.OpenAsync();
        await using (var command = new NpgsqlCommand("BEGIN; " + lockSql, holder))
            await command.ExecuteNonQueryAsync();
        if (hold is TimeSpan span)
            _ = Task.Delay(span).ContinueWith(_ => holder.Close(), TaskScheduler.Default);
        return holder;
    }

    [Fact]
    public async Task ANonTransactionalFileRunsOnlyItsFailingStatementAgain()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync("CREATE TABLE t1 (x int); CREATE TABLE t2 (x int); CREATE TABLE runs (n int)");
        using var folder = new ScriptFolder();
        var file = folder.Write("f.sql", "INSERT INTO runs VALUES (1);\nCREATE INDEX CONCURRENTLY i1 ON t1 (x);\nCREATE INDEX CONCURRENTLY i2 ON t2 (x);\n");
        await using var holder = await HoldAsync(db, "LOCK TABLE t2 IN SHARE MODE", TimeSpan.FromSeconds(1.5));
        await using var connection = await db.OpenAsync();

        var result = await new ScriptExecutor(connection).ExecuteFileAsync(file, Options(Quick));

        Assert.True(result.Attempts >= 2, $"{result.Attempts} attempt(s)");
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM runs"));
        Assert.Equal(2L, await db.ScalarAsync("SELECT count(*) FROM pg_index WHERE indexrelid IN ('i1'::regclass, 'i2'::regclass) AND indisvalid"));
    }

    [Fact]
    public async Task AStatementInsideANonTransactionalFilesOwnBlockIsNotRetriedAlone()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync("CREATE TABLE t1 (x int); CREATE TABLE t2 (x int); CREATE TABLE runs (n int)");
        using var folder = new ScriptFolder();
        var file = folder.Write("f.sql", "VACUUM t1;\nBEGIN;\nINSERT INTO runs VALUES (1);\nLOCK TABLE t2 IN ACCESS EXCLUSIVE MODE;\nCOMMIT;\n");
        await using var holder = await HoldAsync(db, "LOCK TABLE t2 IN ACCESS SHARE MODE");
        await using var connection = await db.OpenAsync();

        var e = await Assert.ThrowsAsync<LockWaitException>(() => new ScriptExecutor(connection).ExecuteFileAsync(file, Options(Quick)));

        Assert.Equal(ErrorIds.LockWaitFailed, e.ErrorId);
        Assert.Equal(("55P03", 4), (e.SqlState, e.Line));
        Assert.Contains("not retried: the statement ran inside the file's own transaction block", e.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM runs"));
    }

    [Fact]
    public async Task WithoutRetriesAnAtomicFileFailsAtOnceNamingNoBlockerWhenNoneWasWatched()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync("CREATE TABLE busy (x int)");
        using var folder = new ScriptFolder();
        var file = folder.Write("f.sql", "ALTER TABLE busy ADD COLUMN y int;\n");
        await using var holder = await HoldAsync(db, "LOCK TABLE busy IN ACCESS SHARE MODE");
        await using var connection = await db.OpenAsync();

        var e = await Assert.ThrowsAsync<LockWaitException>(() => new ScriptExecutor(connection).ExecuteFileAsync(file, Options(new LockRetryPolicy(0, TimeSpan.Zero))));

        Assert.Contains("gave up after 1 attempt(s) (LockRetries 0)", e.Message, StringComparison.Ordinal);
        Assert.Contains("No blocking session was seen", e.Message, StringComparison.Ordinal);
        Assert.Empty(e.Blockers);
    }

    [Fact]
    public async Task AnAtomicFileRunsAgainWholeAndNamesTheBlockersItWasGivenWhenItGivesUp()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync("CREATE TABLE busy (x int); CREATE TABLE runs (n int)");
        using var folder = new ScriptFolder();
        var file = folder.Write("f.sql", "INSERT INTO runs VALUES (1);\nALTER TABLE busy ADD COLUMN y int;\n");
        await using var holder = await HoldAsync(db, "LOCK TABLE busy IN ACCESS SHARE MODE");
        await using var connection = await db.OpenAsync();
        var seen = new DatabaseSession(holder.ProcessID, "postgres", "holder", null, "idle in transaction", TimeSpan.FromSeconds(3), "LOCK TABLE busy IN ACCESS SHARE MODE");
        var options = Options(new LockRetryPolicy(2, TimeSpan.FromMilliseconds(50))) with { BlockersSince = _ => [seen] };

        var e = await Assert.ThrowsAsync<LockWaitException>(() => new ScriptExecutor(connection).ExecuteFileAsync(file, options));

        Assert.Contains("gave up after 3 attempt(s) (LockRetries 2)", e.Message, StringComparison.Ordinal);
        Assert.Contains($"Blocked by pid {holder.ProcessID} (user postgres, application 'holder', client local, idle in transaction, transaction 3 s old): LOCK TABLE busy", e.Message, StringComparison.Ordinal);
        Assert.Contains($"SELECT pg_cancel_backend({holder.ProcessID})", e.RecommendedAction, StringComparison.Ordinal);
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM runs"));
    }

    [Fact]
    public async Task AReindexThatSkipsAnInvalidIndexFailsNamingIt()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync("CREATE TABLE u (x int); INSERT INTO u VALUES (1), (1)");
        await using (var connection = await db.OpenAsync())
        {
            // A unique build on duplicates fails and leaves u_x INVALID.
            await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand("CREATE UNIQUE INDEX CONCURRENTLY u_x ON u (x)", connection).ExecuteNonQueryAsync());
        }
        using var folder = new ScriptFolder();
        var file = folder.Write("f.sql", "REINDEX TABLE CONCURRENTLY u;\n");
        await using var script = await db.OpenAsync();

        var e = await Assert.ThrowsAsync<ScriptException>(() => new ScriptExecutor(script).ExecuteFileAsync(file, Options(Quick)));

        Assert.Equal(ErrorIds.InvalidIndex, e.ErrorId);
        Assert.Contains("after the statement the index public.u_x is INVALID", e.Message, StringComparison.Ordinal);
        Assert.Contains("DROP INDEX CONCURRENTLY IF EXISTS public.u_x", e.RecommendedAction, StringComparison.Ordinal);
    }
}
