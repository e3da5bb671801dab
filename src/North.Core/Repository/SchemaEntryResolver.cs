using Microsoft.Extensions.FileSystemGlobbing;
using Microsoft.Extensions.FileSystemGlobbing.Abstractions;
using North.Core.Errors;
using North.Core.Settings;

namespace North.Core.Repository;

/// <summary>
/// Resolves before/after-schema entries relative to <c>schemas/</c> as django-north's migrate
/// command did: a folder gives its <c>*.sql</c> files, a file gives itself, anything else is a
/// glob whose matching <c>*.sql</c> files run. Order is ordinal within an entry; entries keep
/// their order. An entry that matches nothing is an error naming the setting and its source.
/// </summary>
internal static class SchemaEntryResolver
{
    public static IReadOnlyList<string> Resolve(string schemasFolder, IReadOnlyList<string> entries, string setting, SettingSource source)
    {
        var files = new List<string>();
        foreach (var entry in entries)
        {
            var found = ResolveEntry(schemasFolder, entry);
            if (found.Count == 0)
            {
                throw new RepositoryException(
                    $"{setting} entry '{entry}' (from {source}) matches no file under '{schemasFolder}'.",
                    ErrorIds.SchemaFileNotFound, NorthErrorKind.ObjectNotFound, Path.Combine(schemasFolder, entry),
                    $"Fix the entry (a file, a folder or a glob relative to schemas/) or remove it from {setting}.");
            }
            files.AddRange(found);
        }
        return files;
    }

    private static List<string> ResolveEntry(string schemasFolder, string entry)
    {
        var path = Path.GetFullPath(Path.Combine(schemasFolder, entry));
        if (Directory.Exists(path))
        {
            return new DirectoryInfo(path).EnumerateFiles()
                .Where(f => f.Name.EndsWith(".sql", StringComparison.Ordinal))
                .Select(f => f.FullName)
                .Order(StringComparer.Ordinal)
                .ToList();
        }
        if (File.Exists(path))
        {
            return [path];
        }
        if (!Directory.Exists(schemasFolder) || entry.IndexOfAny(['*', '?', '[']) < 0)
        {
            return [];
        }
        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddInclude(entry.Replace('\\', '/'));
        return matcher.Execute(new DirectoryInfoWrapper(new DirectoryInfo(schemasFolder))).Files
            .Select(f => f.Path)
            .Where(p => p.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(p => Path.GetFullPath(Path.Combine(schemasFolder, p)))
            .ToList();
    }
}
