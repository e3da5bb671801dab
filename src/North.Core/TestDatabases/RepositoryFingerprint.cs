using System.Security.Cryptography;
using System.Text;
using North.Core.Repository;
using North.Core.Settings;
using North.Core.Versions;

namespace North.Core.TestDatabases;

/// <summary>
/// Names a repository's template database: <c>north_tpl_&lt;repository&gt;_&lt;content&gt;</c>, where the
/// first hash is of the repository's folder (so its older templates can be found and dropped) and the
/// second of every file under it (path and bytes), the target version and the history settings, so
/// any edit names a new template. Hidden files and folders (.git, .empty) are left out.
/// </summary>
public static class RepositoryFingerprint
{
    /// <summary>What every North template's name starts with.</summary>
    public const string TemplatePrefix = "north_tpl_";

    /// <summary>The prefix of the templates of the repository at <paramref name="root"/>: <c>north_tpl_&lt;12 hex&gt;_</c>.</summary>
    public static string RepositoryPrefix(string root) =>
        TemplatePrefix + Hex(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar))), 6) + "_";

    /// <summary>The template's name for the repository's current content at <paramref name="target"/> (39 characters).</summary>
    public static string TemplateName(MigrationRepository repository, MigrationVersion target)
    {
        var settings = repository.Settings;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string text)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(text));
            hash.AppendData([0]);
        }
        Add(target.Text);
        Add($"{settings.HistoryStyle}|{settings.HistorySchema}|{settings.HistoryTable}|{settings.VersionDetector}|{settings.SchemaVersion?.Text}");
        var buffer = new byte[81920];
        foreach (var (relative, full) in Files(repository.Root))
        {
            Add(relative);
            using var stream = File.OpenRead(full);
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
            Add(stream.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return RepositoryPrefix(repository.Root) + Hex(hash.GetHashAndReset(), 8);
    }

    private static IEnumerable<(string Relative, string Full)> Files(string root)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.Hidden, IgnoreInaccessible = false };
        return Directory.EnumerateFiles(root, "*", options)
            .Select(full => (Relative: Path.GetRelativePath(root, full).Replace(Path.DirectorySeparatorChar, '/'), Full: full))
            .Where(f => !f.Relative.Split('/').Any(part => part.StartsWith('.')))
            .OrderBy(f => f.Relative, StringComparer.Ordinal);
    }

    private static string Hex(byte[] bytes, int count) => Convert.ToHexString(bytes, 0, count).ToLowerInvariant();
}
