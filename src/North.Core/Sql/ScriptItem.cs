namespace North.Core.Sql;

/// <summary>One thing a script says, where it says it (1-based line and column in <see cref="File"/>).</summary>
public abstract class ScriptItem
{
    protected ScriptItem(string file, int line, int column)
    {
        File = file;
        Line = line;
        Column = column;
    }

    /// <summary>The file the item comes from (an included file for items read through <c>\i</c>).</summary>
    public string File { get; }

    public int Line { get; }

    public int Column { get; }

    /// <summary><c>file:line:column</c>, the prefix of every message about this item.</summary>
    public string Location => $"{File}:{Line}:{Column}";
}

/// <summary>What kind of transaction control a statement is, if any.</summary>
public enum TransactionControl
{
    /// <summary>Not transaction control.</summary>
    None,
    /// <summary><c>BEGIN</c> / <c>START TRANSACTION</c> with no options.</summary>
    Begin,
    /// <summary><c>BEGIN</c> with options (isolation level, read only...).</summary>
    BeginWithOptions,
    /// <summary><c>COMMIT</c> / <c>END</c>.</summary>
    Commit,
    /// <summary><c>ROLLBACK</c> / <c>ABORT</c> (not <c>ROLLBACK TO</c>).</summary>
    Rollback,
    /// <summary><c>SAVEPOINT</c>, <c>RELEASE</c>, <c>ROLLBACK TO</c>: fine inside North's own transaction.</summary>
    Savepoint,
    /// <summary>Two-phase commit and anything else that cannot run inside a transaction block.</summary>
    Other,
}

/// <summary>
/// An SQL statement, its text exactly as psql would send it (comments inside it kept, leading
/// <c>--</c> comments and blank lines dropped, <c>:var</c> interpolated, terminating <c>;</c> kept).
/// </summary>
public sealed class SqlStatement : ScriptItem
{
    private readonly int[] _anchors; // triples: text offset, line, column

    internal SqlStatement(string file, int line, int column, string text, string firstLine, IReadOnlyList<string> words,
        bool isCopyFromStdin, int[] anchors)
        : base(file, line, column)
    {
        Text = text;
        FirstLine = firstLine;
        Words = words;
        IsCopyFromStdin = isCopyFromStdin;
        _anchors = anchors;
        Control = ClassifyControl(words);
    }

    /// <summary>The text sent to the server.</summary>
    public string Text { get; }

    /// <summary>The statement's first line (from its first keyword), for messages.</summary>
    public string FirstLine { get; }

    /// <summary>Its unquoted words, upper-cased, outside comments and strings: what keyword checks look at.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>First word (<c>CREATE</c>, <c>BEGIN</c>...), or empty for a statement of comments only.</summary>
    public string Keyword => Words.Count > 0 ? Words[0] : "";

    /// <summary>A <c>COPY ... FROM stdin</c> whose data follows in the script.</summary>
    public bool IsCopyFromStdin { get; }

    public TransactionControl Control { get; }

    /// <summary>
    /// The <c>\gset [prefix]</c> or <c>\gexec</c> that sent this statement instead of a <c>;</c>:
    /// its result sets variables, or is run cell by cell. Null for a statement ended by <c>;</c> or <c>\g</c>.
    /// </summary>
    public MetaCommand? ResultCommand { get; internal set; }

    /// <summary>
    /// Maps a 1-based character position in <see cref="Text"/> (a server error's <c>Position</c>)
    /// to the line and column in <see cref="ScriptItem.File"/>.
    /// </summary>
    public (int Line, int Column) MapPosition(int position)
    {
        int offset = Math.Max(0, position - 1);
        int best = 0;
        for (int i = 0; i < _anchors.Length; i += 3)
        {
            if (_anchors[i] <= offset)
                best = i;
            else
                break;
        }
        if (_anchors.Length == 0)
            return (Line, Column);
        int anchorOffset = _anchors[best];
        int line = _anchors[best + 1];
        int column = _anchors[best + 2];
        // An interpolated value counts as its variable's position.
        int delta = offset - anchorOffset;
        int newline = Text.IndexOf('\n', anchorOffset, Math.Min(delta, Text.Length - anchorOffset));
        if (newline >= 0)
            delta = newline - anchorOffset;
        return (line, column + delta);
    }

