using North.Core.Files;

namespace North.Core.Sql;

/// <summary>What <see cref="ScriptClassifier"/> found out about a file, without a database.</summary>
/// <param name="Mode">How the file must run.</param>
/// <param name="Manual">It has <c>--meta-psql:</c> markers.</param>
/// <param name="StatementCount">SQL statements (COPY included), includes followed.</param>
/// <param name="OuterBeginIndex">Ordinal (0-based, among SQL statements) of the outer BEGIN North replaces, or -1.</param>
/// <param name="OuterCommitIndex">Ordinal of the outer COMMIT North replaces, or -1.</param>
/// <param name="NonTransactionalStatement">The first statement holding a non-transactional keyword, or that PostgreSQL refuses in a transaction block; null when none.</param>
/// <param name="NonTransactionalKeyword">The keyword it holds, or what it is (<c>CREATE DATABASE</c>).</param>
/// <param name="Undecided">
/// A <c>\if</c> depends on a query's result (<c>\gset</c>), so every branch was read: the run may
/// send fewer statements, and no outer BEGIN/COMMIT is replaced by position.
/// </param>
public sealed record ScriptClassification(
    TransactionMode Mode,
    bool Manual,
    int StatementCount,
    int OuterBeginIndex,
    int OuterCommitIndex,
    SqlStatement? NonTransactionalStatement,
    string? NonTransactionalKeyword,
    bool Undecided = false);

/// <summary>
/// Decides how a file must run, by reading it once with <see cref="ScriptReader"/> (so it also
/// proves the file reads cleanly: a malformed file fails here, before anything is applied).
/// </summary>
public static class ScriptClassifier
{
    /// <summary>The default non-transactional keywords of DESIGN.md section 3.</summary>
    public static readonly IReadOnlyList<string> DefaultNonTransactionalKeywords = new[] { "CONCURRENTLY", "ALTER TYPE", "VACUUM" };

    /// <summary>
    /// Classifies the file at <paramref name="path"/>. With <paramref name="files"/>, a file whose
    /// reading used no meta-command nor variable (so depends on its bytes alone) is not lexed again
    /// while it stays the same. <paramref name="options"/> says whether the file is manual.
    /// </summary>
    public static ScriptClassification Classify(string path, IEnumerable<string>? nonTransactionalKeywords = null, ScriptReaderOptions? options = null, FileStampCache? files = null)
    {
        var keywords = nonTransactionalKeywords as IReadOnlyCollection<string> ?? nonTransactionalKeywords?.ToArray();
        (ScriptClassification, bool) Learn()
        {
            using var reader = ScriptReader.Open(path, options);
            var result = Classify(reader, keywords);
            return (result, !reader.DependsOnContext);
        }
        if (files is null)
            return Learn().Item1;
        var manual = options?.Manual ?? true;
        var fact = $"classification\n{manual}\n{(keywords is null ? "\0" : string.Join('\n', keywords))}";
        return files.Get(path, fact, Learn);
    }

    /// <summary>Classifies what <paramref name="reader"/> yields (it is read to the end).</summary>
    public static ScriptClassification Classify(ScriptReader reader, IEnumerable<string>? nonTransactionalKeywords = null)
    {
        var keywords = (nonTransactionalKeywords ?? DefaultNonTransactionalKeywords).Where(k => !string.IsNullOrWhiteSpace(k)).ToArray();
        int count = 0;
        bool manual = false;
        bool openBlock = false;
        SqlStatement? nonTransactional = null;
        string? keyword = null;
        var controls = new List<(int Index, TransactionControl Control)>();

        foreach (var item in reader.Read())
        {
            switch (item)
            {
                case MetaPsqlMarker marker:
                    manual = true;
                    if (marker.IsDoUntilZero)
                    {
                        if (openBlock)
                            throw new ScriptSyntaxException(marker.File, marker.Line, marker.Column, "--meta-psql:do-until-0 inside another do-until-0 block (missing --meta-psql:done)");
                        openBlock = true;
                    }
                    else if (marker.IsDone)
                    {
                        if (!openBlock)
                            throw new ScriptSyntaxException(marker.File, marker.Line, marker.Column, "--meta-psql:done without a --meta-psql:do-until-0 before it");
                        openBlock = false;
                    }
                    else
                    {
                        throw new ScriptSyntaxException(marker.File, marker.Line, marker.Column,
                            $"unknown meta command --meta-psql:{marker.Command}", "Known meta commands: --meta-psql:do-until-0 and --meta-psql:done.");
                    }
                    break;
                case CopyFromStdin copy:
                    if (openBlock)
                        throw new ScriptSyntaxException(copy.File, copy.Line, copy.Column, "COPY ... FROM stdin inside a do-until-0 block cannot be repeated");
                    Note(copy.Statement);
                    break;
                case SqlStatement statement:
                    Note(statement);
                    break;
            }
        }

        void Note(SqlStatement statement)
        {
            if (statement.Control is not (TransactionControl.None or TransactionControl.Savepoint))
                controls.Add((count, statement.Joined is null ? statement.Control : TransactionControl.Other));
            else if (statement.Joined is not null && statement.Parts.Any(p => p.Control is not (TransactionControl.None or TransactionControl.Savepoint)))
                controls.Add((count, TransactionControl.Other)); // a BEGIN or COMMIT joined with \; runs as written
            if (nonTransactional is null)
            {
                // Statements joined with \; are matched one by one: ALTER TYPE leads its own statement.
                foreach (var k in keywords)
                    if (statement.Parts.Any(p => p.ContainsKeyword(k)))
                    {
                        nonTransactional = statement;
                        keyword = k;
                        break;
                    }
                // What PostgreSQL refuses in a transaction block never runs atomically, whatever the keywords.
                if (nonTransactional is null && TransactionBlockStatements.Describe(statement) is { } refused)
                {
                    nonTransactional = statement;
                    keyword = refused;
                }
            }
            count++;
        }

        if (openBlock)
            throw new ScriptSyntaxException(reader.MainFile, reader.LastLine, 1, "--meta-psql:do-until-0 block not closed by --meta-psql:done before the end of the file");

        int begin = -1, commit = -1;
        TransactionMode mode;
        if (nonTransactional is not null)
            mode = TransactionMode.None;
        else if (reader.Undecided && controls.Count > 0)
            mode = TransactionMode.AsWritten; // which BEGIN/COMMIT run depends on a query: as written
        else if (controls.Count == 0)
            mode = manual ? TransactionMode.AsWritten : TransactionMode.Atomic;
        else if (controls.Count == 2 && controls[0] == (0, TransactionControl.Begin)
                 && controls[1].Control == TransactionControl.Commit && controls[1].Index == count - 1)
        {
            begin = 0;
            commit = count - 1;
            mode = manual ? TransactionMode.AsWritten : TransactionMode.Atomic;
        }
        else
            mode = TransactionMode.AsWritten;
        if (mode != TransactionMode.Atomic)
            begin = commit = -1;
        return new ScriptClassification(mode, manual, count, begin, commit, nonTransactional, keyword, reader.Undecided);
    }
}
