using North.Core.Errors;
using North.Core.Execution;
using North.Core.Sql;
using North.Core.Tests.Infrastructure;
using North.Core.Tests.Sql;
using Npgsql;

namespace North.Core.Tests.Execution;

public class ScriptExecutorTests
{
    private const string History = "CREATE TABLE history (name text PRIMARY KEY)";

    // The history insert as the migrator hands it over: a command that travels with the file's COMMIT.
    internal static ExecutionOptions Record(string name) => new()
    {
        RecordCommands = () => [new NpgsqlBatchCommand("INSERT INTO history (name) VALUES ($1)") { Parameters = { new NpgsqlParameter { Value = name } } }],
    };

    [Fact]
    public async Task AFailingFifthStatementLeavesNoTraceAndNoHistoryRow()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync(History);
        using var folder = new ScriptFolder();
        var file = folder.Write("1.0-fail-ddl.sql",
            "CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\nCREATE TABLE b (id int);\nINSERT INTO b VALUES (2);\nSELECT a.id\n    FROM a, missing;\n");
        await using var connection = await db.OpenAsync();
        var executor = new ScriptExecutor(connection);

        var e = await Assert.ThrowsAsync<ScriptException>(() => executor.ExecuteFileAsync(file, Record("f"), default));

        Assert.Equal("42P01", e.SqlState);
        Assert.Equal((6, 13), (e.Line, e.Column));
        Assert.Equal("SELECT a.id", e.StatementFirstLine);
        Assert.Equal("NorthScriptFailed", e.ErrorId);
        Assert.Equal(file, e.Target);
        Assert.StartsWith($"{file}:6:13: ERROR 42P01: relation \"missing\" does not exist", e.Message);
        Assert.EndsWith(" in: SELECT a.id", e.Message);
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM pg_class WHERE relname IN ('a', 'b')"));
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM history"));
        // The connection is usable for the next file.
        Assert.Equal(1, await new NpgsqlCommand("SELECT 1", connection).ExecuteScalarAsync());
    }

    [Fact]
    public async Task AnOuterBeginCommitFileAndAFailingHistoryInsertLeaveNothing()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync(History);
        await db.ExecuteAsync("INSERT INTO history VALUES ('taken')");
        using var folder = new ScriptFolder();
        var file = folder.Write("f.sql", "BEGIN;\nCREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\nCOMMIT;\n");
        await using var connection = await db.OpenAsync();
        var executor = new ScriptExecutor(connection);

        // A failing history insert is the file's failure, named as such (it once escaped as a raw PostgresException).
        var failed = await Assert.ThrowsAsync<ScriptException>(() => executor.ExecuteFileAsync(file, Record("taken"), default));
        Assert.Equal("23505", failed.SqlState);
        Assert.Equal(file, failed.Target);

        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM pg_class WHERE relname = 'a'"));
        var result = await executor.ExecuteFileAsync(file, Record("second"), default);
        Assert.Equal(TransactionMode.Atomic, result.Mode);
        Assert.Equal(2, result.StatementCount);
        Assert.Equal(1, result.RowsAffected);
        Assert.Equal(2L, await db.ScalarAsync("SELECT count(*) FROM history"));
    }

    [Fact]
    public async Task AsWrittenFilesHonourTheirOwnTransactionsAndRecordAfter()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync(History);
        using var folder = new ScriptFolder();
        var file = folder.Write("f.sql", "BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\nBEGIN;\nCREATE TABLE b (id int);\nROLLBACK;\n");
        await using var connection = await db.OpenAsync();
        var result = await new ScriptExecutor(connection).ExecuteFileAsync(file, Record("f"), default);
        Assert.Equal(TransactionMode.AsWritten, result.Mode);
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM pg_class WHERE relname IN ('a', 'b')"));
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM history"));
    }

    [Fact]
    public async Task AFileLeftInsideItsTransactionIsRolledBackAndFails()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new ScriptFolder();
        var file = folder.Write("f.sql", "SELECT 1;\nBEGIN;\nCREATE TABLE a (id int);\n");
        await using var connection = await db.OpenAsync();
        var e = await Assert.ThrowsAsync<ScriptException>(() => new ScriptExecutor(connection).ExecuteFileAsync(file, null, default));
        Assert.Contains("inside a transaction", e.Message);
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM pg_class WHERE relname = 'a'"));
    }

    [Fact]
    public async Task NonTransactionalFilesRunEachStatementInAutocommit()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync(History);
        using var folder = new ScriptFolder();
        var file = folder.Write("idx.sql",
            "CREATE TABLE t (a int);\nCREATE INDEX CONCURRENTLY t_a ON t (a);\nVACUUM t;\n");
        await using var connection = await db.OpenAsync();
        var result = await new ScriptExecutor(connection).ExecuteFileAsync(file, Record("idx"), default);
        Assert.Equal(TransactionMode.None, result.Mode);
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM pg_indexes WHERE indexname = 't_a'"));
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM history"));
    }

    [Fact]
    public async Task ATimeLimitPassedAfterAnIterationFinishedCountsThatIterationDone()
    {
        // The limit passes once the server has finished an iteration (here while North reports it):
        // nothing is cancelled, and the message counts what the database holds.
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync("CREATE TABLE counter (n int); INSERT INTO counter VALUES (0)");
        using var folder = new ScriptFolder();
        var file = folder.Write("manual/1.0-loop-dml.sql", "--meta-psql:do-until-0\nUPDATE counter SET n = n + 1;\n--meta-psql:done\n");
        await using var connection = await db.OpenAsync();
        var options = new ExecutionOptions { BlockTimeLimit = TimeSpan.FromMilliseconds(300), OnIteration = _ => Thread.Sleep(600) };
        var failure = await Assert.ThrowsAsync<ScriptException>(() => new ScriptExecutor(connection).ExecuteFileAsync(file, options, default));

        Assert.Equal(ErrorIds.DoUntilZeroTimeLimit, failure.ErrorId);
        var said = System.Text.RegularExpressions.Regex.Match(failure.Message, @"after iteration (\d+) \((\d+) done, last: 1 rows\); no statement was cancelled");
        Assert.True(said.Success && said.Groups[1].Value == said.Groups[2].Value, failure.Message);
        Assert.Equal(int.Parse(said.Groups[2].Value), await db.ScalarAsync("SELECT n FROM counter"));
    }

    [Fact]
    public async Task DoUntilZeroRunsUntilABatchChangesNoRowAndReportsEachIteration()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync("CREATE TABLE t (id int PRIMARY KEY, done bool NOT NULL DEFAULT false); INSERT INTO t (id) SELECT generate_series(1, 10000)");
        using var folder = new ScriptFolder();
        var file = folder.Write("manual/1.0-backfill-dml.sql",
            "\\timing\nSELECT 'before';\n--meta-psql:do-until-0\nUPDATE t SET done = true\nWHERE id IN (SELECT id FROM t WHERE NOT done LIMIT 1000);\n--meta-psql:done\nSELECT 'after';\n");
        await using var connection = await db.OpenAsync();
        var iterations = new List<BlockIteration>();
        var reporter = new RecordingReporter();
        var result = await new ScriptExecutor(connection, reporter).ExecuteFileAsync(file,
            new ExecutionOptions { OnIteration = iterations.Add }, default);

        Assert.True(result.Manual);
        Assert.Equal(11, iterations.Count);
        Assert.Equal(Enumerable.Repeat(1000L, 10).Append(0L), iterations.Select(i => i.Rows));
        Assert.Equal(Enumerable.Range(1, 11), iterations.Select(i => i.Iteration));
        Assert.Equal(Enumerable.Repeat(1000L, 10).Append(0L), Assert.Single(result.Iterations));
        Assert.Equal(10000, result.RowsAffected);
        Assert.Equal(13, result.StatementCount);
        Assert.Equal(11, reporter.Progresses.Count);
        Assert.True(reporter.Progresses[^1].Completed);
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM t WHERE NOT done"));
    }

    [Fact]
    public async Task DoUntilZeroStopsAtTheIterationCap()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync("CREATE TABLE t (n int); INSERT INTO t VALUES (1)");
        using var folder = new ScriptFolder();
        var file = folder.Write("m.sql", "--meta-psql:do-until-0\nUPDATE t SET n = n + 1;\n--meta-psql:done\n");
        await using var connection = await db.OpenAsync();
        var e = await Assert.ThrowsAsync<ScriptException>(() => new ScriptExecutor(connection).ExecuteFileAsync(file,
            new ExecutionOptions { MaxIterations = 5 }, default));
        Assert.Equal(1, e.Line);
        Assert.Contains("after 5 iteration(s)", e.Message);
        Assert.Equal(6, await db.ScalarAsync("SELECT n FROM t"));
    }

    [Fact]
    public async Task SessionSettingsDoNotLeakIntoTheNextFileAndTimeoutsApply()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new ScriptFolder();
        var first = folder.Write("a.sql", "SET search_path = nowhere;\nCREATE TEMP TABLE tmp (a int);\n");
        var second = folder.Write("b.sql", "CREATE TABLE shown AS SELECT current_setting('search_path') AS p, current_setting('lock_timeout') AS l;\n");
        await using var connection = await db.OpenAsync();
        var executor = new ScriptExecutor(connection);
        await executor.ExecuteFileAsync(first, null, default);
        await executor.ExecuteFileAsync(second, new ExecutionOptions { LockTimeout = TimeSpan.FromSeconds(3) }, default);
        Assert.Equal("\"$user\", public", await db.ScalarAsync("SELECT p FROM shown"));
        Assert.Equal("3s", await db.ScalarAsync("SELECT l FROM shown"));
        Assert.Equal("0", await new NpgsqlCommand("SHOW lock_timeout", connection).ExecuteScalarAsync());
    }

    // An atomic file's timeouts travel with its first statement (one round trip less): they hold for
    // it whatever it is, a joined statement's failing part is still named, and after the file they are gone.
    [Theory]
    [InlineData("SELECT pg_sleep(5);\n", 1, 1, "57014")]
    [InlineData("SELECT 1\\; SELECT pg_sleep(5);\n", 1, 12, "57014")]
    [InlineData("SELECT 1\\;\nSELECT 1/0;\n", 2, 1, "22012")]
    [InlineData("SELECT current_setting('statement_timeout') AS s \\gset\nSELECT 1/(:'s' = '900ms')::int;\nSELECT pg_sleep(5);\n", 3, 1, "57014")]
    [InlineData("COPY (SELECT current_setting('statement_timeout')) TO STDOUT;\nSELECT pg_sleep(5);\n", 2, 1, "57014")]
    public async Task AnAtomicFilesTimeoutsHoldFromItsFirstStatementAndAreGoneAfterIt(string text, int line, int column, string sqlState)
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync(History);
        using var folder = new ScriptFolder();
        var file = folder.Write("t.sql", text);
        await using var connection = await db.OpenAsync();
        var executor = new ScriptExecutor(connection);
        var options = new ExecutionOptions
        {
            LockTimeout = TimeSpan.FromSeconds(3),
            StatementTimeout = TimeSpan.FromMilliseconds(900),
            RecordCommands = Record("t.sql").RecordCommands,
        };
        var e = await Assert.ThrowsAsync<ScriptException>(() => executor.ExecuteFileAsync(file, options, default));
        Assert.Equal((line, column, sqlState), (e.Line, e.Column, e.SqlState));
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM history"));
        Assert.Equal("0", await new NpgsqlCommand("SHOW statement_timeout", connection).ExecuteScalarAsync());
        Assert.Equal("0", await new NpgsqlCommand("SHOW lock_timeout", connection).ExecuteScalarAsync());
        // The same file without the sleep or the error runs and is recorded, its timeouts gone after it.
        var fine = folder.Write("fine.sql", text.Replace("pg_sleep(5)", "pg_sleep(0)").Replace("1/0", "1/1"));
        var result = await executor.ExecuteFileAsync(fine, options with { RecordCommands = Record("fine.sql").RecordCommands }, default);
        Assert.Equal(TransactionMode.Atomic, result.Mode);
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM history WHERE name = 'fine.sql'"));
        Assert.Equal("0", await new NpgsqlCommand("SHOW statement_timeout", connection).ExecuteScalarAsync());
    }

    [Fact]
    public async Task NoticesEchoAndStatementsGoToTheReporterWithTheirPosition()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new ScriptFolder();
        var file = folder.Write("n.sql", "\\echo hello :v\nDO $$ BEGIN RAISE WARNING 'careful'; RAISE NOTICE 'fyi'; END $$;\n\nDROP TABLE IF EXISTS nothing_here;\n");
        await using var connection = await db.OpenAsync();
        var reporter = new RecordingReporter();
        await new ScriptExecutor(connection, reporter).ExecuteFileAsync(file,
            new ExecutionOptions { Variables = new Dictionary<string, string> { ["v"] = "world" } }, default);
        Assert.Contains("hello world", reporter.Informations);
        Assert.Contains(reporter.Warnings, w => w.StartsWith($"{file}:2:1: WARNING: careful"));
        Assert.Contains(reporter.Informations, i => i.StartsWith($"{file}:2:1: NOTICE: fyi"));
        Assert.Contains(reporter.Informations, i => i.StartsWith($"{file}:4:1: NOTICE: table \"nothing_here\" does not exist"));
        Assert.Contains(reporter.Verboses, v => v.StartsWith($"{file}:4:1: DROP TABLE IF EXISTS nothing_here;"));
        Assert.Contains(reporter.Debugs, d => d.Contains("RAISE WARNING 'careful'"));
    }

    [Fact]
    public async Task CopyDataErrorsPointAtTheDataLine()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new ScriptFolder();
        var file = folder.Write("c.sql", "CREATE TABLE t (a int);\nCOPY t (a) FROM stdin;\n1\n2\nthree\n\\.\n");
        await using var connection = await db.OpenAsync();
        var e = await Assert.ThrowsAsync<ScriptException>(() => new ScriptExecutor(connection).ExecuteFileAsync(file, null, default));
        Assert.Equal("22P02", e.SqlState);
        Assert.Equal(5, e.Line);
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM pg_class WHERE relname = 't'"));
    }

    [Theory]
    [InlineData("SELECT 'abc;\n", "unterminated quoted string")]
    [InlineData("SELECT $x$ abc;\n", "unterminated dollar-quoted string")]
    [InlineData("SELECT /* abc;\n", "unterminated /* comment")]
    [InlineData("\\.\n", "\\. outside COPY data")]
    [InlineData("COPY t FROM stdin WITH (FORMAT binary);\n1\n", "binary COPY")]
    [InlineData("\\gset\n", "\\gset with no query before it")]
    [InlineData("\\i nowhere.sql\n", "not found")]
    [InlineData("\\connect template1\n", "never switches databases")]
    public async Task MalformedFilesFailBeforeAnythingIsApplied(string tail, string problem)
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new ScriptFolder();
        var body = "CREATE TABLE t (a int);\nCOMMIT;\nCREATE TABLE u (a int);\n" + tail;
        var file = folder.Write("bad.sql", body);
        await using var connection = await db.OpenAsync();
        var e = await Assert.ThrowsAsync<ScriptSyntaxException>(() => new ScriptExecutor(connection).ExecuteFileAsync(file,
            new ExecutionOptions { WorkingDirectory = folder.Root }, default));
        Assert.Contains(problem, e.Message);
        Assert.Equal(4, e.Line);
        Assert.StartsWith($"{file}:4:", e.Message);
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM pg_class WHERE relname IN ('t', 'u')"));
    }

    [Fact]
    public async Task ConnectToTheCurrentDatabaseAndAnIncludeCycleAndInvalidUtf8()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new ScriptFolder();
        await using var connection = await db.OpenAsync();
        var executor = new ScriptExecutor(connection);

        var ok = folder.Write("ok.sql", $"\\connect {db.Name}\nCREATE TABLE t (a int);\n");
        await executor.ExecuteFileAsync(ok, null, default);
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM pg_class WHERE relname = 't'"));

        folder.Write("x.sql", "CREATE TABLE x (a int);\n\\ir y.sql\n");
        folder.Write("y.sql", "\\ir x.sql\n");
        var cycle = await Assert.ThrowsAsync<ScriptSyntaxException>(() => executor.ExecuteFileAsync(Path.Combine(folder.Root, "x.sql"), null, default));
        Assert.Contains("include cycle", cycle.Message);

        var bad = folder.WriteBytes("bad.sql", "CREATE TABLE z (a int);\nSELECT '"u8.ToArray().Concat(new byte[] { 0xFF }).Concat("';\n"u8.ToArray()).ToArray());
        var utf8 = await Assert.ThrowsAsync<ScriptSyntaxException>(() => executor.ExecuteFileAsync(bad, null, default));
        Assert.Equal(2, utf8.Line);
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM pg_class WHERE relname IN ('x', 'z')"));
    }
}
