namespace North.Core.Schema;

/// <summary>
/// One object of a catalog, keyed by what a DBA calls it (kind + qualified name, with the
/// argument signature for routines), never by OID, so two databases can be matched.
/// </summary>
public sealed class SchemaObject
{
    public SchemaObject(SchemaObjectType type, string schema, string? relation, string localName, IReadOnlyDictionary<string, string?> properties)
    {
        Type = type;
        Schema = schema;
        Relation = relation;
        LocalName = localName;
        Properties = properties;
    }

    /// <summary>What kind of object this is.</summary>
    public SchemaObjectType Type { get; }

    /// <summary>The schema the object lives in (for an extension: the schema it is installed in).</summary>
    public string Schema { get; }

    /// <summary>The table or view the object belongs to (columns, constraints, indexes, triggers,
    /// policies, rules, owned sequences); for a table or view, itself; otherwise null.</summary>
    public string? Relation { get; }

    /// <summary>The object's own name inside its parent: a column or constraint name, a routine's
    /// name with its identity arguments.</summary>
    public string LocalName { get; }

    /// <summary>The qualified name differences are reported under, e.g. <c>public.film.title</c>
    /// or <c>public.last_day(timestamp with time zone)</c>; an extension or schema is its bare name.</summary>
    public string Name => Type switch
    {
        SchemaObjectType.Schema or SchemaObjectType.Extension or SchemaObjectType.EventTrigger => LocalName,
        // Names unique per table are qualified by it; indexes and sequences are unique per schema.
        SchemaObjectType.Column or SchemaObjectType.Constraint or SchemaObjectType.Trigger
            or SchemaObjectType.Rule or SchemaObjectType.Policy => $"{Schema}.{Relation}.{LocalName}",
        _ => $"{Schema}.{LocalName}",
    };

    /// <summary>The compared attributes, by property name; a null value means "not set".</summary>
    public IReadOnlyDictionary<string, string?> Properties { get; }

    /// <summary>The key that matches an object across two catalogs.</summary>
    public SchemaObjectKey Key => new(Type, Name);

    public override string ToString() => $"{Type} {Name}";
}

/// <summary>Identity of an object across databases: its kind and qualified name.</summary>
public readonly record struct SchemaObjectKey(SchemaObjectType Type, string Name);
