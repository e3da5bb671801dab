using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace North.Core.Files;

/// <summary>
/// What North learned from reading a file (its classification, whether it has a manual marker,
/// its checksum), remembered while the file stays the same, so a warm session does not read
/// 10,000 files again. Owned by whoever creates it (the PowerShell module's session; a fresh one
/// per run elsewhere), never process-wide.
/// </summary>
/// <remarks>
/// A fact is trusted again when the file's length and last write time are those seen when it was
/// learned. That stamp can lie: a file edited in place within the time resolution of its file
/// system keeps both. So a fact learned while the file was that recent is "in doubt" and carries
/// the SHA-256 of the bytes it came from; it is trusted again only if the bytes still hash the same.
/// </remarks>
public sealed class FileStampCache
{
    // Coarse file systems (FAT: 2 s, some network shares: 1 s) round write times down.
    private static readonly TimeSpan DoubtWindow = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<(string Path, string Fact), Entry> _entries = new();
    private readonly Func<DateTime> _utcNow;

    public FileStampCache()
        : this(() => DateTime.UtcNow)
    {
    }

    /// <param name="utcNow">The clock (tests move it).</param>
    public FileStampCache(Func<DateTime> utcNow) => _utcNow = utcNow;

    /// <summary>Facts remembered (tests, diagnostics).</summary>
    public int Count => _entries.Count;

    /// <summary>
    /// The fact named <paramref name="fact"/> about the file at <paramref name="path"/>: remembered
    /// when the file is unchanged, else <paramref name="learn"/>ed and remembered if it says the
    /// fact depends on the file's bytes alone.
    /// </summary>
    public T Get<T>(string path, string fact, Func<(T Value, bool Remember)> learn)
    {
        ArgumentNullException.ThrowIfNull(learn);
        var key = (Path.GetFullPath(path), fact);
        var stamp = Stamp.Of(key.Item1);
        if (stamp is null)
        {
            _entries.TryRemove(key, out _);
            return learn().Value; // let the reader report the missing file its own way
        }
        var inDoubt = _utcNow() - stamp.Value.WrittenUtc < DoubtWindow;
        if (_entries.TryGetValue(key, out var known) && known.Stamp == stamp && known.Value is T value
            && (known.ContentHash is null || known.ContentHash == TryHashOf(key.Item1)))
        {
            if (known.ContentHash is not null && !inDoubt)
            {
                _entries[key] = known with { ContentHash = null }; // old enough now: the stamp alone will do
            }
            return value;
        }
        // Hash before learning: if the file changes in between, the next look sees the mismatch.
        var hash = inDoubt ? TryHashOf(key.Item1) : null;
        if (inDoubt && hash is null)
        {
            _entries.TryRemove(key, out _);
            return learn().Value; // unreadable (a dangling link): the reader reports it as NorthFileUnreadable
        }
        var (learned, remember) = learn();
        if (remember)
        {
            _entries[key] = new Entry(stamp.Value, hash, learned);
        }
        else
        {
            _entries.TryRemove(key, out _);
        }
        return learned;
    }

    /// <summary>Forgets everything (the module is removed, or a caller wants a cold start).</summary>
    public void Clear() => _entries.Clear();

    private static string? TryHashOf(string path)
    {
        try
        {
            return HashOf(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    internal static string HashOf(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 16 * 1024, FileOptions.SequentialScan);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }

    private readonly record struct Stamp(long Length, DateTime WrittenUtc)
    {
        public static Stamp? Of(string path)
        {
            var info = new FileInfo(path);
            return info.Exists ? new Stamp(info.Length, info.LastWriteTimeUtc) : null;
        }
    }

    private sealed record Entry(Stamp Stamp, string? ContentHash, object? Value);
}
