using North.Core.Sql;

namespace North.Core.Tests.Sql;

public class ScriptClassifierTests
{
    private static ScriptClassification Classify(string text, params string[] keywords)
    {
        using var reader = ScriptReader.FromText(text, "t.sql");
        return ScriptClassifier.Classify(reader, keywords.Length == 0 ? null : keywords);
    }

    [Theory]
    [InlineData("CREATE TABLE t (a int);", TransactionMode.Atomic)]
    [InlineData("BEGIN;\nCREATE TABLE t (a int);\nCOMMIT;", TransactionMode.Atomic)]
    [InlineData("\\timing\nbegin work;\nCREATE TABLE t (a int);\nend;\n-- bye", TransactionMode.Atomic)]
    [InlineData("BEGIN;\nCREATE TABLE t (a int);\nCOMMIT;\nBEGIN;\nSELECT 1;\nCOMMIT;", TransactionMode.AsWritten)]
    [InlineData("SELECT 1;\nBEGIN;\nCREATE TABLE t (a int);\nCOMMIT;", TransactionMode.AsWritten)]
    [InlineData("BEGIN ISOLATION LEVEL SERIALIZABLE;\nSELECT 1;\nCOMMIT;", TransactionMode.AsWritten)]
    [InlineData("BEGIN;\nSAVEPOINT s;\nROLLBACK TO SAVEPOINT s;\nCOMMIT;", TransactionMode.Atomic)]
    [InlineData("CREATE INDEX CONCURRENTLY i ON t (a);", TransactionMode.None)]
    [InlineData("alter  type e add value 'x';", TransactionMode.None)]
    [InlineData("-- CONCURRENTLY in a comment\nSELECT 'VACUUM', \"vacuum\";", TransactionMode.Atomic)]
    [InlineData("DO $$ BEGIN PERFORM 1; END $$;", TransactionMode.Atomic)]
    public void DecidesTheTransactionMode(string text, TransactionMode mode)
    {
        Assert.Equal(mode, Classify(text).Mode);
    }

    [Fact]
    public void ConfiguredKeywordsReplaceTheDefaults()
    {
        Assert.Equal(TransactionMode.None, Classify("REINDEX TABLE t;", "reindex").Mode);
        Assert.Equal(TransactionMode.Atomic, Classify("VACUUM t;", "reindex").Mode);
    }

    [Fact]
    public void ManualFilesRunAsWrittenAndUnknownMarkersAreErrors()
    {
        var c = Classify("--meta-psql:do-until-0\nUPDATE t SET a = 1;\n--meta-psql:done\n");
        Assert.True(c.Manual);
        Assert.Equal(TransactionMode.AsWritten, c.Mode);
        var e = Assert.Throws<ScriptSyntaxException>(() => Classify("SELECT 1;\n--meta-psql:repeat\n"));
        Assert.Equal(2, e.Line);
        Assert.Contains("unknown meta command --meta-psql:repeat", e.Message);
        Assert.Throws<ScriptSyntaxException>(() => Classify("--meta-psql:do-until-0\nSELECT 1;\n"));
    }
}
