using North.Core.Repository;
using North.Core.Sql;

namespace North.Core.LockRisk;

/// <summary>
/// The lock-risk rules of <c>Test-NorthRepository</c> (NORTH101...) over every migration, version
/// by version: each file is read with the psql-compatible reader (so words in strings and comments
/// never count), classified as the run would (its transaction mode), and each statement knows the
/// tables and indexes that earlier statements of the same version created. Ignore comments and the
/// <c>LockRiskSeverities</c> setting decide what is reported, and how loudly.
/// </summary>
internal static class LockRiskCheck
{
    /// <summary>Every lock-risk code, in order.</summary>
    public static readonly IReadOnlyList<string> Codes =
    [
        DiagnosticCodes.IndexWithoutConcurrently, DiagnosticCodes.DropOrReindexWithoutConcurrently, DiagnosticCodes.ConstraintWithoutNotValid,
        DiagnosticCodes.SetNotNull, DiagnosticCodes.ColumnTypeChange, DiagnosticCodes.VolatileDefault, DiagnosticCodes.ConstraintIndexBuild,
        DiagnosticCodes.ExclusiveMaintenance, DiagnosticCodes.TruncateCascade, DiagnosticCodes.BreakingChange, DiagnosticCodes.LockTimeoutOff,
        DiagnosticCodes.NotRerunnable, DiagnosticCodes.LongIdentifier, DiagnosticCodes.UnboundedBatch,
    ];

    public static void Run(MigrationRepository repository, List<RepositoryDiagnostic> diagnostics)
    {
        var settings = repository.Settings;
        var severities = LockRiskSeverities.Parse(settings.LockRiskSeverities, settings.SourceOf(nameof(settings.LockRiskSeverities)).ToString(), diagnostics);
        foreach (var version in repository.Versions)
        {
            var created = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in version.Migrations)
            {
                foreach (var (line, finding) in CheckFile(file, settings.NonTransactionalKeywords, created))
                {
                    if (severities.Of(finding.Code) is { } severity)
                        diagnostics.Add(new(severity, finding.Code, file.RelativePath, line, finding.Message));
                }
            }
        }
    }

    /// <summary>The findings of one file not silenced by its ignore comments; <paramref name="created"/> grows with what it creates.</summary>
    private static List<(int Line, LockRiskFinding Finding)> CheckFile(MigrationFile file, IReadOnlyList<string> keywords, HashSet<string> created)
    {
        var found = new List<(int, LockRiskFinding)>();
        try
        {
            var mode = ScriptClassifier.Classify(file.Path, keywords).Mode;
            var ignores = LockRiskIgnores.Read(file.Path);
            var main = Path.GetFullPath(file.Path);
            int? blockLine = null;
            var blockBounded = true;
            using var reader = ScriptReader.Open(file.Path);
            foreach (var item in reader.Read())
            {
                if (item is MetaPsqlMarker marker && file.IsManual)
                {
                    if (marker.IsDoUntilZero)
                    {
                        blockLine = marker.Line;
                        blockBounded = false;
                    }
                    else if (marker.IsDone && blockLine is { } opened)
                    {
                        if (!blockBounded)
                            Add(opened, new(DiagnosticCodes.UnboundedBatch,
                                "No statement of this do-until-0 block has a LIMIT or a bounded key range: its first iteration may change (and lock) every row of the table in one transaction, and a statement whose rows never stop matching never reaches 0. Change a batch at a time: WHERE id IN (SELECT id FROM ... WHERE ... LIMIT 1000)."));
                        blockLine = null;
                    }
                    continue;
                }
                var statement = item switch { SqlStatement s => s, CopyFromStdin c => c.Statement, _ => null };
                if (statement is null)
                    continue;
                // Statements joined with \; are judged one by one, as the server runs them.
                foreach (var part in statement.Parts)
                {
                    var view = new LockRiskStatement(part, mode, created);
                    if (blockLine is not null && IsBounded(view))
                        blockBounded = true;
                    // A statement of an included file is reported on the \i line's file only when it is the file itself.
                    if (Path.GetFullPath(part.File) == main)
                        foreach (var finding in LockRiskRules.Check(view))
                            Add(part.Line, finding);
                    NoteCreated(view, created);
                }
            }

            void Add(int line, LockRiskFinding finding)
            {
                if (!ignores.Silences(finding.Code, line))
                    found.Add((line, finding));
            }
        }
        catch (Exception e) when (e is Errors.ScriptException or IOException or UnauthorizedAccessException)
        {
            // Reported by the file checks (NORTH019-NORTH023: unreadable, psql syntax, NUL, not regular, outside the root).
        }
        return found;
    }

    /// <summary>A data change limited to a batch: LIMIT / FETCH FIRST, BETWEEN, or a key compared both ways.</summary>
    private static bool IsBounded(LockRiskStatement s)
    {
        var keyword = s[0].Upper;
        if (keyword is not ("UPDATE" or "DELETE" or "INSERT" or "MERGE" or "WITH"))
            return false;
        if (s.Has("LIMIT") || s.Has("FETCH") || s.Has("BETWEEN"))
            return true;
        var below = s.Tokens.Any(t => t.IsSymbol("<") || t.IsSymbol("<="));
        var above = s.Tokens.Any(t => t.IsSymbol(">") || t.IsSymbol(">="));
        return below && above;
    }

    /// <summary>Remembers the tables, materialized views and indexes a statement creates.</summary>
    private static void NoteCreated(LockRiskStatement s, HashSet<string> created)
    {
        if (!s[0].Is("CREATE"))
            return;
        var at = 1;
        foreach (var word in new[] { "OR", "REPLACE", "GLOBAL", "LOCAL", "TEMPORARY", "TEMP", "UNLOGGED", "UNIQUE", "MATERIALIZED" })
            at = s.Skip(at, word);
        if (s[at].Is("TABLE") || s[at].Is("VIEW") || s[at].Is("INDEX"))
        {
            at = s.Skip(s.Skip(at + 1, "CONCURRENTLY"), "IF", "NOT", "EXISTS");
            if (!s[at].Is("ON") && s.Name(at, out _) is { } name)
                created.Add(name);
        }
    }
}
