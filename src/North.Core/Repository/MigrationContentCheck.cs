namespace North.Core.Repository;

/// <summary>
/// Checks one migration file's text, reading it once, line by line: valid UTF-8, and the
/// <c>--meta-psql:</c> markers. Markers are whole-line comments, so a line scan is exact for them:
/// in a manual file each must be <c>do-until-0</c> or <c>done</c>, paired and not nested; in a
/// <c>ddl.sql</c> file outside <c>manual/</c> they are ignored by both originals (the file is not
/// manual), which deserves a warning.
/// </summary>
internal static class MigrationContentCheck
{
    public const string DoUntilZero = "do-until-0";
    public const string Done = "done";

    /// <summary>Checks the file; false when it is unreadable or not UTF-8, so no further reading is worth it.</summary>
    public static bool Run(MigrationFile file, List<RepositoryDiagnostic> diagnostics)
    {
        var markerInDdlReported = false;
        var invalidUtf8Reported = false;
        var nulReported = false;
        int? openedAt = null;
        try
        {
            using var reader = new Utf8LineReader(file.Path);
            while (reader.TryReadLine(out var line, out var valid))
            {
                var number = reader.LineNumber;
                if (!valid && !invalidUtf8Reported)
                {
                    invalidUtf8Reported = true;
                    diagnostics.Add(new(DiagnosticSeverity.Error, DiagnosticCodes.InvalidUtf8, file.RelativePath, number,
                        "The file is not valid UTF-8 (first bad byte on this line); North reads migrations as UTF-8. Re-encode it (e.g. iconv -f LATIN1 -t UTF-8)."));
                }
                var nul = line.IndexOf('\0');
                if (nul >= 0 && !nulReported)
                {
                    nulReported = true;
                    diagnostics.Add(new(DiagnosticSeverity.Error, DiagnosticCodes.NulByte, file.RelativePath, number,
                        $"A NUL byte (0x00) at column {nul + 1}: PostgreSQL cannot take one in a statement, so a run stops here. Remove it (a file full of them may be UTF-16: re-encode it as UTF-8)."));
                }
                var at = line.IndexOf("--meta-psql:", StringComparison.Ordinal);
                if (at < 0)
                {
                    continue;
                }
                if (!file.IsManual)
                {
                    if (!markerInDdlReported)
                    {
                        markerInDdlReported = true;
                        diagnostics.Add(new(DiagnosticSeverity.Warning, DiagnosticCodes.MarkerInDdl, file.RelativePath, number,
                            "A --meta-psql: line in a ddl.sql file is ignored: the file is not manual (django-north and septentrion only looked at dml.sql files and manual/), so it runs once, as plain SQL. Rename it to ...-dml.sql or move it to manual/ if it must loop."));
                    }
                    continue;
                }
                var command = line[(at + "--meta-psql:".Length)..].Trim();
                switch (command)
                {
                    case DoUntilZero when openedAt is not null:
                        diagnostics.Add(new(DiagnosticSeverity.Error, DiagnosticCodes.UnbalancedBlock, file.RelativePath, number,
                            $"--meta-psql:do-until-0 inside the block opened on line {openedAt}: blocks do not nest. Close the first with --meta-psql:done."));
                        break;
                    case DoUntilZero:
                        openedAt = number;
                        break;
                    case Done when openedAt is null:
                        diagnostics.Add(new(DiagnosticSeverity.Error, DiagnosticCodes.UnbalancedBlock, file.RelativePath, number,
                            "--meta-psql:done without an open --meta-psql:do-until-0 block."));
                        break;
                    case Done:
                        openedAt = null;
                        break;
                    default:
                        diagnostics.Add(new(DiagnosticSeverity.Error, DiagnosticCodes.UnknownMetaCommand, file.RelativePath, number,
                            $"Unknown meta-command '--meta-psql:{command}': only do-until-0 and done exist; the run would stop here."));
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.Add(new(DiagnosticSeverity.Error, DiagnosticCodes.Unreadable, file.RelativePath, null, $"Cannot read the file: {e.Message}"));
            return false;
        }
        if (openedAt is not null)
        {
            diagnostics.Add(new(DiagnosticSeverity.Error, DiagnosticCodes.UnbalancedBlock, file.RelativePath, openedAt,
                "--meta-psql:do-until-0 is never closed: add --meta-psql:done after the statements to repeat."));
        }
        return !invalidUtf8Reported && !nulReported;
    }
}
