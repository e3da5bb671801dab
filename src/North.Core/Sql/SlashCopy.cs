using System.Text;

namespace North.Core.Sql;

/// <summary>Where a <c>\copy</c> reads its data from or writes it to.</summary>
internal enum SlashCopyTarget
{
    /// <summary>A file on the client, <c>'name'</c> or a bare name.</summary>
    File,
    /// <summary><c>stdin</c> / <c>stdout</c>: the script itself (data follows, up to <c>\.</c>) or psql's output.</summary>
    Script,
    /// <summary><c>pstdin</c> / <c>pstdout</c>: psql's own standard input or output, whatever the script.</summary>
    Process,
    /// <summary><c>program 'command'</c>: a shell command.</summary>
    Program,
}

/// <summary>
/// psql's <c>\copy</c> arguments (src/bin/psql/copy.c, parse_slash_copy): the whole rest of the
/// line, never expanded, tokenized as psql does; what comes before <c>from</c>/<c>to</c> and
/// everything after the data source are sent as they are, in <c>COPY ... FROM STDIN ...</c> or
/// <c>COPY ... TO STDOUT ...</c>.
/// </summary>
internal sealed class SlashCopy
{
    private const string Whitespace = " \t\n\r";

    private SlashCopy(string beforeToFrom, bool from, SlashCopyTarget target, string? file, string afterToFrom)
    {
        BeforeToFrom = beforeToFrom;
        From = from;
        Target = target;
        File = file;
        AfterToFrom = afterToFrom;
    }

    /// <summary>The table (with its columns) or the parenthesized query, as psql rebuilds it.</summary>
    public string BeforeToFrom { get; }

    /// <summary><c>from</c> (true) or <c>to</c>.</summary>
    public bool From { get; }

    public SlashCopyTarget Target { get; }

    /// <summary>The file name (quotes removed) or the program's command; null for stdin/stdout.</summary>
    public string? File { get; }

    /// <summary>The options after the data source (<c>with (format csv)</c>, <c>csv header</c>...), as written.</summary>
    public string AfterToFrom { get; }

    /// <summary>The statement psql sends for it.</summary>
    public string CopyText => "COPY " + BeforeToFrom + (From ? " FROM STDIN " : " TO STDOUT ") + AfterToFrom;

    /// <summary>Parses the arguments; null with psql's message (<c>parse error at "x"</c>) when they are not a \copy.</summary>
    public static SlashCopy? Parse(string args, bool standardStrings, out string? error)
    {
        error = null;
        var tokens = new Tokenizer(args);
        var before = new StringBuilder();
        string? token = tokens.Next(Whitespace, ".,()", "\"", false);
        if (token is null)
            return Fail(null, out error);
        if (token.Equals("binary", StringComparison.OrdinalIgnoreCase))
        {
            before.Append(token);
            if ((token = tokens.Next(Whitespace, ".,()", "\"", false)) is null)
                return Fail(null, out error);
        }
        if (token[0] == '(')
        {
            // COPY (query): psql copies tokens to the matching parenthesis, quotes kept.
            int parens = 1;
            while (parens > 0)
            {
                before.Append(' ').Append(token);
                if ((token = tokens.Next(Whitespace, "()", "\"'", !standardStrings)) is null)
                    return Fail(null, out error);
                if (token[0] == '(')
                    parens++;
                else if (token[0] == ')')
                    parens--;
            }
        }
        before.Append(' ').Append(token);
        if ((token = tokens.Next(Whitespace, ".,()", "\"", false)) is null)
            return Fail(null, out error);
        if (token[0] == '.')
        {
            before.Append(token);
            if ((token = tokens.Next(Whitespace, ".,()", "\"", false)) is null)
                return Fail(null, out error);
            before.Append(token);
            if ((token = tokens.Next(Whitespace, ".,()", "\"", false)) is null)
                return Fail(null, out error);
        }
        if (token[0] == '(')
        {
            while (true)
            {
                before.Append(' ').Append(token);
                if ((token = tokens.Next(Whitespace, "()", "\"", false)) is null)
                    return Fail(null, out error);
                if (token[0] == ')')
                    break;
            }
            before.Append(' ').Append(token);
            if ((token = tokens.Next(Whitespace, ".,()", "\"", false)) is null)
                return Fail(null, out error);
        }
        bool from;
        if (token.Equals("from", StringComparison.OrdinalIgnoreCase))
            from = true;
        else if (token.Equals("to", StringComparison.OrdinalIgnoreCase))
            from = false;
        else
            return Fail(token, out error);

        if ((token = tokens.Next(Whitespace, ";", "'", false)) is null)
            return Fail(null, out error);
        SlashCopyTarget target;
        string? file = null;
        if (token.Equals("program", StringComparison.OrdinalIgnoreCase))
        {
            if ((token = tokens.Next(Whitespace, ";", "'", false)) is null)
                return Fail(null, out error);
            if (token.Length < 2 || token[0] != '\'' || token[^1] != '\'')
                return Fail(token, out error);
            target = SlashCopyTarget.Program;
            file = StripQuotes(token);
        }
        else if (token.Equals(from ? "stdin" : "stdout", StringComparison.OrdinalIgnoreCase))
            target = SlashCopyTarget.Script;
        else if (token.Equals(from ? "pstdin" : "pstdout", StringComparison.OrdinalIgnoreCase))
            target = SlashCopyTarget.Process;
        else
        {
            target = SlashCopyTarget.File;
            file = StripQuotes(token);
        }
        return new SlashCopy(before.ToString(), from, target, file, tokens.Rest());
    }

