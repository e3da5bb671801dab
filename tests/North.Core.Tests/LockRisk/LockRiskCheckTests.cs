using System.Text.RegularExpressions;
using North.Core.Repository;
using North.Core.Settings;
using North.Core.Tests.Repository;

namespace North.Core.Tests.LockRisk;

/// <summary>
/// The lock-risk rules (NORTH101...) on a repository holding each risky form beside its safe form.
/// A line ending in <c>-- expect NORTH1xx</c> must be flagged with that code, and nothing else may be:
/// so every safe form, and every word in a comment or a string, is proved silent.
/// </summary>
public class LockRiskCheckTests
{
    private const string Schema = """
        create table orders (id bigint primary key, amount int, customer_id int, note varchar(20), legacy text);
        create table customers (id int primary key);
        create index orders_note on orders (note);
        """;

    /// <summary>Version 1.1, an ordinary transactional file: each risky form, then its safe form.</summary>
    private const string Atomic = """
        -- Risky forms first.
        create index orders_amount on orders (amount); -- expect NORTH101
        select 1\; create index orders_joined on orders (amount); -- expect NORTH101
        CREATE UNIQUE INDEX orders_amount2 ON ONLY public.orders USING btree (amount); -- expect NORTH101
        drop index orders_note; -- expect NORTH102
        reindex table orders; -- expect NORTH102
        alter table orders add constraint orders_customer foreign key (customer_id) references customers (id); -- expect NORTH103
        alter table orders add constraint orders_amount_positive check (amount > 0); -- expect NORTH103
        alter table orders alter column amount set not null; -- expect NORTH104
        alter table orders alter column amount type bigint; -- expect NORTH105
        alter table orders alter column amount set data type numeric(12,2) using amount::numeric; -- expect NORTH105
        alter table orders add column token uuid default gen_random_uuid(); -- expect NORTH106
        alter table orders add column seq bigserial; -- expect NORTH106
        alter table orders add column stamp timestamptz not null default clock_timestamp(); -- expect NORTH106
        alter table orders add constraint orders_key unique (amount); -- expect NORTH107
        alter table customers add primary key (id); -- expect NORTH107
        cluster orders using orders_pkey; -- expect NORTH108
        lock table orders in share row exclusive mode; -- expect NORTH108
        truncate orders cascade; -- expect NORTH109
        drop table customers; -- expect NORTH110
        alter table orders drop column legacy; -- expect NORTH110
        alter table orders rename column note to remark; -- expect NORTH110
        alter table orders rename to purchases; -- expect NORTH110
        set lock_timeout = 0; -- expect NORTH111
        set local lock_timeout to '0'; -- expect NORTH111
        reset lock_timeout; -- expect NORTH111
        RESET ALL; -- expect NORTH111
        create table a_name_that_goes_on_and_on_well_past_the_limit_of_sixty_three_bytes (id int); -- expect NORTH113

        -- Safe forms: none is flagged.
        alter table orders add constraint orders_customer_nv foreign key (customer_id) references customers (id) not valid;
        alter table orders add constraint orders_positive_nv check (amount > 0) NOT VALID;
        alter table orders alter column note type varchar(200);
        alter table orders alter column note type text;
        alter table orders add column flag int;
        alter table orders add column created timestamptz not null default now();
        alter table orders add column status text default 'new';
        alter table orders add constraint orders_key2 unique using index orders_amount_idx;
        alter table orders add constraint orders_pk2 primary key using index orders_id_idx;
        alter table orders drop constraint orders_old;
        alter table orders alter column amount drop not null;
        alter table orders alter column amount set default 0;
        truncate orders;
        set lock_timeout = '5s';
        reset statement_timeout;
        create table invoices (id int primary key, order_id bigint, total int);
        create index invoices_order on invoices (order_id);
        alter table invoices add constraint invoices_order_fk foreign key (order_id) references orders (id);
        alter table invoices alter column total set not null;
        alter table invoices alter column total type bigint;
        alter table invoices add column token uuid default gen_random_uuid();
        alter table invoices add constraint invoices_total unique (total);
        alter table invoices rename column total to amount;
        alter table invoices drop column amount;
        drop index invoices_order;
        drop table invoices;
        create table "a_quoted_name_exactly_sixty_three_bytes_long_xxxxxxxxxxxxxxxxxx" (id int);

        -- Words in comments and strings never count: create index x on orders (a); vacuum full orders;
        /* alter table orders alter column amount type bigint; /* nested */ drop table orders; */
        insert into orders (id, note) values (1, 'drop table orders; lock table orders; truncate orders cascade');
        select $body$ alter table orders add constraint c check (amount > 0) $body$, E'reset all\' cluster orders';
        comment on table orders is 'create index y on orders (id)';
        """;

