using System.Text.RegularExpressions;

namespace North.Core.LockRisk;

/// <summary>
/// The <c>-- north:ignore NORTH1xx</c> comments of a file: on a statement's line or the line
/// before it they silence that statement's findings; <c>-- north:ignore-file NORTH1xx</c> anywhere
/// silences the file's. Several codes may follow, separated by spaces or commas.
/// </summary>
internal sealed partial class LockRiskIgnores
{
    private readonly Dictionary<int, HashSet<string>> _byLine = new();
    private readonly HashSet<string> _file = new(StringComparer.OrdinalIgnoreCase);

    public static LockRiskIgnores Read(string path)
    {
        var ignores = new LockRiskIgnores();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            var match = Comment().Match(line);
            if (!match.Success)
                continue;
            var codes = Code().Matches(match.Groups["codes"].Value).Select(m => m.Value.ToUpperInvariant());
            if (match.Groups["file"].Success)
                ignores._file.UnionWith(codes);
            else
                (ignores._byLine.TryGetValue(number, out var set) ? set : ignores._byLine[number] = new(StringComparer.OrdinalIgnoreCase)).UnionWith(codes);
        }
        return ignores;
    }

    public bool Silences(string code, int line) =>
        _file.Contains(code)
        || _byLine.TryGetValue(line, out var here) && here.Contains(code)
        || _byLine.TryGetValue(line - 1, out var before) && before.Contains(code);

    [GeneratedRegex(@"--\s*north:ignore(?<file>-file)?\s+(?<codes>.*)$", RegexOptions.IgnoreCase)]
    private static partial Regex Comment();

    [GeneratedRegex(@"NORTH\d{3}", RegexOptions.IgnoreCase)]
    private static partial Regex Code();
}
