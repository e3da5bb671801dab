using North.Core.Errors;
using System.Security.Cryptography;
using North.Core.Files;

namespace North.Core.Planning;

/// <summary>The checksum North records: SHA-256 of the file's bytes, lowercase hex.</summary>
public static class FileChecksum
{
    /// <summary>
    /// The checksum of the file at <paramref name="path"/>; with <paramref name="files"/>, a warm
    /// session re-reads only files that changed.
    /// </summary>
    public static string Compute(string path, FileStampCache? files = null)
    {
        try
        {
            return files is null ? FileStampCache.HashOf(path) : files.Get(path, "checksum", () => (FileStampCache.HashOf(path), true));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Every kind of file that cannot be read gets the same error (a dangling link, no permission).
            throw new Repository.RepositoryException($"Cannot read '{path}': {e.Message}", ScriptException.FileUnreadableId,
                NorthErrorKind.ReadError, path, "Check the file exists and is readable by this user.", e);
        }
    }

    /// <summary>Checksums of many files, on all cores; same order as <paramref name="paths"/>.</summary>
    public static string[] ComputeAll(IReadOnlyList<string> paths, FileStampCache? files = null)
    {
        var sums = new string[paths.Count];
        try
        {
            Parallel.For(0, paths.Count, i => sums[i] = Compute(paths[i], files));
        }
        catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault() is NorthException first)
        {
            // The caller meets the file's own error (NorthFileUnreadable), not the parallel loop's wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }
        return sums;
    }
}
