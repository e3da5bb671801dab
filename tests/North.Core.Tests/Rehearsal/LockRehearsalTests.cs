using North.Core.Rehearsal;
using North.Core.Repository;
using North.Core.Settings;
using North.Core.Tests.Infrastructure;
using North.Core.Tests.Repository;

namespace North.Core.Tests.Rehearsal;

/// <summary>
/// The lock rehearsal against ground truth: each file run on a real PostgreSQL and measured from its
/// own session. Expected modes are those PostgreSQL documents in "Explicit Locking", section
/// "Table-Level Lock Modes": ALTER TABLE (most forms, including ADD COLUMN and ALTER COLUMN TYPE)
/// takes ACCESS EXCLUSIVE; CREATE INDEX (without CONCURRENTLY) takes SHARE; ADD FOREIGN KEY takes
/// SHARE ROW EXCLUSIVE on the table and the referenced table; VALIDATE CONSTRAINT takes SHARE UPDATE
/// EXCLUSIVE. pg_locks names them AccessExclusiveLock, ShareLock, ShareRowExclusiveLock...
/// </summary>
public class LockRehearsalTests
{
    private static async Task<(TestDatabase Database, TempFolder Folder, MigrationRepository Repository)> PrepareAsync(params (string Name, string Sql)[] files)
    {
        var database = await TestDatabase.CreateAsync();
        await database.ExecuteAsync("""
            create table customers (id int primary key);
            insert into customers select g from generate_series(1, 100) g;
            create table orders (id int primary key, amount int not null, customer_id int);
            insert into orders select g, g, 1 + g % 100 from generate_series(1, 5000) g;
            analyze customers, orders;
            """);
        var folder = new TempFolder();
        folder.Write("schemas/schema_1.0.sql", "select 1;");
        folder.Write("1.0/1.0-0-version-dml.sql", "select 1;");
        foreach (var (name, sql) in files)
            folder.Write("1.1/" + name, sql);
        var repository = MigrationRepository.Load(new NorthSettings { MigrationsRoot = folder.Path });
        return (database, folder, repository);
    }

    private static async Task<List<LockObservation>> RehearseAsync(TestDatabase database, MigrationRepository repository)
    {
        var rehearsal = new LockRehearsal(NorthSettings.DefaultNonTransactionalKeywords);
        await using var connection = await database.OpenAsync();
        var all = new List<LockObservation>();
        foreach (var file in repository.Find(North.Core.Versions.MigrationVersion.Parse("1.1"))!.Migrations)
            all.AddRange(await rehearsal.RunFileAsync(connection, file));
        return all;
    }

    [Fact]
    public async Task MeasuresLocksRewritesAndFullScansOnFiveThousandRows()
    {
        var (database, folder, repository) = await PrepareAsync(
            ("1.1-a-1-ddl.sql", "alter table orders alter column amount type bigint;"),
            ("1.1-a-2-ddl.sql", "alter table orders add column flag int;"),
            ("1.1-a-3-ddl.sql", "create index orders_customer on orders (customer_id);"),
            ("1.1-a-4-ddl.sql", "alter table orders add constraint orders_customer_fk foreign key (customer_id) references customers (id);"),
            ("1.1-a-5-ddl.sql", "alter table orders add constraint orders_customer_nv foreign key (customer_id) references customers (id) not valid;"));
        await using var _ = database;
        using var __ = folder;
        var seen = await RehearseAsync(database, repository);
        LockObservation On(string file, string relation) => seen.Single(o => o.Name == file && o.Relation == relation);

        var type = On("1.1-a-1-ddl.sql", "public.orders");
        Assert.Equal(("AccessExclusiveLock", true, RiskLevel.High), (type.LockMode, type.Rewrite, type.Risk));
        Assert.Equal(1, type.Line);
        Assert.Equal("alter table orders alter column amount type bigint;", type.Statement);

        var add = On("1.1-a-2-ddl.sql", "public.orders");
        Assert.Equal(("AccessExclusiveLock", false, false, RiskLevel.Low), (add.LockMode, add.Rewrite, add.FullScan, add.Risk));

        var index = On("1.1-a-3-ddl.sql", "public.orders");
        Assert.Equal(("ShareLock", false, RiskLevel.High), (index.LockMode, index.Rewrite, index.Risk));

        var fk = On("1.1-a-4-ddl.sql", "public.orders");
        Assert.Equal(("ShareRowExclusiveLock", true, RiskLevel.High), (fk.LockMode, fk.FullScan, fk.Risk));
        Assert.Equal("ShareRowExclusiveLock", On("1.1-a-4-ddl.sql", "public.customers").LockMode);

        var notValid = On("1.1-a-5-ddl.sql", "public.orders");
        Assert.Equal(("ShareRowExclusiveLock", false, false, RiskLevel.Low), (notValid.LockMode, notValid.FullScan, notValid.Rewrite, notValid.Risk));
    }

    [Fact]
    public async Task ConcurrentlyIsWatchedWhileItRunsAndBlocksNoWrite()
    {
        // CREATE INDEX CONCURRENTLY runs in autocommit and releases its lock before it returns:
        // "Table-Level Lock Modes" gives it SHARE UPDATE EXCLUSIVE, which conflicts with no write.
        var (database, folder, repository) = await PrepareAsync(
            ("1.1-a-1-ddl.sql", "create index concurrently orders_amount on orders (amount);\ncreate index concurrently orders_customer on orders (customer_id);\nreindex index concurrently orders_amount;"));
        await using var _ = database;
        using var __ = folder;
        // On 5,000 rows a build lasts a few milliseconds: the watcher's snapshot makes it wait to be seen.
        var seen = await RehearseAsync(database, repository);
        Assert.Equal([1, 2, 3], seen.Select(o => o.Line));
        Assert.All(seen, o => Assert.Equal(("public.orders", "ShareUpdateExclusiveLock", RiskLevel.None), (o.Relation, o.LockMode, o.Risk)));
        Assert.All(seen, o => Assert.Contains("blocks neither reads nor writes", o.Reason));
    }

