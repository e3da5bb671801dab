using Npgsql;
using NpgsqlTypes;

namespace North.Core.History;

/// <summary>Work North began and has not finished: a file that cannot be atomic, or a resumable initialization.</summary>
/// <param name="Version">The migration's version (the init version for an initialization).</param>
/// <param name="Name">The file name, or <see cref="UnfinishedTable.InitializationName"/>.</param>
/// <param name="Done">For an initialization: the steps completed, as <c>Action name</c>.</param>
/// <param name="Running">For an initialization: the non-transactional step begun and not completed.</param>
/// <param name="StartedAt">When the work began.</param>
/// <param name="StartedBy">The session user that began it.</param>
public sealed record UnfinishedEntry(string Version, string Name, IReadOnlyList<string> Done, string? Running, DateTimeOffset StartedAt, string? StartedBy)
{
    public bool IsInitialization => Name == UnfinishedTable.InitializationName;
}

/// <summary>
/// North's table of unfinished work, beside the history table (same schema, its name plus
/// <c>_unfinished</c>): septentrion's and django-north's tables cannot take a column, so the marker
/// lives here for every style. A row is written before the work starts and removed in the same
/// transaction that records the work done, so a row found by a later run means "interrupted".
/// </summary>
public sealed class UnfinishedTable
{
    /// <summary>The name of an initialization's row.</summary>
    public const string InitializationName = "(initialization)";

    public UnfinishedTable(HistoryShape history)
    {
        var table = history.Table.Length > 50 ? history.Table[..50] : history.Table;
        QualifiedName = $"{SqlIdentifier.Quote(history.Schema)}.{SqlIdentifier.Quote(table + "_unfinished")}";
        UnquotedName = $"{history.Schema}.{table}_unfinished";
    }

    public string QualifiedName { get; }

    /// <summary>schema.table, for the schema comparison's exclusions.</summary>
    public string UnquotedName { get; }

    /// <summary>The rows; none when the table does not exist.</summary>
    public async Task<IReadOnlyList<UnfinishedEntry>> ReadAsync(NpgsqlConnection connection, CancellationToken cancel = default)
    {
        await using (var exists = new NpgsqlCommand("SELECT pg_catalog.to_regclass($1) IS NOT NULL", connection))
        {
            exists.Parameters.Add(new NpgsqlParameter { Value = QualifiedName, NpgsqlDbType = NpgsqlDbType.Text });
            if (!(bool)(await exists.ExecuteScalarAsync(cancel).ConfigureAwait(false))!)
            {
                return Array.Empty<UnfinishedEntry>();
            }
        }
        var rows = new List<UnfinishedEntry>();
        await using var command = new NpgsqlCommand($"SELECT version, name, done, running, started_at, started_by FROM {QualifiedName} ORDER BY started_at", connection);
        await using var reader = await command.ExecuteReaderAsync(cancel).ConfigureAwait(false);
        while (await reader.ReadAsync(cancel).ConfigureAwait(false))
        {
            rows.Add(new UnfinishedEntry(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<string[]>(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), new DateTimeOffset(reader.GetDateTime(4)), reader.IsDBNull(5) ? null : reader.GetString(5)));
        }
        return rows;
    }

    /// <summary>Creates the table when missing.</summary>
    public NpgsqlBatchCommand CreateCommand() => new(
        $"CREATE TABLE IF NOT EXISTS {QualifiedName} (version text NOT NULL, name text NOT NULL, done text[] NOT NULL DEFAULT '{{}}', running text, " +
        "started_at timestamptz NOT NULL DEFAULT pg_catalog.now(), started_by text NOT NULL DEFAULT session_user, PRIMARY KEY (version, name))");

    /// <summary>Marks work begun (a file that cannot be atomic, or an initialization).</summary>
    public NpgsqlBatchCommand StartCommand(string version, string name) => With(
        $"INSERT INTO {QualifiedName} (version, name) VALUES ($1, $2) ON CONFLICT (version, name) DO UPDATE SET started_at = pg_catalog.now(), started_by = pg_catalog.session_user(), running = NULL",
        version, name);

    /// <summary>Removes the row of finished (or resolved) work.</summary>
    public NpgsqlBatchCommand FinishCommand(string version, string name) => With(
        $"DELETE FROM {QualifiedName} WHERE version = $1 AND name = $2", version, name);

    /// <summary>An initialization step begun that cannot roll back if interrupted.</summary>
    public NpgsqlBatchCommand RunningCommand(string version, string step) => With(
        $"UPDATE {QualifiedName} SET running = $3 WHERE version = $1 AND name = $2", version, InitializationName, step);

    /// <summary>An initialization step completed (sent in the step's own transaction when it has one).</summary>
    public NpgsqlBatchCommand DoneCommand(string version, string step) => With(
        $"UPDATE {QualifiedName} SET done = pg_catalog.array_append(done, $3), running = NULL WHERE version = $1 AND name = $2", version, InitializationName, step);

    /// <summary>Clears an initialization's interrupted step, so the next run runs it again.</summary>
    public NpgsqlBatchCommand RetryCommand(string version) => With(
        $"UPDATE {QualifiedName} SET running = NULL WHERE version = $1 AND name = $2", version, InitializationName);

    private static NpgsqlBatchCommand With(string sql, params string[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlDbType.Text });
        }
        return command;
    }
}
