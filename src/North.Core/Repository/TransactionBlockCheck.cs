using North.Core.Sql;

namespace North.Core.Repository;

/// <summary>
/// Reads a migration with the psql-compatible <see cref="ScriptReader"/> and reports statements
/// PostgreSQL refuses inside a transaction block (its <c>PreventInTransactionBlock</c> list:
/// <c>CREATE/DROP/REINDEX ... CONCURRENTLY</c>, <c>DETACH PARTITION ... CONCURRENTLY</c>,
/// <c>VACUUM</c>, <c>CREATE/DROP DATABASE</c>, <c>CREATE/DROP TABLESPACE</c>, <c>ALTER SYSTEM</c>,
/// <c>REINDEX DATABASE/SYSTEM</c>) written between the file's own <c>BEGIN</c> and <c>COMMIT</c>:
/// such a file fails at run time whatever North does. A file the reader cannot read is reported too.
/// </summary>
internal static class TransactionBlockCheck
{
    public static void Run(MigrationFile file, string workingDirectory, ReadableFolders readable, List<RepositoryDiagnostic> diagnostics)
    {
        int? openedAt = null;
        try
        {
            using var reader = ScriptReader.Open(file.Path, new ScriptReaderOptions { WorkingDirectory = workingDirectory, Manual = file.IsManual, ReadableFolders = readable });
            foreach (var item in reader.Read())
            {
                if (item is not SqlStatement statement)
                {
                    continue;
                }
                switch (statement.Control)
                {
                    case TransactionControl.Begin or TransactionControl.BeginWithOptions:
                        openedAt ??= statement.Line;
                        continue;
                    case TransactionControl.Commit or TransactionControl.Rollback:
                        openedAt = null;
                        continue;
                }
                if (openedAt is not null && Describe(statement) is { } what)
                {
                    var where = SamePath(statement.File, file.Path) ? statement.Line : (int?)null;
                    var included = where is null ? $" (in included file '{statement.File}')" : "";
                    diagnostics.Add(new(DiagnosticSeverity.Error, DiagnosticCodes.NonTransactionalInTransaction, file.RelativePath, where ?? openedAt,
                        $"{what} cannot run inside a transaction block, and this file opens one with BEGIN on line {openedAt}{included}: PostgreSQL will refuse '{statement.FirstLine.Trim()}'. Move it out of BEGIN ... COMMIT, into a file of its own."));
                }
            }
        }
        catch (ScriptSyntaxException e)
        {
            diagnostics.Add(new(DiagnosticSeverity.Error, DiagnosticCodes.UnreadableScript, file.RelativePath, e.Line,
                $"The file cannot be read the way psql would: {e.Problem}." + (e.RecommendedAction is null ? "" : " " + e.RecommendedAction)));
        }
        catch (Errors.ScriptException e) when (e.ErrorId == Errors.ScriptException.PathOutsideRootId)
        {
            diagnostics.Add(new(DiagnosticSeverity.Error, DiagnosticCodes.PathOutsideRoot, file.RelativePath, e.Line,
                e.Message[(e.Message.IndexOf(": ", StringComparison.Ordinal) + 2)..] + ". " + e.RecommendedAction));
        }
        catch (Errors.ScriptException e) when (e.ErrorId is Errors.ScriptException.FileUnreadableId or Errors.ScriptException.FileNotRegularId)
        {
            diagnostics.Add(new(DiagnosticSeverity.Error, DiagnosticCodes.Unreadable, file.RelativePath, e.Line, e.Message));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // MigrationContentCheck already reported the unreadable file.
        }
    }

    /// <summary>What the statement is when PostgreSQL refuses it in a transaction block, else null.</summary>
    internal static string? Describe(SqlStatement statement)
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

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
}
