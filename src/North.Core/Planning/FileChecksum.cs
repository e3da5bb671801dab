using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace North.Core.Planning;

/// <summary>The checksum North records: SHA-256 of the file's bytes, lowercase hex.</summary>
public static class FileChecksum
{
    // A warm session (Get-NorthStatus again and again) re-reads only files whose size or time changed.
    private static readonly ConcurrentDictionary<string, (long Length, DateTime WrittenUtc, string Sum)> Cache = new(StringComparer.Ordinal);

    /// <summary>The checksum of the file at <paramref name="path"/>.</summary>
    public static string Compute(string path)
    {
        try
        {
            return ComputeReadable(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Repository.RepositoryException($"Cannot read '{path}': {e.Message}", Execution.ScriptException.FileUnreadableId,
                Errors.NorthErrorKind.ReadError, path, "Check the file exists and is readable by this user.", e);
        }
    }

    private static string ComputeReadable(string path)
    {
        var info = new FileInfo(path);
        var (length, written) = (info.Length, info.LastWriteTimeUtc);
        if (Cache.TryGetValue(path, out var known) && known.Length == length && known.WrittenUtc == written)
        {
            return known.Sum;
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 16 * 1024, FileOptions.SequentialScan);
        var sum = Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
        Cache[path] = (length, written, sum);
        return sum;
    }

    /// <summary>Checksums of many files, on all cores; same order as <paramref name="paths"/>.</summary>
    public static string[] ComputeAll(IReadOnlyList<string> paths)
    {
        var sums = new string[paths.Count];
        Parallel.For(0, paths.Count, i => sums[i] = Compute(paths[i]));
        return sums;
    }
}
