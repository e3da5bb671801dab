using North.Core.Schema;

namespace North.Core.Tests.Schema;

/// <summary>The comparer on its own: catalogs built by hand, no database involved.</summary>
public class SchemaComparerTests
{
    [Fact]
    public void DifferencesComeInTypeThenNameThenPropertyOrder()
    {
        var expected = Catalog(
            Table("b", ("Persistence", "permanent"), ("Options", "fillfactor=90")),
            Table("a", ("Persistence", "permanent")),
            Column("a", "id", "integer"),
            Column("a", "name", "text"));
        var actual = Catalog(
            Table("b", ("Persistence", "unlogged"), ("Options", null)),
            Table("a", ("Persistence", "permanent")),
            Column("a", "id", "bigint"),
            new SchemaObject(SchemaObjectType.Schema, "extra", null, "extra", new Dictionary<string, string?>()));

        var differences = SchemaComparer.Compare(expected, actual, SchemaCompareOptions.Default);

        Assert.Equal(
            [
                "Schema extra Unexpected ",
                "Table public.b Changed Options",
                "Table public.b Changed Persistence",
                "Column public.a.id Changed Type",
                "Column public.a.name Missing ",
            ],
            differences.Select(d => $"{d.ObjectType} {d.Name} {d.Difference} {d.Property}"));
        Assert.Equal(("fillfactor=90", null), (differences[1].Expected, differences[1].Actual));
        Assert.Equal("text", differences[4].Expected);
    }

    [Fact]
    public void ColumnOrderIsComparedAmongTheColumnsBothSidesHave()
    {
        var expected = Catalog([Table("t")], new Dictionary<string, IReadOnlyList<string>> { ["public.t"] = ["a", "b", "c"] });
        var added = Catalog([Table("t")], new Dictionary<string, IReadOnlyList<string>> { ["public.t"] = ["a", "x", "b", "c"] });
        var swapped = Catalog([Table("t")], new Dictionary<string, IReadOnlyList<string>> { ["public.t"] = ["b", "a", "c"] });

        Assert.Empty(SchemaComparer.Compare(expected, added));
        var difference = Assert.Single(SchemaComparer.Compare(expected, swapped));
        Assert.Equal(("ColumnOrder", "a, b, c", "b, a, c"), (difference.Property, difference.Expected, difference.Actual));
        Assert.Empty(SchemaComparer.Compare(expected, swapped, new SchemaCompareOptions { IgnoreColumnOrder = true }));
    }

    private static SchemaObject Table(string name, params (string Key, string? Value)[] properties) =>
        new(SchemaObjectType.Table, "public", name, name, properties.ToDictionary(p => p.Key, p => p.Value));

    private static SchemaObject Column(string table, string name, string type) =>
        new(SchemaObjectType.Column, "public", table, name, new Dictionary<string, string?> { ["Type"] = type });

    private static SchemaCatalog Catalog(params SchemaObject[] objects) =>
        Catalog(objects, new Dictionary<string, IReadOnlyList<string>>());

    private static SchemaCatalog Catalog(SchemaObject[] objects, Dictionary<string, IReadOnlyList<string>> columnOrder) =>
        new(objects, columnOrder, "db", "15");
}
