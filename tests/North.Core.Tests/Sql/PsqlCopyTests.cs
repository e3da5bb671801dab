using North.Core.Errors;
using North.Core.Execution;
using North.Core.Sql;
using North.Core.Tests.Infrastructure;

namespace North.Core.Tests.Sql;

/// <summary>
/// psql's <c>\copy</c> and <c>\;</c> as <c>psql -X -q -v ON_ERROR_STOP=1 -f</c> runs them: the same
/// file through psql and through North's engine gives the same database, the same statements sent,
/// and the same failures; what North refuses is refused at its line with its reason.
/// </summary>
public class PsqlCopyTests
{
    private static readonly Dictionary<string, string> CopyForms = new()
    {
        ["main.sql"] =
            "CREATE SCHEMA app;\nCREATE TABLE app.t (a int, b text, c text DEFAULT 'd');\n" +
            "\\copy app.t (a, b) from 'data/with header.csv' with (format csv, header)\n" +
            "\\copy app.t(a,b) from data/old.csv csv header delimiter ';'\n" +
            "\\copy app.t (a, b) FROM STDIN\n3\tz\n\\.\n" +
            "\\copy app.t from stdin with (delimiter '|', null 'NULL')\n4|w|NULL\n\\.\n" +
            "\\copy (SELECT a FROM app.t ORDER BY a) to stdout with csv\n\\copy app.t to stdout\n" +
            "\\ir sub/inc.sql\n" +
            "\\if false\n\\copy app.t from 'data/missing.csv'\n\\endif\n" +
            "CREATE TABLE joined (x int)\\; INSERT INTO joined VALUES (1)\\; INSERT INTO joined VALUES (2);\n" +
            "UPDATE joined SET x = x * 10\\;\nINSERT INTO joined SELECT count(*) FROM app.t;\n",
        ["sub/inc.sql"] = "\\copy app.t (a, b) from stdin\n5\tfrom the included file\n\\.\n",
        ["data/with header.csv"] = "a,b\n1,x\n2,\"y, quoted\"\n",
        ["data/old.csv"] = "a;b\r\n10;crlf\r\n",
    };

    [Fact]
    public async Task CopyFromFilesAndStdinAndJoinedStatementsGivePsqlsDatabaseAndStatements()
    {
        using var folder = new ScriptFolder();
        foreach (var (name, text) in CopyForms)
            folder.Write(name, text);
        var main = Path.Combine(folder.Root, "main.sql");
        await using var viaPsql = await TestDatabase.CreateAsync();
        await using var viaNorth = await TestDatabase.CreateAsync();
        var echoed = await Psql.RunFileAsync(viaPsql.ConnectionString, main, folder.Root);

        var reporter = new Execution.RecordingReporter();
        ScriptResult result;
        await using (var connection = await viaNorth.OpenAsync())
            result = await new ScriptExecutor(connection, reporter).ExecuteFileAsync(main, new ExecutionOptions { WorkingDirectory = folder.Root }, default);
        await PgDump.AssertSameDatabaseAsync(viaPsql.ConnectionString, viaNorth.ConnectionString);
        Assert.Equal(TransactionMode.Atomic, result.Mode);
        Assert.Equal(6, await viaNorth.ScalarAsync("SELECT count(*)::int FROM app.t"));
        Assert.Contains(reporter.Verboses, v => v.EndsWith(": 2\ty, quoted\td", StringComparison.Ordinal));

        // The statements North sends are psql's, byte for byte (psql -e echoes each query it sends).
        using var reader = ScriptReader.Open(main, new ScriptReaderOptions { WorkingDirectory = folder.Root });
        var sent = reader.Read().Select(i => i switch { CopyFromStdin c => c.Statement.Text, SqlStatement s => s.Text, _ => null }).Where(t => t is not null);
        Assert.Equal(echoed, string.Concat(sent.Select(t => t + "\n")));
    }

