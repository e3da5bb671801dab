using North.Core.Errors;
using North.Core.History;
using North.Core.Versions;
using Npgsql;

namespace North.Core.Detection;

/// <summary>
/// The version written in a table's comment as <c>version X</c> (django-north's <c>django_site</c>
/// detector). A missing table means "not initialized"; a table without such a comment is an error,
/// as in django-north: the database is initialized but says nothing about its version.
/// </summary>
public sealed class TableCommentDetector : IVersionDetector
{
    public TableCommentDetector(string table = "django_site", string? schema = null)
    {
        Table = table;
        Schema = schema;
    }

    public string Table { get; }

    public string? Schema { get; }

    public string Name => "TableComment";

    public async Task<MigrationVersion?> DetectAsync(VersionDetectionContext context, CancellationToken cancel = default)
    {
        var qualified = Schema is null ? SqlIdentifier.Quote(Table) : $"{SqlIdentifier.Quote(Schema)}.{SqlIdentifier.Quote(Table)}";
        await using var command = new NpgsqlCommand(
            "SELECT c.oid IS NOT NULL, pg_catalog.obj_description(c.oid, 'pg_class') FROM (SELECT pg_catalog.to_regclass($1) AS oid) c", context.Connection);
        command.Parameters.Add(new NpgsqlParameter { Value = qualified });
        await using var reader = await command.ExecuteReaderAsync(cancel).ConfigureAwait(false);
        await reader.ReadAsync(cancel).ConfigureAwait(false);
        if (!reader.GetBoolean(0))
        {
            return null;
        }
        var comment = reader.IsDBNull(1) ? null : reader.GetString(1);
        const string marker = "version ";
        var at = comment?.IndexOf(marker, StringComparison.Ordinal) ?? -1;
        if (comment is null || at < 0)
        {
            throw Undetectable(comment is null
                ? $"The table {qualified} has no comment, so its version cannot be read."
                : $"The comment of table {qualified} does not say \"version X\": \"{comment}\".", qualified);
        }
        var text = comment[(at + marker.Length)..].Trim();
        if (!MigrationVersion.TryParse(text, out var version, out var reason))
        {
            throw Undetectable($"The comment of table {qualified} names version \"{text}\", which is not a version: {reason}.", qualified);
        }
        return version;
    }

    private static NorthException Undetectable(string message, string table) =>
        new(message, ErrorIds.VersionUndetectable, NorthErrorKind.InvalidData, table,
            $"Set the comment (COMMENT ON TABLE {table} IS 'version 1.0'), or choose another VersionDetector.");
}
