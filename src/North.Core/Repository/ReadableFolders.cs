namespace North.Core.Repository;

/// <summary>
/// Where a run may read files it is pointed to by a migration or a setting (<c>\i</c>, <c>\ir</c>,
/// SchemaTemplate, FixturesTemplate): the migrations root, plus the AllowedFolders setting
/// (relative to the root, e.g. <c>../common</c>). Decided once per repository. Paths are compared
/// as written, after <c>..</c> is resolved; links are not followed.
/// </summary>
public sealed class ReadableFolders
{
    private static readonly StringComparison Comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    public ReadableFolders(string root, IEnumerable<string>? allowed = null)
    {
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        Allowed = (allowed ?? []).Select(a => Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(Root, a)))).ToList();
    }

    /// <summary>The migrations root, full path.</summary>
    public string Root { get; }

    /// <summary>The other folders allowed, full paths.</summary>
    public IReadOnlyList<string> Allowed { get; }

    /// <summary>Whether <paramref name="path"/> (made full) lies under the root or an allowed folder.</summary>
    public bool Contains(string path)
    {
        var full = Path.GetFullPath(path);
        return Allowed.Prepend(Root).Any(folder => IsUnder(full, folder));
    }

    /// <summary>"the migrations root '/x'" (and the allowed folders), for messages.</summary>
    public string Describe() => Allowed.Count == 0
        ? $"the migrations root '{Root}'"
        : $"the migrations root '{Root}' and AllowedFolders ({string.Join(", ", Allowed.Select(a => $"'{a}'"))})";

    /// <summary>The recommended action of an error about a path outside.</summary>
    public string HowToAllow =>
        "Keep shared SQL under the migrations root, or list its folder in AllowedFolders (north.json, NORTH_ALLOWED_FOLDERS), relative to the root, e.g. \"../common\".";

    private static bool IsUnder(string full, string folder) =>
        full.Equals(folder, Comparison)
        || (full.StartsWith(folder, Comparison) && (full[folder.Length] == Path.DirectorySeparatorChar || full[folder.Length] == Path.AltDirectorySeparatorChar))
        || folder == Path.GetPathRoot(folder); // the root of the file system holds everything
}
