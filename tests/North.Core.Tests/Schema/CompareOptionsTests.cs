using North.Core.Schema;

namespace North.Core.Tests.Schema;

/// <summary>The ignore and exclude switches, owners and privileges, role mapping.</summary>
public class CompareOptionsTests(EverythingPair pair) : IClassFixture<EverythingPair>
{
    [Theory]
    [InlineData("COMMENT ON TABLE app.parent IS 'other'; COMMENT ON SCHEMA app IS NULL", "IgnoreComments")]
    [InlineData("ALTER EXTENSION citext UPDATE TO '1.6'", "IgnoreExtensionVersions")]
    [InlineData("DROP TABLE app.ordered; CREATE TABLE app.ordered (b integer, a integer)", "IgnoreColumnOrder")]
    [InlineData("ALTER TABLE app.parent ADD COLUMN extra text; CREATE TABLE app.more (id integer)", "ExcludeSchemas")]
    [InlineData("ALTER TABLE app.child ADD COLUMN extra text; ALTER SEQUENCE app.child_id_seq INCREMENT 5; DROP INDEX app.child_note_idx", "ExcludeTables")]
    [InlineData("GRANT SELECT ON app.parent TO PUBLIC; ALTER TABLE app.cache OWNER TO pg_monitor", "NoPrivileges")]
    public async Task ASwitchHidesWhatItNamesAndOnlyThat(string change, string option)
    {
        var without = await SchemaPair.DiffInTransactionAsync(pair.Expected, pair.Actual, change,
            option == "NoPrivileges" ? new SchemaCompareOptions { IncludePrivileges = true } : null);
        Assert.NotEmpty(without);

        var options = option switch
        {
            "IgnoreComments" => new SchemaCompareOptions { IgnoreComments = true },
            "IgnoreExtensionVersions" => new SchemaCompareOptions { IgnoreExtensionVersions = true },
            "IgnoreColumnOrder" => new SchemaCompareOptions { IgnoreColumnOrder = true },
            "ExcludeSchemas" => new SchemaCompareOptions { ExcludeSchemas = ["a?p"] },
            "ExcludeTables" => new SchemaCompareOptions { ExcludeTables = ["app.chi*"] },
            _ => SchemaCompareOptions.Default,
        };
        var with = await SchemaPair.DiffInTransactionAsync(pair.Expected, pair.Actual, change, options);
        Assert.True(with.Count == 0, SchemaPair.Describe(with));
    }

    [Fact]
    public async Task ExcludingATableByBareNameLeavesTheOthersCompared()
    {
        var differences = await SchemaPair.DiffInTransactionAsync(pair.Expected, pair.Actual,
            "ALTER TABLE app.child ADD COLUMN extra text; ALTER TABLE app.parent ADD COLUMN extra text",
            new SchemaCompareOptions { ExcludeTables = ["child"] });
        var difference = Assert.Single(differences);
        Assert.Equal("app.parent.extra", difference.Name);
    }

    [Fact]
    public async Task PrivilegesAreComparedWithIncludePrivileges()
    {
        var differences = await SchemaPair.DiffInTransactionAsync(pair.Expected, pair.Actual,
            "GRANT SELECT ON app.parent TO PUBLIC", new SchemaCompareOptions { IncludePrivileges = true });
        var difference = Assert.Single(differences);
        Assert.Equal((SchemaObjectType.Table, "app.parent", "Privileges"), (difference.ObjectType, difference.Name, difference.Property));
        Assert.Contains("PUBLIC:SELECT", difference.Actual);
        Assert.DoesNotContain("PUBLIC", difference.Expected);
    }

    [Fact]
    public async Task RolesOfTheExpectedSideAreMappedToTheActualOnes()
    {
        // Roles differ between environments: app_owner_dev in the snapshot, app_owner_prod live.
        var suffix = Guid.NewGuid().ToString("N")[..8];
        string dev = $"north_dev_{suffix}", prod = $"north_prod_{suffix}";
        var expectedChange = $"CREATE ROLE {dev}; ALTER TABLE app.cache OWNER TO {dev}; GRANT SELECT ON app.parent TO {dev}; " +
                             $"ALTER POLICY child_read ON app.child TO {dev}";
        var actualChange = expectedChange.Replace(dev, prod);

        var unmapped = await SchemaPair.DiffInTransactionAsync(pair.Expected, pair.Actual, actualChange,
            new SchemaCompareOptions { IncludePrivileges = true }, expectedChange);
        Assert.Equal(
            ["Policy app.child.child_read Roles", "Table app.cache Owner", "Table app.cache Privileges", "Table app.parent Privileges"],
            unmapped.Select(d => $"{d.ObjectType} {d.Name} {d.Property}").Order(StringComparer.Ordinal));

        var mapped = await SchemaPair.DiffInTransactionAsync(pair.Expected, pair.Actual, actualChange,
            new SchemaCompareOptions { IncludePrivileges = true, RoleMap = new Dictionary<string, string> { [dev] = prod } }, expectedChange);
        Assert.True(mapped.Count == 0, SchemaPair.Describe(mapped));
    }
}
