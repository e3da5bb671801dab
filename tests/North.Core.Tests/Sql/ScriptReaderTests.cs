using North.Core.Sql;

namespace North.Core.Tests.Sql;

public class ScriptReaderTests
{
    private static List<ScriptItem> Read(string text, ScriptReaderOptions? options = null)
    {
        using var reader = ScriptReader.FromText(text, "t.sql", options);
        var items = new List<ScriptItem>();
        foreach (var item in reader.Read())
        {
            if (item is CopyFromStdin copy)
                copy.ReadDataLines().ToList();
            items.Add(item);
        }
        return items;
    }

    private static List<string> Statements(string text, ScriptReaderOptions? options = null) =>
        Read(text, options).Select(i => i switch { SqlStatement s => s.Text, CopyFromStdin c => c.Statement.Text, _ => "" })
            .Where(t => t != "").ToList();

    [Fact]
    public void SplitsAtSemicolonsAndDropsLeadingCommentsLikePsql()
    {
        var s = Statements("-- header\n\nSELECT 1; SELECT 2\n\n  -- inside\n;\nSELECT 3");
        Assert.Equal(new[] { "SELECT 1;", "SELECT 2\n  -- inside\n;", "SELECT 3" }, s);
    }

    [Theory]
    [InlineData("SELECT 'a;b''c;';", "SELECT 'a;b''c;';")]
    [InlineData("SELECT E'a\\';b';", "SELECT E'a\\';b';")]
    [InlineData("SELECT U&'d\\0061t;a', X'1F', B'101';", "SELECT U&'d\\0061t;a', X'1F', B'101';")]
    [InlineData("SELECT \"a;\"\"b\" FROM t;", "SELECT \"a;\"\"b\" FROM t;")]
    [InlineData("SELECT $tag$ a; $$ ; $tag$;", "SELECT $tag$ a; $$ ; $tag$;")]
    [InlineData("PREPARE p AS SELECT $1; ", "PREPARE p AS SELECT $1;")]
    [InlineData("SELECT /* a; /* nested; */ b; */ 1;", "SELECT /* a; /* nested; */ b; */ 1;")]
    [InlineData("SELECT (1;\n2);", "SELECT (1;\n2);")]
    [InlineData("SELECT a$b$c FROM t;", "SELECT a$b$c FROM t;")]
    public void KeepsSemicolonsInsideQuotesCommentsAndParentheses(string script, string expected)
    {
        Assert.Equal(new[] { expected }, Statements(script));
    }

    [Fact]
    public void BeginAtomicBodiesStayInOneStatement()
    {
        var script = "CREATE FUNCTION f(n int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN n > 0 THEN 1 ELSE 0 END;\n  SELECT 2;\nEND;\nSELECT f(1);";
        var s = Statements(script);
        Assert.Equal(2, s.Count);
        Assert.EndsWith("END;", s[0]);
        Assert.Equal("SELECT f(1);", s[1]);
    }

    [Fact]
    public void BomCrlfAndFinalStatementWithoutSemicolon()
    {
        var s = Statements("\uFEFFSELECT 1;\r\nSELECT\r\n 2");
        Assert.Equal(new[] { "SELECT 1;", "SELECT\r\n 2" }, s);
    }

    [Fact]
    public void InterpolatesVariablesOutsideQuotesOnly()
    {
        var s = Statements("\\set t my_table\n\\set v 'it''s'\nSELECT :'v', :\"t\", ':v', x::int FROM :t WHERE :undefined;");
        Assert.Equal(new[] { "SELECT 'it''s', \"my_table\", ':v', x::int FROM my_table WHERE :undefined;" }, s);
    }

    [Fact]
    public void ReportsLinesColumnsAndMapsServerPositions()
    {
        var items = Read("\n-- c\n  SELECT 1,\n    nope;\n");
        var statement = Assert.IsType<SqlStatement>(Assert.Single(items));
        Assert.Equal((3, 3), (statement.Line, statement.Column));
        Assert.Equal("SELECT 1,", statement.FirstLine);
        // "SELECT 1,\n    nope;": 'nope' is at position 15.
        Assert.Equal((4, 5), statement.MapPosition(15));
    }

    [Fact]
    public void CopyDataIsStreamedUpToBackslashDot()
    {
        using var reader = ScriptReader.FromText("COPY t (a) FROM stdin;\n1\n\\N\n\\.\nSELECT 1;", "t.sql");
        var items = reader.Read().GetEnumerator();
        Assert.True(items.MoveNext());
        var copy = Assert.IsType<CopyFromStdin>(items.Current);
        Assert.Equal(new[] { "1", "\\N" }, copy.ReadDataLines().ToArray());
        Assert.Equal(2, copy.DataLine);
        Assert.True(items.MoveNext());
        Assert.Equal("SELECT 1;", Assert.IsType<SqlStatement>(items.Current).Text);
    }

    [Fact]
    public void UnreadCopyDataIsSkipped()
    {
        var s = Statements("COPY t FROM STDIN;\nSELECT 'data, not SQL';\n\\.\nSELECT 2;");
        Assert.Equal(new[] { "COPY t FROM STDIN;", "SELECT 2;" }, s);
    }

    [Fact]
    public void MarkersAndMetaCommandsAreItems()
    {
        var items = Read("\\timing\n--meta-psql:do-until-0\nUPDATE t SET a = 1;\n--meta-psql:done\n\\echo 'hello world' :v\n");
        Assert.Equal("timing", Assert.IsType<MetaCommand>(items[0]).Name);
        Assert.True(Assert.IsType<MetaPsqlMarker>(items[1]).IsDoUntilZero);
        Assert.IsType<SqlStatement>(items[2]);
        Assert.True(Assert.IsType<MetaPsqlMarker>(items[3]).IsDone);
        Assert.Equal(new[] { "hello world", ":v" }, Assert.IsType<MetaCommand>(items[4]).Arguments);
    }

