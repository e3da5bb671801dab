namespace North.Core.Sql;

/// <summary>
/// PostgreSQL's <c>PreventInTransactionBlock</c> list, the one place North knows it: statements the
/// server refuses inside a transaction block (<c>CREATE/DROP/REINDEX ... CONCURRENTLY</c>,
/// <c>DETACH PARTITION ... CONCURRENTLY</c>, <c>VACUUM</c>, <c>CREATE/DROP DATABASE</c>,
/// <c>CREATE/DROP TABLESPACE</c>, <c>ALTER SYSTEM</c>, <c>REINDEX DATABASE/SYSTEM</c>). The
/// classifier makes a file holding one non-transactional; the repository check reports one
/// written between a file's own BEGIN and COMMIT.
/// </summary>
public static class TransactionBlockStatements
{
    /// <summary>What the statement is when PostgreSQL refuses it in a transaction block, else null.</summary>
    public static string? Describe(SqlStatement statement)
    {
        var words = statement.Words;
        string At(int i) => i < words.Count ? words[i] : "";
        var concurrently = IndexOf(words, "CONCURRENTLY");
        switch (At(0))
        {
            case "VACUUM":
                return "VACUUM";
            case "CREATE" or "DROP" when At(1) is "DATABASE" or "TABLESPACE":
                return $"{At(0)} {At(1)}";
            case "ALTER" when At(1) == "SYSTEM":
                return "ALTER SYSTEM";
            case "REINDEX" when At(1) is "DATABASE" or "SYSTEM":
                return $"REINDEX {At(1)}";
            case "CREATE" or "DROP" or "REINDEX" when concurrently is > 0 and <= 4 && words.Take(concurrently).Contains("INDEX") || At(0) == "REINDEX" && concurrently is > 0 and <= 3:
                return $"{At(0)} ... CONCURRENTLY";
            case "ALTER" when At(1) == "TABLE" && concurrently > 0 && words.Contains("DETACH"):
                return "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY";
        }
        return null;
    }

    private static int IndexOf(IReadOnlyList<string> words, string word)
    {
        for (var i = 0; i < words.Count; i++)
        {
            if (words[i] == word)
            {
                return i;
            }
        }
        return -1;
    }
}