    /// <summary>Version 1.1, a non-transactional file (CONCURRENTLY): re-runnable or not.</summary>
    private const string Concurrent = """
        create index concurrently if not exists orders_amount_c on orders (amount);
        drop index concurrently if exists orders_note;
        reindex index concurrently orders_note;
        alter table orders detach partition orders_2020 concurrently;
        create index concurrently orders_amount_d on orders (amount); -- expect NORTH112
        drop index concurrently orders_amount_d; -- expect NORTH112
        alter table orders add column extra int; -- expect NORTH112
        alter table orders add column if not exists extra2 int;
        alter table orders detach partition orders_2021; -- expect NORTH102
        """;

    /// <summary>The validation of a NOT VALID constraint, in a separate file: safe.</summary>
    private const string Validate = """
        alter table orders validate constraint orders_customer_nv;
        """;

    /// <summary>VACUUM makes a file non-transactional (a default NonTransactionalKeyword).</summary>
    private const string Maintenance = """
        vacuum full orders; -- expect NORTH108
        vacuum (full, analyze) orders; -- expect NORTH108
        vacuum orders;
        vacuum (analyze) orders;
        """;

    private const string Batches = """
        --meta-psql:do-until-0
        update orders set amount = 0 where amount is null; -- unbounded
        --meta-psql:done
        --meta-psql:do-until-0
        update orders set amount = 0 where id in (select id from orders where amount is null limit 1000);
        --meta-psql:done
        --meta-psql:do-until-0
        delete from orders where id >= 1 and id < 1000 and amount is null;
        --meta-psql:done
        """;

    private static TempFolder Repository()
    {
        var temp = new TempFolder();
        temp.Write("schemas/schema_1.0.sql", Schema);
        temp.Write("1.0/1.0-0-version-dml.sql", "select 1;");
        temp.Write("1.1/1.1-a-1-ddl.sql", Atomic);
        temp.Write("1.1/1.1-a-2-ddl.sql", Concurrent);
        temp.Write("1.1/1.1-a-3-ddl.sql", Validate);
        temp.Write("1.1/manual/1.1-a-4-dml.sql", Batches);
        temp.Write("1.1/1.1-a-5-ddl.sql", Maintenance);
        return temp;
    }

    private static List<RepositoryDiagnostic> Check(TempFolder temp, NorthSettings? settings = null) =>
        RepositoryCheck.Run((settings ?? new NorthSettings()) with { MigrationsRoot = temp.Path })
            .Where(d => d.Code.StartsWith("NORTH1", StringComparison.Ordinal) || d.Code == DiagnosticCodes.InvalidLockRiskSeverity).ToList();

    /// <summary>The <c>-- expect</c> lines of the repository's files, as "path:line code".</summary>
    private static string[] Expected(TempFolder temp) =>
        Directory.EnumerateFiles(temp.Path, "*.sql", SearchOption.AllDirectories)
            .SelectMany(path => File.ReadLines(path).Select((line, i) => (path, line, number: i + 1)))
            .Select(x => (x.path, x.number, match: Regex.Match(x.line, @"-- expect (NORTH\d{3})$")))
            .Where(x => x.match.Success)
            .Select(x => $"{Path.GetRelativePath(temp.Path, x.path).Replace('\\', '/')}:{x.number} {x.match.Groups[1].Value}")
            .Order(StringComparer.Ordinal).ToArray();

    private static string[] Found(IEnumerable<RepositoryDiagnostic> diagnostics) =>
        diagnostics.Select(d => $"{d.Path}:{d.Line} {d.Code}").Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void EveryRiskyFormIsFlaggedAndNoSafeForm()
    {
        using var temp = Repository();
        var diagnostics = Check(temp);
        var expected = Expected(temp).Append("1.1/manual/1.1-a-4-dml.sql:1 NORTH114").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, Found(diagnostics));
        Assert.All(diagnostics, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
        Assert.True(RepositoryCheck.IsClean(RepositoryCheck.Run(new NorthSettings { MigrationsRoot = temp.Path })));
        // Every rule has a case here.
        Assert.Equal(14, diagnostics.Select(d => d.Code).Distinct().Count());
    }

