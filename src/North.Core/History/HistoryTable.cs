using North.Core.Settings;
using North.Core.Errors;
using Npgsql;
using NpgsqlTypes;

namespace North.Core.History;

/// <summary>
/// Reads and writes the history table of one database, whatever its style. Holds only the names
/// from the settings: each inspection returns a <see cref="HistoryShape"/> (an immutable value)
/// that says where the table really is and which columns it has. Every call takes the caller's
/// connection, so an insert joins the transaction open on it. North creates the table when
/// missing, with its style's layout; the only change it makes to an existing table is the unique
/// <c>(version, name)</c> index on a North-style table that holds no duplicates.
/// </summary>
public sealed class HistoryTable
{
    /// <summary>North's extra columns, used only where the table has them.</summary>
    public static readonly IReadOnlyList<string> ExtraColumns = new[] { "checksum", "duration_ms", "applied_by", "mode" };

    public HistoryTable(HistoryTableOptions? options = null)
    {
        Definition = (options ?? new HistoryTableOptions()).Resolve();
    }

    public HistoryTableDefinition Definition { get; }

    /// <summary>The table as the settings spell it (quoted, qualified only when a schema is set).</summary>
    public string QualifiedName => Definition.QualifiedName;

    /// <summary>
    /// Looks the table up (one round trip, on the session's own search_path): where it is, its
    /// columns, its unique key. A missing table resolves to where North would create it.
    /// </summary>
    public async Task<HistoryShape> InspectAsync(NpgsqlConnection connection, CancellationToken cancel = default)
    {
        const string sql = @"
SELECT coalesce(n.nspname::pg_catalog.text, $2, pg_catalog.current_schema()::pg_catalog.text),
       coalesce(c.relname::pg_catalog.text, $3),
       ARRAY(SELECT a.attname::pg_catalog.text FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
       EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisunique AND i.indpred IS NULL AND i.indnatts = 2
               AND ARRAY(SELECT a.attname::pg_catalog.text FROM pg_catalog.unnest(i.indkey) k JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k ORDER BY 1)
                 = ARRAY(SELECT x FROM pg_catalog.unnest(ARRAY[$4, $5]::pg_catalog.text[]) x ORDER BY 1))
FROM (SELECT pg_catalog.to_regclass($1) AS oid) r
LEFT JOIN pg_catalog.pg_class c ON c.oid = r.oid
LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace";
        var d = Definition;
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = QualifiedName, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)d.Schema ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = d.Table, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = d.VersionColumn, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = d.NameColumn, NpgsqlDbType = NpgsqlDbType.Text });
        HistoryShape shape;
        await using (var reader = await command.ExecuteReaderAsync(cancel).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancel).ConfigureAwait(false);
            if (reader.IsDBNull(0))
            {
                throw new NorthException(
                    $"The history table {QualifiedName} has no schema to live in: the search_path names no existing schema.",
                    "NorthHistoryTableInvalid", NorthErrorKind.InvalidData, QualifiedName,
                    "Set HistorySchema (NORTH_HISTORY_SCHEMA), or fix the connecting user's search_path.");
            }
            shape = new HistoryShape(d, reader.GetString(0), reader.GetString(1), reader.GetFieldValue<string[]>(2), reader.GetBoolean(3));
        }
        if (shape.Exists)
        {
            foreach (var required in new[] { d.VersionColumn, d.NameColumn })
            {
                if (!shape.HasColumn(required))
                {
                    throw new NorthException(
                        $"The history table {shape.QualifiedName} has no column \"{required}\"; it is not a {d.Style} history table, or its columns were renamed.",
                        "NorthHistoryTableInvalid", NorthErrorKind.InvalidData, shape.QualifiedName,
                        "Choose the matching -HistoryStyle, or name the table's columns in the settings (HistoryTable and its columns).");
                }
            }
        }
        return shape;
    }

    /// <summary>
    /// Creates the table when missing (and its schema), in its style's layout; a North-style table
    /// gets its unique <c>(version, name)</c> index. An existing table is left as it is.
    /// </summary>
    public async Task<HistoryShape> EnsureCreatedAsync(NpgsqlConnection connection, CancellationToken cancel = default)
    {
        var shape = await InspectAsync(connection, cancel).ConfigureAwait(false);
        if (shape.Exists)
        {
            return shape;
        }
        var d = Definition;
        var columns = d.Style switch
        {
            HistoryStyle.DjangoNorth => $"id serial PRIMARY KEY, {Q(d.VersionColumn)} varchar(255) NOT NULL, {Q(d.NameColumn)} varchar(255) NOT NULL, {Q(d.AppliedAtColumn)} timestamptz NOT NULL",
            HistoryStyle.Septentrion => $"id bigserial PRIMARY KEY, {Q(d.VersionColumn)} text, {Q(d.NameColumn)} text, {Q(d.AppliedAtColumn)} timestamptz DEFAULT now()",
            _ => $"id bigserial PRIMARY KEY, {Q(d.VersionColumn)} text NOT NULL, {Q(d.NameColumn)} text NOT NULL, " +
                 $"{Q(d.AppliedAtColumn)} timestamptz NOT NULL DEFAULT now(), checksum text, duration_ms bigint, applied_by text DEFAULT current_user, mode text, " +
                 $"UNIQUE ({Q(d.VersionColumn)}, {Q(d.NameColumn)})",
        };
        var sql = (d.Schema is null ? "" : $"CREATE SCHEMA IF NOT EXISTS {Q(shape.Schema)};\n") + $"CREATE TABLE IF NOT EXISTS {shape.QualifiedName} ({columns})";
        await using (var command = new NpgsqlCommand(sql, connection))
        {
            await command.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
        }
        return await InspectAsync(connection, cancel).ConfigureAwait(false);
    }

    /// <summary>
    /// Gives an existing North-style table (one North created: it has North's columns) its unique
    /// <c>(version, name)</c> index when it holds no duplicates. Returns the duplicated pairs
    /// (then nothing is changed); empty when the key is there or was added.
    /// </summary>
    public async Task<IReadOnlyList<(string Version, string Name, long Count)>> EnsureUniqueKeyAsync(NpgsqlConnection connection, HistoryShape shape, CancellationToken cancel = default)
    {
        if (!shape.Exists || shape.HasUniqueKey || Definition.Style != HistoryStyle.North || !ExtraColumns.All(shape.HasColumn))
        {
            return Array.Empty<(string, string, long)>();
        }
        var v = Q(Definition.VersionColumn);
        var n = Q(Definition.NameColumn);
        var duplicates = new List<(string, string, long)>();
        await using (var find = new NpgsqlCommand(
            $"SELECT {v}::pg_catalog.text, {n}::pg_catalog.text, pg_catalog.count(*) FROM {shape.QualifiedName} GROUP BY 1, 2 HAVING pg_catalog.count(*) > 1 ORDER BY 1, 2", connection))
        await using (var reader = await find.ExecuteReaderAsync(cancel).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancel).ConfigureAwait(false))
            {
                duplicates.Add((reader.IsDBNull(0) ? "" : reader.GetString(0), reader.IsDBNull(1) ? "" : reader.GetString(1), reader.GetInt64(2)));
            }
        }
        if (duplicates.Count > 0)
        {
            return duplicates;
        }
        var index = Q((shape.Table.Length > 40 ? shape.Table[..40] : shape.Table) + "_version_name_key");
        await using var create = new NpgsqlCommand($"CREATE UNIQUE INDEX IF NOT EXISTS {index} ON {shape.QualifiedName} ({v}, {n})", connection);
        await create.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
        return duplicates;
    }

    /// <summary>Every row, oldest first; none when the table does not exist.</summary>
    public async Task<IReadOnlyList<HistoryRow>> ReadAsync(NpgsqlConnection connection, CancellationToken cancel = default) =>
        await ReadAsync(connection, await InspectAsync(connection, cancel).ConfigureAwait(false), cancel).ConfigureAwait(false);

    /// <summary>Every row of the table <paramref name="shape"/> describes, oldest first.</summary>
    public static async Task<IReadOnlyList<HistoryRow>> ReadAsync(NpgsqlConnection connection, HistoryShape shape, CancellationToken cancel = default)
    {
        if (!shape.Exists)
        {
            return Array.Empty<HistoryRow>();
        }
        var order = shape.HasColumn("id") ? "id" : Q(shape.Definition.AppliedAtColumn);
        await using var command = new NpgsqlCommand($"SELECT {shape.SelectList} FROM {shape.QualifiedName} ORDER BY {order}", connection);
        return await ReadRowsAsync(command, cancel).ConfigureAwait(false);
    }

    /// <summary>Records one migration, inside whatever transaction is open on <paramref name="connection"/>.</summary>
    public async Task<HistoryRow> InsertAsync(NpgsqlConnection connection, HistoryRecord record, CancellationToken cancel = default) =>
        (await InsertAsync(connection, new[] { record }, cancel).ConfigureAwait(false))[0];

    /// <summary>Records several migrations in one round trip (faked rows at initialisation).</summary>
    public async Task<IReadOnlyList<HistoryRow>> InsertAsync(NpgsqlConnection connection, IEnumerable<HistoryRecord> records, CancellationToken cancel = default) =>
        await InsertAsync(connection, await InspectAsync(connection, cancel).ConfigureAwait(false), records, cancel).ConfigureAwait(false);

    /// <summary>Records several migrations in the table <paramref name="shape"/> describes, in one round trip.</summary>
    public static async Task<IReadOnlyList<HistoryRow>> InsertAsync(NpgsqlConnection connection, HistoryShape shape, IEnumerable<HistoryRecord> records, CancellationToken cancel = default)
    {
        var result = new List<HistoryRow>();
        await using var batch = new NpgsqlBatch(connection);
        foreach (var record in records)
        {
            batch.BatchCommands.Add(shape.InsertBatchCommand(record));
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
        var shape = await InspectAsync(connection, cancel).ConfigureAwait(false);
        if (!shape.Exists)
        {
            return Array.Empty<HistoryRow>();
        }
        await using var command = new NpgsqlCommand(
            $"DELETE FROM {shape.QualifiedName} WHERE {Q(Definition.VersionColumn)} = $1 AND {Q(Definition.NameColumn)} = $2 RETURNING {shape.SelectList}", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = version });
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        return await ReadRowsAsync(command, cancel).ConfigureAwait(false);
    }

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

    private static string Q(string name) => SqlIdentifier.Quote(name);
}
