namespace North.Core.Versions;

/// <summary>
/// A release version as DBAs name their folders: dot-separated non-negative integers
/// (<c>1.0</c>, <c>16.12</c>, <c>17.01</c>). Compared numerically component by component,
/// shorter first on a tie, so <c>1.0 &lt; 1.0.1 &lt; 1.2 &lt; 1.10</c> and <c>17.01 == 17.1</c>.
/// </summary>
/// <remarks>
/// Components are kept as digit strings without leading zeros and compared by length then
/// ordinally: any length is exact, nothing can overflow. <see cref="Text"/> keeps the spelling
/// of the folder name, which the schema and fixtures templates need.
/// </remarks>
public sealed class MigrationVersion : IComparable<MigrationVersion>, IComparable, IEquatable<MigrationVersion>
{
    private readonly string[] _components;

    private MigrationVersion(string text, string[] components)
    {
        Text = text;
        _components = components;
    }

    /// <summary>The version as written (folder name, setting value).</summary>
    public string Text { get; }

    /// <summary>Components without leading zeros (<c>17.01</c> gives <c>17</c>, <c>1</c>).</summary>
    public IReadOnlyList<string> Components => _components;

    public static MigrationVersion Parse(string text)
    {
        if (TryParse(text, out var version, out var reason))
        {
            return version!;
        }
        throw new FormatException($"'{text}' is not a version: {reason}");
    }

    public static bool TryParse(string? text, out MigrationVersion? version) =>
        TryParse(text, out version, out _);

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="reason"/> says why.</summary>
    public static bool TryParse(string? text, out MigrationVersion? version, out string reason)
    {
        version = null;
        if (string.IsNullOrEmpty(text))
        {
            reason = "it is empty";
            return false;
        }
        var parts = text.Split('.');
        var components = new string[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part.Length == 0)
            {
                reason = "it has an empty component (two dots, or a dot at an end)";
                return false;
            }
            foreach (var c in part)
            {
                if (c < '0' || c > '9')
                {
                    reason = $"component '{part}' is not a non-negative integer (only digits 0-9 are allowed)";
                    return false;
                }
            }
            var trimmed = part.TrimStart('0');
            components[i] = trimmed.Length == 0 ? "0" : trimmed;
        }
        version = new MigrationVersion(text, components);
        reason = string.Empty;
        return true;
    }

    /// <summary>Sort-Object and other non-generic callers compare versions numerically too.</summary>
    int IComparable.CompareTo(object? obj) => obj switch
    {
        null => 1,
        MigrationVersion other => CompareTo(other),
        _ => throw new ArgumentException($"A {obj.GetType().Name} is not a version.", nameof(obj)),
    };

    public int CompareTo(MigrationVersion? other)
    {
        if (other is null)
        {
            return 1;
        }
        var common = Math.Min(_components.Length, other._components.Length);
        for (var i = 0; i < common; i++)
        {
            var c = CompareComponent(_components[i], other._components[i]);
            if (c != 0)
            {
                return c;
            }
        }
        return _components.Length.CompareTo(other._components.Length);
    }

    private static int CompareComponent(string a, string b) =>
        a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);

    public bool Equals(MigrationVersion? other) => other is not null && CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is MigrationVersion other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var c in _components)
        {
            hash.Add(c, StringComparer.Ordinal);
        }
        return hash.ToHashCode();
    }

    /// <summary>The canonical form, without leading zeros (<c>17.01</c> gives <c>17.1</c>).</summary>
    public string Canonical => string.Join('.', _components);

    public override string ToString() => Text;

    public static bool operator ==(MigrationVersion? a, MigrationVersion? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(MigrationVersion? a, MigrationVersion? b) => !(a == b);
    public static bool operator <(MigrationVersion a, MigrationVersion b) => a.CompareTo(b) < 0;
    public static bool operator >(MigrationVersion a, MigrationVersion b) => a.CompareTo(b) > 0;
    public static bool operator <=(MigrationVersion a, MigrationVersion b) => a.CompareTo(b) <= 0;
    public static bool operator >=(MigrationVersion a, MigrationVersion b) => a.CompareTo(b) >= 0;
}