    [Theory]
    [InlineData("SELECT 'abc;\n", 1, 8, "unterminated quoted string")]
    [InlineData("SELECT 1;\nSELECT $x$ abc;\n", 2, 8, "unterminated dollar-quoted string")]
    [InlineData("SELECT /* /* */ 1;\n", 1, 8, "unterminated /* comment")]
    [InlineData("SELECT 1;\n\\.\n", 2, 1, "\\. outside COPY data")]
    [InlineData("SELECT 1;\nCOPY t FROM stdin BINARY;\n1\n2\n", 2, 1, "binary COPY")]
    [InlineData("SELECT 1;\n  \\lo_import f\n", 2, 3, "unsupported psql meta-command \\lo_import")]
    [InlineData("SELECT 1;\n  \\gexec\n", 2, 3, "\\gexec with no query before it")]
    [InlineData("\\if false\n  \\bogus\n\\endif\n", 2, 3, "unsupported psql meta-command \\bogus")]
    [InlineData("\\connect other\n", 1, 1, "\\connect to database \"other\"")]
    [InlineData("\\restrict k1\n\\echo hi\n", 2, 1, "restricted mode")]
    [InlineData("SELECT 1\n--meta-psql:done\n;", 2, 1, "marker inside an unfinished statement")]
    public void MalformedInputNamesFileAndLine(string script, int line, int column, string problem)
    {
        var options = new ScriptReaderOptions { CurrentDatabase = "current" };
        var e = Assert.Throws<ScriptSyntaxException>(() => Read(script, options));
        Assert.Equal(("t.sql", line, column), (e.File, e.Line, e.Column));
        Assert.Contains(problem, e.Message);
        Assert.StartsWith($"t.sql:{line}:{column}: ", e.Message);
    }

    [Fact]
    public void InvalidUtf8IsAnErrorWithItsLine()
    {
        var bytes = "SELECT 1;\nSELECT '"u8.ToArray().Concat(new byte[] { 0xC3, 0x28 }).Concat("';\n"u8.ToArray()).ToArray();
        using var reader = ScriptReader.FromStream(new MemoryStream(bytes), "t.sql");
        var e = Assert.Throws<ScriptSyntaxException>(() => reader.Read().ToList());
        Assert.Equal((2, 9), (e.Line, e.Column));
        Assert.Contains("invalid utf-8", e.Message);
    }

    [Fact]
    public void EncodingSwitchDecodesTheRestOfTheFile()
    {
        var bytes = "SET client_encoding = 'LATIN1';\nSELECT '"u8.ToArray().Concat(new byte[] { 0xE9 }).Concat("';\n"u8.ToArray()).ToArray();
        using var reader = ScriptReader.FromStream(new MemoryStream(bytes), "t.sql");
        var items = reader.Read().ToList();
        // Offline the SET decodes the rest; a run sends it and follows the server's parameter status.
        Assert.Equal("SET client_encoding = 'LATIN1';", Assert.IsType<SqlStatement>(items[0]).Text);
        Assert.Equal("SELECT 'é';", Assert.IsType<SqlStatement>(items[1]).Text);
    }

    [Fact]
    public void RestrictAndUnrestrictWithTheSameKeyAreAccepted()
    {
        var s = Statements("\\restrict abc\nSELECT 1;\n\\unrestrict abc\n\\echo ok\n");
        Assert.Equal(new[] { "SELECT 1;" }, s);
    }

    [Fact]
    public void IncludesFollowFilesWithTheirOwnLinesAndDetectCycles()
    {
        using var folder = new ScriptFolder();
        folder.Write("sub/inner.sql", "\nSELECT 'inner';\n\\ir deeper.sql\n");
        folder.Write("sub/deeper.sql", "SELECT 'deeper';\n");
        var main = folder.Write("main.sql", "SELECT 1;\n\\ir sub/inner.sql\nSELECT 2;\n");
        using (var reader = ScriptReader.Open(main))
        {
            var statements = reader.Read().OfType<SqlStatement>().ToList();
            Assert.Equal(new[] { "SELECT 1;", "SELECT 'inner';", "SELECT 'deeper';", "SELECT 2;" }, statements.Select(s => s.Text));
            Assert.Equal(2, statements[1].Line);
            Assert.EndsWith(Path.Combine("sub", "inner.sql"), statements[1].File);
            Assert.EndsWith(Path.Combine("sub", "deeper.sql"), statements[2].File);
        }

        folder.Write("a.sql", "SELECT 'a';\n\\ir b.sql\n");
        folder.Write("b.sql", "\\ir a.sql\n");
        using (var reader = ScriptReader.Open(Path.Combine(folder.Root, "a.sql")))
        {
            var e = Assert.Throws<ScriptSyntaxException>(() => reader.Read().ToList());
            Assert.Contains("include cycle", e.Message);
            Assert.Equal(1, e.Line);
            Assert.EndsWith("b.sql", e.File);
        }

        var missing = folder.Write("missing.sql", "SELECT 1;\n\\i nowhere.sql\n");
        using (var reader = ScriptReader.Open(missing, new ScriptReaderOptions { WorkingDirectory = folder.Root }))
        {
            var e = Assert.Throws<ScriptSyntaxException>(() => reader.Read().ToList());
            Assert.Equal(2, e.Line);
            Assert.Contains("not found", e.Message);
        }
    }
}
