using North.Core.History;
using North.Core.Versions;
using Npgsql;

namespace North.Core.Detection;

/// <summary>
/// The greatest version in a version table, django-north's default: <c>SELECT version_num FROM sql_version</c>.
/// A missing table means "not initialized"; values that are not versions are skipped.
/// </summary>
public sealed class VersionTableDetector : IVersionDetector
{
    public VersionTableDetector(string table = "sql_version", string column = "version_num", string? schema = null)
    {
        Table = table;
        Column = column;
        Schema = schema;
    }

    public string Table { get; }

    public string Column { get; }

    public string? Schema { get; }

    public string Name => "VersionTable";

    public async Task<MigrationVersion?> DetectAsync(VersionDetectionContext context, CancellationToken cancel = default)
    {
        var qualified = Schema is null ? SqlIdentifier.Quote(Table) : $"{SqlIdentifier.Quote(Schema)}.{SqlIdentifier.Quote(Table)}";
        // Checked first so a missing table never aborts a caller's transaction.
        await using (var exists = new NpgsqlCommand("SELECT pg_catalog.to_regclass($1) IS NOT NULL", context.Connection))
        {
            exists.Parameters.Add(new NpgsqlParameter { Value = qualified });
            if (!(bool)(await exists.ExecuteScalarAsync(cancel).ConfigureAwait(false))!)
            {
                return null;
            }
        }
        await using var command = new NpgsqlCommand($"SELECT DISTINCT {SqlIdentifier.Quote(Column)}::text FROM {qualified}", context.Connection);
        MigrationVersion? best = null;
        await using var reader = await command.ExecuteReaderAsync(cancel).ConfigureAwait(false);
        while (await reader.ReadAsync(cancel).ConfigureAwait(false))
        {
            if (!reader.IsDBNull(0) && MigrationVersion.TryParse(reader.GetString(0).Trim(), out var version) && (best is null || version! > best))
            {
                best = version;
            }
        }
        return best;
    }
}
