using System.Text.RegularExpressions;

namespace North.Core.Schema;

/// <summary>
/// A name filter as DBAs type them on the command line: <c>*</c> any run of characters,
/// <c>?</c> one character, everything else literal, compared case-sensitively (PostgreSQL
/// names are). A pattern with a dot (<c>audit.*</c>) matches the qualified name
/// <c>schema.name</c>; one without matches the bare name in any schema.
/// </summary>
public sealed class NamePattern
{
    private readonly Regex _regex;

    public NamePattern(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        Pattern = pattern;
        Qualified = pattern.Contains('.');
        var body = Regex.Escape(pattern).Replace(@"\*", ".*").Replace(@"\?", ".");
        _regex = new Regex("^" + body + "$", RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }

    /// <summary>The pattern as given.</summary>
    public string Pattern { get; }

    /// <summary>True when the pattern names a schema too (contains a dot).</summary>
    public bool Qualified { get; }

    /// <summary>True when a bare name (no schema) matches.</summary>
    public bool Matches(string name) => _regex.IsMatch(name);

    /// <summary>True when the object <paramref name="name"/> of schema <paramref name="schema"/> matches.</summary>
    public bool Matches(string schema, string name) => Qualified ? _regex.IsMatch(schema + "." + name) : _regex.IsMatch(name);

    /// <summary>Patterns for a list of strings (null or empty gives none).</summary>
    public static IReadOnlyList<NamePattern> All(IEnumerable<string>? patterns) =>
        patterns?.Where(p => !string.IsNullOrEmpty(p)).Select(p => new NamePattern(p)).ToList() ?? [];

    public override string ToString() => Pattern;
}