    [Fact]
    public async Task ACopyInAnAtomicFileRunsInItsTransactionAndABadRowNamesTheDataFileAndLine()
    {
        using var folder = new ScriptFolder();
        folder.Write("data/rows.txt", "1\n2\nnot a number\n");
        var file = folder.Write("load.sql", "CREATE TABLE loaded (a int);\n\\copy loaded from 'data/rows.txt'\n");
        await using var db = await TestDatabase.CreateAsync();
        await using var connection = await db.OpenAsync();
        var e = await Assert.ThrowsAsync<ScriptException>(() => new ScriptExecutor(connection).ExecuteFileAsync(file,
            new ExecutionOptions { WorkingDirectory = folder.Root }, default));
        Assert.Equal((file, 2, 1, "22P02"), (e.File, e.Line, e.Column, e.SqlState));
        Assert.Contains("data file 'data/rows.txt', line 3", e.Message);
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM pg_class WHERE relname = 'loaded'"));
    }

    [Fact]
    public async Task AJoinedQueryThatFailsKeepsNoneOfItsStatementsAsInPsql()
    {
        // VACUUM makes the file run statement by statement, as psql runs every file.
        const string line3 = "CREATE TABLE u (a int)\\; INSERT INTO u VALUES (1)\\; INSERT INTO u VALUES ('x');";
        using var folder = new ScriptFolder();
        var file = folder.Write("fail.sql", $"VACUUM;\nCREATE TABLE kept (a int);\n{line3}\nCREATE TABLE never (a int);\n");
        await using var viaPsql = await TestDatabase.CreateAsync();
        await using var viaNorth = await TestDatabase.CreateAsync();
        var (code, _, stderr) = await Psql.RunAsync(viaPsql.ConnectionString, folder.Root, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", file);
        Assert.Equal(3, code);
        Assert.Contains("invalid input syntax for type integer", stderr);
        await using (var connection = await viaNorth.OpenAsync())
        {
            var e = await Assert.ThrowsAsync<ScriptException>(() => new ScriptExecutor(connection).ExecuteFileAsync(file, new ExecutionOptions(), default));
            Assert.Equal((3, line3.IndexOf("'x'", StringComparison.Ordinal) + 1, "22P02"), (e.Line, e.Column, e.SqlState));
            Assert.Contains("INSERT INTO u VALUES ('x');", e.StatementFirstLine);
        }
        await PgDump.AssertSameDatabaseAsync(viaPsql.ConnectionString, viaNorth.ConnectionString);
        Assert.Equal(0L, await viaNorth.ScalarAsync("SELECT count(*) FROM pg_class WHERE relname IN ('u', 'never')"));
    }

    [Fact]
    public async Task AJoinedStatementPostgresRefusesInATransactionFailsAsInPsqlBeforeAnythingIsSent()
    {
        using var folder = new ScriptFolder();
        var file = folder.Write("vacuum.sql", "CREATE TABLE t (a int);\nSELECT 1\\; VACUUM t;\n");
        await using var db = await TestDatabase.CreateAsync();
        await using (var connection = await db.OpenAsync())
        {
            var e = await Assert.ThrowsAsync<ScriptSyntaxException>(() => new ScriptExecutor(connection).ExecuteFileAsync(file, new ExecutionOptions(), default));
            Assert.Equal((file, 2, 12, ErrorIds.ScriptInvalid), (e.File, e.Line, e.Column, e.ErrorId));
            Assert.Contains("VACUUM cannot run inside a transaction block", e.Message);
            Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM pg_class WHERE relname = 't'"));
        }
        var (code, _, stderr) = await Psql.RunAsync(db.ConnectionString, folder.Root, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", file);
        Assert.Equal(3, code);
        Assert.Contains("vacuum.sql:2: ERROR:  VACUUM cannot run inside a transaction block", stderr);
    }

    [Fact]
    public async Task ADataFileKeepsItsByteOrderMarkAndATildeIsTheHomeFolderAsInPsql()
    {
        // psql sends a data file's bytes as they are, a UTF-8 BOM at its start included, and expands ~ to $HOME.
        using var folder = new ScriptFolder();
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var mine = Path.Combine(home, "north-copy-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(mine);
        try
        {
            folder.WriteBytes("bom.txt", [0xEF, 0xBB, 0xBF, .. "a\tb\n"u8]);
            folder.WriteBytes("bom.csv", [0xEF, 0xBB, 0xBF, .. "c,d\n"u8]);
            File.WriteAllText(Path.Combine(mine, "rows.txt"), "e\tf\n");
            var name = Path.GetFileName(mine);
            var main = folder.Write("main.sql", "CREATE TABLE b (n serial, v text, w text);\n\\copy b (v, w) from 'bom.txt'\n" +
                "\\copy b (v, w) from 'bom.csv' with (format csv)\n" +
                $"\\copy b (v, w) from '~/{name}/rows.txt'\n\\copy b (v, w) from ~/{name}/rows.txt\n");
            await using var viaPsql = await TestDatabase.CreateAsync();
            await using var viaNorth = await TestDatabase.CreateAsync();
            await Psql.RunFileAsync(viaPsql.ConnectionString, main, folder.Root);
            await using (var connection = await viaNorth.OpenAsync())
                await new ScriptExecutor(connection).ExecuteFileAsync(main, new ExecutionOptions { WorkingDirectory = folder.Root }, default);
            const string stored = "SELECT string_agg(encode(convert_to(v, 'UTF8'), 'hex') || '/' || w, ',' ORDER BY n) FROM b";
            Assert.Equal("efbbbf61/b,efbbbf63/d,65/f,65/f", await viaPsql.ScalarAsync(stored));
            Assert.Equal(await viaPsql.ScalarAsync(stored), await viaNorth.ScalarAsync(stored));
        }
        finally
        {
            Directory.Delete(mine, recursive: true);
        }
    }

    [Fact]
    public async Task ATildeBeforeAUserNameIsThatAccountsHomeAsInPsql()
    {
        // psql's expand_tilde looks ~user up in the account database (getpwnam), which may differ from
        // $HOME: psql itself writes the data file there (\o expands ~user too), and the shell removes it.
        using var folder = new ScriptFolder();
        await using var viaPsql = await TestDatabase.CreateAsync();
        await using var viaNorth = await TestDatabase.CreateAsync();
        var data = $"~{Environment.UserName}/north-copy-{Guid.NewGuid().ToString("N")[..12]}.csv";
        var (code, _, stderr) = await Psql.RunAsync(viaPsql.ConnectionString, folder.Root, "-X", "-q", "-c", $"\\o '{data}'", "-c", "\\qecho g,h");
        Assert.True(code == 0, stderr);
        try
        {
            var main = folder.Write("main.sql", "CREATE TABLE b (n serial, v text, w text);\n" +
                $"\\copy b (v, w) from '{data}' with (format csv)\n\\copy b (v, w) from {data} with (format csv)\n");
            await Psql.RunFileAsync(viaPsql.ConnectionString, main, folder.Root);
            await using (var connection = await viaNorth.OpenAsync())
                await new ScriptExecutor(connection).ExecuteFileAsync(main, new ExecutionOptions { WorkingDirectory = folder.Root }, default);
            const string stored = "SELECT string_agg(v || '/' || w, ',' ORDER BY n) FROM b";
            Assert.Equal("g/h,g/h", await viaPsql.ScalarAsync(stored));
            Assert.Equal(await viaPsql.ScalarAsync(stored), await viaNorth.ScalarAsync(stored));

            // A name with no account stays as written, so the file is not found, and is named as written.
            var missing = folder.Write("missing.sql", "\\copy b (v, w) from '~no_such_account_north/rows.csv' with (format csv)\n");
            await using var again = await viaNorth.OpenAsync();
            var failure = await Assert.ThrowsAnyAsync<Exception>(() => new ScriptExecutor(again).ExecuteFileAsync(missing, new ExecutionOptions { WorkingDirectory = folder.Root }, default));
            Assert.Contains("~no_such_account_north/rows.csv", failure.Message);
        }
        finally
        {
            await Psql.RunAsync(viaPsql.ConnectionString, folder.Root, "-X", "-q", "-c", $"\\! rm -f {data}");
        }
    }

    [Fact]
    public async Task ABinaryDataFileIsSentAsItsBytesAsInPsql()
    {
        using var folder = new ScriptFolder();
        Directory.CreateDirectory(Path.Combine(folder.Root, "data"));
        var main = folder.Write("bin.sql", "CREATE TABLE b (a int, t text, at timestamptz);\n\\copy b from 'data/rows.bin' with (format binary)\n");
        await using var viaPsql = await TestDatabase.CreateAsync();
        await using var viaNorth = await TestDatabase.CreateAsync();
        var (code, _, stderr) = await Psql.RunAsync(viaPsql.ConnectionString, folder.Root, "-X", "-q", "-c",
            "\\copy (SELECT i, 'row ' || i, timestamptz '2024-01-01 00:00+00' + i * interval '1 day' FROM generate_series(1, 3) i) to 'data/rows.bin' with (format binary)");
        Assert.True(code == 0, stderr);
        await Psql.RunFileAsync(viaPsql.ConnectionString, main, folder.Root);
        await using (var connection = await viaNorth.OpenAsync())
            await new ScriptExecutor(connection).ExecuteFileAsync(main, new ExecutionOptions { WorkingDirectory = folder.Root }, default);
        await PgDump.AssertSameDatabaseAsync(viaPsql.ConnectionString, viaNorth.ConnectionString);
        Assert.Equal(3L, await viaNorth.ScalarAsync("SELECT count(*) FROM b"));
    }

    [Fact]
    public async Task TransactionControlJoinedWithBackslashSemicolonRunsAsWrittenAsInPsql()
    {
        var result = await PsqlBreadthTests.AssertSameAsPsqlAsync(
            "CREATE TABLE a (x int);\nBEGIN\\; INSERT INTO a VALUES (1)\\; COMMIT;\nBEGIN;\n" +
            "INSERT INTO a VALUES (2)\\; SAVEPOINT s\\; INSERT INTO a VALUES (3)\\; ROLLBACK TO s;\nCOMMIT;\n");
        Assert.Equal(TransactionMode.AsWritten, result.Mode);
    }

    [Theory]
    [InlineData("\\copy t to 'out.csv' csv", ErrorIds.MetaCommandRefused, "writes a file on this machine")]
    [InlineData("\\copy (SELECT 1) to program 'cat > out.csv'", ErrorIds.MetaCommandRefused, "runs a shell command")]
    [InlineData("\\copy t from program 'cat data.csv'", ErrorIds.MetaCommandRefused, "runs a shell command")]
    [InlineData("\\copy t from pstdin", ErrorIds.MetaCommandRefused, "psql's own standard input")]
    [InlineData("\\copy t from 'data/nope.csv' with (format csv)", ErrorIds.ScriptInvalid, "data file 'data/nope.csv' not found (looked for ")]
    [InlineData("\\copy t from", ErrorIds.ScriptInvalid, "\\copy: parse error at end of line")]
    [InlineData("\\copy t into 'x'", ErrorIds.ScriptInvalid, "\\copy: parse error at \"into\"")]
    [InlineData("SELECT 1 AS a\\; SELECT 2 AS b \\gset", ErrorIds.ScriptInvalid, "\\gset after statements joined with \\;")]
    public void WhatNorthRefusesIsRefusedAtItsLineBeforeAnythingRuns(string line, string errorId, string why)
    {
        using var folder = new ScriptFolder();
        var file = folder.Write("main.sql", "CREATE TABLE t (a int);\n" + line + "\n");
        using var reader = ScriptReader.Open(file, new ScriptReaderOptions { WorkingDirectory = folder.Root });
        var e = Assert.ThrowsAny<ScriptException>(() => reader.Read().ToList());
        Assert.Equal((file, 2, errorId), (e.File, e.Line, e.ErrorId));
        Assert.Contains(why, e.Message);
    }

    [Fact]
    public void AVariableOrBackquoteInACopyLineIsSentAsWrittenAsPsqlDoes()
    {
        using var reader = ScriptReader.FromText("\\set t other\n\\copy :t from stdin with (null '`x`')\n1\n\\.\nSELECT 2;\n\\copy \"T t\" to pstdout\n", "v.sql");
        var read = new List<string>();
        foreach (var item in reader.Read())
            read.Add(item is CopyFromStdin copy ? copy.Statement.Text + " | " + string.Join(",", copy.ReadDataLines()) : item.ToString()!);
        // to pstdout, psql's own output, is output like stdout: drained.
        Assert.Equal(["\\set t other", "COPY  :t FROM STDIN with (null '`x`') | 1", "SELECT 2;", "COPY  \"T t\" TO STDOUT "], read);
    }
}
