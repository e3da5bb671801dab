using North.Core.Settings;
using North.Core.Errors;
using Npgsql;
using NpgsqlTypes;

namespace North.Core.History;

/// <summary>
/// Reads and writes the history table of one database, whatever its style. Every call takes the
/// caller's connection, so an insert joins the transaction open on it (the executor records a file
/// inside that file's own transaction). North creates the table when missing, with its style's
/// layout, and never alters one that exists: columns it lacks are simply not written.
/// </summary>
public sealed class HistoryTable
{
    /// <summary>North's extra columns, used only where the table has them.</summary>
    public static readonly IReadOnlyList<string> ExtraColumns = new[] { "checksum", "duration_ms", "applied_by", "mode" };

    private HashSet<string>? _columns;
    private string? _insertSql;
    private string? _selectList;

    public HistoryTable(HistoryTableOptions? options = null)
    {
        Definition = (options ?? new HistoryTableOptions()).Resolve();
    }

    public HistoryTableDefinition Definition { get; }

    /// <summary>The quoted, possibly schema-qualified table name.</summary>
    public string QualifiedName => Definition.QualifiedName;

    /// <summary>Whether the table existed at the last inspection.</summary>
    public bool Exists => _columns is { Count: > 0 };

    /// <summary>Whether the table has the given column (after <see cref="InspectAsync"/>).</summary>
    public bool HasColumn(string column) => _columns?.Contains(column) ?? false;

