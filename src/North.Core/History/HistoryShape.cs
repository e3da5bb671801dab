using North.Core.Errors;
using Npgsql;
using NpgsqlTypes;

namespace North.Core.History;

/// <summary>
/// What an inspection found of the history table, as an immutable value: where it is (schema and
/// name after lookup through the search_path, or where North would create it), whether it exists,
/// its columns and whether <c>(version, name)</c> is unique. North's own statements use
/// <see cref="QualifiedName"/>, so a file's <c>search_path</c> cannot send them elsewhere.
/// A new inspection gives a new value; nothing here needs refreshing.
/// </summary>
public sealed class HistoryShape
{
    private readonly HashSet<string> _columns;

    internal HistoryShape(HistoryTableDefinition definition, string schema, string table, IEnumerable<string> columns, bool uniqueKey)
    {
        Definition = definition;
        Schema = schema;
        Table = table;
        _columns = new HashSet<string>(columns, StringComparer.Ordinal);
        HasUniqueKey = uniqueKey;
        QualifiedName = $"{SqlIdentifier.Quote(schema)}.{SqlIdentifier.Quote(table)}";
        SelectList = BuildSelectList();
        InsertSql = BuildInsertSql();
    }

    public HistoryTableDefinition Definition { get; }

    /// <summary>The schema the table is in (or would be created in).</summary>
    public string Schema { get; }

    public string Table { get; }

    /// <summary>Quoted and always schema-qualified: the same for every spelling of one table.</summary>
    public string QualifiedName { get; }

    public bool Exists => _columns.Count > 0;

    /// <summary>Whether a unique index covers exactly <c>(version, name)</c>.</summary>
    public bool HasUniqueKey { get; }

    public bool HasColumn(string column) => _columns.Contains(column);

    /// <summary>The select list of <see cref="HistoryRow"/>'s columns, in order.</summary>
    internal string SelectList { get; }

    private string InsertSql { get; }

    // Set by FileStartedCommand in the file's transaction, so it ends with it (COMMIT, ROLLBACK).
    private const string FileStartedSetting = "north.file_started";

    // Milliseconds since FileStartedCommand ran in this transaction, by the server's clock; 0 when it did not.
    private const string ServerMillisecondsSinceFileStarted =
        "coalesce((pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() - " +
        $"nullif(pg_catalog.current_setting('{FileStartedSetting}', true), '')::pg_catalog.timestamptz) * 1000)::pg_catalog.int8, 0)";

    /// <summary>
    /// Marks the start of an atomic file, as the first command of its transaction. An atomic file's
    /// statements may go in the same round trip as its history row (ScriptExecutor.Deferred.cs), so
    /// the client cannot time them: the row's duration is then <see cref="HistoryRecord.DurationMs"/>
    /// (the client's time before the file's transaction) plus the server's time since this mark.
    /// </summary>
    public static NpgsqlBatchCommand FileStartedCommand() =>
        new($"SELECT pg_catalog.set_config('{FileStartedSetting}', pg_catalog.clock_timestamp()::pg_catalog.text, true)");

    /// <summary>The insert of <paramref name="record"/>, for a batch (the executor sends it with the file's COMMIT).</summary>
    public NpgsqlBatchCommand InsertBatchCommand(HistoryRecord record)
    {
        RequireExists();
        var command = new NpgsqlBatchCommand(InsertSql);
        command.Parameters.Add(new NpgsqlParameter { Value = record.Version, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = record.Name, NpgsqlDbType = NpgsqlDbType.Text });
        if (HasColumn("checksum"))
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)record.Checksum ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        if (HasColumn("duration_ms"))
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)record.DurationMs ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        if (HasColumn("mode"))
            command.Parameters.Add(new NpgsqlParameter { Value = record.Mode == HistoryMode.Faked ? "faked" : "applied", NpgsqlDbType = NpgsqlDbType.Text });
        return command;
    }

    internal void RequireExists()
    {
        if (!Exists)
        {
            throw new NorthException($"The history table {QualifiedName} does not exist.", ErrorIds.HistoryTableMissing, NorthErrorKind.ObjectNotFound,
                QualifiedName, "Initialise the database first (Initialize-NorthDatabase), or check the history table settings.");
        }
    }

    private string BuildInsertSql()
    {
        var d = Definition;
        var columns = new List<string> { Q(d.VersionColumn), Q(d.NameColumn) };
        var values = new List<string> { "$1", "$2" };
        if (HasColumn(d.AppliedAtColumn))
        {
            // django's table has no default for it: always give the time.
            columns.Add(Q(d.AppliedAtColumn));
            values.Add("pg_catalog.now()");
        }
        var n = 3;
        foreach (var extra in new[] { "checksum", "duration_ms", "mode" })
        {
            if (HasColumn(extra))
            {
                columns.Add(Q(extra));
                values.Add(extra == "duration_ms" ? $"${n++} + {ServerMillisecondsSinceFileStarted}" : "$" + n++);
            }
        }
        if (HasColumn("applied_by"))
        {
            // The connecting user, whatever role a file set (the column's default is current_user).
            columns.Add(Q("applied_by"));
            values.Add("pg_catalog.session_user()");
        }
        return $"INSERT INTO {QualifiedName} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", values)}) RETURNING {SelectList}";
    }

    private string BuildSelectList() => string.Join(", ", new[]
    {
        HasColumn("id") ? "id::pg_catalog.int8" : "0::pg_catalog.int8",
        Q(Definition.VersionColumn) + "::pg_catalog.text",
        Q(Definition.NameColumn) + "::pg_catalog.text",
        HasColumn(Definition.AppliedAtColumn) ? Q(Definition.AppliedAtColumn) + "::pg_catalog.timestamptz" : "NULL::pg_catalog.timestamptz",
        HasColumn("checksum") ? "checksum::pg_catalog.text" : "NULL::pg_catalog.text",
        HasColumn("duration_ms") ? "duration_ms::pg_catalog.int8" : "NULL::pg_catalog.int8",
        HasColumn("applied_by") ? "applied_by::pg_catalog.text" : "NULL::pg_catalog.text",
        HasColumn("mode") ? "mode::pg_catalog.text" : "NULL::pg_catalog.text",
    });

    private static string Q(string name) => SqlIdentifier.Quote(name);
}
