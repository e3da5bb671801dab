using System.Text;
using North.Core.Errors;

namespace North.Core.Sql;

/// <summary>
/// Reads a script file line by line from bytes, like psql does, so the decoding can change mid-file
/// (<c>\encoding</c>, <c>SET client_encoding</c>) and invalid bytes are reported with their line.
/// Only one line is held in memory at a time (plus a read buffer).
/// </summary>
internal sealed class LineSource : IDisposable
{
    private const int ChunkSize = 64 * 1024;

    private readonly Stream _stream;
    private byte[] _buffer = new byte[ChunkSize];
    private int _start;
    private int _end;
    private bool _eof;
    private bool _first = true;

    public LineSource(Stream stream, string file)
    {
        _stream = stream;
        File = file;
    }

    public string File { get; }

    /// <summary>1-based number of the last line returned.</summary>
    public int LineNumber { get; private set; }

    /// <summary>Decoding in force; strict UTF-8 unless the script asks otherwise.</summary>
    public Encoding Encoding { get; set; } = PostgresEncoding.StrictUtf8;

    /// <summary>What to do about a line that does not decode (the error's recommended action).</summary>
    public string DecodingAdvice { get; set; } = "Save the file as UTF-8, or declare its encoding with \\encoding or SET client_encoding at its top.";

    /// <summary>
    /// A UTF-8 byte order mark at the start is dropped (a script's: the server would reject it in a
    /// statement). A <c>\copy</c> data file keeps it: psql sends its bytes as they are.
    /// </summary>
    public bool DropByteOrderMark { get; init; } = true;

    /// <summary>
    /// The next line starts between statements: if it is a <c>--</c> comment, psql never sends it
    /// (its lexer drops leading comments), so bytes that do not decode there do not refuse the file.
    /// </summary>
    public bool CommentMayBeDropped { get; set; }

    /// <summary>Next line without its terminating newline, or null at the end of the file.</summary>
    public string? ReadLine()
    {
        while (true)
        {
            int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var line = Decode(_start, newline - _start);
                _start = newline + 1;
                return line;
            }
            if (_eof)
            {
                if (_start == _end)
                    return null;
                var last = Decode(_start, _end - _start);
                _start = _end;
                return last;
            }
            Fill();
        }
    }

    private void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
            Array.Resize(ref _buffer, _buffer.Length * 2); // one very long line
        int read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
            _eof = true;
        _end += read;
    }

    private string Decode(int offset, int count)
    {
        LineNumber++;
        if (_first && DropByteOrderMark)
        {
            // A UTF-8 byte order mark is dropped, as psql's server would reject it inside a statement.
            if (count >= 3 && _buffer[offset] == 0xEF && _buffer[offset + 1] == 0xBB && _buffer[offset + 2] == 0xBF)
            {
                offset += 3;
                count -= 3;
            }
        }
        _first = false;
        string line;
        try
        {
            line = Encoding.GetString(_buffer, offset, count);
        }
        catch (DecoderFallbackException) when (CommentMayBeDropped && IsComment(offset, count))
        {
            // Never sent: any decoding will do (Latin-1 takes every byte), the lexer drops the line.
            line = Encoding.Latin1.GetString(_buffer, offset, count);
        }
        catch (DecoderFallbackException e)
        {
            int bad = Math.Max(0, e.Index);
            int column = Encoding.GetCharCount(_buffer, offset, Math.Min(bad, count)) + 1;
            throw new ScriptSyntaxException(File, LineNumber, column,
                $"invalid {Encoding.WebName} byte sequence (byte 0x{_buffer[offset + Math.Min(bad, count - 1)]:X2})",
                DecodingAdvice);
        }
        // PostgreSQL takes no NUL in a statement (the protocol ends strings with it): say where it is.
        var nul = line.IndexOf('\0');
        if (nul >= 0)
            throw new Errors.ScriptException(File, LineNumber, nul + 1, "NUL byte (0x00) in the file: PostgreSQL cannot take one in a statement or COPY data",
                "Remove it; a file full of them may be UTF-16: re-encode it as UTF-8.", ErrorIds.NulByte, Errors.NorthErrorKind.InvalidData);
        return line;
    }

    /// <summary>The bytes hold a <c>--</c> comment after blanks only (a comment line).</summary>
    private bool IsComment(int offset, int count)
    {
        int i = offset, end = offset + count;
        while (i < end && _buffer[i] is (byte)' ' or (byte)'\t' or (byte)'\f' or (byte)'\v' or (byte)'\r')
            i++;
        return i + 1 < end && _buffer[i] == (byte)'-' && _buffer[i + 1] == (byte)'-';
    }

    public void Dispose() => _stream.Dispose();
}
