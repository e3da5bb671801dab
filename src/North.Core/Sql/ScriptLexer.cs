using System.Text;

namespace North.Core.Sql;

/// <summary>What stopped a <see cref="ScriptLexer.Scan"/>.</summary>
internal enum ScanResult
{
    /// <summary>The line is consumed; feed the next one.</summary>
    EndOfLine,
    /// <summary>A top-level <c>;</c> ended a statement: take it with <see cref="ScriptLexer.TakeStatement"/>.</summary>
    Semicolon,
    /// <summary>A backslash outside quotes starts a meta-command at <see cref="ScriptLexer.Position"/>.</summary>
    Backslash,
    /// <summary>A <c>--meta-psql:</c> comment line, outside any statement.</summary>
    Marker,
}

/// <summary>
/// psql's SQL lexer (src/fe_utils/psqlscan.l), one line at a time, state kept across lines.
/// It does not parse SQL: it only knows enough (quotes, comments, dollar quotes, parentheses,
/// <c>BEGIN ATOMIC</c> bodies, variables) to find where psql would cut statements and what text
/// psql would send. One instance per file: an included file gets its own, as in psql.
/// </summary>
internal sealed class ScriptLexer
{
    private enum State { Initial, BlockComment, Quote, EscapeQuote, DoubleQuote, DollarQuote }

    private readonly Func<string, string?> _variable;
    private readonly StringBuilder _text = new();
    private readonly List<int> _anchors = new();
    private readonly List<string> _words = new();
    private readonly char[] _identifiers = new char[4];

    private State _state;
    private int _stateLine, _stateColumn;
    private int _commentDepth;
    private string _dollarDelimiter = "";
    private int _parenDepth, _beginDepth, _identifierCount;
    private string? _lastDepth0Word;
    private bool _copyFromStdin;
    // An E'...' closed at the end of its line: a '...' after the newline continues it, with E's rules (psql's quotecontinue).
    private bool _escapeContinuation;
    private bool _hasToken;
    private int _startLine, _startColumn;
    private string _firstLine = "";
    private int _addedNewlineAt = -1;
    private bool _anchorPending;

    private string _line = "";
    private int _lineNumber;
    private int _pos;
    // Expanded :var values in the current line (start, end, name): psql lexes a value as input and never expands a variable inside its own value.
    private List<(int Start, int End, string Name)>? _expansions;

    public ScriptLexer(string file, Func<string, string?> variable)
    {
        File = file;
        _variable = variable;
    }

    public string File { get; }

    /// <summary>psql follows the server's standard_conforming_strings; so do we (the reader sets it from its <see cref="ReadingSession"/>).</summary>
    public bool StandardStrings { get; set; } = true;

    /// <summary>No statement text is pending and no quote or comment is open: a <c>--</c> comment here is never sent, as in psql.</summary>
    public bool BetweenStatements => _state == State.Initial && _text.Length == 0;

    /// <summary>
    /// Whether a <c>--meta-psql:</c> line is a marker (a manual file) or a plain comment (any other
    /// file: DESIGN.md section 1, manual is decided once, at discovery).
    /// </summary>
    public bool Markers { get; init; } = true;

    /// <summary>Index in the current line where the scan stopped (at the backslash for meta-commands).</summary>
    public int Position => _pos;

    public string Line => _line;

    public int LineNumber => _lineNumber;

    /// <summary>Text of the pending marker after <see cref="ScanResult.Marker"/>.</summary>
    public string MarkerCommand { get; private set; } = "";

    public int MarkerColumn { get; private set; }

    /// <summary>
    /// Starts a new line, as psql's MainLoop does: an empty line outside quotes is skipped
    /// altogether (returns false); otherwise a newline separates it from the pending text.
    /// </summary>
    public bool BeginLine(string line, int lineNumber)
    {
        _line = line;
        _lineNumber = lineNumber;
        _pos = 0;
        _expansions = null;
        if (line.Length == 0 && _state == State.Initial)
            return false;
        if (_text.Length > 0)
        {
            _text.Append('\n');
            _addedNewlineAt = _text.Length;
        }
        else
        {
            _addedNewlineAt = -1;
        }
        _anchorPending = true;
        return true;
    }

