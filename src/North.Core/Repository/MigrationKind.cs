namespace North.Core.Repository;

/// <summary>What a migration file changes, from its name's suffix.</summary>
public enum MigrationKind
{
    /// <summary>Name ends in <c>ddl.sql</c>: schema changes.</summary>
    Ddl,

    /// <summary>Name ends in <c>dml.sql</c>: data changes.</summary>
    Dml,
}
