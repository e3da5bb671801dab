using System.Text;

namespace North.Core.Sql;

/// <summary>
/// Maps PostgreSQL client encoding names (as written after <c>\encoding</c> or
/// <c>SET client_encoding</c>) to .NET decoders. North always talks UTF-8 to the server; the
/// name only says how to decode the file.
/// </summary>
public static class PostgresEncoding
{
    /// <summary>UTF-8 that throws on invalid bytes instead of inventing replacement characters.</summary>
    public static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    static PostgresEncoding() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static readonly Dictionary<string, int> CodePages = new(StringComparer.OrdinalIgnoreCase)
    {
        ["LATIN1"] = 28591, ["LATIN2"] = 28592, ["LATIN3"] = 28593, ["LATIN4"] = 28594,
        ["LATIN5"] = 28599, ["LATIN7"] = 28603, ["LATIN9"] = 28605,
        ["ISO_8859_5"] = 28595, ["ISO_8859_6"] = 28596, ["ISO_8859_7"] = 28597, ["ISO_8859_8"] = 28598,
        ["WIN866"] = 866, ["WIN874"] = 874, ["WIN1250"] = 1250, ["WIN1251"] = 1251, ["WIN1252"] = 1252,
        ["WIN1253"] = 1253, ["WIN1254"] = 1254, ["WIN1255"] = 1255, ["WIN1256"] = 1256, ["WIN1257"] = 1257,
        ["WIN1258"] = 1258, ["KOI8R"] = 20866, ["KOI8U"] = 21866, ["SJIS"] = 932, ["SHIFT_JIS_2004"] = 932,
        ["GBK"] = 936, ["GB18030"] = 54936, ["UHC"] = 949, ["BIG5"] = 950, ["EUC_JP"] = 51932,
        ["EUC_KR"] = 51949, ["EUC_CN"] = 51936, ["SQL_ASCII"] = 28591,
    };

    /// <summary>
    /// The decoder for a PostgreSQL encoding name (<c>UTF8</c>, <c>'latin1'</c>, <c>WIN1252</c>...), or null when
    /// North does not know it. Aliases follow the server's: dashes and underscores are ignored, case too.
    /// </summary>
    public static Encoding? Find(string name)
    {
        var key = name.Trim().Trim('\'', '"').Replace("-", "").ToUpperInvariant();
        if (key is "UTF8" or "UNICODE")
            return StrictUtf8;
        key = key switch
        {
            "ISO88591" => "LATIN1", "ISO88592" => "LATIN2", "ISO885915" => "LATIN9",
            "WINDOWS1252" => "WIN1252", "WINDOWS1251" => "WIN1251", "WINDOWS1250" => "WIN1250",
            "SHIFTJIS" => "SJIS", "KOI8" => "KOI8R", _ => key,
        };
        if (!CodePages.TryGetValue(key, out var page) && !CodePages.TryGetValue(name.Trim().Trim('\'', '"'), out page))
            return null;
        // Single-byte pages never fail; multi-byte ones should, like UTF-8.
        return Encoding.GetEncoding(page, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
    }
}
