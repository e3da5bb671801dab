using System.Text;

namespace North.Core.Connections;

/// <summary>
/// UTF-8 that carries any byte (Python's <c>surrogateescape</c>): valid UTF-8 decodes as UTF-8, each
/// byte 0x80-0xFF that is not part of a valid sequence decodes to U+DC80-U+DCFF, and those characters
/// encode back to their byte. bytes → text → bytes is the identity, and a string without such
/// characters encodes exactly as UTF-8 does. It is the text encoding of North's sessions with a
/// SQL_ASCII database (client_encoding SQL_ASCII: the server stores and returns bytes as sent), so
/// North's own strings are the UTF-8 bytes they always were and a file's raw bytes go through as psql
/// sends them. The encoder and decoder keep a split character across buffers (Npgsql streams large values).
/// </summary>
public sealed class EscapedUtf8Encoding : Encoding
{
    /// <summary>The name Npgsql's <c>Encoding</c> setting gives it (see <see cref="ByteTransparentSession"/>).</summary>
    public const string Name = "x-north-utf8-escaped";

    /// <summary>The one instance (it has no state).</summary>
    public static readonly EscapedUtf8Encoding Instance = new();

    private EscapedUtf8Encoding()
    {
    }

    public override string WebName => Name;

    public override string EncodingName => "UTF-8 with escaped raw bytes";

    public override int GetMaxByteCount(int charCount) => (charCount + 1) * 3;

    public override int GetMaxCharCount(int byteCount) => byteCount + 3;

    public override int GetByteCount(char[] chars, int index, int count) =>
        Encode(chars.AsSpan(index, count), default, flush: true, out _, counting: true);

    public override int GetBytes(char[] chars, int charIndex, int charCount, byte[] bytes, int byteIndex) =>
        Encode(chars.AsSpan(charIndex, charCount), bytes.AsSpan(byteIndex), flush: true, out _, counting: false);

    public override int GetCharCount(byte[] bytes, int index, int count) =>
        Decode(bytes.AsSpan(index, count), default, flush: true, out _, counting: true);

    public override int GetChars(byte[] bytes, int byteIndex, int byteCount, char[] chars, int charIndex) =>
        Decode(bytes.AsSpan(byteIndex, byteCount), chars.AsSpan(charIndex), flush: true, out _, counting: false);

    // Npgsql and the script reader decode whole values and lines: one pass to count, one to fill, no copies.
    public override string GetString(byte[] bytes, int index, int count)
    {
        var input = bytes.AsSpan(index, count);
        int length = Decode(input, default, flush: true, out _, counting: true);
        return string.Create(length, (bytes, index, count), static (chars, state) =>
            Decode(state.bytes.AsSpan(state.index, state.count), chars, flush: true, out _, counting: false));
    }

    public override Decoder GetDecoder() => new EscapedDecoder();

    public override Encoder GetEncoder() => new EscapedEncoder();

    /// <summary>
    /// Decodes <paramref name="input"/>; without <paramref name="flush"/> an incomplete sequence at its
    /// end is left (<paramref name="used"/> says how many bytes were taken) for the next buffer.
    /// </summary>
    internal static int Decode(ReadOnlySpan<byte> input, Span<char> output, bool flush, out int used, bool counting)
    {
        int i = 0, o = 0;
        while (i < input.Length)
        {
            byte b = input[i];
            if (b < 0x80)
            {
                Put(output, ref o, (char)b, counting);
                i++;
                continue;
            }
            int need = b switch
            {
                >= 0xC2 and <= 0xDF => 1,
                >= 0xE0 and <= 0xEF => 2,
                >= 0xF0 and <= 0xF4 => 3,
                _ => 0,
            };
            bool valid = need > 0;
            int j = 1;
            for (; valid && j <= need; j++)
            {
                if (i + j >= input.Length)
                {
                    if (!flush)
                    {
                        used = i;
                        return o; // the rest of the character comes with the next buffer
                    }
                    valid = false;
                    break;
                }
                byte c = input[i + j];
                byte low = 0x80, high = 0xBF;
                if (j == 1)
                {
                    // The second byte's range rules out overlong forms, surrogates and values past U+10FFFF.
                    if (b == 0xE0) low = 0xA0;
                    else if (b == 0xED) high = 0x9F;
                    else if (b == 0xF0) low = 0x90;
                    else if (b == 0xF4) high = 0x8F;
                }
                if (c < low || c > high)
                    valid = false;
            }
            if (!valid)
            {
                Put(output, ref o, (char)(0xDC00 + b), counting);
                i++;
                continue;
            }
            int value = need switch
            {
                1 => (b & 0x1F) << 6 | input[i + 1] & 0x3F,
                2 => (b & 0x0F) << 12 | (input[i + 1] & 0x3F) << 6 | input[i + 2] & 0x3F,
                _ => (b & 0x07) << 18 | (input[i + 1] & 0x3F) << 12 | (input[i + 2] & 0x3F) << 6 | input[i + 3] & 0x3F,
            };
            if (value >= 0x10000)
            {
                value -= 0x10000;
                Put(output, ref o, (char)(0xD800 + (value >> 10)), counting);
                Put(output, ref o, (char)(0xDC00 + (value & 0x3FF)), counting);
            }
            else
                Put(output, ref o, (char)value, counting);
            i += need + 1;
        }
        used = i;
        return o;
    }

