using System.Collections;
using North.Core.Errors;

namespace North.Core.Settings;

/// <summary>
/// Builds <see cref="NorthSettings"/> from its sources, strongest first: parameters, <c>NORTH_*</c>
/// environment variables, <c>SEPTENTRION_*</c> environment variables, libpq's <c>PG*</c> variables
/// (host, port, database, user, password), <c>north.json</c> in the
/// migrations root, <c>septentrion.ini</c> (<c>[septentrion]</c> section) in the migrations root or
/// else the current folder, then defaults. <see cref="NorthSettings.Sources"/> tells which won.
/// </summary>
public static class SettingsLoader
{
    /// <summary>
    /// Loads the settings. <paramref name="currentDirectory"/> is the caller's working folder (the
    /// PowerShell location), against which relative paths resolve; <paramref name="environment"/>
    /// defaults to the process environment (tests pass their own).
    /// Throws <see cref="SettingsException"/> naming the source of any bad value, and when the
    /// migrations root does not exist.
    /// </summary>
    public static NorthSettings Load(SettingsOverrides parameters, string currentDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentException.ThrowIfNullOrEmpty(currentDirectory);
        var cwd = Path.GetFullPath(currentDirectory);
        environment ??= ProcessEnvironment();

        var fromParameters = FromParameters(parameters);
        var fromNorth = FromEnvironment(environment, d => [d.NorthVariable], SettingSourceKind.NorthEnvironment);
        var fromSeptentrion = FromEnvironment(environment, d => d.SeptentrionVariables, SettingSourceKind.SeptentrionEnvironment);
        var fromPg = FromEnvironment(environment, d => d.PgEnvironment, SettingSourceKind.PgEnvironment);

        // The root decides where north.json is, so it comes first; septentrion.ini in the
        // current folder may name it (septentrion's migrations_root), relative to that folder.
        var cwdIniPath = Path.Combine(cwd, SeptentrionIniFile.FileName);
        var cwdIni = Path.Exists(cwdIniPath) ? SeptentrionIniFile.Read(cwdIniPath) : null;
        var rootValue = First(nameof(NorthSettings.MigrationsRoot), fromParameters, fromNorth, fromSeptentrion, cwdIni ?? []);
        var root = Path.GetFullPath((string?)rootValue?.Value ?? ".", cwd);
        var rootSource = rootValue?.Source ?? new SettingSource(SettingSourceKind.Default, "default (the current folder)");
        if (!Directory.Exists(root))
        {
            throw new SettingsException(
                $"{rootSource}: the migrations root '{root}' does not exist or is not a folder.",
                ErrorIds.RepositoryNotFound, NorthErrorKind.ObjectNotFound, rootSource.Description,
                "Give -Path the folder that holds the version folders (1.0/, 1.1/...).");
        }

        var jsonPath = Path.Combine(root, NorthJsonFile.FileName);
        // Path.Exists: a folder or unreadable entry by that name is an error, not a missing file.
        var fromJson = Path.Exists(jsonPath) ? NorthJsonFile.Read(jsonPath) : [];

        var rootIniPath = Path.Combine(root, SeptentrionIniFile.FileName);
        string? iniPath = null;
        IReadOnlyList<SettingValue>? fromIni = null;
        if (Path.Exists(rootIniPath) && !SamePath(rootIniPath, cwdIniPath))
        {
            fromIni = SeptentrionIniFile.Read(rootIniPath);
            iniPath = fromIni is null ? null : rootIniPath;
        }
        if (iniPath is null && cwdIni is not null)
        {
            fromIni = cwdIni;
            iniPath = cwdIniPath;
        }

        var settings = new NorthSettings { MigrationsRoot = root };
        var sources = new Dictionary<string, SettingSource>(StringComparer.Ordinal)
        {
            [nameof(NorthSettings.MigrationsRoot)] = rootSource,
        };
        foreach (var setting in SettingCatalog.All)
        {
            if (setting.Name == nameof(NorthSettings.MigrationsRoot))
            {
                continue;
            }
            var value = First(setting.Name, fromParameters, fromNorth, fromSeptentrion, fromPg, fromJson, fromIni ?? []);
            if (value is not null)
            {
                settings = setting.Apply(settings, value.Value);
                sources[setting.Name] = value.Source;
            }
        }

        // A repository run by septentrion has its history in septentrion_migrations: say so
        // unless told otherwise, so North carries on with that database instead of starting over.
        if (iniPath is not null && !sources.ContainsKey(nameof(NorthSettings.HistoryStyle)))
        {
            settings = settings with { HistoryStyle = HistoryStyle.Septentrion };
            sources[nameof(NorthSettings.HistoryStyle)] = new SettingSource(SettingSourceKind.SeptentrionIni, $"implied by {iniPath}");
        }
        return settings with { Sources = sources };
    }

    private static SettingValue? First(string name, params IReadOnlyList<SettingValue>[] layers)
    {
        foreach (var layer in layers)
        {
            foreach (var value in layer)
            {
                if (value.Setting.Name == name)
                {
                    return value;
                }
            }
        }
        return null;
    }

    private static List<SettingValue> FromParameters(SettingsOverrides parameters)
    {
        var values = new List<SettingValue>();
        foreach (var setting in SettingCatalog.All)
        {
            var value = setting.FromParameter(parameters);
            if (value is not null)
            {
                var source = new SettingSource(SettingSourceKind.Parameter, "parameter " + SettingsOverrides.ParameterName(setting.Name));
                if (value is IReadOnlyDictionary<string, string> variables)
                {
                    value = SettingValueParser.Checked(setting, variables.Select(v => (v.Key, v.Value)), source.Description);
                }
                values.Add(new SettingValue(setting, value, source));
            }
        }
        return values;
    }

    private static List<SettingValue> FromEnvironment(IReadOnlyDictionary<string, string> environment, Func<SettingDefinition, IEnumerable<string>> names, SettingSourceKind kind)
    {
        var values = new List<SettingValue>();
        foreach (var setting in SettingCatalog.All)
        {
            foreach (var name in names(setting))
            {
                // An empty variable counts as unset, as in most shells' habits.
                if (environment.TryGetValue(name, out var text) && !string.IsNullOrWhiteSpace(text))
                {
                    var where = "environment variable " + name;
                    var value = SettingValueParser.FromText(setting, text, where, v => v.Split(','));
                    values.Add(new SettingValue(setting, value, new SettingSource(kind, where)));
                    break;
                }
            }
        }
        return values;
    }

    private static Dictionary<string, string> ProcessEnvironment()
    {
        var comparer = OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        var result = new Dictionary<string, string>(comparer);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            result[(string)entry.Key] = (string?)entry.Value ?? "";
        }
        return result;
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
}
