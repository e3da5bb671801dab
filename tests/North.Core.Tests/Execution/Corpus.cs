namespace North.Core.Tests.Execution;

/// <summary>
/// The shared corpus of real repositories (../shared/corpus beside the work tree, or NORTH_CORPUS).
/// Missing corpus fails the test with the reason: it is never skipped.
/// </summary>
public static class Corpus
{
    public static string Root { get; } = Find();

    public static string PathOf(string relative) => System.IO.Path.Combine(Root, relative);

    private static string Find()
    {
        var env = Environment.GetEnvironmentVariable("NORTH_CORPUS");
        if (!string.IsNullOrEmpty(env))
            return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { System.IO.Path.Combine(dir.FullName, "shared", "corpus"), System.IO.Path.Combine(dir.FullName, "corpus") })
                if (File.Exists(System.IO.Path.Combine(candidate, "SOURCES.md")))
                    return candidate;
        }
        throw new InvalidOperationException("The corpus (shared/corpus/SOURCES.md) was not found above the test folder; set NORTH_CORPUS to its path.");
    }
}
