namespace North.Core.Tests.Repository;

/// <summary>
/// Finds the corpus of real repositories (shared/corpus, beside the work tree; or the folder in
/// NORTH_CORPUS). Missing, every corpus test fails saying where it looked: none is skipped.
/// </summary>
internal static class Corpus
{
    private static readonly Lazy<string> RootPath = new(Locate);

    public static string Root => RootPath.Value;

    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    private static string Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("NORTH_CORPUS");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return File.Exists(Path.Combine(fromEnvironment, "SOURCES.md"))
                ? fromEnvironment
                : throw new InvalidOperationException($"NORTH_CORPUS='{fromEnvironment}' has no SOURCES.md.");
        }
        var looked = new List<string>();
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared", "corpus"), Path.Combine(dir.FullName, "corpus") })
            {
                looked.Add(candidate);
                if (File.Exists(Path.Combine(candidate, "SOURCES.md")))
                {
                    return candidate;
                }
            }
        }
        throw new InvalidOperationException("The corpus (SOURCES.md) was not found; set NORTH_CORPUS. Looked in: " + string.Join(", ", looked));
    }
}

/// <summary>A temporary folder removed on dispose, for repositories built by a test.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "north-repo-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Writes <paramref name="content"/> at <paramref name="relative"/> ('/' separators), creating folders.</summary>
    public string Write(string relative, string content = "")
    {
        var full = System.IO.Path.Combine(Path, relative.Replace('/', System.IO.Path.DirectorySeparatorChar));
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    public string Folder(string relative)
    {
        var full = System.IO.Path.Combine(Path, relative.Replace('/', System.IO.Path.DirectorySeparatorChar));
        Directory.CreateDirectory(full);
        return full;
    }

    /// <summary>Copies a folder tree (files made writable so the copy can be removed); a symbolic
    /// link is copied as a link, never followed; names in <paramref name="leaveOut"/> (relative,
    /// '/' separators) are not copied.</summary>
    public void CopyFrom(string source, string relative = "", params string[] leaveOut)
    {
        var target = Folder(relative);
        var skipped = leaveOut.Select(l => l.Replace('/', System.IO.Path.DirectorySeparatorChar)).ToHashSet(StringComparer.Ordinal);
        Copy(new DirectoryInfo(source));

        void Copy(DirectoryInfo folder)
        {
            foreach (var entry in folder.EnumerateFileSystemInfos())
            {
                var name = System.IO.Path.GetRelativePath(source, entry.FullName);
                if (skipped.Contains(name))
                {
                    continue;
                }
                var copy = System.IO.Path.Combine(target, name);
                if (entry.LinkTarget is { } link)
                {
                    File.CreateSymbolicLink(copy, link);
                }
                else if (entry is DirectoryInfo directory)
                {
                    Directory.CreateDirectory(copy);
                    Copy(directory);
                }
                else
                {
                    File.Copy(entry.FullName, copy);
                    File.SetAttributes(copy, FileAttributes.Normal);
                }
            }
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }
}

/// <summary>
/// django-north's tests/test_data/sql, built in a temporary folder from the corpus with 17.1 and
/// 17.2 as django-north shipped them (symbolic links to 17.01 and 17.02) or as some checkouts
/// materialize them (plain files holding the target's name), whatever the corpus holds.
/// </summary>
internal static class DjangoNorthTestLayout
{
    public static readonly (string Link, string Target)[] Links = [("17.1", "17.01"), ("17.2", "17.02")];

    public static TempFolder Build(bool realLinks)
    {
        var temp = new TempFolder();
        temp.CopyFrom(Corpus.PathOf("django-north/tests/test_data/sql"), "", Links.Select(l => l.Link).ToArray());
        foreach (var (link, target) in Links)
        {
            var path = System.IO.Path.Combine(temp.Path, link);
            if (realLinks)
            {
                Directory.CreateSymbolicLink(path, target);
            }
            else
            {
                File.WriteAllText(path, target);
            }
        }
        return temp;
    }
}
