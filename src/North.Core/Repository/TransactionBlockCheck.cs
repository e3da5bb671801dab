using North.Core.Errors;
using North.Core.Sql;

namespace North.Core.Repository;

/// <summary>
/// Reads a migration with the psql-compatible <see cref="ScriptReader"/> and reports statements
/// PostgreSQL refuses inside a transaction block (<see cref="TransactionBlockStatements"/>)
/// written between the file's own <c>BEGIN</c> and <c>COMMIT</c>:
/// such a file fails at run time whatever North does. A file the reader cannot read is reported too,
/// and a <c>\connect</c> the run refuses (no new session can start in a transaction).
/// </summary>
internal static class TransactionBlockCheck
{
    public static void Run(MigrationFile file, string workingDirectory, ReadableFolders readable, IReadOnlyDictionary<string, string> variables, List<RepositoryDiagnostic> diagnostics,
        IReadOnlyList<string>? nonTransactionalKeywords = null)
    {
        int? openedAt = null;
        bool sent = false;
        int? connectAfterStatement = null;
        try
        {
            var options = new ScriptReaderOptions { WorkingDirectory = workingDirectory, Manual = file.IsManual, ReadableFolders = readable, Variables = variables };
            using (var reader = ScriptReader.Open(file.Path, options))
            foreach (var item in reader.Read())
            {
                if (item is MetaCommand { Name: "connect" or "c" } connect && sent)
                {
                    var line = SamePath(connect.File, file.Path) ? connect.Line : (int?)null;
                    if (openedAt is not null)
                        diagnostics.Add(new(DiagnosticSeverity.Error, DiagnosticCodes.NewSessionInTransaction, file.RelativePath, line ?? openedAt,
                            $"\\{connect.Name} starts a new session in psql, and here the file's own transaction block (BEGIN on line {openedAt}) is open: a run refuses it. Put it after the COMMIT, or remove it."));
                    else
                        connectAfterStatement ??= line ?? 1;
                }
                if (item is CopyFromStdin)
                    sent = true;
                if (item is not SqlStatement statement)
                {
                    continue;
                }
                sent = true;
                switch (statement.Control)
                {
                    case TransactionControl.Begin or TransactionControl.BeginWithOptions:
                        openedAt ??= statement.Line;
                        continue;
                    case TransactionControl.Commit or TransactionControl.Rollback:
                        openedAt = null;
                        continue;
                }
                if (openedAt is not null && TransactionBlockStatements.Describe(statement) is { } what)
                {
                    var where = SamePath(statement.File, file.Path) ? statement.Line : (int?)null;
                    var included = where is null ? $" (in included file '{statement.File}')" : "";
                    diagnostics.Add(new(DiagnosticSeverity.Error, DiagnosticCodes.NonTransactionalInTransaction, file.RelativePath, where ?? openedAt,
                        $"{what} cannot run inside a transaction block, and this file opens one with BEGIN on line {openedAt}{included}: PostgreSQL will refuse '{statement.FirstLine.Trim()}'. Move it out of BEGIN ... COMMIT, into a file of its own."));
                }
            }
            // Only an atomic file refuses it (read again, in this rare case, for its mode).
            if (connectAfterStatement is { } at && ScriptClassifier.Classify(file.Path, nonTransactionalKeywords, options).Mode == TransactionMode.Atomic)
                diagnostics.Add(new(DiagnosticSeverity.Error, DiagnosticCodes.NewSessionInTransaction, file.RelativePath, at,
                    "\\connect starts a new session in psql, and North runs this file in one transaction, which a new session would end: a run refuses it after the first statement. Move what follows it into a file of its own, or remove it."));
        }
        catch (ScriptSyntaxException e)
        {
            diagnostics.Add(new(DiagnosticSeverity.Error, DiagnosticCodes.UnreadableScript, file.RelativePath, e.Line,
                $"The file cannot be read the way psql would: {e.Problem}." + (e.RecommendedAction is null ? "" : " " + e.RecommendedAction)));
        }
        catch (Errors.ScriptException e) when (e.ErrorId == ErrorIds.PathOutsideRoot)
        {
            diagnostics.Add(new(DiagnosticSeverity.Error, DiagnosticCodes.PathOutsideRoot, file.RelativePath, e.Line,
                e.Message[(e.Message.IndexOf(": ", StringComparison.Ordinal) + 2)..] + ". " + e.RecommendedAction));
        }
        catch (Errors.ScriptException e) when (e.ErrorId is ErrorIds.FileUnreadable or ErrorIds.FileNotRegular)
        {
            diagnostics.Add(new(DiagnosticSeverity.Error, DiagnosticCodes.Unreadable, file.RelativePath, e.Line, e.Message));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // MigrationContentCheck already reported the unreadable file.
        }
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
}
