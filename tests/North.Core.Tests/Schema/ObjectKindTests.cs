using North.Core.Schema;
using T = North.Core.Schema.SchemaObjectType;

namespace North.Core.Tests.Schema;

/// <summary>
/// For every kind and compared attribute: the same schema built twice, one attribute changed on
/// the actual side, exactly one difference naming that kind, object and attribute.
/// </summary>
public class ObjectKindTests(EverythingPair pair) : IClassFixture<EverythingPair>
{
    [Fact]
    public async Task TheSameSchemaBuiltTwiceHasNoDifference()
    {
        // Sequence values and data are not schema: using them changes nothing.
        var differences = await SchemaPair.DiffInTransactionAsync(pair.Expected, pair.Actual,
            "SELECT nextval('app.counter'); INSERT INTO app.parent (name) VALUES ('a'); REFRESH MATERIALIZED VIEW app.parent_count;");
        Assert.True(differences.Count == 0, SchemaPair.Describe(differences));
    }

    [Theory]
    [InlineData("COMMENT ON SCHEMA app IS 'other'", T.Schema, "app", "Comment")]
    [InlineData("ALTER EXTENSION citext UPDATE TO '1.6'", T.Extension, "citext", "Version")]
    [InlineData("ALTER EXTENSION pg_trgm SET SCHEMA ext", T.Extension, "pg_trgm", "Schema")]
    [InlineData("ALTER TABLE app.cache SET LOGGED", T.Table, "app.cache", "Persistence")]
    [InlineData("ALTER TABLE app.child SET (fillfactor = 80)", T.Table, "app.child", "Options")]
    [InlineData("ALTER TABLE app.parent ENABLE ROW LEVEL SECURITY", T.Table, "app.parent", "RowSecurity")]
    [InlineData("ALTER TABLE app.child FORCE ROW LEVEL SECURITY", T.Table, "app.child", "ForceRowSecurity")]
    [InlineData("ALTER TABLE app.parent REPLICA IDENTITY FULL", T.Table, "app.parent", "ReplicaIdentity")]
    [InlineData("ALTER TABLE app.events DETACH PARTITION app.events_2024; ALTER TABLE app.events ATTACH PARTITION app.events_2024 FOR VALUES FROM ('2024-01-01') TO ('2024-07-01')", T.Table, "app.events_2024", "PartitionBound")]
    [InlineData("DROP TABLE app.log; CREATE TABLE app.log (at date) PARTITION BY LIST (at)", T.Table, "app.log", "PartitionKey")]
    [InlineData("ALTER TABLE app.derived NO INHERIT app.base", T.Table, "app.derived", "Inherits")]
    [InlineData("COMMENT ON TABLE app.parent IS 'other'", T.Table, "app.parent", "Comment")]
    [InlineData("DROP TABLE app.ordered; CREATE TABLE app.ordered (b integer, a integer)", T.Table, "app.ordered", "ColumnOrder")]
    [InlineData("ALTER TABLE app.parent ALTER COLUMN remark TYPE varchar(20)", T.Column, "app.parent.remark", "Type")]
    [InlineData("ALTER TABLE app.parent ALTER COLUMN remark SET NOT NULL", T.Column, "app.parent.remark", "NotNull")]
    [InlineData("ALTER TABLE app.parent ALTER COLUMN remark SET DEFAULT 'r'", T.Column, "app.parent.remark", "Default")]
    [InlineData("ALTER TABLE app.parent ALTER COLUMN id SET GENERATED ALWAYS", T.Column, "app.parent.id", "Identity")]
    [InlineData("ALTER TABLE app.parent ALTER COLUMN id SET INCREMENT BY 5", T.Column, "app.parent.id", "IdentitySequence")]
    [InlineData("ALTER TABLE app.parent ALTER COLUMN total DROP EXPRESSION", T.Column, "app.parent.total", "Generated")]
    [InlineData("ALTER TABLE app.parent ALTER COLUMN code TYPE text COLLATE \"POSIX\"", T.Column, "app.parent.code", "Collation")]
    [InlineData("COMMENT ON COLUMN app.parent.remark IS 'other'", T.Column, "app.parent.remark", "Comment")]
    [InlineData("ALTER TABLE app.parent DROP CONSTRAINT name_check, ADD CONSTRAINT name_check CHECK (name IN ('a', 'b'))", T.Constraint, "app.parent.name_check", "Definition")]
    [InlineData("ALTER TABLE app.child ALTER CONSTRAINT child_parent_fk DEFERRABLE INITIALLY DEFERRED", T.Constraint, "app.child.child_parent_fk", "Deferrable")]
    [InlineData("ALTER TABLE app.child DROP CONSTRAINT child_parent_fk, ADD CONSTRAINT child_parent_fk FOREIGN KEY (parent_id) REFERENCES app.parent (id) NOT VALID", T.Constraint, "app.child.child_parent_fk", "Validated")]
    [InlineData("ALTER TABLE app.parent DROP CONSTRAINT name_check, ADD CONSTRAINT name_check CHECK (name IN ('a', 'b', 'x')) NO INHERIT", T.Constraint, "app.parent.name_check", "NoInherit")]
    [InlineData("DROP INDEX app.child_note_idx; CREATE INDEX child_note_idx ON app.child (note)", T.Index, "app.child_note_idx", "Definition")]
    [InlineData("ALTER SEQUENCE app.counter INCREMENT BY 3", T.Sequence, "app.counter", "Increment")]
    [InlineData("ALTER SEQUENCE app.counter MAXVALUE 2000", T.Sequence, "app.counter", "Maximum")]
    [InlineData("ALTER SEQUENCE app.counter CYCLE", T.Sequence, "app.counter", "Cycle")]
    [InlineData("ALTER SEQUENCE app.counter OWNED BY app.base.x", T.Sequence, "app.counter", "OwnedBy")]
    [InlineData("CREATE OR REPLACE VIEW app.parent_names AS SELECT name FROM app.parent WHERE name IN ('a')", T.View, "app.parent_names", "Definition")]
    [InlineData("ALTER VIEW app.parent_names SET (security_barrier = true)", T.View, "app.parent_names", "Options")]
    [InlineData("DROP MATERIALIZED VIEW app.parent_count; CREATE MATERIALIZED VIEW app.parent_count AS SELECT count(id) AS n FROM app.parent", T.MaterializedView, "app.parent_count", "Definition")]
    [InlineData("CREATE OR REPLACE FUNCTION app.add(a integer, b integer DEFAULT 1) RETURNS integer LANGUAGE sql IMMUTABLE STRICT AS 'SELECT b + a'", T.Function, "app.add(a integer, b integer)", "Body")]
    [InlineData("DROP FUNCTION app.add(integer, integer); CREATE FUNCTION app.add(a integer, b integer DEFAULT 1) RETURNS bigint LANGUAGE sql IMMUTABLE STRICT AS 'SELECT a + b'", T.Function, "app.add(a integer, b integer)", "Returns")]
    [InlineData("CREATE OR REPLACE FUNCTION app.add(a integer, b integer DEFAULT 2) RETURNS integer LANGUAGE sql IMMUTABLE STRICT AS 'SELECT a + b'", T.Function, "app.add(a integer, b integer)", "Arguments")]
    [InlineData("ALTER FUNCTION app.add(integer, integer) STABLE", T.Function, "app.add(a integer, b integer)", "Volatility")]
    [InlineData("ALTER FUNCTION app.add(integer, integer) CALLED ON NULL INPUT", T.Function, "app.add(a integer, b integer)", "Strict")]
    [InlineData("ALTER FUNCTION app.add(integer, integer) SECURITY DEFINER", T.Function, "app.add(a integer, b integer)", "SecurityDefiner")]
    [InlineData("ALTER FUNCTION app.add(integer, integer) PARALLEL SAFE", T.Function, "app.add(a integer, b integer)", "Parallel")]
    [InlineData("ALTER FUNCTION app.add(integer, integer) LEAKPROOF", T.Function, "app.add(a integer, b integer)", "Leakproof")]
    [InlineData("ALTER FUNCTION app.add(integer, integer) COST 5", T.Function, "app.add(a integer, b integer)", "Cost")]
    [InlineData("ALTER FUNCTION app.series() ROWS 20", T.Function, "app.series()", "Rows")]
    [InlineData("ALTER FUNCTION app.add(integer, integer) SET search_path = ''", T.Function, "app.add(a integer, b integer)", "Config")]
    [InlineData("CREATE OR REPLACE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$", T.Function, "app.touch()", "Body")]
    [InlineData("CREATE OR REPLACE PROCEDURE app.reset() LANGUAGE sql AS 'TRUNCATE app.cache'", T.Procedure, "app.reset()", "Body")]
    [InlineData("DROP AGGREGATE app.total(integer); CREATE AGGREGATE app.total(integer) (sfunc = int4pl, stype = integer, initcond = '1')", T.Aggregate, "app.total(integer)", "InitialCondition")]
    [InlineData("DROP TRIGGER child_touch ON app.child; CREATE TRIGGER child_touch BEFORE INSERT ON app.child FOR EACH ROW EXECUTE FUNCTION app.touch()", T.Trigger, "app.child.child_touch", "Definition")]
    [InlineData("ALTER TABLE app.child DISABLE TRIGGER child_touch", T.Trigger, "app.child.child_touch", "Enabled")]
    [InlineData("CREATE OR REPLACE RULE cache_no_delete AS ON DELETE TO app.cache DO ALSO NOTHING", T.Rule, "app.cache.cache_no_delete", "Definition")]
    [InlineData("ALTER TYPE app.mood ADD VALUE 'angry' BEFORE 'ok'", T.Enum, "app.mood", "Labels")]
    [InlineData("ALTER TYPE app.pair ADD ATTRIBUTE c integer", T.CompositeType, "app.pair", "Attributes")]
    [InlineData("ALTER DOMAIN app.positive SET DEFAULT 2", T.Domain, "app.positive", "Default")]
    [InlineData("ALTER DOMAIN app.positive DROP NOT NULL", T.Domain, "app.positive", "NotNull")]
    [InlineData("ALTER DOMAIN app.positive DROP CONSTRAINT positive_check", T.Domain, "app.positive", "Check positive_check")]
    [InlineData("ALTER DOMAIN app.positive DROP CONSTRAINT positive_check; ALTER DOMAIN app.positive ADD CONSTRAINT positive_check CHECK (VALUE > 1)", T.Domain, "app.positive", "Check positive_check")]
    [InlineData("DROP TYPE app.floatrange; CREATE TYPE app.floatrange AS RANGE (subtype = float8)", T.RangeType, "app.floatrange", "SubtypeDiff")]
    [InlineData("ALTER POLICY child_read ON app.child USING (qty > 1)", T.Policy, "app.child.child_read", "Using")]
    [InlineData("DROP POLICY child_read ON app.child; CREATE POLICY child_read ON app.child FOR UPDATE USING (qty > 0)", T.Policy, "app.child.child_read", "Command")]
    [InlineData("ALTER POLICY child_read ON app.child TO postgres", T.Policy, "app.child.child_read", "Roles")]
    [InlineData("DROP COLLATION app.nocase; CREATE COLLATION app.nocase (provider = icu, locale = 'und-u-ks-level2')", T.Collation, "app.nocase", "Deterministic")]
    [InlineData("DROP STATISTICS app.parent_stats; CREATE STATISTICS app.parent_stats (dependencies) ON name, mood FROM app.parent", T.Statistics, "app.parent_stats", "Definition")]
    [InlineData("ALTER EVENT TRIGGER north_test_on_ddl DISABLE", T.EventTrigger, "north_test_on_ddl", "Enabled")]
    public async Task OneChangedAttributeGivesExactlyThatDifference(string change, T type, string name, string property)
    {
        var differences = await SchemaPair.DiffInTransactionAsync(pair.Expected, pair.Actual, change);
        Assert.True(differences.Count == 1, SchemaPair.Describe(differences));
        var difference = differences[0];
        Assert.Equal((type, name, SchemaDifferenceKind.Changed, property), (difference.ObjectType, difference.Name, difference.Difference, difference.Property));
        Assert.NotEqual(difference.Expected, difference.Actual);
    }