    /// <summary>Looks the table up (one round trip): whether it exists and which columns it has.</summary>
    public async Task<bool> InspectAsync(NpgsqlConnection connection, CancellationToken cancel = default)
    {
        const string sql = "SELECT a.attname FROM pg_catalog.pg_attribute a WHERE a.attrelid = pg_catalog.to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped";
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = QualifiedName, NpgsqlDbType = NpgsqlDbType.Text });
        var columns = new HashSet<string>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(cancel).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancel).ConfigureAwait(false))
            {
                columns.Add(reader.GetString(0));
            }
        }
        _columns = columns;
        _insertSql = null;
        _selectList = null;
        if (columns.Count > 0)
        {
            foreach (var required in new[] { Definition.VersionColumn, Definition.NameColumn })
            {
                if (!columns.Contains(required))
                {
                    throw new NorthException(
                        $"The history table {QualifiedName} has no column \"{required}\"; it is not a {Definition.Style} history table, or its columns were renamed.",
                        "NorthHistoryTableInvalid", NorthErrorKind.InvalidData, QualifiedName,
                        "Choose the matching -HistoryStyle, or name the table's columns in the settings (HistoryTable and its columns).");
                }
            }
        }
        return columns.Count > 0;
    }

    /// <summary>
    /// Creates the table when missing (<c>CREATE TABLE IF NOT EXISTS</c>, and its schema), in its
    /// style's layout. An existing table is left exactly as it is.
    /// </summary>
    public async Task EnsureCreatedAsync(NpgsqlConnection connection, CancellationToken cancel = default)
    {
        if (await InspectAsync(connection, cancel).ConfigureAwait(false))
        {
            return;
        }
        var d = Definition;
        var columns = d.Style switch
        {
            HistoryStyle.DjangoNorth => $"id serial PRIMARY KEY, {Q(d.VersionColumn)} varchar(255) NOT NULL, {Q(d.NameColumn)} varchar(255) NOT NULL, {Q(d.AppliedAtColumn)} timestamptz NOT NULL",
            HistoryStyle.Septentrion => $"id bigserial PRIMARY KEY, {Q(d.VersionColumn)} text, {Q(d.NameColumn)} text, {Q(d.AppliedAtColumn)} timestamptz DEFAULT now()",
            _ => $"id bigserial PRIMARY KEY, {Q(d.VersionColumn)} text NOT NULL, {Q(d.NameColumn)} text NOT NULL, " +
                 $"{Q(d.AppliedAtColumn)} timestamptz NOT NULL DEFAULT now(), checksum text, duration_ms bigint, applied_by text DEFAULT current_user, mode text",
        };
        var sql = (d.Schema is null ? "" : $"CREATE SCHEMA IF NOT EXISTS {Q(d.Schema)};\n") + $"CREATE TABLE IF NOT EXISTS {QualifiedName} ({columns})";
        await using (var command = new NpgsqlCommand(sql, connection))
        {
            await command.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
        }
        await InspectAsync(connection, cancel).ConfigureAwait(false);
    }

    /// <summary>Every row, oldest first; none when the table does not exist.</summary>
    public async Task<IReadOnlyList<HistoryRow>> ReadAsync(NpgsqlConnection connection, CancellationToken cancel = default)
    {
        if (_columns is null)
        {
            await InspectAsync(connection, cancel).ConfigureAwait(false);
        }
        if (!Exists)
        {
            return Array.Empty<HistoryRow>();
        }
        var order = HasColumn("id") ? "id" : Q(Definition.AppliedAtColumn);
        await using var command = new NpgsqlCommand($"SELECT {SelectList} FROM {QualifiedName} ORDER BY {order}", connection);
        return await ReadRowsAsync(command, cancel).ConfigureAwait(false);
    }

    /// <summary>
    /// Records one migration on <paramref name="connection"/>, inside whatever transaction is open
    /// there; returns the row as stored. The table must exist (see <see cref="EnsureCreatedAsync"/>).
    /// </summary>
    public async Task<HistoryRow> InsertAsync(NpgsqlConnection connection, HistoryRecord record, CancellationToken cancel = default)
    {
        if (_columns is null)
        {
            await InspectAsync(connection, cancel).ConfigureAwait(false);
        }
        await using var command = InsertCommand(connection, record);
        var rows = await ReadRowsAsync(command, cancel).ConfigureAwait(false);
        return rows[0];
    }

    /// <summary>Records several migrations in one round trip (faked rows at initialisation).</summary>
    public async Task<IReadOnlyList<HistoryRow>> InsertAsync(NpgsqlConnection connection, IEnumerable<HistoryRecord> records, CancellationToken cancel = default)
    {
        if (_columns is null)
        {
            await InspectAsync(connection, cancel).ConfigureAwait(false);
        }
        var result = new List<HistoryRow>();
        await using var batch = new NpgsqlBatch(connection);
        foreach (var record in records)
        {
            batch.BatchCommands.Add(InsertBatchCommand(connection, record));
        }
        if (batch.BatchCommands.Count == 0)
        {
            return result;
        }
        await using var reader = await batch.ExecuteReaderAsync(cancel).ConfigureAwait(false);
        do
        {
            while (await reader.ReadAsync(cancel).ConfigureAwait(false))
            {
                result.Add(ReadRow(reader));
            }
        } while (await reader.NextResultAsync(cancel).ConfigureAwait(false));
        return result;
    }

    /// <summary>Removes the rows of one migration (repair); returns what was removed.</summary>
    public async Task<IReadOnlyList<HistoryRow>> DeleteAsync(NpgsqlConnection connection, string version, string name, CancellationToken cancel = default)
    {
        if (_columns is null)
        {
            await InspectAsync(connection, cancel).ConfigureAwait(false);
        }
        if (!Exists)
        {
            return Array.Empty<HistoryRow>();
        }
        await using var command = new NpgsqlCommand(
            $"DELETE FROM {QualifiedName} WHERE {Q(Definition.VersionColumn)} = $1 AND {Q(Definition.NameColumn)} = $2 RETURNING {SelectList}", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = version });
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        return await ReadRowsAsync(command, cancel).ConfigureAwait(false);
    }

    /// <summary>
    /// The insert of <paramref name="record"/> as a batch command, for a caller that sends it in
    /// the same round trip as other statements (the script engine puts it before COMMIT). The table
    /// must have been inspected or created on <paramref name="connection"/> first.
    /// </summary>
    public NpgsqlBatchCommand InsertBatchCommand(NpgsqlConnection connection, HistoryRecord record)
    {
        using var single = InsertCommand(connection, record);
        var command = new NpgsqlBatchCommand(single.CommandText);
        foreach (NpgsqlParameter p in single.Parameters)
        {
            command.Parameters.Add(p.Clone());
        }
        return command;
    }

    private NpgsqlCommand InsertCommand(NpgsqlConnection connection, HistoryRecord record)
    {
        if (!Exists)
        {
            throw new NorthException($"The history table {QualifiedName} does not exist.", "NorthHistoryTableMissing", NorthErrorKind.ObjectNotFound,
                QualifiedName, "Initialise the database first (Initialize-NorthDatabase), or check the history table settings.");
        }
        var command = new NpgsqlCommand(InsertSql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = record.Version, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = record.Name, NpgsqlDbType = NpgsqlDbType.Text });
        if (HasColumn("checksum"))
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)record.Checksum ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        if (HasColumn("duration_ms"))
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)record.DurationMs ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        if (HasColumn("mode"))
            command.Parameters.Add(new NpgsqlParameter { Value = ModeText(record.Mode), NpgsqlDbType = NpgsqlDbType.Text });
        return command;
    }

    // Built once per inspection: the executor inserts once per file, on the hot path.
    private string InsertSql => _insertSql ??= BuildInsertSql();

    private string BuildInsertSql()
    {
        var d = Definition;
        var columns = new List<string> { Q(d.VersionColumn), Q(d.NameColumn) };
        var values = new List<string> { "$1", "$2" };
        if (HasColumn(d.AppliedAtColumn))
        {
            // django's table has no default for it: always give the time.
            columns.Add(Q(d.AppliedAtColumn));
            values.Add("now()");
        }
        var n = 3;
        foreach (var extra in new[] { "checksum", "duration_ms", "mode" })
        {
            if (HasColumn(extra))
            {
                columns.Add(Q(extra));
                values.Add("$" + n++);
            }
        }
        return $"INSERT INTO {QualifiedName} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", values)}) RETURNING {SelectList}";
    }

    private string SelectList => _selectList ??= string.Join(", ", new[]
    {
        HasColumn("id") ? "id::bigint" : "0::bigint",
        Q(Definition.VersionColumn) + "::text",
        Q(Definition.NameColumn) + "::text",
        HasColumn(Definition.AppliedAtColumn) ? Q(Definition.AppliedAtColumn) + "::timestamptz" : "NULL::timestamptz",
        HasColumn("checksum") ? "checksum::text" : "NULL::text",
        HasColumn("duration_ms") ? "duration_ms::bigint" : "NULL::bigint",
        HasColumn("applied_by") ? "applied_by::text" : "NULL::text",
        HasColumn("mode") ? "mode::text" : "NULL::text",
    });

    private static async Task<IReadOnlyList<HistoryRow>> ReadRowsAsync(NpgsqlCommand command, CancellationToken cancel)
    {
        var rows = new List<HistoryRow>();
        await using var reader = await command.ExecuteReaderAsync(cancel).ConfigureAwait(false);
        while (await reader.ReadAsync(cancel).ConfigureAwait(false))
        {
            rows.Add(ReadRow(reader));
        }
        return rows;
    }

    private static HistoryRow ReadRow(NpgsqlDataReader reader) => new(
        reader.GetInt64(0),
        reader.IsDBNull(1) ? "" : reader.GetString(1),
        reader.IsDBNull(2) ? "" : reader.GetString(2),
        reader.IsDBNull(3) ? null : new DateTimeOffset(reader.GetDateTime(3)),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        reader.IsDBNull(5) ? null : reader.GetInt64(5),
        reader.IsDBNull(6) ? null : reader.GetString(6),
        reader.IsDBNull(7) ? null : ParseMode(reader.GetString(7)));

    private static HistoryMode? ParseMode(string text) => text switch
    {
        "applied" => HistoryMode.Applied,
        "faked" => HistoryMode.Faked,
        _ => null,
    };

    private static string ModeText(HistoryMode mode) => mode == HistoryMode.Faked ? "faked" : "applied";

    private static string Q(string name) => SqlIdentifier.Quote(name);
}
