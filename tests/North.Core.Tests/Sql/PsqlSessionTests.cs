using System.Text;
using North.Core.Errors;
using North.Core.Execution;
using North.Core.Sql;
using North.Core.Tests.Execution;
using North.Core.Tests.Infrastructure;
using Npgsql;

namespace North.Core.Tests.Sql;

/// <summary>
/// The session psql has, against the machine's psql (<c>psql -X -q -v ON_ERROR_STOP=1 -f</c>):
/// standard_conforming_strings and client_encoding as the server reports them, however they
/// changed and in every included file; \connect's new session; SET LOCAL outside a block.
/// </summary>
public class PsqlSessionTests
{
    private static readonly Encoding Latin1 = Encoding.Latin1;

    private static byte[] Utf8(string text) => new UTF8Encoding(false).GetBytes(text);

    /// <summary>Runs the first file with psql in one database and with North's executor in another; returns both, for the caller to compare.</summary>
    private static async Task<ScriptResult> RunBothAsync(IReadOnlyDictionary<string, byte[]> files, string viaPsql, string viaNorth, RecordingReporter? reporter = null)
    {
        using var folder = new ScriptFolder();
        string? main = null;
        foreach (var (name, bytes) in files)
        {
            var path = folder.WriteBytes(name, bytes);
            main ??= path;
        }
        await Psql.RunFileAsync(viaPsql, main!, folder.Root);
        await using var connection = new NpgsqlConnection(viaNorth);
        await connection.OpenAsync();
        return await new ScriptExecutor(connection, reporter).ExecuteFileAsync(main!, new ExecutionOptions { WorkingDirectory = folder.Root }, default);
    }

