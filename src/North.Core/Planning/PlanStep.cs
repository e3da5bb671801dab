using North.Core.Repository;
using North.Core.Sql;
using North.Core.Versions;

namespace North.Core.Planning;

/// <summary>What a step of a plan does.</summary>
public enum PlanAction
{
    /// <summary>A before- or after-schema file (roles, grants...).</summary>
    RunSchemaFile,

    /// <summary>The schema snapshot of the init version.</summary>
    LoadSchema,

    /// <summary>Record the migrations of one version as <c>faked</c>, without running them.</summary>
    RecordFaked,

    /// <summary>The fixtures of the greatest version &lt;= the init version that has some.</summary>
    LoadFixtures,

    /// <summary>Run a migration and record it.</summary>
    Apply,
}

/// <summary>
/// One step of a plan, in order. Two plans are compared step by step on
/// (<see cref="Action"/>, <see cref="Version"/>, <see cref="Name"/>, <see cref="Path"/>).
/// </summary>
public sealed record PlanStep
{
    /// <summary>1-based position in the plan.</summary>
    public required int Order { get; init; }

    public required PlanAction Action { get; init; }

    /// <summary>The version concerned; null for before/after-schema files.</summary>
    public MigrationVersion? Version { get; init; }

    /// <summary>File name (migration, schema, fixtures); for RecordFaked, a summary of the files.</summary>
    public required string Name { get; init; }

    /// <summary>Full path of the file run; null for RecordFaked.</summary>
    public string? Path { get; init; }

    public bool Manual { get; init; }

    /// <summary>How the file will run with respect to transactions; null for RecordFaked.</summary>
    public TransactionMode? Transaction { get; init; }

    /// <summary>
    /// What the plan read in the file (its mode, the outer BEGIN/COMMIT North replaces): handed to
    /// the executor, which does not decide again. Null for RecordFaked.
    /// </summary>
    public ScriptClassification? Classification { get; init; }

    /// <summary>Applied although it is out of order (AllowOutOfOrder).</summary>
    public bool OutOfOrder { get; init; }

    /// <summary>The migration applied (Apply), or the migrations recorded (RecordFaked).</summary>
    public IReadOnlyList<MigrationFile> Files { get; init; } = Array.Empty<MigrationFile>();

    /// <summary>For RecordFaked of an init version without files: the schema file recorded as its marker.</summary>
    public string? SchemaFile { get; init; }

    /// <summary>Same step as <paramref name="other"/>, whatever its order number.</summary>
    public bool SameWorkAs(PlanStep other) =>
        Action == other.Action && Version == other.Version && Name == other.Name &&
        string.Equals(Path, other.Path, StringComparison.Ordinal);

    /// <summary>The server the object is about: <c>host:port</c>, or the socket folder.</summary>
    public string? Server { get; init; }

    /// <summary>The database the object is about.</summary>
    public string? Database { get; init; }
}

/// <summary>The state read from a database, and what a run would do.</summary>
public sealed record MigrationState(
    VersionInfo Version,
    IReadOnlyList<MigrationStatus> Migrations,
    IReadOnlyList<PlanStep> Plan);
