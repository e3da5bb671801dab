using System.Text;
using North.Core.Connections;

namespace North.Core.Sql;

/// <summary>
/// The decoding of a file that declares an encoding (LATIN1...) and goes to a SQL_ASCII database over
/// a byte-transparent connection: each line is checked strictly in the declared encoding (an invalid
/// byte is refused at its line and column, as the server would refuse it), then kept as its bytes
/// (<see cref="EscapedUtf8Encoding"/>), which the connection sends unchanged, as psql does.
/// The lexer reads the same: every declared encoding PostgreSQL accepts here is ASCII-safe.
/// </summary>
internal sealed class BytesAsDeclared : Encoding
{
    private readonly Encoding _declared;

    public BytesAsDeclared(Encoding declared) => _declared = declared;

    public override string WebName => _declared.WebName;

    public override string GetString(byte[] bytes, int index, int count)
    {
        _ = _declared.GetCharCount(bytes, index, count); // throws DecoderFallbackException at a byte the declared encoding refuses
        return EscapedUtf8Encoding.Instance.GetString(bytes, index, count);
    }

    public override int GetCharCount(byte[] bytes, int index, int count)
    {
        _ = _declared.GetCharCount(bytes, index, count);
        return EscapedUtf8Encoding.Instance.GetCharCount(bytes, index, count);
    }

    public override int GetChars(byte[] bytes, int byteIndex, int byteCount, char[] chars, int charIndex)
    {
        _ = _declared.GetCharCount(bytes, byteIndex, byteCount);
        return EscapedUtf8Encoding.Instance.GetChars(bytes, byteIndex, byteCount, chars, charIndex);
    }

    public override int GetByteCount(char[] chars, int index, int count) => EscapedUtf8Encoding.Instance.GetByteCount(chars, index, count);

    public override int GetBytes(char[] chars, int charIndex, int charCount, byte[] bytes, int byteIndex) =>
        EscapedUtf8Encoding.Instance.GetBytes(chars, charIndex, charCount, bytes, byteIndex);

    public override int GetMaxByteCount(int charCount) => EscapedUtf8Encoding.Instance.GetMaxByteCount(charCount);

    public override int GetMaxCharCount(int byteCount) => EscapedUtf8Encoding.Instance.GetMaxCharCount(byteCount);
}
