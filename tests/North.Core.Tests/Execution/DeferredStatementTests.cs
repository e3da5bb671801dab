using North.Core.Errors;
using North.Core.Execution;
using North.Core.Sql;
using North.Core.Tests.Infrastructure;
using North.Core.Tests.Sql;
using Npgsql;

namespace North.Core.Tests.Execution;

/// <summary>
/// An atomic file that reads alike in every session sends its statements together when nobody
/// reads verbose lines (ScriptExecutor.Deferred.cs); with -Verbose each goes alone. Both ways
/// must give the same result, the same notices at the same lines, and the same failure.
/// </summary>
public class DeferredStatementTests
{
    private const string File =
        "BEGIN;\n" +
        "CREATE TABLE a (id int);\n" +
        "INSERT INTO a SELECT g FROM generate_series(1, 3) AS g;\n" +
        "DO $$ BEGIN RAISE NOTICE 'after the insert'; END $$;\n" +
        "UPDATE a SET id = id + 10 WHERE id < 3;\n" +
        "COMMIT;\n";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AFileGivesTheSameResultAndNoticesEitherWay(bool verbose)
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync("CREATE TABLE history (name text PRIMARY KEY)");
        using var folder = new ScriptFolder();
        var file = folder.Write("1.0-a-ddl.sql", File);
        await using var connection = await db.OpenAsync();
        var reporter = new RecordingReporter { WritesVerbose = verbose };

        var result = await new ScriptExecutor(connection, reporter).ExecuteFileAsync(file, ScriptExecutorTests.Record("a"), default);

        Assert.Equal(TransactionMode.Atomic, result.Mode);
        Assert.Equal(4, result.StatementCount);
        Assert.Equal(5, result.RowsAffected);
        Assert.Equal([$"{file}:4:1: NOTICE: after the insert"], reporter.Informations);
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM history WHERE name = 'a'"));
        Assert.Equal(2L, await db.ScalarAsync("SELECT count(*) FROM a WHERE id > 10"));
        // Verbose lines give each statement's own time: only when they are read.
        Assert.Equal(verbose, reporter.Verboses.Any(v => v.StartsWith($"{file}:3:1: INSERT INTO a", StringComparison.Ordinal) && v.EndsWith(" ms)", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AFailureIsPlacedAtItsStatementAndNothingIsKeptEitherWay(bool verbose)
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync("CREATE TABLE history (name text PRIMARY KEY)");
        using var folder = new ScriptFolder();
        var file = folder.Write("1.0-a-ddl.sql", File.Replace("WHERE id < 3", "WHERE missing < 3"));
        await using var connection = await db.OpenAsync();
        var reporter = new RecordingReporter { WritesVerbose = verbose };

        var e = await Assert.ThrowsAsync<ScriptException>(() => new ScriptExecutor(connection, reporter).ExecuteFileAsync(file, ScriptExecutorTests.Record("a"), default));

        Assert.Equal("42703", e.SqlState);
        Assert.Equal((5, 33), (e.Line, e.Column));
        Assert.Equal("UPDATE a SET id = id + 10 WHERE missing < 3;", e.StatementFirstLine);
        // The notice of the statement before it was placed as it ran.
        Assert.Equal([$"{file}:4:1: NOTICE: after the insert"], reporter.Informations);
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM pg_class WHERE relname = 'a'"));
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM history"));
        Assert.Equal(1, await new NpgsqlCommand("SELECT 1", connection).ExecuteScalarAsync());
    }

    [Fact]
    public async Task AStatementThatChangesHowTheRestReadsIsFollowedAsAlone()
    {
        // SET standard_conforming_strings goes with the others (the file has no backslash, it reads alike);
        // the session the next file starts in is the connection's again.
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync("CREATE TABLE history (name text PRIMARY KEY)");
        using var folder = new ScriptFolder();
        var file = folder.Write("f.sql", "SET standard_conforming_strings = off;\nCREATE TABLE a (v text);\nINSERT INTO a VALUES ('x');\n");
        await using var connection = await db.OpenAsync();
        var executor = new ScriptExecutor(connection, new RecordingReporter { WritesVerbose = false });

        var result = await executor.ExecuteFileAsync(file, ScriptExecutorTests.Record("f"), default);

        Assert.Equal(3, result.StatementCount);
        Assert.Equal("on", connection.PostgresParameters["standard_conforming_strings"]);
        Assert.Equal("x", await db.ScalarAsync("SELECT v FROM a"));
    }

    [Theory]
    [InlineData("SELECT 1;\n", true)]
    [InlineData("SELECT 'a\\b';\n", false)]
    [InlineData("SELECT 1;\n\\echo hi\n", false)]
    [InlineData("-- cr\u00e9\u00e9\nSELECT 1;\n", false)]
    [InlineData("", true)]
    public void AFileReadsAlikeInEverySessionOnlyWhenItIsAsciiWithoutABackslash(string text, bool alike)
    {
        using var folder = new ScriptFolder();
        Assert.Equal(alike, ReadingSession.FileReadsAlike(folder.Write("f.sql", text)));
        Assert.Equal(alike, ReadingSession.TextReadsAlike(text));
        Assert.False(ReadingSession.FileReadsAlike(Path.Combine(folder.Root, "missing.sql")));
    }
}
