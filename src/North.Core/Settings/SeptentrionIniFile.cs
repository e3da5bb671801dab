using North.Core.Errors;

namespace North.Core.Settings;

/// <summary>
/// Reads the <c>[septentrion]</c> section of a <c>septentrion.ini</c> the way Python's configparser
/// did for septentrion: <c>key = value</c> or <c>key: value</c>, keys case-insensitive, whole-line
/// <c>#</c>/<c>;</c> comments, and indented continuation lines, which make the multi-line lists of
/// <c>before_schema_file</c>/<c>after_schema_file</c> (one entry per line).
/// </summary>
internal static class SeptentrionIniFile
{
    public const string FileName = "septentrion.ini";
    public const string Section = "septentrion";

    /// <summary>The section's values, or null when the file has no <c>[septentrion]</c> section (septentrion ignored such files).</summary>
    public static IReadOnlyList<SettingValue>? Read(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw SettingsException.Unreadable(path, e);
        }
        return Parse(lines, path);
    }

    internal static IReadOnlyList<SettingValue>? Parse(IReadOnlyList<string> lines, string path)
    {
        var entries = new List<(string Key, int Line, List<string> Lines)>();
        string? section = null;
        var found = false;
        (string Key, int Line, List<string> Lines)? current = null;
        var currentIndent = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            var raw = lines[i];
            var text = raw.Trim();
            var indent = raw.Length - raw.TrimStart().Length;
            if (text.Length == 0)
            {
                continue;
            }
            if (text[0] is '#' or ';')
            {
                continue;
            }
            if (current is not null && indent > currentIndent)
            {
                current.Value.Lines.Add(text);
                continue;
            }
            current = null;
            if (text[0] == '[')
            {
                if (!text.EndsWith(']'))
                {
                    throw SettingsException.Invalid($"{path} line {i + 1}", $"'{text}' is not a section header.");
                }
                section = text[1..^1].Trim();
                found |= section == Section;
                continue;
            }
            var separator = text.IndexOfAny(['=', ':']);
            if (separator <= 0)
            {
                throw SettingsException.Invalid($"{path} line {i + 1}", $"'{text}' is not 'key = value'.");
            }
            if (section is null)
            {
                throw SettingsException.Invalid($"{path} line {i + 1}", "a value comes before any [section] header.");
            }
            if (section != Section)
            {
                continue;
            }
            var key = text[..separator].Trim().ToLowerInvariant();
            if (entries.Any(e => e.Key == key))
            {
                throw SettingsException.Invalid($"{path} line {i + 1}", $"'{key}' is set twice in [{Section}].");
            }
            var value = text[(separator + 1)..].Trim();
            current = (key, i + 1, value.Length == 0 ? [] : [value]);
            currentIndent = indent;
            entries.Add(current.Value);
        }
        if (!found)
        {
            return null;
        }

        var values = new List<SettingValue>();
        foreach (var (key, line, valueLines) in entries)
        {
            var where = $"{path} line {line}";
            if (SettingCatalog.IgnoredSeptentrionKeys.Contains(key))
            {
                continue;
            }
            if (!SettingCatalog.BySeptentrionKey.TryGetValue(key, out var setting))
            {
                var suggestion = NameSuggestion.Closest(key, SettingCatalog.BySeptentrionKey.Keys);
                throw SettingsException.Invalid(where, $"unknown key '{key}' in [{Section}]." + (suggestion is null ? "" : $" Did you mean '{suggestion}'?"));
            }
            var joined = string.Join('\n', valueLines);
            if (setting.Type != SettingType.List && valueLines.Count > 1)
            {
                throw SettingsException.Invalid(where, $"'{key}' takes one value, not {valueLines.Count} lines.");
            }
            var parsed = SettingValueParser.FromText(setting, joined, where, v => v.Split('\n'));
            var source = new SettingSource(SettingSourceKind.SeptentrionIni, where);
            // Both before_schema_file and its deprecated name additional_schema_file feed BeforeSchemaFiles: keep both lists.
            var earlier = values.FindIndex(v => v.Setting == setting);
            if (earlier >= 0 && setting.Type == SettingType.List)
            {
                var merged = ((string[])values[earlier].Value!).Concat((string[])parsed!).ToArray();
                values[earlier] = values[earlier] with { Value = merged };
                continue;
            }
            values.Add(new SettingValue(setting, parsed, source));
        }
        return values;
    }
}
