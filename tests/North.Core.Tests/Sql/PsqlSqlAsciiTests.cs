using System.Security.Cryptography;
using System.Text;
using North.Core.Connections;
using North.Core.Errors;
using North.Core.Execution;
using North.Core.Migrating;
using North.Core.Settings;
using North.Core.Sql;
using North.Core.Tests.Connections;
using North.Core.Tests.Infrastructure;
using North.Core.Tests.Repository;
using Npgsql;

namespace North.Core.Tests.Sql;

/// <summary>
/// A SQL_ASCII database, against the machine's psql: psql's bytes are stored as it sends them, whatever
/// the file declares. North opens such a session byte-transparent (client_encoding SQL_ASCII, the escaped
/// UTF-8 text encoding), so a LATIN1 file stores its LATIN1 bytes and North's own rows keep their UTF-8 bytes.
/// </summary>
public class PsqlSqlAsciiTests
{
    private static readonly Encoding Latin1 = Encoding.Latin1;

    private static byte[] Utf8(string text) => new UTF8Encoding(false).GetBytes(text);

    private static byte[] Join(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private const string StoredBytes = "SELECT string_agg(n || ':' || encode(convert_to(v, 'SQL_ASCII'), 'hex'), ',' ORDER BY n) FROM d";

    /// <summary>Runs the first file with psql into one SQL_ASCII database and with North's executor (connected as North connects) into another.</summary>
    private static async Task RunBothAsync(TestDatabase viaPsql, TestDatabase viaNorth, IReadOnlyDictionary<string, byte[]> files)
    {
        using var folder = new ScriptFolder();
        string? main = null;
        foreach (var (name, bytes) in files)
        {
            var path = folder.WriteBytes(name, bytes);
            main ??= path;
        }
        await Psql.RunFileAsync(viaPsql.ConnectionString, main!, folder.Root);
        await using var connection = await TestConnections.Factory(viaNorth).OpenAsync();
        await new ScriptExecutor(connection).ExecuteFileAsync(main!, new ExecutionOptions { WorkingDirectory = folder.Root }, default);
    }

    [Fact]
    public async Task ASessionIsByteTransparentExactlyWhenTheDatabaseIsSqlAscii()
    {
        await using var ascii = await TestDatabase.CreateSqlAsciiAsync();
        await using var utf8 = await TestDatabase.CreateAsync();
        await using (var connection = await TestConnections.Factory(ascii).OpenAsync())
        {
            Assert.True(ByteTransparentSession.Carries(connection));
            Assert.Equal("SQL_ASCII", connection.PostgresParameters["client_encoding"]);
        }
        await using (var connection = await TestConnections.Factory(utf8).OpenAsync())
        {
            Assert.False(ByteTransparentSession.Carries(connection));
            Assert.Equal("UTF8", connection.PostgresParameters["client_encoding"]);
        }
    }

    [Fact]
    public async Task AFileDeclaringLatin1StoresPsqlsBytesInStatementsCopyAndSlashCopy()
    {
        await using var viaPsql = await TestDatabase.CreateSqlAsciiAsync();
        await using var viaNorth = await TestDatabase.CreateSqlAsciiAsync();
        var main = Join(
            Utf8("SET client_encoding = 'LATIN1';\nCREATE TABLE d (n int, v text);\n"),
            Latin1.GetBytes("INSERT INTO d VALUES (1, 'caf\u00e9');\nCOPY d (n, v) FROM stdin;\n2\tna\u00efve\n\\.\n"),
            Utf8("\\copy d (n, v) from 'data.txt'\n\\encoding UTF8\nINSERT INTO d VALUES (4, 'crème');\n\\encoding LATIN1\n"),
            Latin1.GetBytes("INSERT INTO d VALUES (5, '\u00fcber');\n\\ir more.sql\nINSERT INTO d VALUES (7, 'fa\u00e7ade');\n"),
            Utf8("RESET client_encoding;\nINSERT INTO d VALUES (8, 'déjà');\n\\encoding EUC_JP\nINSERT INTO d VALUES (9, '"), [0xA4, 0xA2], Utf8("');\n"));
        await RunBothAsync(viaPsql, viaNorth, new Dictionary<string, byte[]>
        {
            ["latin1.sql"] = main,
            ["data.txt"] = Latin1.GetBytes("3\tJos\u00e9\n"),
            ["more.sql"] = Latin1.GetBytes("INSERT INTO d VALUES (6, 'se\u00f1or');\n"),
        });
        var expected = "1:636166e9,2:6e61ef7665,3:4a6f73e9,4:6372c3a86d65,5:fc626572,6:7365f16f72,7:6661e7616465,8:64c3a96ac3a0,9:a4a2";
        Assert.Equal(expected, await viaPsql.ScalarAsync(StoredBytes));
        Assert.Equal(expected, await viaNorth.ScalarAsync(StoredBytes));
    }

    [Fact]
    public async Task ASqlAsciiDumpStoresItsBytesUtf8OrNot()
    {
        // A SQL_ASCII pg_dump holds whatever bytes the database held: UTF-8 (c3a9) and LATIN1 (e9) alike go as they are.
        await using var viaPsql = await TestDatabase.CreateSqlAsciiAsync();
        await using var viaNorth = await TestDatabase.CreateSqlAsciiAsync();
        var dump = Join(
            Latin1.GetBytes("--\n-- Legacy dump, by Jos\u00e9\n--\n"),
            Utf8("SET client_encoding = 'SQL_ASCII';\nCREATE TABLE d (n int, v text);\nINSERT INTO d VALUES (1, 'café');\nCOPY d (n, v) FROM stdin;\n2\tnaïve\n"),
            Latin1.GetBytes("3\tJos\u00e9\n\\.\n"),
            Latin1.GetBytes("INSERT INTO d VALUES (4, 'fa\u00e7ade');\n"));
        await RunBothAsync(viaPsql, viaNorth, new Dictionary<string, byte[]> { ["dump.sql"] = dump });
        var expected = "1:636166c3a9,2:6e61c3af7665,3:4a6f73e9,4:6661e7616465";
        Assert.Equal(expected, await viaPsql.ScalarAsync(StoredBytes));
        Assert.Equal(expected, await viaNorth.ScalarAsync(StoredBytes));
    }

    [Fact]
    public async Task BytesTheServerWouldRefuseUnderPsqlAreRefusedAtTheirLineAndNothingIsKept()
    {
        await using var viaPsql = await TestDatabase.CreateSqlAsciiAsync();
        await using var viaNorth = await TestDatabase.CreateSqlAsciiAsync();
        using var folder = new ScriptFolder();
        var files = new Dictionary<string, (byte[] Bytes, int Line, string Advice)>
        {
            // Undeclared, so UTF8: the server checks UTF-8 (psql's client_encoding UTF8).
            ["utf8.sql"] = (Join(Utf8("BEGIN;\nCREATE TABLE u (v text);\n"), Latin1.GetBytes("INSERT INTO u VALUES ('caf\u00e9');\n"), Utf8("COMMIT;\n")), 3, "UTF-8"),
            // A multi-byte server encoding: checked as valid in it.
            ["eucjp.sql"] = (Join(Utf8("BEGIN;\nCREATE TABLE u (v text);\n\\encoding EUC_JP\nINSERT INTO u VALUES ('"), [0xA4, 0x41], Utf8("');\nCOMMIT;\n")), 4, "invalid euc-jp byte sequence"),
            // A client-only encoding: the server refuses every non-ASCII byte of it in a SQL_ASCII database.
            ["sjis.sql"] = (Join(Utf8("BEGIN;\nSET client_encoding = 'SJIS';\nCREATE TABLE u (v text);\n"), [0x49, 0x4E, 0x53, 0x45, 0x52, 0x54, 0x20, 0x49, 0x4E, 0x54, 0x4F, 0x20, 0x75, 0x20, 0x56, 0x41, 0x4C, 0x55, 0x45, 0x53, 0x20, 0x28, 0x27, 0x82, 0xA0, 0x27, 0x29, 0x3B, 0x0A], Utf8("COMMIT;\n")), 4, "SJIS"),
        };
        foreach (var (name, (bytes, line, advice)) in files)
        {
            var file = folder.WriteBytes(name, bytes);
            var (code, _, stderr) = await Psql.RunAsync(viaPsql.ConnectionString, folder.Root, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", file);
            Assert.NotEqual(0, code);
            Assert.Contains("invalid byte", stderr);
            Assert.Contains($":{line}:", stderr);
            await using var connection = await TestConnections.Factory(viaNorth).OpenAsync();
            var e = await Assert.ThrowsAnyAsync<ScriptException>(() => new ScriptExecutor(connection).ExecuteFileAsync(file, new ExecutionOptions { WorkingDirectory = folder.Root }, default));
            Assert.Equal(line, e.Line);
            Assert.Contains(advice, e.Message + " " + e.RecommendedAction);
            Assert.Equal(0L, await viaNorth.ScalarAsync("SELECT count(*) FROM pg_class WHERE relname = 'u'"));
        }
    }

    [Fact]
    public async Task NorthsOwnRowsKeepTheirUtf8BytesAndAnEarlierRunsRowStillReadsApplied()
    {
        await using var db = await TestDatabase.CreateSqlAsciiAsync();
        using var folder = new TempFolder();
        const string applied = "1.0-crème-1-ddl.sql", earlier = "1.0-zoë-0-ddl.sql";
        folder.Write($"1.0/{earlier}", "CREATE TABLE zoe (v text);\n");
        folder.Write($"1.0/{applied}", "CREATE TABLE creme (v text);\n");
        var settings = new NorthSettings { MigrationsRoot = folder.Path };
        var migrator = new Migrator(settings, TestConnections.Factory(db));
        // An earlier North (a UTF-8 connection) recorded the first file: its name is stored as UTF-8 bytes.
        await db.ExecuteAsync("CREATE TABLE zoe (v text)");
        await db.ExecuteAsync("CREATE TABLE north_migrations (id bigserial primary key, version text not null, name text not null, applied_at timestamptz not null default now(), " +
            "checksum text, duration_ms bigint, applied_by text default current_user, mode text, UNIQUE (version, name))");
        var checksum = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(folder.Path, "1.0", earlier))));
        await using (var old = await db.OpenAsync())
        await using (var insert = new NpgsqlCommand("INSERT INTO north_migrations (version, name, checksum, mode) VALUES ('1.0', $1, $2, 'applied')", old)
            { Parameters = { new() { Value = earlier }, new() { Value = checksum } } })
            await insert.ExecuteNonQueryAsync();

        Assert.Equal(new[] { applied }, (await migrator.MigrateAsync()).Select(r => r.Name));
        var state = await migrator.ReadStateAsync();
        Assert.All(state.Migrations, m => Assert.True(m.Applied && !m.Pending && !m.Modified && !m.MissingOnDisk, m.Name));
        Assert.Equal(Convert.ToHexStringLower(Utf8(earlier)) + "," + Convert.ToHexStringLower(Utf8(applied)),
            await db.ScalarAsync("SELECT string_agg(encode(convert_to(name, 'SQL_ASCII'), 'hex'), ',' ORDER BY id) FROM north_migrations"));
    }
}