    private static async Task<ScriptResult> AssertSameAsPsqlAsync(IReadOnlyDictionary<string, byte[]> files, RecordingReporter? reporter = null)
    {
        await using var viaPsql = await TestDatabase.CreateAsync();
        await using var viaNorth = await TestDatabase.CreateAsync();
        var result = await RunBothAsync(files, viaPsql.ConnectionString, viaNorth.ConnectionString, reporter);
        await PgDump.AssertSameDatabaseAsync(viaPsql.ConnectionString, viaNorth.ConnectionString);
        return result;
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    // 1. standard_conforming_strings: where a statement ends depends on it ('a\';b' is one string only when it is off).

    [Fact]
    public async Task StandardConformingStringsIsTheSessionsHoweverItChangesAndInEveryIncludedFile()
    {
        var result = await AssertSameAsPsqlAsync(new Dictionary<string, byte[]>
        {
            ["main.sql"] = Utf8(
                "CREATE TABLE s (n int, v text);\n" +
                "SET standard_conforming_strings = off;\n" +
                "INSERT INTO s VALUES (1, 'a\\';b'), (2, N'c\\';d');\n" +
                "RESET standard_conforming_strings;\n" +
                "INSERT INTO s VALUES (3, 'e\\'), (4, N'f\\');\n" +
                "SELECT set_config('standard_conforming_strings', 'off', false);\n" +
                "\\ir inc.sql\n" +
                "INSERT INTO s VALUES (8, 'j\\');\n"),
            // Sees the including file's value (a \gexec cell too); its own SET holds after it, in the including file.
            ["inc.sql"] = Utf8("INSERT INTO s VALUES (5, 'g\\';h');\nSELECT $q$INSERT INTO s VALUES (9, 'k\\';l')$q$ \\gexec\n" +
                "SET standard_conforming_strings = on;\nINSERT INTO s VALUES (6, 'i\\');\n"),
        });
        Assert.Equal(TransactionMode.Atomic, result.Mode);
    }

    [Fact]
    public async Task SetLocalInTheFilesOwnBlockHoldsUntilItsCommitAsInPsql()
    {
        var result = await AssertSameAsPsqlAsync(new Dictionary<string, byte[]>
        {
            ["main.sql"] = Utf8(
                "CREATE TABLE s (n int, v text);\n" +
                "BEGIN;\nSET LOCAL standard_conforming_strings = off;\nINSERT INTO s VALUES (1, 'a\\';b');\nCOMMIT;\n" +
                "INSERT INTO s VALUES (2, 'c\\');\n"),
        });
        Assert.Equal(TransactionMode.AsWritten, result.Mode);
    }

    // 2. SET LOCAL outside a transaction block: psql's autocommit warns and does nothing.

    [Fact]
    public async Task SetLocalOutsideABlockIsSkippedWithPsqlsWarningInAnAtomicFile()
    {
        var reporter = new RecordingReporter();
        var result = await AssertSameAsPsqlAsync(new Dictionary<string, byte[]>
        {
            ["main.sql"] = Utf8(
                "CREATE SCHEMA other;\nSET LOCAL search_path = other;\nCREATE TABLE t (v text);\n" +
                "SET LOCAL standard_conforming_strings = off;\nINSERT INTO t VALUES ('a\\\\b');\n"),
        }, reporter);
        Assert.Equal(TransactionMode.Atomic, result.Mode);
        Assert.Contains(reporter.Warnings, w => w.Contains("main.sql:2:1: WARNING: SET LOCAL can only be used in transaction blocks"));
        Assert.Contains(reporter.Warnings, w => w.Contains("main.sql:4:1: WARNING: SET LOCAL"));
    }

    [Fact]
    public async Task SetLocalInsideTheOuterBlockNorthReplacesStillHolds()
    {
        var reporter = new RecordingReporter();
        var result = await AssertSameAsPsqlAsync(new Dictionary<string, byte[]>
        {
            ["main.sql"] = Utf8("BEGIN;\nCREATE SCHEMA other;\nSET LOCAL search_path = other;\nCREATE TABLE t (a int);\nCOMMIT;\n"),
        }, reporter);
        Assert.Equal(TransactionMode.Atomic, result.Mode);
        Assert.DoesNotContain(reporter.Warnings, w => w.Contains("SET LOCAL"));
    }

    // 3. Encodings are the connection's.

    [Fact]
    public async Task ClientEncodingHoldsAcrossIncludesAndFollowsResetAndSetConfig()
    {
        var main = new MemoryStream();
        main.Write(Utf8("CREATE TABLE e (n int, v text);\n\\encoding LATIN1\n\\ir inc.sql\n"));
        main.Write(Encoding.GetEncoding(1252).GetBytes("INSERT INTO e VALUES (3, '\u20ac out of the include');\nRESET client_encoding;\n"));
        main.Write(Utf8("INSERT INTO e VALUES (4, 'ü UTF-8 again');\nSELECT set_config('client_encoding', 'LATIN1', false);\n"));
        main.Write(Latin1.GetBytes("INSERT INTO e VALUES (5, 'ñ');\nSET NAMES 'UTF8';\n"));
        main.Write(Utf8("INSERT INTO e VALUES (6, 'ß');\n"));
        var included = new MemoryStream();
        included.Write(Latin1.GetBytes("INSERT INTO e VALUES (1, 'é after encoding');\nSET client_encoding = 'WIN1252';\n"));
        included.Write(Encoding.GetEncoding(1252).GetBytes("INSERT INTO e VALUES (2, '\u20ac');\n"));
        await AssertSameAsPsqlAsync(new Dictionary<string, byte[]> { ["main.sql"] = main.ToArray(), ["inc.sql"] = included.ToArray() });
    }

    [Fact]
    public async Task EncodingTheVariableFollowsTheClientEncodingAsInPsql()
    {
        // psql sets :ENCODING at \encoding and after any statement that changed client_encoding, by PostgreSQL's name.
        await AssertSameAsPsqlAsync(new Dictionary<string, byte[]>
        {
            ["main.sql"] = Utf8("CREATE TABLE enc (n int, v text);\nINSERT INTO enc VALUES (1, :'ENCODING');\n\\encoding iso_8859_1\n" +
                "INSERT INTO enc VALUES (2, :'ENCODING');\nSET client_encoding = 'WIN1252';\nINSERT INTO enc VALUES (3, :'ENCODING');\n" +
                "\\ir inc.sql\nINSERT INTO enc VALUES (5, :'ENCODING');\nRESET client_encoding;\nINSERT INTO enc VALUES (6, :'ENCODING');\n"),
            ["inc.sql"] = Utf8("SELECT set_config('client_encoding', 'sql_ascii', false);\nINSERT INTO enc VALUES (4, :'ENCODING');\n"),
        });
    }

    [Fact]
    public async Task ASqlAsciiDumpWithUtf8DataAndALatin1AuthorInItsHeaderStoresTheBytesAsPsql()
    {
        var dump = new MemoryStream();
        dump.Write(Latin1.GetBytes("--\n-- Legacy dump, by Jos\u00e9 Mu\u00f1oz\n--\n\n"));
        dump.Write(Utf8("SET client_encoding = 'SQL_ASCII';\nCREATE TABLE d (n int, v text);\nINSERT INTO d VALUES (1, 'café');\n" +
            "COPY d (n, v) FROM stdin;\n2\tnaïve\n\\.\n"));
        await AssertSameAsPsqlAsync(new Dictionary<string, byte[]> { ["dump.sql"] = dump.ToArray() });
    }

    [Fact]
    public void ALatin1ByteInACommentInsideAStatementIsStillRefused()
    {
        // psql sends that comment, and the server refuses the byte: North says so at its line.
        var bytes = Utf8("SELECT 1;\nSELECT 2\n").Concat(Latin1.GetBytes("-- by Jos\u00e9\n")).Concat(Utf8(";\n")).ToArray();
        using var reader = ScriptReader.FromStream(new MemoryStream(bytes), "t.sql");
        var e = Assert.Throws<ScriptSyntaxException>(() => reader.Read().ToList());
        Assert.Equal(3, e.Line);
    }

    [Fact]
    public void ACopyDataLineThatLooksLikeACommentIsDataAndStillRefused()
    {
        var bytes = Utf8("COPY t (v) FROM stdin;\n").Concat(Latin1.GetBytes("-- Jos\u00e9\n")).Concat(Utf8("\\.\n")).ToArray();
        using var reader = ScriptReader.FromStream(new MemoryStream(bytes), "t.sql");
        var e = Assert.Throws<ScriptSyntaxException>(() =>
        {
            foreach (var item in reader.Read())
                if (item is CopyFromStdin copy)
                    copy.ReadDataLines().ToList();
        });
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public async Task InASqlAsciiDatabaseUtf8BytesAreStoredAsPsqlAndADeclaredLatin1FileStoresItsBytes()
    {
        var server = await TestDatabase.ServerConnectionStringAsync();
        var names = new[] { "north_ascii_" + Guid.NewGuid().ToString("N")[..10], "north_ascii_" + Guid.NewGuid().ToString("N")[..10] };
        var strings = names.Select(n => new NpgsqlConnectionStringBuilder(server) { Database = n, Pooling = false }.ConnectionString).ToArray();
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            foreach (var name in names)
                await new NpgsqlCommand($"CREATE DATABASE \"{name}\" ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0", admin).ExecuteNonQueryAsync();
        }
        try
        {
            var bytes = "SELECT string_agg(encode(convert_to(v, 'SQL_ASCII'), 'hex'), ',' ORDER BY n) FROM d";
            await RunBothAsync(new Dictionary<string, byte[]>
            {
                ["utf8.sql"] = Utf8("CREATE TABLE d (n int, v text);\nINSERT INTO d VALUES (1, 'café');\nSET client_encoding = 'SQL_ASCII';\nINSERT INTO d VALUES (2, 'naïve');\n"),
            }, strings[0], strings[1]);
            Assert.Equal("636166c3a9,6e61c3af7665", await ScalarAsync(strings[0], bytes));
            Assert.Equal(await ScalarAsync(strings[0], bytes), await ScalarAsync(strings[1], bytes));

            // psql stores the LATIN1 byte as it is (e9), and so does North on the session it opens (byte-transparent).
            using var folder = new ScriptFolder();
            var file = folder.WriteBytes("latin1.sql", Utf8("SET client_encoding = 'LATIN1';\nCREATE TABLE l (v text);\n").Concat(Latin1.GetBytes("INSERT INTO l VALUES ('caf\u00e9');\n")).ToArray());
            await Psql.RunFileAsync(strings[0], file, folder.Root);
            Assert.Equal("636166e9", await ScalarAsync(strings[0], "SELECT encode(convert_to(v, 'SQL_ASCII'), 'hex') FROM l"));
            var factory = new North.Core.Connections.ConnectionFactory(new() { ConnectionString = strings[1] }, new() { UserName = "north-tests", HomeDirectory = null });
            await using (var opened = await factory.OpenAsync())
                await new ScriptExecutor(opened).ExecuteFileAsync(file, new ExecutionOptions(), default);
            Assert.Equal("636166e9", await ScalarAsync(strings[1], "SELECT encode(convert_to(v, 'SQL_ASCII'), 'hex') FROM l"));

            // A UTF-8 connection North did not open cannot send that byte: refused at its line, nothing kept.
            await ScalarAsync(strings[1], "DROP TABLE l");
            await using var connection = new NpgsqlConnection(strings[1]);
            await connection.OpenAsync();
            var e = await Assert.ThrowsAnyAsync<ScriptException>(() => new ScriptExecutor(connection).ExecuteFileAsync(file, new ExecutionOptions(), default));
            Assert.Equal((3, 27), (e.Line, e.Column));
            Assert.Contains("SQL_ASCII", e.RecommendedAction);
            Assert.Equal(0L, await ScalarAsync(strings[1], "SELECT count(*) FROM pg_class WHERE relname = 'l'"));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(server);
            await admin.OpenAsync();
            foreach (var name in names)
                await new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\"", admin).ExecuteNonQueryAsync();
        }
    }

