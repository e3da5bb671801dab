using North.Core.Sql;

namespace North.Core.LockRisk;

/// <summary>
/// One statement as the lock-risk rules see it: its tokens (comments gone, strings opaque), how its
/// file runs, and which tables and indexes earlier statements of the same version created (work on
/// those blocks nobody: no client uses them yet).
/// </summary>
internal sealed class LockRiskStatement
{
    private readonly ISet<string> _newRelations;

    public LockRiskStatement(SqlStatement statement, TransactionMode mode, ISet<string> newRelations)
    {
        Statement = statement;
        Mode = mode;
        _newRelations = newRelations;
        Tokens = SqlToken.Split(statement.Text);
    }

    public SqlStatement Statement { get; }

    public TransactionMode Mode { get; }

    public IReadOnlyList<SqlToken> Tokens { get; }

    public SqlToken this[int index] => index < Tokens.Count ? Tokens[index] : new SqlToken(SqlTokenKind.Symbol, "");

    /// <summary>Created earlier in the same version (by its unqualified name).</summary>
    public bool IsNew(string relation) => _newRelations.Contains(relation);

    /// <summary>Whether the words follow one another from <paramref name="at"/>.</summary>
    public bool WordsAt(int at, params string[] words)
    {
        for (var k = 0; k < words.Length; k++)
            if (!this[at + k].Is(words[k]))
                return false;
        return true;
    }

    /// <summary>Index of the first token in [from, to) that is the word, or -1.</summary>
    public int Find(string word, int from = 0, int to = int.MaxValue)
    {
        for (var k = from; k < Math.Min(to, Tokens.Count); k++)
            if (Tokens[k].Is(word))
                return k;
        return -1;
    }

    public bool Has(string word, int from = 0, int to = int.MaxValue) => Find(word, from, to) >= 0;

    /// <summary>Skips the optional words in order (<c>IF NOT EXISTS</c>, <c>ONLY</c>...), returning where the next token is.</summary>
    public int Skip(int at, params string[] optional)
    {
        if (WordsAt(at, optional))
            return at + optional.Length;
        return at;
    }

    /// <summary>
    /// Reads a possibly qualified name at <paramref name="at"/>; returns its last part (the relation's
    /// own name as PostgreSQL folds it) or null, and where the name ends.
    /// </summary>
    public string? Name(int at, out int next)
    {
        next = at;
        string? last = null;
        while (this[next].IsIdentifier)
        {
            last = this[next].Name;
            next++;
            if (!this[next].IsSymbol("."))
                break;
            next++;
        }
        return last;
    }

    /// <summary>The ranges of an <c>ALTER TABLE</c>'s actions: split at commas outside parentheses.</summary>
    public IEnumerable<(int From, int To)> Actions(int from)
    {
        var depth = 0;
        var start = from;
        for (var k = from; k < Tokens.Count; k++)
        {
            var t = Tokens[k];
            if (t.IsSymbol("(") || t.IsSymbol("[")) depth++;
            else if (t.IsSymbol(")") || t.IsSymbol("]")) depth--;
            else if (depth == 0 && (t.IsSymbol(",") || t.IsSymbol(";")))
            {
                if (k > start) yield return (start, k);
                start = k + 1;
            }
        }
        if (Tokens.Count > start) yield return (start, Tokens.Count);
    }
}
