using System.Text;

namespace North.Core.LockRisk;

/// <summary>What a token of a statement is.</summary>
internal enum SqlTokenKind
{
    /// <summary>An unquoted word (keyword or identifier); <see cref="SqlToken.Upper"/> is its upper-cased text.</summary>
    Word,
    /// <summary>A <c>"quoted identifier"</c>; <see cref="SqlToken.Text"/> is its name, quotes removed.</summary>
    QuotedIdentifier,
    /// <summary>A string constant of any form (<c>'...'</c>, <c>E'...'</c>, <c>$tag$...$tag$</c>); its contents never count.</summary>
    String,
    Number,
    /// <summary>Punctuation or an operator: <c>( ) , ; . [ ]</c>, <c>::</c>, <c>=</c>, <c>&lt;=</c>...</summary>
    Symbol,
}

/// <summary>One token of a statement's text, comments dropped.</summary>
internal readonly record struct SqlToken(SqlTokenKind Kind, string Text)
{
    public string Upper => Kind == SqlTokenKind.Word ? Text.ToUpperInvariant() : Text;

    public bool Is(string word) => Kind == SqlTokenKind.Word && string.Equals(Text, word, StringComparison.OrdinalIgnoreCase);

    public bool IsSymbol(string symbol) => Kind == SqlTokenKind.Symbol && Text == symbol;

    public bool IsIdentifier => Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier;

    /// <summary>The name PostgreSQL sees: an unquoted word folds to lower case, a quoted one is kept.</summary>
    public string Name => Kind == SqlTokenKind.Word ? Text.ToLowerInvariant() : Text;

    /// <summary>
    /// Splits a statement's text (as the psql-compatible reader sends it) into tokens, dropping
    /// comments and whitespace. The reader has already found where the statement ends; this only
    /// needs PostgreSQL's lexical rules for quotes, dollar quotes and nested comments.
    /// </summary>
    public static List<SqlToken> Split(string text)
    {
        var tokens = new List<SqlToken>();
        var i = 0;
        var n = text.Length;
        while (i < n)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '-' && At(i + 1) == '-')
            {
                while (i < n && text[i] != '\n') i++;
            }
            else if (c == '/' && At(i + 1) == '*')
            {
                var depth = 0;
                do
                {
                    if (text[i] == '/' && At(i + 1) == '*') { depth++; i += 2; }
                    else if (text[i] == '*' && At(i + 1) == '/') { depth--; i += 2; }
                    else i++;
                } while (i < n && depth > 0);
            }
            else if (c == '\'')
            {
                i = Quoted(i, '\'', backslash: false);
                tokens.Add(new(SqlTokenKind.String, ""));
            }
            else if ((c is 'E' or 'e') && At(i + 1) == '\'')
            {
                i = Quoted(i + 1, '\'', backslash: true);
                tokens.Add(new(SqlTokenKind.String, ""));
            }
            else if (c == '"')
            {
                var start = i;
                i = Quoted(i, '"', backslash: false);
                tokens.Add(new(SqlTokenKind.QuotedIdentifier, text[(start + 1)..Math.Max(start + 1, i - 1)].Replace("\"\"", "\"")));
            }
            else if (c == '$' && DollarTag(i) is { } tag)
            {
                var end = text.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                i = end < 0 ? n : end + tag.Length;
                tokens.Add(new(SqlTokenKind.String, ""));
            }
            else if (char.IsLetter(c) || c == '_' || c > 127)
            {
                var start = i;
                while (i < n && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '$' || text[i] > 127)) i++;
                tokens.Add(new(SqlTokenKind.Word, text[start..i]));
            }
            else if (char.IsDigit(c))
            {
                var start = i;
                while (i < n && (char.IsLetterOrDigit(text[i]) || text[i] == '.' && At(i + 1) != '.')) i++;
                tokens.Add(new(SqlTokenKind.Number, text[start..i]));
            }
            else if ("+-*/<>=~!@#%^&|`?".Contains(c))
            {
                var start = i;
                while (i < n && "+-*/<>=~!@#%^&|`?".Contains(text[i]) && !(text[i] == '-' && At(i + 1) == '-') && !(text[i] == '/' && At(i + 1) == '*')) i++;
                tokens.Add(new(SqlTokenKind.Symbol, text[start..i]));
            }
            else if (c == ':' && At(i + 1) == ':')
            {
                tokens.Add(new(SqlTokenKind.Symbol, "::"));
                i += 2;
            }
            else
            {
                tokens.Add(new(SqlTokenKind.Symbol, c.ToString()));
                i++;
            }
        }
        return tokens;

        char At(int k) => k < n ? text[k] : '\0';

        int Quoted(int open, char quote, bool backslash)
        {
            var k = open + 1;
            while (k < n)
            {
                if (backslash && text[k] == '\\') { k += 2; continue; }
                if (text[k] == quote)
                {
                    if (At(k + 1) == quote) { k += 2; continue; }
                    return k + 1;
                }
                k++;
            }
            return n;
        }

        string? DollarTag(int open)
        {
            var k = open + 1;
            while (k < n && (char.IsLetterOrDigit(text[k]) || text[k] == '_')) k++;
            if (k >= n || text[k] != '$' || (k > open + 1 && char.IsDigit(text[open + 1])))
                return null;
            return text[open..(k + 1)];
        }
    }

    /// <summary>The length PostgreSQL counts against its 63-byte identifier limit (NAMEDATALEN - 1).</summary>
    public int NameBytes => Encoding.UTF8.GetByteCount(Name);
}
