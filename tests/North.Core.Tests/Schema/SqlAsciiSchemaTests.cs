using North.Core.Migrating;
using North.Core.Schema;
using North.Core.Settings;
using North.Core.Tests.Connections;
using North.Core.Tests.Infrastructure;
using North.Core.Tests.Repository;

namespace North.Core.Tests.Schema;

/// <summary>
/// Test-NorthSchema on a SQL_ASCII database whose catalog holds bytes that are not UTF-8 (a LATIN1
/// comment, as a DBA's legacy database has): the catalog is read, and the snapshot loaded into the
/// scratch database, byte-transparent, as a migration run loads it.
/// </summary>
public class SqlAsciiSchemaTests
{
    [Fact]
    public async Task ASqlAsciiDatabaseWithLatin1BytesInItsCatalogMatchesItsSnapshot()
    {
        using var folder = new TempFolder();
        var schema = "SET client_encoding = 'LATIN1';\nCREATE TABLE cafe (id int);\nCOMMENT ON TABLE cafe IS 'caf\u00e9';\n";
        File.WriteAllBytes(folder.Write("schemas/schema_1.0.sql"), System.Text.Encoding.Latin1.GetBytes(schema));
        folder.Folder("1.0");
        await using var db = await TestDatabase.CreateSqlAsciiAsync();
        var migrator = new Migrator(new NorthSettings { MigrationsRoot = folder.Path }, TestConnections.Factory(db));
        await migrator.MigrateAsync();
        // Stored as psql stores it: the file's one byte.
        Assert.Equal("636166e9", await db.ScalarAsync("SELECT encode(convert_to(obj_description('cafe'::regclass, 'pg_class'), 'SQL_ASCII'), 'hex')"));

        var differences = await new SchemaVerification(migrator).RunAsync(new SchemaVerificationRequest());
        Assert.True(differences.Count == 0, SchemaPair.Describe(differences));

        // And a difference in those bytes is one, each byte kept: e8 not UTF-8, then ef bf bf (U+FFFF) that is.
        await db.ExecuteAsync("SET client_encoding = 'SQL_ASCII'; COMMENT ON TABLE cafe IS E'caf\\xe8\\xef\\xbf\\xbf'");
        var changed = Assert.Single(await new SchemaVerification(migrator).RunAsync(new SchemaVerificationRequest()));
        Assert.Equal("public.cafe", changed.Name);
        Assert.Equal(("caf\uDCE9", "caf\uDCE8\uFFFF"), (changed.Expected, changed.Actual));
    }
}
