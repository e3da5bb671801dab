using System.Text.Json;
using North.Core.Errors;

namespace North.Core.Settings;

/// <summary>
/// Reads <c>north.json</c>: one JSON object whose keys are setting names (as in
/// <see cref="NorthSettings"/>, case-sensitive), comments and trailing commas allowed. An unknown
/// key is an error naming the key, the file and the line, with a suggestion when one is close.
/// </summary>
internal static class NorthJsonFile
{
    public const string FileName = "north.json";

    private static readonly JsonReaderOptions Options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static IReadOnlyList<SettingValue> Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw SettingsException.Unreadable(path, e);
        }
        return Parse(bytes, path);
    }

    internal static IReadOnlyList<SettingValue> Parse(ReadOnlySpan<byte> bytes, string path)
    {
        if (bytes.StartsWith("\uFEFF"u8))
        {
            bytes = bytes[3..];
        }
        var values = new List<SettingValue>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(bytes, Options);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw SettingsException.Invalid($"{path} line {LineOf(bytes, reader.TokenStartIndex)}",
                    "north.json must hold one JSON object, like { \"TargetVersion\": \"1.2\" }.");
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var line = LineOf(bytes, reader.TokenStartIndex);
                var where = $"{path} line {line}";
                var key = reader.GetString()!;
                reader.Read();
                var value = JsonElement.ParseValue(ref reader);
                if (!seen.Add(key))
                {
                    throw SettingsException.Invalid(where, $"'{key}' is set twice.", "Keep one of them.");
                }
                if (key == SettingCatalog.SchemaKey)
                {
                    continue;
                }
                if (!SettingCatalog.ByName.TryGetValue(key, out var setting))
                {
                    var suggestion = NameSuggestion.Closest(key, SettingCatalog.All.Where(s => s.AllowedInJson).Select(s => s.Name));
                    throw SettingsException.Invalid(where, $"unknown key '{key}'." + (suggestion is null ? "" : $" Did you mean '{suggestion}'?"),
                        "Keys are setting names such as TargetVersion or SchemaTemplate; see north.schema.json.");
                }
                if (!setting.AllowedInJson)
                {
                    throw SettingsException.Invalid(where, NotInFileReason(setting));
                }
                values.Add(new SettingValue(setting, SettingValueParser.FromJson(setting, value, where),
                    new SettingSource(SettingSourceKind.NorthJson, where)));
            }
            if (reader.TokenType != JsonTokenType.EndObject)
            {
                throw SettingsException.Invalid($"{path} line {LineOf(bytes, reader.TokenStartIndex)}", "expected a key or the closing brace.");
            }
            if (reader.Read())
            {
                throw SettingsException.Invalid($"{path} line {LineOf(bytes, reader.TokenStartIndex)}", "unexpected content after the closing brace.");
            }
        }
        catch (JsonException e)
        {
            // JsonException counts lines from 0.
            var line = (e.LineNumber ?? 0) + 1;
            throw SettingsException.Invalid($"{path} line {line}", $"is not valid JSON: {e.Message}", "Fix the JSON syntax (comments and trailing commas are allowed).", e);
        }
        return values;
    }

    private static string NotInFileReason(SettingDefinition setting) => setting.Name switch
    {
        nameof(NorthSettings.MigrationsRoot) => "MigrationsRoot cannot be set in north.json: the file's folder is the migrations root.",
        _ => $"{setting.Name} cannot be set in a repository file, where it could leak a password: use the parameter, NORTH_{(setting.Name == "Password" ? "PASSWORD" : "CONNECTION_STRING")}, PGPASSWORD or ~/.pgpass.",
    };

    private static long LineOf(ReadOnlySpan<byte> bytes, long offset)
    {
        var upTo = bytes[..(int)Math.Min(offset, bytes.Length)];
        return upTo.Count((byte)'\n') + 1;
    }
}
