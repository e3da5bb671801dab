using System.Text;
using North.Core.Execution;
using North.Core.Sql;
using North.Core.Tests.Infrastructure;

namespace North.Core.Tests.Sql;

/// <summary>
/// For tricky scripts, the statements North reads are byte for byte those psql sends
/// (<c>psql -e</c> echoes each one), and running them through the engine gives the database psql gives.
/// </summary>
public class PsqlDifferentialTests
{
    public static readonly Dictionary<string, string> Scripts = new()
    {
        ["quotes"] = "CREATE TABLE q (a text);\nINSERT INTO q VALUES ('a;b'), ('it''s; x'), (E'x\\';y'), (U&'d\\0061t;'), (N'n;');\nINSERT INTO q SELECT X'1F'::text || B'101'::text;\nINSERT INTO q VALUES ('multi\nline;\n\nstring');\n",
        ["identifiers"] = "CREATE TABLE \"we;ird\"\"t\" (\"a;b\" int);\nINSERT INTO \"we;ird\"\"t\" VALUES (1);\nCREATE TABLE U&\"d\\0061t\" (a int);\n",
        ["dollar"] = "CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $body$\nBEGIN\n  RETURN $$a;b$$ || $x$;$x$;\nEND\n$body$;\nCREATE TABLE d AS SELECT f() AS v, 'a$b' AS w;\nPREPARE p(int) AS SELECT $1;\nCREATE TABLE e AS SELECT 1 AS a$b$;\n",
        ["comments"] = "-- leading comment; not sent\n/* block; sent */\nCREATE TABLE c (a int); -- trailing; dropped\nINSERT INTO c /* a /* nested; */ comment; */ VALUES (1);\nINSERT INTO c -- inside; kept\nVALUES (2);\n",
        ["parentheses"] = "CREATE TABLE t (a int);\nCREATE TABLE log (a int);\nCREATE RULE r AS ON INSERT TO t DO ALSO (\n  INSERT INTO log VALUES (1);\n  INSERT INTO log VALUES (2)\n);\nINSERT INTO t VALUES (0);\n",
        ["begin-atomic"] = "CREATE FUNCTION g(n int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN n > 0 THEN 1 ELSE 0 END;\nEND;\nCREATE OR REPLACE PROCEDURE pr(a int) LANGUAGE sql\nBEGIN ATOMIC\n  SELECT a;\n  SELECT a + 1;\nEND;\nCREATE TABLE ga AS SELECT g(5) AS v;\n",
        ["no-final-semicolon"] = "CREATE TABLE z (a int);\nINSERT INTO z VALUES (9)\n",
        ["bom-crlf"] = "\uFEFFCREATE TABLE b (a text);\r\nINSERT INTO b VALUES ('x'),\r\n ('y');\r\n",
        ["blank-lines"] = "CREATE TABLE bl (\n\n  a int,\n\n   \n  b int\n);\n\n\nINSERT INTO bl\n\nVALUES (1, 2);\n",
        ["variables"] = "\\set tbl vt\n\\set val 'it''s'\n\\set n 42\nCREATE TABLE :tbl (a text, b int, c text);\nINSERT INTO :\"tbl\" VALUES (:'val', :n, ':n');\nINSERT INTO vt SELECT b::text, b, c FROM vt;\n",
        ["copy"] = "CREATE TABLE cp (a int, b text);\nCOPY cp (a, b) FROM stdin;\n1\tone\n2\t\\N\n3\ttab\\there\n\\.\nCOPY cp FROM STDIN WITH (FORMAT csv);\n4,\"x,y\"\n\\.\nSELECT 1;\n",
        ["meta"] = "\\set ON_ERROR_STOP on\n\\timing off\n\\pset pager off\n\\restrict abc123\nCREATE TABLE m (a int);\n\\unrestrict abc123\n\\encoding UTF8\nSET client_encoding = 'UTF8';\nINSERT INTO m VALUES (1);\n",
        ["transactions"] = "BEGIN;\nCREATE TABLE tx (a int);\nSAVEPOINT s;\nINSERT INTO tx VALUES (1);\nROLLBACK TO SAVEPOINT s;\nINSERT INTO tx VALUES (2);\nCOMMIT;\n",
    };

    public static IEnumerable<object[]> Names => Scripts.Keys.Select(k => new object[] { k }).Append(new object[] { "all-combined" });

    [Theory]
    [MemberData(nameof(Names))]
    public async Task NorthSendsWhatPsqlSendsAndEndsWithTheSameDatabase(string name)
    {
        using var folder = new ScriptFolder();
        string text = name == "all-combined"
            ? string.Concat(Scripts.Where(s => s.Key != "bom-crlf").Select(s => s.Value.TrimEnd('\n').EndsWith(';') ? s.Value : s.Value.TrimEnd('\n') + ";\n"))
                + "\\ir inc/included.sql\n"
            : Scripts[name];
        if (name == "all-combined")
            folder.Write("inc/included.sql", "CREATE TABLE inc (a int);\n\\ir deeper.sql\n");
        folder.Write("inc/deeper.sql", "INSERT INTO inc VALUES (1)");
        var file = folder.Write(name + ".sql", text);

        await using var viaPsql = await TestDatabase.CreateAsync();
        await using var viaNorth = await TestDatabase.CreateAsync();
        var echoed = await Psql.RunFileAsync(viaPsql.ConnectionString, file, folder.Root);

        var sent = new StringBuilder();
        using (var reader = ScriptReader.Open(file))
            foreach (var item in reader.Read())
            {
                if (item is SqlStatement s) sent.Append(s.Text).Append('\n');
                if (item is CopyFromStdin c) sent.Append(c.Statement.Text).Append('\n');
            }
        Assert.Equal(echoed, sent.ToString());

        await using (var connection = await viaNorth.OpenAsync())
            await new ScriptExecutor(connection).ExecuteFileAsync(file, new ExecutionOptions { WorkingDirectory = folder.Root }, default);
        await PgDump.AssertSameDatabaseAsync(viaPsql.ConnectionString, viaNorth.ConnectionString);
    }
}
