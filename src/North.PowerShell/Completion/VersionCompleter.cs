using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using North.Core.Repository;
using North.Core.Settings;

namespace North.PowerShell.Completion;

/// <summary>
/// Completes -TargetVersion, -SchemaVersion and -Version with the versions on disk under -Path
/// (or the current folder), in version order. A repository that cannot be read completes nothing.
/// </summary>
public sealed class VersionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var repository = RepositoryFor(commandAst, fakeBoundParameters);
        if (repository is null)
        {
            return [];
        }
        var typed = wordToComplete.Trim('\'', '"');
        return repository.Versions
            .Select(v => v.Version.Text)
            .Where(text => text.StartsWith(typed, StringComparison.Ordinal))
            .Select(text => new CompletionResult(text, text, CompletionResultType.ParameterValue, text))
            .ToList();
    }

    /// <summary>
    /// The text typed after -<paramref name="name"/>, unquoted. Read from the command line itself:
    /// the fake binding turns a bare 1.1 into a double, and 1.10 into 1.1.
    /// </summary>
    internal static string? TypedArgument(CommandAst commandAst, IDictionary fakeBoundParameters, string name)
    {
        var elements = commandAst.CommandElements;
        for (var i = 1; i < elements.Count; i++)
        {
            if (elements[i] is CommandParameterAst parameter && parameter.ParameterName.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                var argument = parameter.Argument ?? (i + 1 < elements.Count && elements[i + 1] is not CommandParameterAst ? elements[i + 1] : null);
                return argument switch
                {
                    StringConstantExpressionAst text => text.Value,
                    null => null,
                    _ => argument.Extent.Text.Trim('\'', '"'),
                };
            }
        }
        return fakeBoundParameters[name]?.ToString();
    }

    /// <summary>The repository named by -Path in the command being typed, or the current folder.</summary>
    internal static MigrationRepository? RepositoryFor(CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            var current = Directory.GetCurrentDirectory();
            using var runspace = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
            var location = runspace.AddCommand("Get-Location").Invoke<PathInfo>().FirstOrDefault();
            if (location is not null && location.Provider.Name == "FileSystem")
            {
                current = location.ProviderPath;
            }
            var path = TypedArgument(commandAst, fakeBoundParameters, "Path");
            var root = path is null ? current : System.IO.Path.GetFullPath(path, current);
            var settings = SettingsLoader.Load(new SettingsOverrides { MigrationsRoot = root }, current);
            return MigrationRepository.Load(settings);
        }
        catch (Exception)
        {
            // Completion must never throw at the prompt.
            return null;
        }
    }
}

/// <summary>Completes -Name with the migration file names of the repository (all versions, or -Version's).</summary>
public sealed class MigrationNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var repository = VersionCompleter.RepositoryFor(commandAst, fakeBoundParameters);
        if (repository is null)
        {
            return [];
        }
        var version = VersionCompleter.TypedArgument(commandAst, fakeBoundParameters, "Version");
        var typed = wordToComplete.Trim('\'', '"');
        return repository.Versions
            .Where(v => version is null || v.Version.Text == version || v.Version.Canonical == version)
            .SelectMany(v => v.Migrations)
            .Select(m => m.Name)
            .Where(name => name.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            .Select(name => new CompletionResult(name, name, CompletionResultType.ParameterValue, name))
            .ToList();
    }
}
