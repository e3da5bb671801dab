namespace North.Core.Schema;

/// <summary>
/// Compares two catalogs, catalog to catalog: objects are matched by kind + qualified name,
/// then every compared property by plain string equality. Pure: no database is touched
/// (<see cref="SchemaCheck"/> adds the round trip of deparsed text on top).
/// </summary>
public static class SchemaComparer
{
    private static readonly HashSet<SchemaObjectType> RelationTypes =
        [SchemaObjectType.Table, SchemaObjectType.ForeignTable, SchemaObjectType.View, SchemaObjectType.MaterializedView];

    /// <summary>
    /// The differences between <paramref name="expected"/> and <paramref name="actual"/>, ordered
    /// by object type, name and property. The contents of a missing or unexpected table (its
    /// columns, indexes...) are not listed again.
    /// </summary>
    public static IReadOnlyList<SchemaDifference> Compare(SchemaCatalog expected, SchemaCatalog actual, SchemaCompareOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        options ??= SchemaCompareOptions.Default;
        var filter = new ObjectFilter(options);

        var expectedObjects = expected.Objects.Values.Where(filter.Includes).ToDictionary(o => o.Key);
        var actualObjects = actual.Objects.Values.Where(filter.Includes).ToDictionary(o => o.Key);

        var differences = new List<SchemaDifference>();
        foreach (var (key, e) in expectedObjects)
        {
            if (!actualObjects.TryGetValue(key, out var a))
            {
                differences.Add(Whole(e, SchemaDifferenceKind.Missing));
                continue;
            }
            var expectedProperties = Compared(e, options, mapRoles: true);
            var actualProperties = Compared(a, options, mapRoles: false);
            foreach (var property in expectedProperties.Keys.Union(actualProperties.Keys))
            {
                var ev = expectedProperties.GetValueOrDefault(property);
                var av = actualProperties.GetValueOrDefault(property);
                if (!string.Equals(ev, av, StringComparison.Ordinal))
                {
                    differences.Add(new SchemaDifference
                    {
                        ObjectType = key.Type, Name = key.Name, Difference = SchemaDifferenceKind.Changed,
                        Property = property, Expected = ev, Actual = av, ExpectedObject = e, ActualObject = a,
                    });
                }
            }
        }
        foreach (var (key, a) in actualObjects)
        {
            if (!expectedObjects.ContainsKey(key))
            {
                differences.Add(Whole(a, SchemaDifferenceKind.Unexpected));
            }
        }

        if (!options.IgnoreColumnOrder)
        {
            differences.AddRange(ColumnOrderDifferences(expected, actual, expectedObjects, actualObjects));
        }

        return Order(WithoutContentsOfWholeRelations(differences));
    }

    /// <summary>The deterministic output order: type, name, property.</summary>
    internal static IReadOnlyList<SchemaDifference> Order(IEnumerable<SchemaDifference> differences) =>
        differences
            .OrderBy(d => d.ObjectType)
            .ThenBy(d => d.Name, StringComparer.Ordinal)
            .ThenBy(d => d.Property ?? "", StringComparer.Ordinal)
            .ThenBy(d => d.Difference)
            .ToList();

    private static IEnumerable<SchemaDifference> ColumnOrderDifferences(
        SchemaCatalog expected, SchemaCatalog actual,
        Dictionary<SchemaObjectKey, SchemaObject> expectedObjects, Dictionary<SchemaObjectKey, SchemaObject> actualObjects)
    {
        foreach (var (table, expectedColumns) in expected.ColumnOrder)
        {
            var key = new SchemaObjectKey(SchemaObjectType.Table, table);
            var foreignKey = new SchemaObjectKey(SchemaObjectType.ForeignTable, table);
            if (!(expectedObjects.ContainsKey(key) && actualObjects.ContainsKey(key)) &&
                !(expectedObjects.ContainsKey(foreignKey) && actualObjects.ContainsKey(foreignKey)))
            {
                continue;
            }
            if (!actual.ColumnOrder.TryGetValue(table, out var actualColumns))
            {
                continue;
            }
            // Order among the columns both sides have: a missing column is reported as such,
            // not as a change of order.
            var common = expectedColumns.Intersect(actualColumns, StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);
            var e = expectedColumns.Where(common.Contains).ToList();
            var a = actualColumns.Where(common.Contains).ToList();
            if (!e.SequenceEqual(a, StringComparer.Ordinal))
            {
                var type = expectedObjects.ContainsKey(key) ? SchemaObjectType.Table : SchemaObjectType.ForeignTable;
                yield return new SchemaDifference
                {
                    ObjectType = type, Name = table, Difference = SchemaDifferenceKind.Changed,
                    Property = "ColumnOrder", Expected = string.Join(", ", e), Actual = string.Join(", ", a),
                };
            }
        }
    }

