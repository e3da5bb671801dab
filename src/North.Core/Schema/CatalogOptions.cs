namespace North.Core.Schema;

/// <summary>What <see cref="CatalogReader"/> reads.</summary>
public sealed class CatalogOptions
{
    /// <summary>Default options: every non-system schema.</summary>
    public static CatalogOptions Default { get; } = new();

    /// <summary>Schemas not read at all (wildcards <c>*</c> and <c>?</c> allowed). System schemas
    /// (<c>pg_catalog</c>, <c>information_schema</c>, <c>pg_toast</c>, temporary schemas) never are.</summary>
    public IReadOnlyList<string> ExcludeSchemas { get; init; } = [];
}
