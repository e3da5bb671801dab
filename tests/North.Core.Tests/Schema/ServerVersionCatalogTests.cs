using North.Core.Schema;

namespace North.Core.Tests.Schema;

/// <summary>
/// What changed in the catalog between the supported versions is read the same way on each:
/// NOT NULL (a constraint in pg_constraint from PostgreSQL 18, compared as the column's
/// nullability with the constraint's name and flags in the same property) and generated columns
/// (STORED everywhere, VIRTUAL from 18). The 18-only tests are excluded by name on older servers
/// in tests/PostgresServers.psd1.
/// </summary>
public class ServerVersionCatalogTests
{
    private const string NamedNotNull = "CREATE TABLE t (id int CONSTRAINT id_required NOT NULL, note text NOT NULL);";

    [Fact]
    public async Task ANamedNotNullIsEqualWhenEqual()
    {
        var differences = await SchemaPair.DiffAsync(NamedNotNull, null, null);
        Assert.True(differences.Count == 0, SchemaPair.Describe(differences));
    }

    [Fact]
    public async Task ADroppedNamedNotNullIsOneDifference()
    {
        var differences = await SchemaPair.DiffAsync(NamedNotNull, null, "ALTER TABLE t ALTER COLUMN id DROP NOT NULL");
        var difference = Assert.Single(differences);
        Assert.Equal((SchemaObjectType.Column, "public.t.id", "NotNull", "false"), (difference.ObjectType, difference.Name, difference.Property, difference.Actual));
    }

    [Fact]
    public async Task AStoredGeneratedColumnChangedIsOneDifference()
    {
        const string setup = "CREATE TABLE g (a int, b int GENERATED ALWAYS AS (a * 2) STORED);";
        Assert.Empty(await SchemaPair.DiffAsync(setup, null, null));
        var differences = await SchemaPair.DiffAsync(setup, null,
            "ALTER TABLE g DROP COLUMN b; ALTER TABLE g ADD COLUMN b int GENERATED ALWAYS AS (a * 3) STORED");
        var difference = Assert.Single(differences);
        Assert.Equal(("public.g.b", "Generated", "(a * 3) stored"), (difference.Name, difference.Property, difference.Actual));
    }

    [Fact]
    public async Task StatisticsTargetsReadTheSameWhetherUnsetIsMinusOneOrNull()
    {
        // PostgreSQL 17 made pg_attribute.attstattarget NULL where it was -1: the default is
        // no statistics target on every version, an explicit one a difference.
        const string setup = "CREATE TABLE s (a int, b int);";
        var reset = await SchemaPair.DiffAsync(setup, null, "ALTER TABLE s ALTER COLUMN a SET STATISTICS 100; ALTER TABLE s ALTER COLUMN a SET STATISTICS -1");
        Assert.True(reset.Count == 0, SchemaPair.Describe(reset));
        var set = Assert.Single(await SchemaPair.DiffAsync(setup, null, "ALTER TABLE s ALTER COLUMN b SET STATISTICS 500"));
        Assert.Equal(("public.s.b", "Statistics", null, "500"), (set.Name, set.Property, set.Expected, set.Actual));
    }

    [Fact]
    public async Task ADomainNotNullIsOneDifference()
    {
        // PostgreSQL 17 also records a domain's NOT NULL in pg_constraint: still one property.
        const string setup = "CREATE DOMAIN code AS text CONSTRAINT code_required NOT NULL CONSTRAINT code_short CHECK (length(VALUE) < 10);";
        Assert.Empty(await SchemaPair.DiffAsync(setup, null, null));
        var dropped = Assert.Single(await SchemaPair.DiffAsync(setup, null, "ALTER DOMAIN code DROP NOT NULL"));
        Assert.Equal(("public.code", "NotNull", "true", "false"), (dropped.Name, dropped.Property, dropped.Expected, dropped.Actual));
    }

    [Fact]
    public async Task OnPostgres18ARenamedNotNullConstraintIsOneDifference()
    {
        // 18 keeps the name; the default name (t_note_not_null) is not reported, a chosen one is.
        var differences = await SchemaPair.DiffAsync(NamedNotNull, null, "ALTER TABLE t RENAME CONSTRAINT id_required TO id_needed");
        var difference = Assert.Single(differences);
        Assert.Equal(("public.t.id", "NotNull", "true, constraint id_required", "true, constraint id_needed"),
            (difference.Name, difference.Property, difference.Expected, difference.Actual));
    }

    [Fact]
    public async Task OnPostgres18ANotValidNotNullIsOneDifference()
    {
        const string setup = "CREATE TABLE t (id int);";
        var differences = await SchemaPair.DiffAsync(setup, "ALTER TABLE t ADD CONSTRAINT id_required NOT NULL id",
            "ALTER TABLE t ADD CONSTRAINT id_required NOT NULL id NOT VALID");
        var difference = Assert.Single(differences);
        Assert.Equal(("public.t.id", "NotNull", "true, constraint id_required, not valid"), (difference.Name, difference.Property, difference.Actual));
    }

    [Fact]
    public async Task OnPostgres18AVirtualGeneratedColumnIsEqualWhenEqualAndOneDifferenceWhenChanged()
    {
        const string setup = "CREATE TABLE g (a int, b int GENERATED ALWAYS AS (a * 2) VIRTUAL);";
        var equal = await SchemaPair.DiffAsync(setup, null, null);
        Assert.True(equal.Count == 0, SchemaPair.Describe(equal));

        var changed = await SchemaPair.DiffAsync(setup, null, "ALTER TABLE g ALTER COLUMN b SET EXPRESSION AS (a * 3)");
        var difference = Assert.Single(changed);
        Assert.Equal(("public.g.b", "Generated", "(a * 2) virtual", "(a * 3) virtual"),
            (difference.Name, difference.Property, difference.Expected, difference.Actual));

        var stored = await SchemaPair.DiffAsync(setup, null,
            "ALTER TABLE g DROP COLUMN b; ALTER TABLE g ADD COLUMN b int GENERATED ALWAYS AS (a * 2) STORED");
        Assert.Equal("(a * 2) stored", Assert.Single(stored).Actual);
    }

    [Fact]
    public async Task OnPostgres18AVirtualColumnWhoseDeparseChangesOnRestoreIsNotADifference()
    {
        // x IN (...) on varchar deparses one way when created and another once restored (see
        // RoundTripTests): the round trip of the text settles it for a virtual column too.
        const string setup = "CREATE TABLE t (x varchar(10));";
        var differences = await SchemaPair.DiffAsync(setup,
            "ALTER TABLE t ADD COLUMN g boolean GENERATED ALWAYS AS (x IN ('a', 'b')) VIRTUAL",
            "ALTER TABLE t ADD COLUMN g boolean GENERATED ALWAYS AS ((x)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[])) VIRTUAL");
        Assert.True(differences.Count == 0, SchemaPair.Describe(differences));
    }
}
