namespace North.Core.Tests.Schema;

/// <summary>
/// The shared corpus of real repositories and dumps: <c>NORTH_CORPUS</c> when set, else
/// <c>../shared/corpus</c> beside the repository (found by walking up to the solution file).
/// </summary>
internal static class Corpus
{
    public static string PathOf(params string[] parts)
    {
        var root = Environment.GetEnvironmentVariable("NORTH_CORPUS");
        if (string.IsNullOrEmpty(root))
        {
            var folder = new DirectoryInfo(AppContext.BaseDirectory);
            while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "North.PowerShell.sln")))
            {
                folder = folder.Parent;
            }
            if (folder is null)
            {
                throw new DirectoryNotFoundException("Cannot find North.PowerShell.sln above the test binaries; set NORTH_CORPUS.");
            }
            root = Path.Combine(folder.FullName, "..", "shared", "corpus");
        }
        var path = Path.GetFullPath(Path.Combine([root, .. parts]));
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new FileNotFoundException($"Corpus file not found: {path} (set NORTH_CORPUS to the corpus folder).", path);
        }
        return path;
    }
}