    private static SlashCopy? Fail(string? token, out string? error)
    {
        error = token is null ? "\\copy: parse error at end of line" : $"\\copy: parse error at \"{token}\"";
        return null;
    }

    /// <summary>psql's strip_quotes for a file name: the quotes go, a doubled quote is one.</summary>
    private static string StripQuotes(string token)
    {
        var text = new StringBuilder(token.Length);
        for (int i = 0; i < token.Length; i++)
        {
            if (token[i] == '\'')
            {
                if (i + 1 < token.Length && token[i + 1] == '\'' && i > 0 && i + 1 < token.Length - 1)
                {
                    text.Append('\'');
                    i++;
                }
                continue;
            }
            text.Append(token[i]);
        }
        return text.ToString();
    }

    /// <summary>psql's strtokx, with its quotes kept in the token.</summary>
    private sealed class Tokenizer(string text)
    {
        private int _at;

        public string? Next(string whitespace, string delimiters, string quotes, bool backslashEscapes)
        {
            while (_at < text.Length && whitespace.Contains(text[_at])) _at++;
            if (_at >= text.Length)
                return null;
            int start = _at;
            char c = text[_at];
            if (delimiters.Contains(c))
            {
                _at++;
                return c.ToString();
            }
            // psql's e_strings: E'...' (and any ' without standard_conforming_strings) takes backslash escapes.
            bool escapes = backslashEscapes;
            if ((c is 'E' or 'e') && _at + 1 < text.Length && text[_at + 1] == '\'' && quotes.Contains('\''))
            {
                escapes = true;
                _at++;
                c = '\'';
            }
            if (quotes.Contains(c))
            {
                char quote = c;
                int p = _at + 1;
                while (p < text.Length)
                {
                    if (escapes && text[p] == '\\' && p + 1 < text.Length) { p += 2; continue; }
                    if (text[p] == quote)
                    {
                        if (p + 1 < text.Length && text[p + 1] == quote) { p += 2; continue; }
                        break;
                    }
                    p++;
                }
                _at = Math.Min(p + 1, text.Length);
                return Ended(start, whitespace);
            }
            while (_at < text.Length && !whitespace.Contains(text[_at]) && !delimiters.Contains(text[_at]) && !quotes.Contains(text[_at])) _at++;
            return Ended(start, whitespace);
        }

        /// <summary>The token from <paramref name="start"/>; one whitespace character after it is consumed with it, as strtokx's terminating NUL.</summary>
        private string Ended(int start, string whitespace)
        {
            var token = text[start.._at];
            if (_at < text.Length && whitespace.Contains(text[_at]))
                _at++;
            return token;
        }

        /// <summary>Everything after the last token, as written.</summary>
        public string Rest() => _at < text.Length ? text[_at..] : "";
    }
}
