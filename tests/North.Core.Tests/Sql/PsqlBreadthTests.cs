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

    // 2. Variables.

    [Fact]
    public async Task AutomaticVariablesAreSetAsPsqlSetsThem()
    {
        await AssertSameAsPsqlAsync(
            "CREATE TABLE auto AS SELECT :'DBNAME' = current_database() AS db, :'USER' = current_user AS usr,\n" +
            "  :'HOST' AS host, :PORT = inet_server_port() OR inet_server_port() IS NULL AS port, :'ENCODING' AS encoding,\n" +
            "  :'SERVER_VERSION_NAME' = current_setting('server_version') AS name, :SERVER_VERSION_NUM = current_setting('server_version_num')::int AS num;\n" +
            "CREATE TABLE quoted AS SELECT :\"DBNAME\".x FROM (SELECT 1 AS x) AS :\"DBNAME\";\n" +
            "ALTER DATABASE :\"DBNAME\" SET search_path TO public;\n");
    }

    [Fact]
    public async Task NorthsVersionVariablesDescribeTheServer()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new ScriptFolder();
        var file = folder.Write("v.sql", "CREATE TABLE v AS SELECT :'VERSION' = version() AS complete, :'VERSION_NAME' = current_setting('server_version') AS name, :VERSION_NUM = current_setting('server_version_num')::int AS num;\n");
        await using var connection = await db.OpenAsync();
        await new ScriptExecutor(connection).ExecuteFileAsync(file, new ExecutionOptions(), default);
        Assert.Equal(true, await db.ScalarAsync("SELECT complete AND name AND num FROM v"));
    }

    [Fact]
    public async Task GivenVariablesAreLexedAsInputAndNestedOnesExpand()
    {
        var variables = new Dictionary<string, string> { ["cols"] = "a int, b text", ["two"] = "CREATE TABLE r1 (:cols); CREATE TABLE r2 (c int)", ["quote"] = "it's" };
        await AssertSameAsPsqlAsync("\\set t rt\n\\set make 'CREATE TABLE :t (a int)'\n:make;\n:two;\nINSERT INTO r1 VALUES (1, :'quote');\nCREATE TABLE known AS SELECT :{?nothing} AS b, :{?two} AS c;\n", variables);
    }

    [Fact]
    public void ARecursiveVariableIsCopiedAsWrittenWithPsqlsWarning()
    {
        var warnings = new List<string>();
        using var reader = ScriptReader.FromText("\\set v 'SELECT 1 AS :v'\n:v;\n", "r.sql", new ScriptReaderOptions { Warning = warnings.Add });
        var statement = Assert.Single(reader.Read().OfType<SqlStatement>());
        Assert.Equal("SELECT 1 AS :v;", statement.Text);
        Assert.Contains("skipping recursive expansion of variable \"v\"", Assert.Single(warnings));
    }

    // 3. Conditionals and query-driven meta-commands.

    [Fact]
    public async Task ConditionalsFollowPsqlsBooleansAndNesting()
    {
        await AssertSameAsPsqlAsync(
            "\\set flag yes\n\\if :flag\n  CREATE TABLE c1 (a int);\n  \\if of\n    CREATE TABLE never1 (a int);\n  \\elif 1\n    CREATE TABLE c2 (a int);\n  \\else\n    CREATE TABLE never2 (a int);\n  \\endif\n" +
            "\\elif true\n  CREATE TABLE never3 (a int);\n\\else\n  CREATE TABLE never4 (a int);\n\\endif\n" +
            "\\if :{?undefined_one}\n  \\i does-not-exist.sql\n  \\! rm -rf /\n  CREATE TABLE never5 (:undefined);\n\\elif no\n\\else\n  CREATE TABLE c3 (a int);\n\\endif\n" +
            "\\if not_a_boolean\n  CREATE TABLE never6 (a int);\n\\else\n  CREATE TABLE c4 (a int);\n\\endif\n");
    }

    [Fact]
    public async Task GsetSetsVariablesFromTheOneRowAsTextAndGexecRunsEachCell()
    {
        var result = await AssertSameAsPsqlAsync(new Dictionary<string, string>
        {
            ["main.sql"] =
                "SELECT 'gs' AS tname, 42 AS n, true AS b, 1.50::numeric AS x, NULL AS gone \\gset\n" +
                "\\set gone was_set\nSELECT NULL AS gone \\gset\n" +
                "CREATE TABLE :tname (a int DEFAULT :n, b text DEFAULT :'b', x text DEFAULT :'x', g text DEFAULT ':gone');\n" +
                "SELECT current_setting('server_version_num')::int >= 130000 AS pg13\n  \\gset p_\n" +
                "\\if :p_pg13\n  CREATE TABLE modern (a int);\n\\endif\n" +
                "SELECT format('CREATE TABLE %I (a int)', 'gx_' || i), format('INSERT INTO %I VALUES (%s)', 'gx_' || i, i) FROM generate_series(1, 3) i \\gexec\n" +
                "INSERT INTO gs DEFAULT VALUES \\g\n" +
                "\\i inc.sql\nCREATE TABLE after_include (a int);\n",
            ["inc.sql"] = "CREATE TABLE in_include (a int);\n\\q\nCREATE TABLE never (a int);\n",
        });
        Assert.Equal(TransactionMode.Atomic, result.Mode);
    }

    [Fact]
    public async Task GsetNeedsExactlyOneRow()
    {
        var e = await NorthFailsAsync("CREATE TABLE t (a int);\nSELECT a FROM t\n\\gset\n", check: async db =>
            Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM pg_class WHERE relname = 't'")));
        Assert.Equal(ErrorIds.GsetRowCount, e.ErrorId);
        Assert.Equal(3, e.Line);
        Assert.Contains("no rows returned for \\gset", e.Message);
    }

    [Fact]
    public async Task OutputOnlyCommandsAreIgnoredAndSetenvHoldsForTheRun()
    {
        await AssertSameAsPsqlAsync(
            "\\o\n\\x\n\\t on\n\\a\n\\f ','\n\\H\n\\C 'title'\n\\errverbose\n\\pset format aligned\n" +
            "\\setenv NORTH_PSQL_TEST_TABLE from_env\n\\getenv tname NORTH_PSQL_TEST_TABLE\nCREATE TABLE :tname (a int);\n" +
            "\\setenv NORTH_PSQL_TEST_TABLE\n\\getenv tname NORTH_PSQL_TEST_TABLE\nCREATE TABLE unset_is (v text DEFAULT ':tname');\n");
        Assert.Null(Environment.GetEnvironmentVariable("NORTH_PSQL_TEST_TABLE"));
    }

    [Theory]
    [InlineData("\\! ls", "never runs shell commands")]
    [InlineData("\\prompt 'Name? ' name", "terminal")]
    [InlineData("\\echo `date`", "backquoted shell commands")]
    [InlineData("\\set AUTOCOMMIT off", "AUTOCOMMIT off")]
    [InlineData("\\set ON_ERROR_STOP 0", "ON_ERROR_STOP off")]
    public async Task RefusedCommandsSayWhyWhereTheyAre(string line, string why)
    {
        var e = await NorthFailsAsync("CREATE TABLE t (a int);\n" + line + "\nCREATE TABLE u (a int);\n", check: async db =>
            Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM pg_class WHERE relname IN ('t', 'u')")));
        Assert.Equal(ErrorIds.MetaCommandRefused, e.ErrorId);
        Assert.Equal(2, e.Line);
        Assert.Contains(why, e.Message);
    }

    [Fact]
    public void AnIfDecidedByAQueryIsReadInEveryBranchOffline()
    {
        using var reader = ScriptReader.FromText("SELECT 1 AS big \\gset\n\\if :big\nBEGIN;\nCREATE TABLE a (x int);\nCOMMIT;\n\\else\nCREATE TABLE b (x int);\n\\endif\n", "u.sql");
        var c = ScriptClassifier.Classify(reader);
        Assert.True(c.Undecided);
        Assert.Equal(TransactionMode.AsWritten, c.Mode);
        Assert.Equal(5, c.StatementCount);
    }

    [Fact]
    public async Task AnIfOnAnAutomaticVariableIsReadInEveryBranchByThePlanAndDecidedByTheRun()
    {
        var result = await AssertSameAsPsqlAsync(
            "\\if :{?DBNAME}\nBEGIN;\nCREATE TABLE a (x int);\nCOMMIT;\n\\else\nCREATE TABLE never (x int);\n\\endif\n\\if :{?not_set}\nCREATE TABLE never2 (x int);\n\\endif\n");
        Assert.Equal(TransactionMode.AsWritten, result.Mode);
    }

    [Fact]
    public void AnUnclosedIfIsALocatedError()
    {
        using var reader = ScriptReader.FromText("SELECT 1;\n\\if true\nSELECT 2;\n", "u.sql");
        var e = Assert.Throws<ScriptSyntaxException>(() => reader.Read().ToList());
        Assert.Equal(2, e.Line);
        Assert.Contains("\\endif", e.Message);
    }

    // 4. COPY details, 6. lexer details.

    [Fact]
    public async Task CopyAsPsqlDoesIt()
    {
        var reporter = new RecordingReporter();
        await AssertSameAsPsqlAsync(
            "CREATE TABLE cp (a int);\nCOPY cp FROM stdin; INSERT INTO cp VALUES (9); -- the rest of the line runs after the data\n1\n2\n\\.\n" +
            "COPY cp FROM stdin;   -- a comment\n3\n\\.\nCOPY cp TO STDOUT;\nCOPY (SELECT a * 10 FROM cp ORDER BY a) TO STDOUT WITH (FORMAT csv);\n" +
            "COPY cp FROM stdin;\n4\n5", reporter: reporter);
        Assert.Contains(reporter.Verboses, v => v.EndsWith(": 90", StringComparison.Ordinal));
        Assert.Contains(reporter.Verboses, v => v.Contains("(4 rows out,", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACopyEndedByTheFileLoadsNothingAsInPsql()
    {
        await AssertSameAsPsqlAsync("CREATE TABLE cp (a int);\nINSERT INTO cp VALUES (1);\nCOPY cp FROM stdin");
    }

    [Fact]
    public async Task AnEscapeStringContinuedOnTheNextLineKeepsItsRules()
    {
        var text = "CREATE TABLE es AS SELECT E'it\\'s'\n  'and\\tthat\\'s' AS v, 'plain'\n 'next' AS w;\n";
        using var folder = new ScriptFolder();
        var file = folder.Write("e.sql", text);
        await using var db = await TestDatabase.CreateAsync();
        var echoed = await Psql.RunFileAsync(db.ConnectionString, file, folder.Root);
        using var reader = ScriptReader.Open(file);
        Assert.Equal(echoed, string.Concat(reader.Read().OfType<SqlStatement>().Select(s => s.Text + "\n")));
        await AssertSameAsPsqlAsync(text);
    }

    [Fact]
    public async Task CarriageReturnsEndLineCommentsAsInPsql()
    {
        await AssertSameAsPsqlAsync("-- header\rCREATE TABLE cr (a int); -- trailing\rINSERT INTO cr VALUES (1);\r-- last\rINSERT INTO cr VALUES (2);\r");
    }
}
