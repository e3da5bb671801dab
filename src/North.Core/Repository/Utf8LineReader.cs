using System.Text;
using System.Text.Unicode;

namespace North.Core.Repository;

/// <summary>
/// Reads a file line by line from raw bytes, so invalid UTF-8 is found with its line number
/// instead of being replaced silently. Streams: one line is held at a time. A BOM is dropped,
/// CRLF accepted.
/// </summary>
internal sealed class Utf8LineReader : IDisposable
{
    private static readonly Encoding Lenient = new UTF8Encoding(false, false);

    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;
    private bool _eof;
    private bool _first = true;
    private readonly MemoryStream _line = new();

    public Utf8LineReader(string path)
    {
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
    }

    /// <summary>1-based number of the line last read.</summary>
    public int LineNumber { get; private set; }

    /// <summary>Reads the next line (without its end), or returns false at the end of the file.</summary>
    public bool TryReadLine(out string text, out bool validUtf8)
    {
        _line.SetLength(0);
        var sawAny = false;
        while (true)
        {
            if (_start == _end)
            {
                if (_eof || !Fill())
                {
                    break;
                }
            }
            sawAny = true;
            var span = _buffer.AsSpan(_start, _end - _start);
            var newline = span.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                _line.Write(span[..newline]);
                _start += newline + 1;
                return Finish(out text, out validUtf8);
            }
            _line.Write(span);
            _start = _end;
        }
        if (!sawAny && _line.Length == 0)
        {
            text = "";
            validUtf8 = true;
            return false;
        }
        return Finish(out text, out validUtf8);
    }

    private bool Finish(out string text, out bool validUtf8)
    {
        LineNumber++;
        var bytes = _line.GetBuffer().AsSpan(0, (int)_line.Length);
        if (_first)
        {
            _first = false;
            if (bytes.StartsWith("\uFEFF"u8))
            {
                bytes = bytes[3..];
            }
        }
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }
        validUtf8 = Utf8.IsValid(bytes);
        text = Lenient.GetString(bytes);
        return true;
    }

    private bool Fill()
    {
        _start = 0;
        _end = _stream.Read(_buffer, 0, _buffer.Length);
        _eof = _end == 0;
        return !_eof;
    }

    public void Dispose()
    {
        _stream.Dispose();
        _line.Dispose();
    }
}
