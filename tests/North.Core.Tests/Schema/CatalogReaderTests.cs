using North.Core.Schema;
using North.Core.Tests.Infrastructure;
using Npgsql;

namespace North.Core.Tests.Schema;

public class CatalogReaderTests
{
    private const string Schema = """
        CREATE EXTENSION pg_trgm;
        CREATE TABLE ev (
            id integer PRIMARY KEY,
            at timestamptz DEFAULT '2024-06-01 12:30:00+02',
            d date DEFAULT '2024-01-31',
            span interval DEFAULT '1 day 02:03:04',
            ratio float8 DEFAULT 0.1,
            gone text);
        ALTER TABLE ev DROP COLUMN gone;
        ALTER TABLE ev ADD COLUMN later text;
        CREATE INDEX ev_trgm ON ev USING gin (later gin_trgm_ops);
        """;

    [Fact]
    public async Task TheDeparsedTextDoesNotDependOnTheSessionAndTheSessionIsLeftAsItWas()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync(Schema);
        var reader = new CatalogReader();

        var plain = await reader.ReadAsync(db.ConnectionString, null);
        var odd = new NpgsqlConnectionStringBuilder(db.ConnectionString)
        {
            Timezone = "America/New_York",
            Options = "-c DateStyle=SQL,DMY -c IntervalStyle=sql_standard -c extra_float_digits=0 -c search_path=public,pg_catalog",
        }.ConnectionString;
        await using var connection = new NpgsqlConnection(odd);
        await connection.OpenAsync();
        var fromOddSession = await reader.ReadAsync(connection, null);

        Assert.Equal(Flatten(plain), Flatten(fromOddSession));
        await using var show = new NpgsqlCommand("SELECT current_setting('DateStyle') || ' ' || current_setting('TimeZone') || ' ' || current_setting('search_path')", connection);
        Assert.Equal("SQL, DMY America/New_York public,pg_catalog", await show.ExecuteScalarAsync());
    }

    [Fact]
    public async Task ExtensionMembersAndSystemSchemasAreLeftOutAndDroppedColumnsDoNotCount()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync(Schema);

        var catalog = await new CatalogReader().ReadAsync(db.ConnectionString, null);

        // The version the server installs by default (1.5 on PostgreSQL 13, 1.6 from 14).
        Assert.Equal((string?)await db.ScalarAsync("SELECT extversion FROM pg_extension WHERE extname = 'pg_trgm'"), catalog.Find(SchemaObjectType.Extension, "pg_trgm")!.Properties["Version"]);
        Assert.DoesNotContain(catalog.Objects.Values, o => o.Type is SchemaObjectType.Function or SchemaObjectType.RangeType or SchemaObjectType.Domain);
        Assert.DoesNotContain(catalog.Objects.Values, o => o.Schema is "pg_catalog" or "information_schema" && o.Type != SchemaObjectType.Extension);
        Assert.Equal(["id", "at", "d", "span", "ratio", "later"], catalog.ColumnOrder["public.ev"]);
        Assert.Equal("CREATE INDEX ev_trgm ON public.ev USING gin (later public.gin_trgm_ops)", catalog.Find(SchemaObjectType.Index, "public.ev_trgm")!.Properties["Definition"]);
        Assert.Equal("'2024-06-01 10:30:00+00'::timestamp with time zone", catalog.Find(SchemaObjectType.Column, "public.ev.at")!.Properties["Default"]);
    }

    [Fact]
    public async Task ExcludedSchemasAreNotRead()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync("CREATE SCHEMA audit_2024; CREATE TABLE audit_2024.log (id integer); CREATE TABLE kept (id integer);");

        var catalog = await new CatalogReader().ReadAsync(db.ConnectionString, new CatalogOptions { ExcludeSchemas = ["audit_*"] });

        Assert.NotNull(catalog.Find(SchemaObjectType.Table, "public.kept"));
        Assert.DoesNotContain(catalog.Objects.Values, o => o.Schema == "audit_2024" || o.Name == "audit_2024");
        Assert.DoesNotContain("audit_2024.log", catalog.ColumnOrder.Keys);
    }

    private static List<string> Flatten(SchemaCatalog catalog) =>
        catalog.Objects.Values
            .SelectMany(o => o.Properties.Select(p => $"{o.Type} {o.Name} {p.Key}={p.Value}"))
            .Order(StringComparer.Ordinal)
            .ToList();
}
