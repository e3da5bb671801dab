namespace North.Core.Schema;

/// <summary>How an object differs between the expected schema and the actual database.</summary>
public enum SchemaDifferenceKind
{
    /// <summary>Expected but absent from the actual database.</summary>
    Missing,

    /// <summary>In the actual database but not expected.</summary>
    Unexpected,

    /// <summary>On both sides, with a property that differs.</summary>
    Changed,
}

/// <summary>
/// One difference between the expected schema and the actual database: what the
/// <c>Test-NorthSchema</c> cmdlet outputs, one object per difference.
/// </summary>
public sealed record SchemaDifference
{
    /// <summary>The kind of object, e.g. <c>Table</c>, <c>Column</c>, <c>Index</c>, <c>Function</c>.</summary>
    public required SchemaObjectType ObjectType { get; init; }

    /// <summary>The qualified name (<c>public.film.title</c>), with the argument types for routines.</summary>
    public required string Name { get; init; }

    public required SchemaDifferenceKind Difference { get; init; }

    /// <summary>The attribute that differs (<c>Type</c>, <c>Definition</c>, <c>ColumnOrder</c>...);
    /// null for a missing or unexpected object.</summary>
    public string? Property { get; init; }

    /// <summary>The expected value (for a missing object: its main attribute); null when not set.</summary>
    public string? Expected { get; init; }

    /// <summary>The actual value (for an unexpected object: its main attribute); null when not set.</summary>
    public string? Actual { get; init; }

    /// <summary>The expected side's object, when there is one (for round-tripping deparsed text).</summary>
    internal SchemaObject? ExpectedObject { get; init; }

    /// <summary>The actual side's object, when there is one.</summary>
    internal SchemaObject? ActualObject { get; init; }

    public override string ToString() =>
        Difference == SchemaDifferenceKind.Changed
            ? $"{ObjectType} {Name}: {Property} differs (expected: {Expected ?? "(none)"}; actual: {Actual ?? "(none)"})"
            : $"{ObjectType} {Name}: {Difference}";

    /// <summary>The server the object is about: <c>host:port</c>, or the socket folder.</summary>
    public string? Server { get; init; }

    /// <summary>The database the object is about.</summary>
    public string? Database { get; init; }
}
