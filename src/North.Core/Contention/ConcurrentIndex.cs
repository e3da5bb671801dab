using North.Core.LockRisk;
using North.Core.Sql;
using Npgsql;

namespace North.Core.Contention;

/// <summary>What a CONCURRENTLY statement builds: one named index, or every index of a table (REINDEX TABLE).</summary>
public enum ConcurrentIndexKind
{
    /// <summary><c>CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] name ON [ONLY] table</c>.</summary>
    Create,
    /// <summary><c>REINDEX [(options)] INDEX CONCURRENTLY name</c>.</summary>
    ReindexIndex,
    /// <summary><c>REINDEX [(options)] TABLE CONCURRENTLY table</c>.</summary>
    ReindexTable,
}

/// <summary>An index as pg_index has it: its qualified name, and whether it is valid and ready.</summary>
public sealed record IndexState(string QualifiedName, bool Valid);

/// <summary>
/// The index a <c>CONCURRENTLY</c> build or reindex names, found the way the server finds it (the
/// session's search_path, through <c>to_regclass</c>): a failed build leaves an INVALID index that
/// <c>IF NOT EXISTS</c> then skips, so North checks it before and after the statement.
/// </summary>
public sealed class ConcurrentIndex
{
    private ConcurrentIndex(ConcurrentIndexKind kind, string? index, string relation)
    {
        Kind = kind;
        Index = index;
        Relation = relation;
    }

    public ConcurrentIndexKind Kind { get; }

    /// <summary>The index's own name as the server folds it (a CREATE: an index takes its table's schema); null for REINDEX.</summary>
    public string? Index { get; }

    /// <summary>The relation as written, quotes kept (the table of a CREATE or REINDEX TABLE, the index of REINDEX INDEX).</summary>
    public string Relation { get; }

    /// <summary>The CONCURRENTLY build the statement is, or null (an unnamed CREATE INDEX is not checked: its name is the server's choice).</summary>
    public static ConcurrentIndex? Parse(SqlStatement statement)
    {
        if (statement.Keyword is not ("CREATE" or "REINDEX") || !statement.ContainsKeyword("CONCURRENTLY"))
            return null;
        var t = SqlToken.Split(statement.Text);
        SqlToken At(int k) => k < t.Count ? t[k] : new SqlToken(SqlTokenKind.Symbol, "");
        int at = 1;
        if (At(0).Is("CREATE"))
        {
            if (At(at).Is("UNIQUE")) at++;
            if (!At(at).Is("INDEX") || !At(at + 1).Is("CONCURRENTLY")) return null;
            at += 2;
            if (At(at).Is("IF") && At(at + 1).Is("NOT") && At(at + 2).Is("EXISTS")) at += 3;
            if (At(at).Is("ON") || !At(at).IsIdentifier) return null;
            var index = At(at).Name;
            at++;
            if (!At(at).Is("ON")) return null;
            at++;
            if (At(at).Is("ONLY")) at++;
            var table = QualifiedName(t, at);
            return table is null ? null : new ConcurrentIndex(ConcurrentIndexKind.Create, index, table);
        }
        if (At(at).IsSymbol("("))
        {
            while (at < t.Count && !At(at).IsSymbol(")")) at++;
            at++;
        }
        var kind = At(at).Is("INDEX") ? ConcurrentIndexKind.ReindexIndex : At(at).Is("TABLE") ? ConcurrentIndexKind.ReindexTable : (ConcurrentIndexKind?)null;
        if (kind is null || !At(at + 1).Is("CONCURRENTLY")) return null;
        var relation = QualifiedName(t, at + 2);
        return relation is null ? null : new ConcurrentIndex(kind.Value, null, relation);
    }

    /// <summary>A possibly qualified name as written, for <c>to_regclass</c> (quoted parts quoted again).</summary>
    private static string? QualifiedName(List<SqlToken> t, int at)
    {
        var parts = new List<string>();
        while (at < t.Count && t[at].IsIdentifier)
        {
            parts.Add(t[at].Kind == SqlTokenKind.QuotedIdentifier ? "\"" + t[at].Text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : t[at].Text);
            at++;
            if (at < t.Count && t[at].IsSymbol(".")) at++;
            else break;
        }
        return parts.Count == 0 ? null : string.Join('.', parts);
    }

    /// <summary>The indexes the statement builds, as they are now (none when not there yet).</summary>
    public async Task<IReadOnlyList<IndexState>> ReadAsync(NpgsqlConnection connection, CancellationToken cancel)
    {
        const string select = @"SELECT pg_catalog.format('%I.%I', n.nspname, c.relname), i.indisvalid AND i.indisready
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid ";
        var where = Kind switch
        {
            ConcurrentIndexKind.Create => "WHERE c.relname = $2 AND c.relnamespace = (SELECT r.relnamespace FROM pg_catalog.pg_class r WHERE r.oid = pg_catalog.to_regclass($1))",
            ConcurrentIndexKind.ReindexIndex => "WHERE c.oid = pg_catalog.to_regclass($1)",
            _ => "WHERE i.indrelid = pg_catalog.to_regclass($1)",
        };
        await using var command = new NpgsqlCommand(select + where + " ORDER BY 1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Relation, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        if (Kind == ConcurrentIndexKind.Create)
            command.Parameters.Add(new NpgsqlParameter { Value = Index!, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        var found = new List<IndexState>();
        await using var reader = await command.ExecuteReaderAsync(cancel).ConfigureAwait(false);
        while (await reader.ReadAsync(cancel).ConfigureAwait(false))
            found.Add(new IndexState(reader.GetString(0), reader.GetBoolean(1)));
        return found;
    }

    /// <summary>The statement that removes an invalid index without blocking its table.</summary>
    public static string DropCommand(IndexState index) => $"DROP INDEX CONCURRENTLY IF EXISTS {index.QualifiedName}";
}
