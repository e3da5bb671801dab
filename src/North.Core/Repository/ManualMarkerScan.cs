using System.Buffers;
using North.Core.Files;

namespace North.Core.Repository;

/// <summary>
/// Finds whether a file has a line containing <c>--meta-psql:</c>, which makes a root-folder
/// <c>dml.sql</c> file manual. Streams the bytes through a small buffer and stops at the first hit.
/// The marker is ASCII and has no line break, so a byte search answers "a line contains it"
/// without decoding or splitting lines.
/// </summary>
internal static class ManualMarkerScan
{
    public static ReadOnlySpan<byte> Marker => "--meta-psql:"u8;

    private const int BufferSize = 16 * 1024;

    /// <summary>Whether the file has the marker, remembered in <paramref name="files"/> while the file stays the same.</summary>
    public static bool ContainsMarker(FileInfo file, FileStampCache files) =>
        files.Get(file.FullName, "manual-marker", () => (ContainsMarker(file.FullName), true));

    public static bool ContainsMarker(string path)
    {
        var marker = Marker;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            var kept = 0;
            while (true)
            {
                var read = stream.Read(buffer, kept, BufferSize - kept);
                if (read == 0)
                {
                    return false;
                }
                var filled = kept + read;
                if (buffer.AsSpan(0, filled).IndexOf(marker) >= 0)
                {
                    return true;
                }
                // Keep a tail shorter than the marker, in case it straddles two reads.
                kept = Math.Min(marker.Length - 1, filled);
                buffer.AsSpan(filled - kept, kept).CopyTo(buffer);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