    [Fact]
    public void FindingsSayTheLockAndTheSafeForm()
    {
        using var temp = Repository();
        var diagnostics = Check(temp);
        var index = diagnostics.First(d => d.Code == DiagnosticCodes.IndexWithoutConcurrently);
        Assert.Contains("ShareLock", index.Message);
        Assert.Contains("CREATE INDEX CONCURRENTLY IF NOT EXISTS in a file of its own", index.Message);
        var fk = diagnostics.First(d => d.Code == DiagnosticCodes.ConstraintWithoutNotValid);
        Assert.Contains("ShareRowExclusiveLock", fk.Message);
        Assert.Contains("NOT VALID", fk.Message);
        Assert.Contains("VALIDATE CONSTRAINT", fk.Message);
        var notNull = diagnostics.First(d => d.Code == DiagnosticCodes.SetNotNull);
        Assert.Contains("CHECK (amount IS NOT NULL) NOT VALID", notNull.Message);
        var lockTable = diagnostics.First(d => d.Code == DiagnosticCodes.ExclusiveMaintenance && d.Message.StartsWith("LOCK"));
        Assert.Contains("ShareRowExclusiveLock", lockTable.Message);
        var rerun = diagnostics.First(d => d.Code == DiagnosticCodes.NotRerunnable);
        Assert.Contains("IF NOT EXISTS", rerun.Message);
    }

    [Fact]
    public void IgnoreCommentsSilenceAStatementOrAFile()
    {
        using var temp = Repository();
        temp.Write("1.2/1.2-a-1-ddl.sql", """
            -- north:ignore NORTH101
            create index orders_a on orders (amount);
            create index orders_b on orders (amount); -- north:ignore NORTH105, NORTH101
            select 2;
            create index orders_c on orders (amount); -- expect NORTH101

            -- north:ignore NORTH110
            select 1;
            drop table customers; -- expect NORTH110
            """);
        temp.Write("1.2/1.2-a-2-ddl.sql", """
            alter table orders alter column amount type bigint;
            -- north:ignore-file NORTH105 NORTH104
            alter table orders alter column amount set not null;
            vacuum full orders; -- expect NORTH108
            """);
        var found = Found(Check(temp)).Where(f => f.StartsWith("1.2/")).ToArray();
        Assert.Equal(Expected(temp).Where(f => f.StartsWith("1.2/")).ToArray(), found);
    }

    [Fact]
    public void NorthJsonSetsASeverityOrTurnsARuleOff()
    {
        using var temp = Repository();
        temp.Write("north.json", """{ "LockRiskSeverities": ["NORTH105=Error", "north110=Off", "NORTH113=Information"] }""");
        var settings = SettingsLoader.Load(new SettingsOverrides { MigrationsRoot = temp.Path }, temp.Path, new Dictionary<string, string>());
        var diagnostics = RepositoryCheck.Run(settings).Where(d => d.Code.StartsWith("NORTH1", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(diagnostics, d => d.Code == DiagnosticCodes.BreakingChange);
        Assert.All(diagnostics.Where(d => d.Code == DiagnosticCodes.ColumnTypeChange), d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
        Assert.Equal(2, diagnostics.Count(d => d.Code == DiagnosticCodes.ColumnTypeChange));
        Assert.Equal(DiagnosticSeverity.Information, diagnostics.Single(d => d.Code == DiagnosticCodes.LongIdentifier).Severity);
        Assert.False(RepositoryCheck.IsClean(diagnostics));
    }

    [Fact]
    public void AMalformedSeverityIsAnError()
    {
        using var temp = Repository();
        var diagnostics = Check(temp, new NorthSettings { LockRiskSeverities = ["NORTH105=Loud", "NORTH001=Off"] });
        var bad = diagnostics.Where(d => d.Code == DiagnosticCodes.InvalidLockRiskSeverity).ToList();
        Assert.Equal(2, bad.Count);
        Assert.Contains("'NORTH105=Loud'", bad[0].Message);
        // The malformed entries change nothing else.
        Assert.Equal(DiagnosticSeverity.Warning, diagnostics.First(d => d.Code == DiagnosticCodes.ColumnTypeChange).Severity);
    }
}