    /// <summary>
    /// Whether the statement matches a non-transactional keyword, case-insensitively: one word
    /// (<c>CONCURRENTLY</c>) anywhere among its words; several words (<c>ALTER TYPE</c>) as its
    /// leading words, so a column named <c>type</c> never matches; <c>...</c> between words
    /// (<c>ALTER TYPE ... ADD VALUE</c>) lets any words come between. <c>ALTER TYPE</c> alone means
    /// <c>ALTER TYPE ... ADD VALUE</c>, the only ALTER TYPE whose effect a transaction cannot use
    /// (pg_dump's <c>ALTER TYPE ... OWNER TO</c> runs in one).
    /// </summary>
    public bool ContainsKeyword(string keyword)
    {
        var parts = keyword.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
            return false;
        if (parts.Length == 1)
        {
            foreach (var word in Words)
                if (string.Equals(word, parts[0], StringComparison.OrdinalIgnoreCase))
                    return true;
            return false;
        }
        if (parts.Length == 2 && string.Equals(parts[0], "ALTER", StringComparison.OrdinalIgnoreCase) && string.Equals(parts[1], "TYPE", StringComparison.OrdinalIgnoreCase))
            parts = ["ALTER", "TYPE", "...", "ADD", "VALUE"];
        int at = 0;
        bool anywhere = false;
        for (int p = 0; p < parts.Length;)
        {
            if (parts[p] == "...")
            {
                anywhere = true;
                p++;
                continue;
            }
            int run = p;
            while (run < parts.Length && parts[run] != "...") run++;
            int found = -1;
            for (int i = at; i + (run - p) <= Words.Count; i++)
            {
                if (SequenceAt(i, parts, p, run))
                {
                    found = i;
                    break;
                }
                if (!anywhere)
                    break;
            }
            if (found < 0)
                return false;
            at = found + (run - p);
            p = run;
            anywhere = false;
        }
        return true;
    }

    private bool SequenceAt(int index, string[] parts, int from, int to)
    {
        for (int j = from; j < to; j++)
            if (!string.Equals(Words[index + j - from], parts[j], StringComparison.OrdinalIgnoreCase))
                return false;
        return true;
    }

    private static TransactionControl ClassifyControl(IReadOnlyList<string> w)
    {
        string Word(int i) => i < w.Count ? w[i] : "";
        switch (Word(0))
        {
            case "BEGIN":
                return (w.Count == 1 || (w.Count == 2 && Word(1) is "WORK" or "TRANSACTION")) ? TransactionControl.Begin : TransactionControl.BeginWithOptions;
            case "START":
                if (Word(1) != "TRANSACTION") return TransactionControl.None;
                return w.Count == 2 ? TransactionControl.Begin : TransactionControl.BeginWithOptions;
            case "COMMIT":
            case "END":
                if (Word(1) == "PREPARED") return TransactionControl.Other;
                return w.Count == 1 || (w.Count == 2 && Word(1) is "WORK" or "TRANSACTION") ? TransactionControl.Commit : TransactionControl.Other;
            case "ROLLBACK":
            case "ABORT":
                if (Word(1) == "PREPARED") return TransactionControl.Other;
                if (w.Contains("TO")) return TransactionControl.Savepoint;
                return TransactionControl.Rollback;
            case "SAVEPOINT":
            case "RELEASE":
                return TransactionControl.Savepoint;
            case "PREPARE":
                return Word(1) == "TRANSACTION" ? TransactionControl.Other : TransactionControl.None;
            default:
                return TransactionControl.None;
        }
    }

    /// <summary>
    /// Where psql's <c>\;</c> joined statements into this one query: each part's range in
    /// <see cref="Text"/>, its words and where it starts. Null for a statement that is not joined.
    /// </summary>
    internal JoinedPart[]? Joined { get; set; }