    [Theory]
    [InlineData("ALTER TABLE app.parent DROP COLUMN remark", T.Column, "app.parent.remark", SchemaDifferenceKind.Missing)]
    [InlineData("ALTER TABLE app.parent ADD COLUMN extra text", T.Column, "app.parent.extra", SchemaDifferenceKind.Unexpected)]
    [InlineData("DROP TABLE app.ordered", T.Table, "app.ordered", SchemaDifferenceKind.Missing)]
    [InlineData("CREATE TABLE app.extra (id integer PRIMARY KEY, t text)", T.Table, "app.extra", SchemaDifferenceKind.Unexpected)]
    [InlineData("DROP INDEX app.child_note_idx", T.Index, "app.child_note_idx", SchemaDifferenceKind.Missing)]
    [InlineData("ALTER TABLE app.parent DROP CONSTRAINT name_check", T.Constraint, "app.parent.name_check", SchemaDifferenceKind.Missing)]
    [InlineData("CREATE FUNCTION app.add(a bigint) RETURNS bigint LANGUAGE sql AS 'SELECT a'", T.Function, "app.add(a bigint)", SchemaDifferenceKind.Unexpected)]
    [InlineData("DROP VIEW app.parent_names", T.View, "app.parent_names", SchemaDifferenceKind.Missing)]
    [InlineData("DROP EXTENSION citext CASCADE", T.Extension, "citext", SchemaDifferenceKind.Missing)]
    public async Task AMissingOrUnexpectedObjectIsOneDifference(string change, T type, string name, SchemaDifferenceKind kind)
    {
        // A whole table is one difference, not one per column; an extension's own functions and
        // types are never listed one by one.
        var differences = await SchemaPair.DiffInTransactionAsync(pair.Expected, pair.Actual, change);
        var extension = change.StartsWith("DROP EXTENSION", StringComparison.Ordinal);
        var relevant = extension ? differences.Where(d => d.ObjectType == T.Extension).ToList() : differences.ToList();
        Assert.True(relevant.Count == 1, SchemaPair.Describe(differences));
        var difference = relevant[0];
        Assert.Equal((type, name, kind, (string?)null), (difference.ObjectType, difference.Name, difference.Difference, difference.Property));
        if (extension)
        {
            // CASCADE took the column of the extension's type with it; nothing else is reported.
            var rest = Assert.Single(differences, d => d.ObjectType != T.Extension);
            Assert.Equal((T.Column, "app.parent.email", SchemaDifferenceKind.Missing), (rest.ObjectType, rest.Name, rest.Difference));
        }
    }

    [Fact]
    public async Task AnIndexLeftInvalidByAFailedConcurrentBuildIsADifference()
    {
        await using var expected = await Infrastructure.TestDatabase.CreateAsync();
        await using var actual = await Infrastructure.TestDatabase.CreateAsync();
        await expected.ExecuteAsync("CREATE TABLE dups (v integer)");
        await actual.ExecuteAsync("CREATE TABLE dups (v integer); INSERT INTO dups VALUES (1), (1)");
        await expected.ExecuteAsync("CREATE UNIQUE INDEX CONCURRENTLY dups_v ON dups (v)");
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => actual.ExecuteAsync("CREATE UNIQUE INDEX CONCURRENTLY dups_v ON dups (v)"));

        var differences = await new SchemaCheck().CompareDatabasesAsync(expected.ConnectionString, actual.ConnectionString, SchemaCompareOptions.Default);

        var difference = Assert.Single(differences);
        Assert.Equal((T.Index, "public.dups_v", "Valid", "true", "false"),
            (difference.ObjectType, difference.Name, difference.Property, difference.Expected, difference.Actual));
    }
}
