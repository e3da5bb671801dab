using System.Text;

namespace North.Core.Settings;

/// <summary>The shape of a setting's value, which decides how text and JSON are parsed.</summary>
internal enum SettingType
{
    Path,
    Text,
    Version,
    List,
    Bool,
    HistoryStyle,
    VersionDetector,
    Duration,
    Port,
    /// <summary>A whole number, 0 or more.</summary>
    Count,
    /// <summary>psql variables: <c>name=value</c> pairs (a JSON object in north.json).</summary>
    Variables,
}

/// <summary>
/// One setting: its name (as in <see cref="NorthSettings"/> and north.json), how its value is
/// parsed, the septentrion names it also answers to, and how it lands in a settings object.
/// </summary>
internal sealed record SettingDefinition(
    string Name,
    SettingType Type,
    IReadOnlyList<string> SeptentrionKeys,
    Func<NorthSettings, object?, NorthSettings> Apply,
    Func<SettingsOverrides, object?> FromParameter,
    bool AllowedInJson = true,
    IReadOnlyList<string>? ExtraSeptentrionEnvironment = null,
    IReadOnlyList<string>? PgVariables = null)
{
    /// <summary><c>NORTH_</c> plus the name in upper snake case (<c>NORTH_TARGET_VERSION</c>).</summary>
    public string NorthVariable => "NORTH_" + UpperSnake(Name);

    /// <summary>The <c>SEPTENTRION_*</c> variables click derived from septentrion's option names.</summary>
    public IEnumerable<string> SeptentrionVariables =>
        SeptentrionKeys.Select(k => "SEPTENTRION_" + k.ToUpperInvariant()).Concat(ExtraSeptentrionEnvironment ?? []);

    /// <summary>libpq's variables for this setting, first found wins (<c>PGHOST</c>, then <c>PGHOSTADDR</c>).</summary>
    public IEnumerable<string> PgEnvironment => PgVariables ?? [];

    private static string UpperSnake(string name)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
            {
                builder.Append('_');
            }
            builder.Append(char.ToUpperInvariant(name[i]));
        }
        return builder.ToString();
    }
}
