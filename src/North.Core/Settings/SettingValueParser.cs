using System.Globalization;
using System.Text.Json;
using North.Core.Versions;

namespace North.Core.Settings;

/// <summary>
/// Turns a raw value (text from the environment or septentrion.ini, or a north.json value) into
/// the setting's type. Every failure is a <see cref="SettingsException"/> naming the source.
/// </summary>
internal static class SettingValueParser
{
    /// <summary>Parses text; <paramref name="lists"/> splits list values (commas in variables, lines in ini files).</summary>
    public static object? FromText(SettingDefinition setting, string text, string source, Func<string, IEnumerable<string>> lists)
    {
        var trimmed = text.Trim();
        switch (setting.Type)
        {
            case SettingType.List:
                return lists(text).Select(v => v.Trim()).Where(v => v.Length > 0).ToArray();
            case SettingType.Variables:
                return Variables(setting, lists(text).Select(v => v.Trim()).Where(v => v.Length > 0), source);
            case SettingType.Path:
            case SettingType.Text:
                if (trimmed.Length == 0)
                {
                    throw SettingsException.Invalid(source, $"{setting.Name} is empty.", "Give a value or remove the setting.");
                }
                return setting.Type == SettingType.Path ? trimmed : text.Trim();
            default:
                return FromScalarText(setting, trimmed, source);
        }
    }

    /// <summary>Parses a north.json value.</summary>
    public static object? FromJson(SettingDefinition setting, JsonElement value, string source)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            throw SettingsException.Invalid(source, $"{setting.Name} is null.", "Give a value or remove the key.");
        }
        switch (setting.Type)
        {
            case SettingType.Variables:
                if (value.ValueKind != JsonValueKind.Object || value.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.String))
                {
                    throw SettingsException.Invalid(source, $"{setting.Name} must be an object of strings.", $"Write it like \"{setting.Name}\": {{ \"app_schema\": \"app\" }}.");
                }
                return Checked(setting, value.EnumerateObject().Select(p => (p.Name, p.Value.GetString()!)), source);
            case SettingType.List:
                if (value.ValueKind == JsonValueKind.String)
                {
                    return new[] { value.GetString()! };
                }
                if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
                {
                    throw SettingsException.Invalid(source, $"{setting.Name} must be an array of strings.", $"Write it like \"{setting.Name}\": [\"roles.sql\", \"grants/\"].");
                }
                return value.EnumerateArray().Select(e => e.GetString()!.Trim()).Where(v => v.Length > 0).ToArray();
            case SettingType.Bool:
                if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    return value.GetBoolean();
                }
                throw SettingsException.Invalid(source, $"{setting.Name} must be true or false, not {value.GetRawText()}.");
            case SettingType.Version:
                if (value.ValueKind != JsonValueKind.String)
                {
                    // A JSON number loses the spelling the templates need (1.10 vs 1.1).
                    throw SettingsException.Invalid(source, $"{setting.Name} must be a string: write \"{value.GetRawText()}\" in quotes.");
                }
                return FromScalarText(setting, value.GetString()!.Trim(), source);
            case SettingType.Duration:
                if (value.ValueKind == JsonValueKind.Number)
                {
                    return Seconds(setting, value.GetDouble(), source);
                }
                break;
            case SettingType.Port:
            case SettingType.Count:
                if (value.ValueKind == JsonValueKind.Number)
                {
                    return FromScalarText(setting, value.GetRawText(), source);
                }
                break;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            throw SettingsException.Invalid(source, $"{setting.Name} must be a string, not {value.GetRawText()}.");
        }
        return FromText(setting, value.GetString()!, source, v => [v]);
    }

    private static object? FromScalarText(SettingDefinition setting, string text, string source)
    {
        switch (setting.Type)
        {
            case SettingType.Version:
                if (MigrationVersion.TryParse(text, out var version, out var reason))
                {
                    return version;
                }
                throw SettingsException.Invalid(source, $"{setting.Name} '{text}' is not a version: {reason}.",
                    "A version is dot-separated non-negative integers, like 1.0 or 17.01.");
            case SettingType.Bool:
                switch (text.ToLowerInvariant())
                {
                    case "true" or "1" or "yes" or "on": return true;
                    case "false" or "0" or "no" or "off": return false;
                }
                throw SettingsException.Invalid(source, $"{setting.Name} '{text}' is not a boolean (true/false, yes/no, 1/0, on/off).");
            case SettingType.HistoryStyle:
                return ParseEnum<HistoryStyle>(setting, text, source);
            case SettingType.VersionDetector:
                return ParseEnum<VersionDetector>(setting, text, source);
            case SettingType.Port:
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535)
                {
                    return port;
                }
                throw SettingsException.Invalid(source, $"{setting.Name} '{text}' is not a TCP port (1-65535).");
            case SettingType.Count:
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                {
                    return count;
                }
                throw SettingsException.Invalid(source, $"{setting.Name} '{text}' is not a whole number (0 or more).");
            case SettingType.Duration:
                return ParseDuration(setting, text, source);
            default:
                return text;
        }
    }

    /// <summary><c>name=value</c> entries (the value may hold <c>=</c>; it is not trimmed inside).</summary>
    private static IReadOnlyDictionary<string, string> Variables(SettingDefinition setting, IEnumerable<string> entries, string source)
    {
        var pairs = new List<(string, string)>();
        foreach (var entry in entries)
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw SettingsException.Invalid(source, $"{setting.Name} entry '{entry}' is not name=value.", "Write it like app_schema=app,owner=dba.");
            }
            pairs.Add((entry[..equals].Trim(), entry[(equals + 1)..]));
        }
        return Checked(setting, pairs, source);
    }

    /// <summary>psql's rule for a variable name: letters, digits and underscores (non-ASCII letters too).</summary>
    internal static IReadOnlyDictionary<string, string> Checked(SettingDefinition setting, IEnumerable<(string Name, string Value)> pairs, string source)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in pairs)
        {
            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_' || c >= '\u0080'))
            {
                throw SettingsException.Invalid(source, $"{setting.Name}: '{name}' is not a psql variable name (letters, digits, underscores).");
            }
            result[name] = value;
        }
        return result;
    }

    private static T ParseEnum<T>(SettingDefinition setting, string text, string source) where T : struct, Enum
    {
        // Names only: "1" must not quietly mean the second member.
        if (!text.All(char.IsDigit) && Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value))
        {
            return value;
        }
        throw SettingsException.Invalid(source, $"{setting.Name} '{text}' is not one of {string.Join(", ", Enum.GetNames<T>())}.");
    }

    private static TimeSpan ParseDuration(SettingDefinition setting, string text, string source) =>
        DurationText.Parse(text, setting.Name, source);

    private static TimeSpan Seconds(SettingDefinition setting, double seconds, string source) =>
        DurationText.FromSeconds(seconds, setting.Name, source);
}