    /// <summary>
    /// The statements psql sends as this one query when <c>\;</c> joined them (in order, each with
    /// its own text, words and location); just this statement when nothing was joined.
    /// </summary>
    public IReadOnlyList<SqlStatement> Parts => _parts ??= Joined is null ? [this] : Joined.Select(Part).ToArray();

    private IReadOnlyList<SqlStatement>? _parts;

    private SqlStatement Part(JoinedPart part)
    {
        int start = part.Start;
        while (start < part.End && ScriptLexer.IsSpace(Text[start])) start++;
        var (line, column) = MapPosition(start + 1);
        var anchors = new List<int> { 0, line, column };
        for (int i = 0; i < _anchors.Length; i += 3)
            if (_anchors[i] > start && _anchors[i] < part.End)
                anchors.AddRange([_anchors[i] - start, _anchors[i + 1], _anchors[i + 2]]);
        var words = new string[part.WordsEnd - part.WordsStart];
        for (int i = 0; i < words.Length; i++)
            words[i] = Words[part.WordsStart + i];
        return new SqlStatement(File, part.Line, part.Column, Text[start..part.End], part.FirstLine, words, false, anchors.ToArray());
    }

    public override string ToString() => Text;
}

/// <summary>One statement of a query joined with <c>\;</c>: its range in the query's text and words, and where it starts.</summary>
internal readonly record struct JoinedPart(int Start, int End, int WordsStart, int WordsEnd, int Line, int Column, string FirstLine);

/// <summary>A psql backslash command (<c>\set</c>, <c>\echo</c>, <c>\i</c>...), name without the backslash.</summary>
public sealed class MetaCommand : ScriptItem
{
    internal MetaCommand(string file, int line, int column, string name, IReadOnlyList<string> arguments)
        : base(file, line, column)
    {
        Name = name;
        Arguments = arguments;
    }

    public string Name { get; }

    /// <summary>Arguments after psql's quoting and variable rules.</summary>
    public IReadOnlyList<string> Arguments { get; }

    public override string ToString() => "\\" + Name + (Arguments.Count > 0 ? " " + string.Join(" ", Arguments) : "");
}

/// <summary>
/// A <c>COPY ... FROM stdin</c> statement with its inline data. The data lines are read from the
/// script only when <see cref="ReadDataLines"/> is enumerated (once); unread data is skipped when
/// the reader moves on.
/// </summary>
public sealed class CopyFromStdin : ScriptItem
{
    private readonly Func<IEnumerable<string>> _lines;

    internal CopyFromStdin(SqlStatement statement, Func<IEnumerable<string>> lines)
        : base(statement.File, statement.Line, statement.Column)
    {
        Statement = statement;
        _lines = lines;
    }

    public SqlStatement Statement { get; }

    /// <summary>Line of the first data line in the file.</summary>
    public int DataLine { get; internal set; }

    /// <summary>The data file a <c>\copy ... from 'file'</c> reads (as written); null when the data follows in the script.</summary>
    public string? DataFile { get; internal set; }

    /// <summary>Opens a binary <c>\copy ... from 'file'</c>'s data file, sent as its bytes; null for text data.</summary>
    internal Func<Stream>? BinaryData { get; init; }

    /// <summary>The data lines, without newline, up to (not including) the <c>\.</c> line.</summary>
    public IEnumerable<string> ReadDataLines() => _lines();
}

/// <summary>A <c>--meta-psql:</c> line of a manual migration (<c>do-until-0</c>, <c>done</c>, or an unknown one).</summary>
public sealed class MetaPsqlMarker : ScriptItem
{
    internal MetaPsqlMarker(string file, int line, int column, string command)
        : base(file, line, column) => Command = command;

    /// <summary>What follows <c>--meta-psql:</c>, trimmed.</summary>
    public string Command { get; }

    public bool IsDoUntilZero => Command == "do-until-0";

    public bool IsDone => Command == "done";

    public override string ToString() => "--meta-psql:" + Command;
}
