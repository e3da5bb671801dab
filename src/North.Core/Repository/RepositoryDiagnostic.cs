namespace North.Core.Repository;

/// <summary>How bad a finding of the repository check is. Only <see cref="Error"/> fails <c>-Quiet</c>.</summary>
public enum DiagnosticSeverity
{
    Error,
    Warning,
    Information,
}

/// <summary>
/// One finding of the repository check: <see cref="Code"/> is stable (<c>NORTH001</c>...; see
/// <see cref="DiagnosticCodes"/> and the README (Repository diagnostics)), <see cref="Path"/> is relative to the
/// migrations root with '/' separators (<c>.</c> for the root itself), <see cref="Line"/> is 1-based.
/// </summary>
public sealed record RepositoryDiagnostic(DiagnosticSeverity Severity, string Code, string Path, int? Line, string Message)
{
    public override string ToString() =>
        $"{Severity} {Code} {Path}{(Line is null ? "" : ":" + Line)}: {Message}";
}
