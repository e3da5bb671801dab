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

    // Keyed by PostgreSQL's cleaned names (see Clean): its encoding names and the aliases of its pg_encname_tbl.
    private static readonly Dictionary<string, int> CodePages = new(StringComparer.Ordinal)
    {
        ["latin1"] = 28591, ["latin2"] = 28592, ["latin3"] = 28593, ["latin4"] = 28594,
        ["latin5"] = 28599, ["latin7"] = 28603, ["latin9"] = 28605,
        ["iso88591"] = 28591, ["iso88592"] = 28592, ["iso88593"] = 28593, ["iso88594"] = 28594,
        ["iso88599"] = 28599, ["iso885913"] = 28603, ["iso885915"] = 28605,
        ["iso88595"] = 28595, ["iso88596"] = 28596, ["iso88597"] = 28597, ["iso88598"] = 28598,
        ["win866"] = 866, ["alt"] = 866, ["win874"] = 874, ["win1250"] = 1250, ["win1251"] = 1251, ["win"] = 1251,
        ["win1252"] = 1252, ["win1253"] = 1253, ["win1254"] = 1254, ["win1255"] = 1255, ["win1256"] = 1256,
        ["win1257"] = 1257, ["win1258"] = 1258, ["abc"] = 1258, ["tcvn"] = 1258, ["tcvn5712"] = 1258, ["vscii"] = 1258,
        ["windows866"] = 866, ["windows874"] = 874, ["windows1250"] = 1250, ["windows1251"] = 1251, ["windows1252"] = 1252,
        ["windows1253"] = 1253, ["windows1254"] = 1254, ["windows1255"] = 1255, ["windows1256"] = 1256,
        ["windows1257"] = 1257, ["windows1258"] = 1258,
        ["koi8r"] = 20866, ["koi8"] = 20866, ["koi8u"] = 21866,
        ["sjis"] = 932, ["shiftjis"] = 932, ["mskanji"] = 932, ["shiftjis2004"] = 932,
        ["gbk"] = 936, ["cp936"] = 936, ["gb18030"] = 54936, ["uhc"] = 949, ["cp949"] = 949, ["big5"] = 950, ["cp950"] = 950,
        ["eucjp"] = 51932, ["euckr"] = 51949, ["euccn"] = 51936, ["sqlascii"] = 28591,
    };

    /// <summary>
    /// The decoder for a PostgreSQL encoding name (<c>UTF8</c>, <c>'latin1'</c>, <c>ISO_8859_1</c>, <c>WIN1252</c>...),
    /// or null when North does not know it. Names are matched as the server matches them.
    /// </summary>
    public static Encoding? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = Clean(name);
        if (key is "utf8" or "unicode")
            return StrictUtf8;
        if (!CodePages.TryGetValue(key, out var page))
            return null;
        // Single-byte pages never fail; multi-byte ones should, like UTF-8.
        return Encoding.GetEncoding(page, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
    }

    /// <summary>
    /// PostgreSQL's own name of an encoding (pg_encoding_to_char, what psql's :ENCODING shows):
    /// <c>latin1</c>, <c>ISO_8859_1</c> and <c>'iso88591'</c> are all LATIN1. A name North does not
    /// know comes back upper-cased.
    /// </summary>
    public static string CanonicalName(string name)
    {
        var clean = Clean(name);
        if (clean is "utf8" or "unicode")
            return "UTF8";
        if (clean == "sqlascii")
            return "SQL_ASCII";
        if (!CodePages.TryGetValue(clean, out var page))
            return name.Trim('\'').ToUpperInvariant();
        return page switch
        {
            28591 => "LATIN1", 28592 => "LATIN2", 28593 => "LATIN3", 28594 => "LATIN4", 28599 => "LATIN5",
            28603 => "LATIN7", 28605 => "LATIN9",
            28595 => "ISO_8859_5", 28596 => "ISO_8859_6", 28597 => "ISO_8859_7", 28598 => "ISO_8859_8",
            866 or 874 or (>= 1250 and <= 1258) => $"WIN{page}",
            20866 => "KOI8R", 21866 => "KOI8U",
            932 => clean == "shiftjis2004" ? "SHIFT_JIS_2004" : "SJIS",
            936 => "GBK", 54936 => "GB18030", 949 => "UHC", 950 => "BIG5",
            51932 => "EUC_JP", 51949 => "EUC_KR", 51936 => "EUC_CN",
            _ => name.Trim('\'').ToUpperInvariant(),
        };
    }

    /// <summary>
    /// A client-only encoding (PostgreSQL's PG_VALID_BE_ENCODING is false: SJIS, BIG5, GBK, UHC, GB18030):
    /// no database has it, and a SQL_ASCII database takes no non-ASCII byte of it.
    /// </summary>
    /// <param name="clean">A name as <see cref="Clean"/> gives it.</param>
    public static bool ClientOnly(string clean) =>
        CodePages.TryGetValue(clean, out var page) && page is 932 or 936 or 54936 or 949 or 950;

    /// <summary>
    /// PostgreSQL's <c>clean_encoding_name</c> (src/common/encnames.c): every character that is not
    /// a letter or digit dropped, the rest lower-cased, so <c>ISO_8859_1</c>, <c>iso-8859-1</c> and
    /// <c>'ISO8859-1'</c> all name LATIN1.
    /// </summary>
    public static string Clean(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (char.IsAsciiLetterOrDigit(c))
                builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString();
    }
}