    /// <summary>
    /// Encodes <paramref name="input"/>; without <paramref name="flush"/> a high surrogate at its end is
    /// left for the next buffer. A surrogate that is neither half of a pair nor an escaped byte is refused.
    /// </summary>
    internal static int Encode(ReadOnlySpan<char> input, Span<byte> output, bool flush, out int used, bool counting)
    {
        int i = 0, o = 0;
        while (i < input.Length)
        {
            char c = input[i];
            if (c < 0x80)
            {
                PutByte(output, ref o, (byte)c, counting);
                i++;
            }
            else if (c < 0x800)
            {
                PutByte(output, ref o, (byte)(0xC0 | c >> 6), counting);
                PutByte(output, ref o, (byte)(0x80 | c & 0x3F), counting);
                i++;
            }
            else if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= input.Length && !flush)
                    break; // its low half comes with the next buffer
                if (i + 1 >= input.Length || !char.IsLowSurrogate(input[i + 1]))
                    throw new EncoderFallbackException($"A lone high surrogate (U+{(int)c:X4}) at index {i} cannot be sent.");
                int value = char.ConvertToUtf32(c, input[i + 1]);
                PutByte(output, ref o, (byte)(0xF0 | value >> 18), counting);
                PutByte(output, ref o, (byte)(0x80 | value >> 12 & 0x3F), counting);
                PutByte(output, ref o, (byte)(0x80 | value >> 6 & 0x3F), counting);
                PutByte(output, ref o, (byte)(0x80 | value & 0x3F), counting);
                i += 2;
            }
            else if (char.IsLowSurrogate(c))
            {
                if (c < 0xDC80 || c > 0xDCFF)
                    throw new EncoderFallbackException($"A lone low surrogate (U+{(int)c:X4}) at index {i} cannot be sent.");
                PutByte(output, ref o, (byte)(c - 0xDC00), counting);
                i++;
            }
            else
            {
                PutByte(output, ref o, (byte)(0xE0 | c >> 12), counting);
                PutByte(output, ref o, (byte)(0x80 | c >> 6 & 0x3F), counting);
                PutByte(output, ref o, (byte)(0x80 | c & 0x3F), counting);
                i++;
            }
        }
        used = i;
        return o;
    }

    private static void Put(Span<char> output, ref int o, char c, bool counting)
    {
        if (!counting)
        {
            if (o >= output.Length)
                throw new ArgumentException("The output buffer is too small.", nameof(output));
            output[o] = c;
        }
        o++;
    }

    private static void PutByte(Span<byte> output, ref int o, byte b, bool counting)
    {
        if (!counting)
        {
            if (o >= output.Length)
                throw new ArgumentException("The output buffer is too small.", nameof(output));
            output[o] = b;
        }
        o++;
    }

    /// <summary>Keeps the first bytes of a character split across buffers.</summary>
    private sealed class EscapedDecoder : Decoder
    {
        private byte[] _pending = [];

        public override void Reset() => _pending = [];

        public override int GetCharCount(byte[] bytes, int index, int count) => GetCharCount(bytes, index, count, flush: false);

        public override int GetCharCount(byte[] bytes, int index, int count, bool flush) =>
            Decode(Joined(bytes.AsSpan(index, count)), default, flush, out _, counting: true);

        public override int GetChars(byte[] bytes, int byteIndex, int byteCount, char[] chars, int charIndex) =>
            GetChars(bytes, byteIndex, byteCount, chars, charIndex, flush: false);

        public override int GetChars(byte[] bytes, int byteIndex, int byteCount, char[] chars, int charIndex, bool flush)
        {
            var input = Joined(bytes.AsSpan(byteIndex, byteCount));
            int written = Decode(input, chars.AsSpan(charIndex), flush, out int used, counting: false);
            _pending = input[used..].ToArray();
            return written;
        }

        private ReadOnlySpan<byte> Joined(ReadOnlySpan<byte> bytes) =>
            _pending.Length == 0 ? bytes : (byte[])[.. _pending, .. bytes];
    }

    /// <summary>Keeps a high surrogate whose low half comes with the next buffer.</summary>
    private sealed class EscapedEncoder : Encoder
    {
        private char? _pending;

        public override void Reset() => _pending = null;

        public override int GetByteCount(char[] chars, int index, int count, bool flush) =>
            Encode(Joined(chars.AsSpan(index, count)), default, flush, out _, counting: true);

        public override int GetBytes(char[] chars, int charIndex, int charCount, byte[] bytes, int byteIndex, bool flush)
        {
            var input = Joined(chars.AsSpan(charIndex, charCount));
            int written = Encode(input, bytes.AsSpan(byteIndex), flush, out int used, counting: false);
            _pending = used < input.Length ? input[used] : null;
            return written;
        }

        private ReadOnlySpan<char> Joined(ReadOnlySpan<char> chars) =>
            _pending is { } high ? (char[])[high, .. chars] : chars;
    }
}
