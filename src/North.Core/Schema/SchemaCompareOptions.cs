namespace North.Core.Schema;

/// <summary>What <see cref="SchemaComparer"/> compares and what it leaves out.</summary>
public sealed record SchemaCompareOptions
{
    /// <summary>Default options: everything but owners and privileges.</summary>
    public static SchemaCompareOptions Default { get; } = new();

    /// <summary>Leave comments (COMMENT ON) out.</summary>
    public bool IgnoreComments { get; init; }

    /// <summary>Compare extensions by name and schema only.</summary>
    public bool IgnoreExtensionVersions { get; init; }

    /// <summary>Do not report tables whose columns are the same but in another order.</summary>
    public bool IgnoreColumnOrder { get; init; }

    /// <summary>Compare owners and privileges too (roles differ between environments: see <see cref="RoleMap"/>).</summary>
    public bool IncludePrivileges { get; init; }

    /// <summary>Expected role name -> actual role name, applied to owners, grantees and policy
    /// roles of the expected side before comparing.</summary>
    public IReadOnlyDictionary<string, string> RoleMap { get; init; } = new Dictionary<string, string>();

    /// <summary>Schemas left out, with wildcards (<c>audit*</c>).</summary>
    public IReadOnlyList<string> ExcludeSchemas { get; init; } = [];

    /// <summary>Tables (and everything on them: columns, constraints, indexes, triggers, policies,
    /// owned sequences) left out, by name or <c>schema.name</c>, with wildcards (<c>audit_*</c>).
    /// The caller adds the history and version tables, whose names it knows.</summary>
    public IReadOnlyList<string> ExcludeTables { get; init; } = [];
}