    private static IEnumerable<SchemaDifference> WithoutContentsOfWholeRelations(List<SchemaDifference> differences)
    {
        var whole = differences
            .Where(d => d.Difference != SchemaDifferenceKind.Changed && RelationTypes.Contains(d.ObjectType))
            .Select(d => (d.ExpectedObject ?? d.ActualObject)!)
            .Select(o => (o.Schema, o.Relation))
            .ToHashSet();
        return differences.Where(d =>
        {
            if (d.Difference == SchemaDifferenceKind.Changed || RelationTypes.Contains(d.ObjectType))
            {
                return true;
            }
            var o = (d.ExpectedObject ?? d.ActualObject)!;
            return o.Relation is null || !whole.Contains((o.Schema, o.Relation));
        });
    }

    private static SchemaDifference Whole(SchemaObject o, SchemaDifferenceKind kind)
    {
        var summary = Summary(o);
        return kind == SchemaDifferenceKind.Missing
            ? new SchemaDifference { ObjectType = o.Type, Name = o.Name, Difference = kind, Expected = summary, ExpectedObject = o }
            : new SchemaDifference { ObjectType = o.Type, Name = o.Name, Difference = kind, Actual = summary, ActualObject = o };
    }

    /// <summary>The one attribute that says most about an object, shown for a missing or unexpected one.</summary>
    private static string? Summary(SchemaObject o)
    {
        var property = o.Type switch
        {
            SchemaObjectType.Column or SchemaObjectType.Sequence => "Type",
            SchemaObjectType.Constraint or SchemaObjectType.Index or SchemaObjectType.View or SchemaObjectType.MaterializedView
                or SchemaObjectType.Trigger or SchemaObjectType.Rule or SchemaObjectType.Statistics => "Definition",
            SchemaObjectType.EventTrigger => "Event",
            SchemaObjectType.Collation => "Provider",
            SchemaObjectType.Function or SchemaObjectType.Aggregate => "Returns",
            SchemaObjectType.Procedure => "Arguments",
            SchemaObjectType.Table or SchemaObjectType.ForeignTable => "Kind",
            SchemaObjectType.Extension => "Version",
            SchemaObjectType.Enum => "Labels",
            SchemaObjectType.CompositeType => "Attributes",
            SchemaObjectType.Domain => "BaseType",
            SchemaObjectType.RangeType => "Subtype",
            SchemaObjectType.Policy => "Command",
            _ => null,
        };
        return property is null ? null : o.Properties.GetValueOrDefault(property);
    }

    /// <summary>The properties of <paramref name="o"/> that the options compare, roles mapped on the expected side.</summary>
    private static Dictionary<string, string?> Compared(SchemaObject o, SchemaCompareOptions options, bool mapRoles)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in o.Properties)
        {
            switch (name)
            {
                case "Comment" when options.IgnoreComments:
                case "Version" when options.IgnoreExtensionVersions && o.Type == SchemaObjectType.Extension:
                case "Owner" or "Privileges" when !options.IncludePrivileges:
                    continue;
                case "Owner":
                    result[name] = mapRoles ? MapRole(value, options) : value;
                    break;
                case "Privileges":
                case "Roles" when o.Type == SchemaObjectType.Policy:
                    result[name] = mapRoles ? MapRoleList(value, options) : value;
                    break;
                default:
                    result[name] = value;
                    break;
            }
        }
        return result;
    }

    private static string? MapRole(string? role, SchemaCompareOptions options) =>
        role is not null && options.RoleMap.TryGetValue(role, out var mapped) ? mapped : role;

    /// <summary>Maps the roles of a <c>role:privileges; role:privileges</c> or <c>role; role</c> list, keeping it sorted.</summary>
    private static string? MapRoleList(string? list, SchemaCompareOptions options)
    {
        if (list is null || options.RoleMap.Count == 0)
        {
            return list;
        }
        var entries = list.Split("; ").Select(entry =>
        {
            var colon = entry.LastIndexOf(':');
            return colon < 0 ? MapRole(entry, options)! : MapRole(entry[..colon], options) + entry[colon..];
        });
        return string.Join("; ", entries.Order(StringComparer.Ordinal));
    }

    /// <summary>Which objects the comparison looks at.</summary>
    private sealed class ObjectFilter(SchemaCompareOptions options)
    {
        private readonly IReadOnlyList<NamePattern> _schemas = NamePattern.All(options.ExcludeSchemas);
        private readonly IReadOnlyList<NamePattern> _tables = NamePattern.All(options.ExcludeTables);

        public bool Includes(SchemaObject o)
        {
            var schema = o.Type == SchemaObjectType.Schema ? o.LocalName : o.Schema;
            if (_schemas.Any(p => p.Matches(schema)))
            {
                return false;
            }
            return o.Relation is null || !_tables.Any(p => p.Matches(o.Schema, o.Relation));
        }
    }
}
