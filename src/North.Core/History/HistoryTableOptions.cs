using North.Core.Settings;
namespace North.Core.History;

/// <summary>
/// Where the history lives: a style, and per-name overrides (schema, table, columns) for tables
/// that were renamed. A null override takes the style's name.
/// </summary>
public sealed record HistoryTableOptions
{
    public HistoryStyle Style { get; init; } = HistoryStyle.North;

    /// <summary>Schema of the table; null resolves the name through the search_path, as psql would.</summary>
    public string? Schema { get; init; }

    public string? Table { get; init; }

    public string? VersionColumn { get; init; }

    public string? NameColumn { get; init; }

    public string? AppliedAtColumn { get; init; }

    /// <summary>The resolved names.</summary>
    public HistoryTableDefinition Resolve() => Style switch
    {
        HistoryStyle.Septentrion => new(Style, Schema, Table ?? "septentrion_migrations", VersionColumn ?? "version", NameColumn ?? "name", AppliedAtColumn ?? "applied_at"),
        HistoryStyle.DjangoNorth => new(Style, Schema, Table ?? "django_migrations", VersionColumn ?? "app", NameColumn ?? "name", AppliedAtColumn ?? "applied"),
        _ => new(Style, Schema, Table ?? "north_migrations", VersionColumn ?? "version", NameColumn ?? "name", AppliedAtColumn ?? "applied_at"),
    };
}

/// <summary>The names a <see cref="HistoryTable"/> uses, all given unquoted.</summary>
public sealed record HistoryTableDefinition(HistoryStyle Style, string? Schema, string Table, string VersionColumn, string NameColumn, string AppliedAtColumn)
{
    /// <summary>The table name, quoted and schema-qualified when a schema is set.</summary>
    public string QualifiedName => Schema is null
        ? SqlIdentifier.Quote(Table)
        : $"{SqlIdentifier.Quote(Schema)}.{SqlIdentifier.Quote(Table)}";
}
