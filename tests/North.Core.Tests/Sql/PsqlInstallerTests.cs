using North.Core.Migrating;
using North.Core.Planning;
using North.Core.Settings;
using North.Core.Sql;
using North.Core.Tests.Connections;
using North.Core.Tests.Infrastructure;
using Npgsql;

namespace North.Core.Tests.Sql;

/// <summary>
/// An extension installer shaped like pgMemento's (tests/North.Core.Tests/Fixtures/audit-installer:
/// <c>\i src/*.sql</c> from its folder, <c>\gset</c>, <c>ALTER DATABASE :"DBNAME"</c>) loads as a
/// migration through North with the catalog psql gives.
/// </summary>
public class PsqlInstallerTests
{
    private static string FixtureFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "North.Core.Tests", "Fixtures", "audit-installer");
            if (Directory.Exists(candidate))
                return candidate;
        }
        throw new InvalidOperationException("tests/North.Core.Tests/Fixtures/audit-installer not found above " + AppContext.BaseDirectory);
    }

    // What psql's catalog holds after the installer: tables, columns, indexes, functions, triggers, event triggers, the database's settings, logged rows.
    private const string CatalogSql = """
        select 'table ' || c.relname || ' ' || c.relkind::text || ' ' || string_agg(a.attname || ':' || format_type(a.atttypid, a.atttypmod) || ':' || a.attnotnull, ',' order by a.attnum)
          from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
         where n.nspname = 'audit' group by c.relname, c.relkind
        union all
        select 'index ' || pg_get_indexdef(i.indexrelid) from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'audit'
        union all
        select 'function ' || p.proname || '(' || pg_get_function_arguments(p.oid) || ') ' || pg_get_function_result(p.oid) || ' ' || md5(p.prosrc)
          from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'audit'
        union all
        select 'trigger ' || pg_get_triggerdef(t.oid) from pg_trigger t where not t.tgisinternal
        union all
        select 'event trigger ' || evtname || ' ' || evtevent::text || ' ' || coalesce(array_to_string(evttags, ','), '') || ' ' || evtfoid::regproc::text from pg_event_trigger
        union all
        select 'setting ' || array_to_string(setconfig, ',') from pg_db_role_setting where setdatabase = (select oid from pg_database where datname = current_database())
        union all
        select 'comment ' || obj_description('audit.transaction_log'::regclass, 'pg_class') || ' / ' || col_description('audit.row_log'::regclass, 4)
        union all
        select 'settings row ' || name || '=' || value from audit.settings
        union all
        select 'row log ' || count(*) from audit.row_log
        union all
        select 'table log ' || table_name from audit.audit_table_log
        order by 1
        """;

    private static async Task<List<string>> CatalogAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(CatalogSql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
            rows.Add(reader.GetString(0));
        return rows;
    }

    private static void Copy(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    [Fact]
    public async Task TheInstallerLoadsThroughNorthWithPsqlsCatalog()
    {
        using var folder = new ScriptFolder();
        Copy(FixtureFolder(), folder.Root);
        folder.Write("0.1/0.1-start-ddl.sql", "SELECT 1;\n");
        folder.Write("schemas/schema_0.1.sql", "SELECT 1;\n");
        folder.Write("1.0/1.0-audit-ddl.sql", "-- The installer, run from the repository's folder as its README says.\n\\i INSTALL_AUDIT.sql\n");

        await using var viaPsql = await TestDatabase.CreateAsync();
        await using var viaNorth = await TestDatabase.CreateAsync();
        await Psql.RunFileAsync(viaPsql.ConnectionString, Path.Combine(folder.Root, "INSTALL_AUDIT.sql"), folder.Root);

        var migrator = new Migrator(new NorthSettings { MigrationsRoot = folder.Root }, TestConnections.Factory(viaNorth));
        var state = await migrator.ReadStateAsync();
        var step = state.Plan.Single(s => s.Name == "1.0-audit-ddl.sql");
        Assert.Equal(TransactionMode.Atomic, step.Transaction);
        await migrator.MigrateAsync();

        var expected = await CatalogAsync(viaPsql.ConnectionString);
        Assert.Contains(expected, r => r.StartsWith("event trigger audit_table_create_post_trigger ddl_command_end", StringComparison.Ordinal));
        Assert.Contains("setting search_path=\"$user\", public, audit", expected);
        Assert.Contains("row log 2", expected);
        Assert.Equal(expected, await CatalogAsync(viaNorth.ConnectionString));
    }
}
