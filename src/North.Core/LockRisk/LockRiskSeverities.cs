using North.Core.Repository;

namespace North.Core.LockRisk;

/// <summary>
/// The repository's choice of severity per lock-risk rule, from the <c>LockRiskSeverities</c>
/// setting (<c>"NORTH103=Error"</c>, <c>"NORTH110=Off"</c>); a rule not named is a Warning.
/// </summary>
internal sealed class LockRiskSeverities
{
    private readonly Dictionary<string, DiagnosticSeverity?> _chosen = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads the entries; a malformed one is reported as NORTH024 and ignored.</summary>
    public static LockRiskSeverities Parse(IEnumerable<string> entries, string source, List<RepositoryDiagnostic> diagnostics)
    {
        var severities = new LockRiskSeverities();
        foreach (var entry in entries)
        {
            var parts = entry.Split('=', 2, StringSplitOptions.TrimEntries);
            var code = parts[0].ToUpperInvariant();
            DiagnosticSeverity? severity = null;
            var valid = parts.Length == 2 && LockRiskCheck.Codes.Contains(code)
                && (parts[1].Equals("Off", StringComparison.OrdinalIgnoreCase)
                    || Enum.TryParse<DiagnosticSeverity>(parts[1], ignoreCase: true, out var parsed) && (severity = parsed) is not null);
            if (!valid)
            {
                diagnostics.Add(new(DiagnosticSeverity.Error, DiagnosticCodes.InvalidLockRiskSeverity, ".", null,
                    $"LockRiskSeverities entry '{entry}' (from {source}) is not CODE=Severity with a lock-risk code ({LockRiskCheck.Codes.First()}...{LockRiskCheck.Codes.Last()}) and Error, Warning, Information or Off: it is ignored."));
                continue;
            }
            severities._chosen[code] = severity;
        }
        return severities;
    }

    /// <summary>The severity of the rule's findings; null when the repository turned it off.</summary>
    public DiagnosticSeverity? Of(string code) => _chosen.TryGetValue(code, out var s) ? s : DiagnosticSeverity.Warning;
}
