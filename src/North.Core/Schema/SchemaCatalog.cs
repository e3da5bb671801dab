namespace North.Core.Schema;

/// <summary>
/// Everything North compares about one database: its objects keyed by kind + qualified name,
/// and, kept apart from column content, the order of each table's live columns.
/// </summary>
public sealed class SchemaCatalog
{
    public SchemaCatalog(IEnumerable<SchemaObject> objects, IReadOnlyDictionary<string, IReadOnlyList<string>> columnOrder, string database, string serverVersion)
    {
        var byKey = new Dictionary<SchemaObjectKey, SchemaObject>();
        foreach (var o in objects)
        {
            // The catalog's own unique indexes make keys unique; the first one wins should two
            // display names ever collide (a dot inside a quoted name).
            byKey.TryAdd(o.Key, o);
        }
        Objects = byKey;
        ColumnOrder = columnOrder;
        Database = database;
        ServerVersion = serverVersion;
    }

    /// <summary>The objects, by kind + qualified name.</summary>
    public IReadOnlyDictionary<SchemaObjectKey, SchemaObject> Objects { get; }

    /// <summary>Live columns of each table in order (dropped columns left out), keyed by
    /// <c>schema.table</c>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ColumnOrder { get; }

    /// <summary>The database the catalog was read from.</summary>
    public string Database { get; }

    /// <summary>The server's <c>server_version</c>.</summary>
    public string ServerVersion { get; }

    /// <summary>The object of that kind and name, or null.</summary>
    public SchemaObject? Find(SchemaObjectType type, string name) =>
        Objects.TryGetValue(new SchemaObjectKey(type, name), out var found) ? found : null;

    /// <summary>How many objects of each kind, for verbose output and benchmarks.</summary>
    public IReadOnlyDictionary<SchemaObjectType, int> Counts() =>
        Objects.Values.GroupBy(o => o.Type).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());
}
