using System.Text;
using North.Core.Connections;

namespace North.Core.Tests.Connections;

/// <summary>UTF-8 with escaped raw bytes: the text encoding of a SQL_ASCII database's sessions.</summary>
public class EscapedUtf8EncodingTests
{
    private static readonly Encoding Escaped = EscapedUtf8Encoding.Instance;

    [Fact]
    public void ValidUtf8IsUtf8AndEveryOtherByteComesBackAsItself()
    {
        var text = "café naïve € 𝄞 \u0000";
        Assert.Equal(Encoding.UTF8.GetBytes(text), Escaped.GetBytes(text));
        Assert.Equal(text, Escaped.GetString(Encoding.UTF8.GetBytes(text)));
        Assert.Equal("caf\uDCE9", Escaped.GetString([0x63, 0x61, 0x66, 0xE9]));
        // Overlong forms, encoded surrogates, values past U+10FFFF and cut sequences are bytes, one by one.
        Assert.Equal("\uDCC0\uDC80\uDCED\uDCA0\uDC80\uDCF4\uDC90\uDC80\uDC80\uDCE2\uDC82A", Escaped.GetString([0xC0, 0x80, 0xED, 0xA0, 0x80, 0xF4, 0x90, 0x80, 0x80, 0xE2, 0x82, 0x41]));
        var random = new Random(15);
        for (int i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            Assert.Equal(bytes, Escaped.GetBytes(Escaped.GetString(bytes)));
        }
    }

    [Fact]
    public void TheDecoderAndEncoderKeepACharacterSplitAcrossBuffers()
    {
        var bytes = Encoding.UTF8.GetBytes("é€𝄞 and a raw ").Concat(new byte[] { 0xE9, 0xE2, 0x82 }).ToArray();
        var expected = Escaped.GetString(bytes);
        var decoder = Escaped.GetDecoder();
        var decoded = new StringBuilder();
        var chars = new char[8];
        for (int i = 0; i < bytes.Length; i++)
        {
            int n = decoder.GetChars(bytes, i, 1, chars, 0, flush: i == bytes.Length - 1);
            decoded.Append(chars, 0, n);
        }
        Assert.Equal(expected, decoded.ToString());

        var encoder = Escaped.GetEncoder();
        var text = expected.ToCharArray();
        var encoded = new List<byte>();
        var buffer = new byte[8];
        for (int i = 0; i < text.Length; i++)
        {
            int n = encoder.GetBytes(text, i, 1, buffer, 0, flush: i == text.Length - 1);
            encoded.AddRange(buffer.Take(n));
        }
        Assert.Equal(bytes, encoded);
    }

    [Fact]
    public void ALoneSurrogateThatIsNoEscapedByteIsRefused()
    {
        Assert.Throws<EncoderFallbackException>(() => Escaped.GetBytes("a\uD800b"));
        Assert.Throws<EncoderFallbackException>(() => Escaped.GetBytes("a\uDC10"));
    }

    [Fact]
    public void NpgsqlFindsItByNameAndNoOtherEncodingChanges()
    {
        _ = ByteTransparentSession.ConnectionString("Host=h");
        Assert.Same(Escaped, Encoding.GetEncoding(EscapedUtf8Encoding.Name, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback));
        Assert.Equal(65001, Encoding.GetEncoding("utf-8").CodePage);
        Assert.Equal(28591, Encoding.GetEncoding("iso-8859-1").CodePage);
    }
}