    [Fact]
    public async Task OnlyRelationsThatExistedBeforeTheFileAndOnlyNewLocks()
    {
        var (database, folder, repository) = await PrepareAsync(
            ("1.1-a-1-ddl.sql", """
                create table invoices (id int primary key, order_id int);
                create index invoices_order on invoices (order_id);
                alter table orders add column note text;
                alter table orders add column flag int;
                """),
            ("1.1-a-2-ddl.sql", "alter table orders validate constraint orders_amount_check;"));
        await using var _ = database;
        using var __ = folder;
        await database.ExecuteAsync("alter table orders add constraint orders_amount_check check (amount > 0) not valid;");
        var seen = await RehearseAsync(database, repository);
        // invoices is new: never reported. The second ADD COLUMN needs the lock the first already holds.
        var first = Assert.Single(seen, o => o.Name == "1.1-a-1-ddl.sql" && o.Relation is not null);
        // Still, every statement is in the report.
        Assert.Equal([1, 2, 3, 4], seen.Where(o => o.Name == "1.1-a-1-ddl.sql").Select(o => o.Line));
        Assert.Equal((3, "public.orders", "AccessExclusiveLock"), (first.Line, first.Relation, first.LockMode));
        // VALIDATE CONSTRAINT: ShareUpdateExclusiveLock, a full scan that blocks no write.
        var validate = Assert.Single(seen, o => o.Name == "1.1-a-2-ddl.sql");
        Assert.Equal(("ShareUpdateExclusiveLock", true, RiskLevel.None), (validate.LockMode, validate.FullScan, validate.Risk));
    }
}

/// <summary>
/// septentrion's example from 1.0 to 1.3, each file rehearsed in order on a database migrated to
/// 1.0. Modes from PostgreSQL's "Table-Level Lock Modes": ALTER TABLE ADD COLUMN, ALTER COLUMN DROP
/// NOT NULL, RENAME, DROP COLUMN take ACCESS EXCLUSIVE; UPDATE takes ROW EXCLUSIVE; ADD FOREIGN KEY
/// takes SHARE ROW EXCLUSIVE on the referenced table.
/// </summary>
public class LockRehearsalCorpusTests
{
    [Fact]
    public async Task SeptentrionExampleFrom10To13()
    {
        var settings = new NorthSettings
        {
            MigrationsRoot = Corpus.PathOf("septentrion/example_migrations"),
            BeforeSchemaFiles = ["before_file.sql"],
            AfterSchemaFiles = ["after_file.sql", "extra_file.sql"],
        };
        await using var database = await TestDatabase.CreateAsync();
        await new North.Core.Migrating.Migrator(settings with { TargetVersion = North.Core.Versions.MigrationVersion.Parse("1.0") },
            North.Core.Tests.Connections.TestConnections.Factory(database)).MigrateAsync();
        var repository = MigrationRepository.Load(settings);
        var rehearsal = new LockRehearsal(settings.NonTransactionalKeywords);
        await using var connection = await database.OpenAsync();
        var seen = new List<LockObservation>();
        foreach (var file in repository.Migrations.Where(m => m.Version > North.Core.Versions.MigrationVersion.Parse("1.0")))
            seen.AddRange(await rehearsal.RunFileAsync(connection, file));
        string[] Locks(string file) => seen.Where(o => o.Name == file && o.LockMode is not null)
            .Select(o => $"{o.Line} {o.Relation} {o.LockMode}").ToArray();

        Assert.Equal(["6 public.north_app_book AccessExclusiveLock"], Locks("1.1-add-num-pages-1-ddl.sql"));
        Assert.False(seen.Single(o => o.Name == "1.1-add-num-pages-1-ddl.sql" && o.Relation is not null).Rewrite); // a constant default: no rewrite (PostgreSQL 11+)
        Assert.Contains("public.north_app_book RowExclusiveLock", string.Join("|", Locks("1.1-add-num-pages-2-dml.sql")));
        Assert.Equal(["10 public.north_app_author AccessExclusiveLock"], Locks("1.2-remove-author-dob-ddl.sql"));
        // The RENAME TO needs the lock the RENAME COLUMN already holds; the view is new, and CREATE VIEW
        // reads the renamed table (ACCESS SHARE), reported under its name before the file.
        Assert.Equal(["7 public.north_app_book AccessExclusiveLock", "11 public.north_app_book AccessShareLock"], Locks("1.2-rename-num-pages-ddl.sql"));
        Assert.Contains("13 public.north_app_book_wip ShareRowExclusiveLock", Locks("1.3-add-readers-ddl.sql"));
        Assert.Equal(["7 public.north_app_author AccessExclusiveLock"], Locks("1.3-remove-author-dob-ddl.sql"));
        Assert.Equal(["7 public.north_app_book_wip AccessExclusiveLock"], Locks("1.3-rename-num-pages-ddl.sql"));
        Assert.All(seen.Where(o => o.LockMode == "AccessExclusiveLock"), o => Assert.NotEqual(RiskLevel.None, o.Risk));
    }
}