    // 4. \connect to the current database: a new session.

    [Fact]
    public async Task ConnectToTheCurrentDatabaseStartsANewSessionAsInPsql()
    {
        var result = await AssertSameAsPsqlAsync(new Dictionary<string, byte[]>
        {
            ["main.sql"] = Utf8(
                "CREATE TABLE keep (a int);\nVACUUM keep;\nCREATE SCHEMA other;\nCREATE TEMP TABLE scratch (a int);\n" +
                "PREPARE p AS SELECT 1;\nSET search_path = other;\nSET standard_conforming_strings = off;\n" +
                "ALTER DATABASE :\"DBNAME\" SET search_path TO other, public;\n" +
                // psql's old session may still be exiting: only this session's temporary schema is looked at.
                "\\c\n" +
                "CREATE TABLE after_connect AS SELECT current_setting('search_path') AS path, 'a\\' AS backslash,\n" +
                "  to_regclass('pg_temp.scratch') IS NULL AS temp_gone, (SELECT count(*) FROM pg_prepared_statements) AS prepared;\n"),
        });
        Assert.Equal(TransactionMode.None, result.Mode);
    }

    [Fact]
    public async Task ConnectInsideAnAtomicFileIsRefusedAtItsLineAndKeepsNothing()
    {
        using var folder = new ScriptFolder();
        var file = folder.Write("main.sql", "CREATE TABLE made (a int);\n\\connect\nCREATE TABLE after (a int);\n");
        await using var db = await TestDatabase.CreateAsync();
        await using var connection = await db.OpenAsync();
        var e = await Assert.ThrowsAnyAsync<ScriptException>(() => new ScriptExecutor(connection).ExecuteFileAsync(file, new ExecutionOptions(), default));
        Assert.Equal(ErrorIds.NewSessionInTransaction, e.ErrorId);
        Assert.Equal((2, 1), (e.Line, e.Column));
        Assert.Contains("one transaction", e.Message);
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM pg_class WHERE relname IN ('made', 'after')"));

        // A \connect before the file's first statement: the session is already a new one.
        var first = folder.Write("first.sql", "\\connect\nCREATE TABLE first_made (a int);\n");
        var ok = await new ScriptExecutor(connection).ExecuteFileAsync(first, new ExecutionOptions(), default);
        Assert.Equal(TransactionMode.Atomic, ok.Mode);
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM pg_class WHERE relname = 'first_made'"));
    }
}
