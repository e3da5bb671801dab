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
    [InlineData("SELECT 1\\; ALTER TYPE e ADD VALUE 'x';", TransactionMode.None)]
    [InlineData("SELECT 1\\; SELECT 2;", TransactionMode.Atomic)]
    [InlineData("BEGIN\\; SELECT 1\\; COMMIT;", TransactionMode.AsWritten)]
    public void DecidesTheTransactionMode(string text, TransactionMode mode)
    {
        Assert.Equal(mode, Classify(text).Mode);
    }

    [Fact]
    public void ConfiguredKeywordsReplaceTheDefaults()
    {
        Assert.Equal(TransactionMode.None, Classify("REINDEX TABLE t;", "reindex").Mode);
        Assert.Equal(TransactionMode.Atomic, Classify("ALTER TYPE e ADD VALUE 'x';", "reindex").Mode);
    }

    [Theory]
    [InlineData("CREATE DATABASE x;", "CREATE DATABASE")]
    [InlineData("drop tablespace t;", "DROP TABLESPACE")]
    [InlineData("ALTER SYSTEM SET work_mem = '8MB';", "ALTER SYSTEM")]
    [InlineData("REINDEX DATABASE d;", "REINDEX DATABASE")]
    [InlineData("VACUUM (ANALYZE) t;", "VACUUM")]
    public void StatementsPostgresRefusesInATransactionBlockMakeTheFileNonTransactionalWhateverTheKeywords(string text, string what)
    {
        var c = Classify("SELECT 1;\n" + text, "cluster");
        Assert.Equal(TransactionMode.None, c.Mode);
        Assert.Equal(what, c.NonTransactionalKeyword);
        Assert.Equal(2, c.NonTransactionalStatement!.Line);
    }

    [Theory]
    [InlineData("ALTER TABLE k ALTER type TYPE varchar(40);", TransactionMode.Atomic)]
    [InlineData("ALTER TYPE public.mood OWNER TO postgres;", TransactionMode.Atomic)]
    [InlineData("ALTER TYPE mood RENAME VALUE 'a' TO 'b';", TransactionMode.Atomic)]
    [InlineData("SELECT 'x' AS alter, 1 AS type;", TransactionMode.Atomic)]
    [InlineData("ALTER TYPE mood ADD VALUE IF NOT EXISTS 'x';", TransactionMode.None)]
    public void AlterTypeIsMatchedAsTheLeadingWordsOfAnAddValue(string text, TransactionMode mode)
    {
        Assert.Equal(mode, Classify(text).Mode);
    }

    [Fact]
    public void ConfiguredKeywordsOfSeveralWordsMatchLeadingWords()
    {
        Assert.Equal(TransactionMode.None, Classify("CALL batch_backfill();", "CALL").Mode);
        Assert.Equal(TransactionMode.None, Classify("ALTER TYPE mood OWNER TO x;", "ALTER TYPE ... OWNER").Mode);
        Assert.Equal(TransactionMode.Atomic, Classify("SELECT 1 FROM alter_log WHERE alter_type = 1;", "ALTER TYPE ... OWNER").Mode);
        Assert.Equal(TransactionMode.None, Classify("refresh materialized view concurrently v;", "REFRESH MATERIALIZED").Mode);
        Assert.Equal(TransactionMode.Atomic, Classify("SELECT refresh, materialized FROM t;", "REFRESH MATERIALIZED").Mode);
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
