using North.Core.Errors;
using North.Core.Execution;
using North.Core.Sql;
using North.Core.Tests.Execution;
using North.Core.Tests.Infrastructure;

namespace North.Core.Tests.Sql;

/// <summary>
/// Files psql runs without a terminal (<c>psql -X -q -v ON_ERROR_STOP=1 -f</c>) give, through
/// North's engine, the database psql gives: classification, variables, conditionals,
/// query-driven meta-commands, COPY details.
/// </summary>
public class PsqlBreadthTests
{
    /// <summary>
    /// Runs <paramref name="files"/>' first file with psql in one database and with North's
    /// executor (classifying it itself, as a plan does) in another; asserts the same database.
    /// </summary>
    internal static async Task<ScriptResult> AssertSameAsPsqlAsync(IReadOnlyDictionary<string, string> files,
        IReadOnlyDictionary<string, string>? variables = null, ExecutionOptions? options = null, RecordingReporter? reporter = null)
    {
        using var folder = new ScriptFolder();
        string? main = null;
        foreach (var (name, text) in files)
        {
            var path = folder.Write(name, text);
            main ??= path;
        }
        await using var viaPsql = await TestDatabase.CreateAsync();
        await using var viaNorth = await TestDatabase.CreateAsync();
        var extra = (variables ?? new Dictionary<string, string>()).SelectMany(v => new[] { "-v", $"{v.Key}={v.Value}" }).ToArray();
        await Psql.RunFileAsync(viaPsql.ConnectionString, main!, folder.Root, extra);
        ScriptResult result;
        await using (var connection = await viaNorth.OpenAsync())
            result = await new ScriptExecutor(connection, reporter).ExecuteFileAsync(main!,
                (options ?? new ExecutionOptions()) with { WorkingDirectory = folder.Root, Variables = variables }, default);
        await PgDump.AssertSameDatabaseAsync(viaPsql.ConnectionString, viaNorth.ConnectionString);
        return result;
    }

    internal static Task<ScriptResult> AssertSameAsPsqlAsync(string text, IReadOnlyDictionary<string, string>? variables = null,
        ExecutionOptions? options = null, RecordingReporter? reporter = null) =>
        AssertSameAsPsqlAsync(new Dictionary<string, string> { ["main.sql"] = text }, variables, options, reporter);

    private static async Task<ScriptException> NorthFailsAsync(string text, ExecutionOptions? options = null, Func<TestDatabase, Task>? check = null)
    {
        using var folder = new ScriptFolder();
        var file = folder.Write("main.sql", text);
        await using var db = await TestDatabase.CreateAsync();
        await using var connection = await db.OpenAsync();
        var e = await Assert.ThrowsAnyAsync<ScriptException>(() => new ScriptExecutor(connection).ExecuteFileAsync(file,
            (options ?? new ExecutionOptions()) with { WorkingDirectory = folder.Root }, default));
        Assert.Equal(file, e.File.StartsWith('/') ? e.File : Path.Combine(folder.Root, e.File));
        if (check is not null)
            await check(db);
        return e;
    }

    // 1. Classification.

    [Fact]
    public async Task CreateDatabaseAloneInAFileRunsInAutocommitAsInPsql()
    {
        var names = new[] { "north_b_" + Guid.NewGuid().ToString("N")[..10], "north_b_" + Guid.NewGuid().ToString("N")[..10] };
        var server = await TestDatabase.ServerConnectionStringAsync();
        try
        {
            using var folder = new ScriptFolder();
            var file = folder.Write("db.sql", "CREATE DATABASE :\"newdb\";\n");
            await using var viaPsql = await TestDatabase.CreateAsync();
            await Psql.RunFileAsync(viaPsql.ConnectionString, file, folder.Root, "-v", "newdb=" + names[0]);
            await using var connection = await viaPsql.OpenAsync();
            var result = await new ScriptExecutor(connection).ExecuteFileAsync(file,
                new ExecutionOptions { Variables = new Dictionary<string, string> { ["newdb"] = names[1] } }, default);
            Assert.Equal(TransactionMode.None, result.Mode);
            await using var check = new Npgsql.NpgsqlConnection(server);
            await check.OpenAsync();
            await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = ANY(@n)", check);
            count.Parameters.AddWithValue("n", names);
            Assert.Equal(2L, await count.ExecuteScalarAsync());
        }
        finally
        {
            await using var drop = new Npgsql.NpgsqlConnection(server);
            await drop.OpenAsync();
            foreach (var name in names)
                await new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\"", drop).ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task VacuumAndAnEnumValueAddedThenUsedRunAsInPsql()
    {
        var result = await AssertSameAsPsqlAsync(
            "CREATE TYPE mood AS ENUM ('ok');\nALTER TYPE mood ADD VALUE 'angry';\nCREATE TABLE feel (m mood DEFAULT 'angry');\nINSERT INTO feel DEFAULT VALUES;\nVACUUM (ANALYZE) feel;\n");
        Assert.Equal(TransactionMode.None, result.Mode);
    }

    [Fact]
    public async Task PgDumpAlterTypeOwnerAndAColumnNamedTypeStayAtomic()
    {
        var result = await AssertSameAsPsqlAsync(
            "CREATE TYPE public.mood AS ENUM ('ok');\nALTER TYPE public.mood OWNER TO CURRENT_USER;\nCREATE TABLE k (type varchar(20));\nALTER TABLE k ALTER type TYPE varchar(40);\n");
        Assert.Equal(TransactionMode.Atomic, result.Mode);
    }

    private const string CommittingProcedure =
        "CREATE TABLE batch (n int);\nCREATE PROCEDURE fill() LANGUAGE plpgsql AS $$\nBEGIN\n  FOR i IN 1..3 LOOP\n    INSERT INTO batch VALUES (i);\n    COMMIT;\n  END LOOP;\nEND\n$$;\nCALL fill();\n";

    [Fact]
    public async Task ACallThatCommitsInAnAtomicFileStopsWithAClearErrorAndKeepsNothing()
    {
        var e = await NorthFailsAsync(CommittingProcedure, check: async db =>
            Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM pg_class WHERE relname = 'batch'")));
        Assert.Equal(ErrorIds.AutocommitRequired, e.ErrorId);
        Assert.Equal("2D000", e.SqlState);
        Assert.Equal(10, e.Line);
        Assert.Contains("nothing of the file was kept", e.Message);
        Assert.Contains("Add 'CALL' to NonTransactionalKeywords", e.RecommendedAction);
    }

    [Fact]
    public async Task ACallThatCommitsRunsAsInPsqlOnceItsKeywordIsConfigured()
    {
        var result = await AssertSameAsPsqlAsync(CommittingProcedure,
            options: new ExecutionOptions { NonTransactionalKeywords = [.. ScriptClassifier.DefaultNonTransactionalKeywords, "CALL"] });
        Assert.Equal(TransactionMode.None, result.Mode);
    }
}
