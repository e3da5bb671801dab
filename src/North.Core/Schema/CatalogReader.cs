using System.Diagnostics;
using System.Text;
using System.Text.Json;
using North.Core.Connections;
using North.Core.Reporting;
using Npgsql;

namespace North.Core.Schema;

/// <summary>
/// Reads a database's schema from pg_catalog into a <see cref="SchemaCatalog"/>, in one
/// read-only transaction and one round trip (a batch of a dozen queries), whatever the number
/// of objects.
/// </summary>
public sealed class CatalogReader
{
    private readonly IReporter _reporter;
    private readonly ConnectionPools? _pools;

    /// <summary>A reader whose own connections (<see cref="ReadAsync(string, CatalogOptions?, CancellationToken)"/>) come from
    /// <paramref name="pools"/>, the caller's owner of data sources; without one, from Npgsql's own pools.</summary>
    public CatalogReader(IReporter? reporter = null, ConnectionPools? pools = null)
    {
        _reporter = reporter ?? NullReporter.Instance;
        _pools = pools;
    }

    /// <summary>
    /// Reads the catalog through <paramref name="connection"/> (open, with no transaction in
    /// progress). The session settings that change deparsed text (search_path, TimeZone,
    /// DateStyle, IntervalStyle, extra_float_digits) are pinned with SET LOCAL inside the
    /// reader's own transaction, so the caller's session is left as it was.
    /// </summary>
    public async Task<SchemaCatalog> ReadAsync(NpgsqlConnection connection, CatalogOptions? options, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancel);
        await using (var readOnly = new NpgsqlCommand("SET LOCAL transaction_read_only = on", connection, transaction))
        {
            await readOnly.ExecuteNonQueryAsync(cancel);
        }
        var catalog = await ReadAsync(connection, transaction, options, cancel);
        await transaction.CommitAsync(cancel);
        return catalog;
    }

    /// <summary>
    /// Reads the catalog inside the caller's transaction (it sees that transaction's own
    /// changes). The pinned session settings last until that transaction ends.
    /// </summary>
    public async Task<SchemaCatalog> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CatalogOptions? options, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(transaction);
        options ??= CatalogOptions.Default;
        var excluded = NamePattern.All(options.ExcludeSchemas);
        var watch = Stopwatch.StartNew();

        await using (var settings = new NpgsqlCommand(CatalogQueries.SessionSettings, connection, transaction))
        {
            await settings.ExecuteNonQueryAsync(cancel);
        }

        var objects = new List<SchemaObject>();
        var columnOrder = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        string database, serverVersion;
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT current_database()::text, current_setting('server_version')"));
            batch.BatchCommands.Add(new NpgsqlBatchCommand(CatalogQueries.ColumnOrder));
            foreach (var query in CatalogQueries.ObjectQueries(connection.PostgreSqlVersion.Major))
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(query));
            }

            await using var reader = await batch.ExecuteReaderAsync(cancel);
            await reader.ReadAsync(cancel);
            database = reader.GetString(0);
            serverVersion = reader.GetString(1);

            await reader.NextResultAsync(cancel);
            while (await reader.ReadAsync(cancel))
            {
                var schema = reader.GetString(0);
                if (!IsExcluded(excluded, schema))
                {
                    columnOrder[schema + "." + reader.GetString(1)] = reader.GetFieldValue<string[]>(2);
                }
            }

            while (await reader.NextResultAsync(cancel))
            {
                while (await reader.ReadAsync(cancel))
                {
                    var schema = reader.GetString(1);
                    if (IsExcluded(excluded, schema))
                    {
                        continue;
                    }
                    objects.Add(new SchemaObject(
                        Enum.Parse<SchemaObjectType>(reader.GetString(0)),
                        schema,
                        reader.IsDBNull(2) ? null : reader.GetString(2),
                        reader.GetString(3),
                        ParseProperties(reader.GetString(4))));
                }
            }
        }
        var catalog = new SchemaCatalog(objects, columnOrder, database, serverVersion);
        _reporter.Verbose($"Read the catalog of database {database}: {objects.Count} objects in {watch.ElapsedMilliseconds} ms.");
        return catalog;
    }

    /// <summary>Opens <paramref name="connectionString"/> and reads its catalog.</summary>
    public async Task<SchemaCatalog> ReadAsync(string connectionString, CatalogOptions? options, CancellationToken cancel = default)
    {
        await using var connection = await ConnectionPools.OpenAsync(_pools, connectionString, cancel);
        return await ReadAsync(connection, options, cancel);
    }

    private static bool IsExcluded(IReadOnlyList<NamePattern> excluded, string schema) =>
        excluded.Count > 0 && excluded.Any(p => p.Matches(schema));

    private static Dictionary<string, string?> ParseProperties(string json)
    {
        // A SQL_ASCII database's bytes that are not UTF-8 arrive as lone surrogates (EscapedUtf8Encoding),
        // which System.Text.Json refuses: they are hidden behind a marker for the parse and restored after.
        var plain = !json.Contains(Marker) && json.AsSpan().IndexOfAnyInRange('\uDC80', '\uDCFF') < 0;
        using var document = JsonDocument.Parse(plain ? json : HideEscapedBytes(json));
        var properties = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            var value = property.Value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String => property.Value.GetString(),
                _ => property.Value.GetRawText(),
            };
            properties[plain ? property.Name : RestoreEscapedBytes(property.Name)] = plain || value is null ? value : RestoreEscapedBytes(value);
        }
        return properties;
    }

    // U+FFFF never needs escaping in JSON. Hidden: U+FFFF as two of them, U+DC80+b as U+FFFF then U+0180+b.
    private const char Marker = '\uFFFF';

    private static string HideEscapedBytes(string text)
    {
        var hidden = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (c == Marker)
                hidden.Append(Marker).Append(Marker);
            else if (c is >= '\uDC80' and <= '\uDCFF')
                hidden.Append(Marker).Append((char)(c - 0xDC80 + 0x0180));
            else
                hidden.Append(c);
        }
        return hidden.ToString();
    }

    private static string RestoreEscapedBytes(string text)
    {
        if (!text.Contains(Marker))
            return text;
        var restored = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == Marker && i + 1 < text.Length)
            {
                var next = text[++i];
                restored.Append(next == Marker ? Marker : (char)(next - 0x0180 + 0xDC80));
            }
            else
                restored.Append(text[i]);
        }
        return restored.ToString();
    }
}