    /// <summary>Resumes after a meta-command that ended at <paramref name="position"/> of the line.</summary>
    public void ResumeAt(int position)
    {
        // A line holding only a backslash command leaves the query text unchanged (psql strips the newline it added).
        if (_addedNewlineAt >= 0 && _text.Length == _addedNewlineAt)
            _text.Length--;
        _addedNewlineAt = -1;
        _identifierCount = 0;
        _pos = position;
    }

    public ScanResult Scan()
    {
        var line = _line;
        int n = line.Length;
        int i = _pos;
        int echoFrom = i;

        while (i < n)
        {
            char c = line[i];
            switch (_state)
            {
                case State.BlockComment:
                {
                    if (c == '/' && i + 1 < n && line[i + 1] == '*') { _commentDepth++; i += 2; continue; }
                    if (c == '*' && i + 1 < n && line[i + 1] == '/')
                    {
                        i += 2;
                        if (--_commentDepth == 0) _state = State.Initial;
                        continue;
                    }
                    i++;
                    continue;
                }
                case State.Quote:
                {
                    int q = line.IndexOf('\'', i);
                    if (q < 0) { i = n; continue; }
                    if (q + 1 < n && line[q + 1] == '\'') { i = q + 2; continue; }
                    i = q + 1;
                    _state = State.Initial;
                    continue;
                }
                case State.EscapeQuote:
                {
                    if (c == '\\') { i += 2; continue; }
                    if (c == '\'')
                    {
                        if (i + 1 < n && line[i + 1] == '\'') { i += 2; continue; }
                        _state = State.Initial;
                        _escapeContinuation = line.AsSpan(i + 1).IsWhiteSpace();
                    }
                    i++;
                    continue;
                }
                case State.DoubleQuote:
                {
                    int q = line.IndexOf('"', i);
                    if (q < 0) { i = n; continue; }
                    if (q + 1 < n && line[q + 1] == '"') { i = q + 2; continue; }
                    i = q + 1;
                    _state = State.Initial;
                    continue;
                }
                case State.DollarQuote:
                {
                    int d = line.IndexOf('$', i);
                    if (d < 0) { i = n; continue; }
                    if (string.CompareOrdinal(line, d, _dollarDelimiter, 0, _dollarDelimiter.Length) == 0)
                    {
                        i = d + _dollarDelimiter.Length;
                        _state = State.Initial;
                        continue;
                    }
                    i = d + 1;
                    continue;
                }
            }

            // INITIAL state.
            if (IsSpace(c))
            {
                if (_text.Length == 0 && echoFrom == i)
                    echoFrom = i + 1; // whitespace before a statement is not sent
                i++;
                continue;
            }
            if (c == '-' && i + 1 < n && line[i + 1] == '-')
            {
                if (Markers && string.CompareOrdinal(line, i, "--meta-psql:", 0, 12) == 0)
                {
                    if (_hasToken)
                        throw new ScriptSyntaxException(File, _lineNumber, i + 1,
                            "a --meta-psql: marker inside an unfinished statement (the statement before it lacks its ';')",
                            "End the statement before the marker with a semicolon.");
                    TakeStatement(); // only comments were pending
                    MarkerCommand = line.Substring(i + 12).Trim();
                    MarkerColumn = i + 1;
                    _pos = n;
                    return ScanResult.Marker;
                }
                // A comment runs to a newline: the line's end, a CR (psql's lexer takes a lone CR as one), or one in an expanded value.
                int end = line.AsSpan(i).IndexOfAny('\r', '\n') is var nl and >= 0 ? i + nl : n;
                if (_text.Length == 0 && echoFrom == i)
                    echoFrom = end; // a comment before any statement text is not sent
                i = end;
                continue;
            }
            if (c == '/' && i + 1 < n && line[i + 1] == '*')
            {
                Enter(State.BlockComment, i);
                _commentDepth = 1;
                i += 2;
                continue;
            }

            bool continued = _escapeContinuation && c == '\'';
            _escapeContinuation = false;
            if (c is not (';' or '\\'))
                MarkToken(i);
            if (c == '\'')
            {
                Enter(StandardStrings && !continued ? State.Quote : State.EscapeQuote, i);
                i++;
                continue;
            }
            if (c == '"')
            {
                Enter(State.DoubleQuote, i);
                i++;
                continue;
            }
            if (c == '$')
            {
                int j = i + 1;
                if (j < n && char.IsAsciiDigit(line[j]))
                {
                    while (j < n && char.IsAsciiDigit(line[j])) j++; // $1: a parameter, not a quote
                    i = j;
                    continue;
                }
                if (j < n && IsDollarTagStart(line[j]))
                {
                    j++;
                    while (j < n && IsDollarTagChar(line[j])) j++;
                }
                if (j < n && line[j] == '$')
                {
                    _dollarDelimiter = line.Substring(i, j - i + 1);
                    Enter(State.DollarQuote, i);
                    i = j + 1;
                    continue;
                }
                i++; // psql's dolqfailed: the $ alone, lexing resumes right after it
                continue;
            }
            if (IsIdentifierStart(c))
            {
                if (i + 1 < n && line[i + 1] == '\'')
                {
                    char p = char.ToLowerInvariant(c);
                    if (p == 'e') { Enter(State.EscapeQuote, i); i += 2; continue; }
                    if (p is 'b' or 'x') { Enter(State.Quote, i); i += 2; continue; }
                    // psql's xnstart eats the N only: the quote then lexes as any other, by standard_conforming_strings.
                    if (p == 'n') { Enter(StandardStrings ? State.Quote : State.EscapeQuote, i); i += 2; continue; }
                }
                if ((c is 'u' or 'U') && i + 2 < n && line[i + 1] == '&' && (line[i + 2] is '\'' or '"'))
                {
                    Enter(line[i + 2] == '\'' ? State.Quote : State.DoubleQuote, i);
                    i += 3;
                    continue;
                }
                int j = i + 1;
                while (j < n && IsIdentifierChar(line[j])) j++;
                Identifier(line.AsSpan(i, j - i));
                i = j;
                continue;
            }
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < n && char.IsAsciiDigit(line[i + 1])))
            {
                int j = i + 1;
                while (j < n && (char.IsAsciiLetterOrDigit(line[j]) || line[j] == '_' || line[j] == '.')) j++;
                i = j;
                continue;
            }
            switch (c)
            {
                case '(':
                    _parenDepth++;
                    i++;
                    continue;
                case ')':
                    if (_parenDepth > 0) _parenDepth--;
                    i++;
                    continue;
                case ';':
                    i++;
                    if (_parenDepth == 0 && _beginDepth == 0)
                    {
                        Echo(echoFrom, i);
                        _pos = i;
                        _identifierCount = 0;
                        return ScanResult.Semicolon;
                    }
                    continue;
                case ':':
                    if (i + 1 < n && line[i + 1] == ':') { i += 2; continue; }
                    if (TryVariable(line, i, out int end, out string? value, out bool relex, out string? name))
                    {
                        Echo(echoFrom, i);
                        if (relex)
                        {
                            // psql pushes an unquoted value onto its input: its quotes, ';' and :vars count.
                            Splice(i, end, value!, name!);
                            line = _line;
                            n = line.Length;
                            echoFrom = i;
                            continue;
                        }
                        Anchor(i);
                        _text.Append(value);
                        echoFrom = i = end;
                        _anchorPending = true;
                        continue;
                    }
                    i++;
                    continue;
                case '\\':
                    if (i + 1 < n && line[i + 1] is ';' or ':')
                    {
                        // psql's "\;" and "\:" force the character into the query text.
                        Echo(echoFrom, i);
                        echoFrom = i + 1;
                        i += 2;
                        continue;
                    }
                    Echo(echoFrom, i);
                    _pos = i;
                    _identifierCount = 0;
                    return ScanResult.Backslash;
                default:
                    i++;
                    continue;
            }
        }

        Echo(echoFrom, n);
        _pos = n;
        return ScanResult.EndOfLine;
    }

    /// <summary>The statement ended by the last <see cref="ScanResult.Semicolon"/> (or pending at the end of the file); null when it holds no token.</summary>
    public SqlStatement? TakeStatement()
    {
        SqlStatement? statement = null;
        if (_hasToken)
        {
            var anchors = _anchors.ToArray();
            statement = new SqlStatement(File, _startLine, _startColumn, _text.ToString(), _firstLine, _words.ToArray(),
                _copyFromStdin, anchors);
        }
        _text.Clear();
        _anchors.Clear();
        _words.Clear();
        _hasToken = false;
        _copyFromStdin = false;
        _lastDepth0Word = null;
        _parenDepth = 0;
        _beginDepth = 0;
        _identifierCount = 0;
        _addedNewlineAt = -1;
        _anchorPending = true;
        return statement;
    }

    /// <summary>At the end of the file: an error if a quote or comment is still open.</summary>
    public void CheckComplete()
    {
        if (_state == State.Initial)
            return;
        var what = _state switch
        {
            State.BlockComment => "unterminated /* comment",
            State.Quote or State.EscapeQuote => "unterminated quoted string",
            State.DoubleQuote => "unterminated quoted identifier",
            _ => $"unterminated dollar-quoted string (no closing {_dollarDelimiter})",
        };
        throw new ScriptSyntaxException(File, _stateLine, _stateColumn, $"{what} at the end of the file",
            "Close it: psql would send the rest of the file as part of it.");
    }

    private void Enter(State state, int index)
    {
        _state = state;
        _stateLine = _lineNumber;
        _stateColumn = index + 1;
    }

    private void MarkToken(int index)
    {
        if (_hasToken)
            return;
        _hasToken = true;
        _startLine = _lineNumber;
        _startColumn = index + 1;
        var first = _line.AsSpan(index).TrimEnd();
        _firstLine = first.Length > 200 ? string.Concat(first[..200], "...") : first.ToString();
    }

    private void Echo(int from, int to)
    {
        if (to <= from)
            return;
        if (_anchorPending || _text.Length == 0)
            Anchor(from);
        _text.Append(_line, from, to - from);
    }

    private void Anchor(int column0 = -1)
    {
        _anchors.Add(_text.Length);
        _anchors.Add(_lineNumber);
        _anchors.Add(column0 + 1);
        _anchorPending = false;
    }

    private void Identifier(ReadOnlySpan<char> word)
    {
        var upper = word.ToString().ToUpperInvariant();
        _words.Add(upper);
        if (_parenDepth == 0)
        {
            if (upper == "STDIN" && _lastDepth0Word == "FROM" && _words[0] == "COPY")
                _copyFromStdin = true;
            _lastDepth0Word = upper;
        }

        // psqlscan.l's heuristic for BEGIN ... END bodies of CREATE [OR REPLACE] FUNCTION/PROCEDURE.
        if (_identifierCount == 0)
            Array.Clear(_identifiers);
        if (upper is "CREATE" or "FUNCTION" or "PROCEDURE" or "OR" or "REPLACE" && _identifierCount < _identifiers.Length)
            _identifiers[_identifierCount] = char.ToLowerInvariant(upper[0]);
        _identifierCount++;
        if (_identifiers[0] == 'c'
            && (_identifiers[1] is 'f' or 'p' || (_identifiers[1] == 'o' && _identifiers[2] == 'r' && _identifiers[3] is 'f' or 'p'))
            && _parenDepth == 0)
        {
            if (upper == "BEGIN")
                _beginDepth++;
            else if (upper == "CASE" && _beginDepth >= 1)
                _beginDepth++;
            else if (upper == "END" && _beginDepth > 0)
                _beginDepth--;
        }
    }

    /// <summary>Replaces <c>:name</c> at [start, end) of the line by its value, to be lexed next.</summary>
    private void Splice(int start, int end, string value, string name)
    {
        _line = string.Concat(_line.AsSpan(0, start), value, _line.AsSpan(end));
        int delta = value.Length - (end - start);
        _expansions ??= new();
        for (int k = 0; k < _expansions.Count; k++)
        {
            var (s, e, v) = _expansions[k];
            if (s >= end) s += delta;
            if (e >= end) e += delta;
            _expansions[k] = (s, e, v);
        }
        _expansions.Add((start, start + value.Length, name));
    }

    private bool Expanding(string name, int at)
    {
        if (_expansions is null)
            return false;
        foreach (var (s, e, v) in _expansions)
            if (at >= s && at < e && v == name)
                return true;
        return false;
    }

    /// <summary>A <c>:var</c> skipped because it is inside its own value (psql warns and copies it as is).</summary>
    public Action<string>? RecursionWarning { get; init; }

    private bool TryVariable(string line, int colon, out int end, out string? value, out bool relex, out string? name)
    {
        end = colon;
        value = null;
        relex = false;
        name = null;
        int n = line.Length;
        int j = colon + 1;
        if (j >= n)
            return false;
        if (line[j] == '{' && j + 1 < n && line[j + 1] == '?')
        {
            // :{?name} is TRUE when the variable is set, FALSE otherwise.
            int k = j + 2, from = k;
            while (k < n && IsVariableChar(line[k])) k++;
            if (k == from || k >= n || line[k] != '}')
                return false;
            value = _variable(line.Substring(from, k - from)) is null ? "FALSE" : "TRUE";
            end = k + 1;
            return true;
        }
        char quote = line[j] is '\'' or '"' ? line[j] : '\0';
        if (quote != '\0')
            j++;
        int nameStart = j;
        while (j < n && IsVariableChar(line[j])) j++;
        if (j == nameStart)
            return false;
        if (quote != '\0')
        {
            if (j >= n || line[j] != quote)
                return false;
        }
        name = line.Substring(nameStart, j - nameStart);
        if (quote == '\0' && Expanding(name, colon))
        {
            RecursionWarning?.Invoke($"{File}:{_lineNumber}:{colon + 1}: skipping recursive expansion of variable \"{name}\"");
            return false;
        }
        var raw = _variable(name);
        if (raw is null)
            return false; // psql leaves an undefined :var as written
        relex = quote == '\0';
        value = quote switch
        {
            '\'' => QuoteLiteral(raw),
            '"' => "\"" + raw.Replace("\"", "\"\"") + "\"",
            _ => raw,
        };
        end = quote != '\0' ? j + 1 : j;
        return true;
    }

    /// <summary>libpq's PQescapeLiteral: E'' form when the value holds a backslash.</summary>
    internal static string QuoteLiteral(string raw)
    {
        var body = raw.Replace("'", "''");
        return raw.Contains('\\') ? " E'" + body.Replace("\\", "\\\\") + "'" : "'" + body + "'";
    }

    internal static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\f' or '\v';

    private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c == '_' || c >= '\u0080';

    private static bool IsIdentifierChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '$' || c >= '\u0080';

    private static bool IsDollarTagStart(char c) => char.IsAsciiLetter(c) || c == '_' || c >= '\u0080';

    private static bool IsDollarTagChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' || c >= '\u0080';

    internal static bool IsVariableChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' || c >= '\u0080';
}
