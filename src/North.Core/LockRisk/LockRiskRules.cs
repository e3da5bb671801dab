using North.Core.Repository;
using North.Core.Sql;

namespace North.Core.LockRisk;

/// <summary>A rule's finding on one statement, before ignore comments and severities apply.</summary>
internal readonly record struct LockRiskFinding(string Code, string Message);

/// <summary>
/// The lock-risk rules of one statement (NORTH101...). Lock modes are those of PostgreSQL's
/// "Table-Level Lock Modes" (explicit-locking chapter); each message says the lock and the safe form.
/// </summary>
internal static class LockRiskRules
{
    /// <summary>Functions whose default PostgreSQL must evaluate per row, so ADD COLUMN rewrites the table.</summary>
    private static readonly HashSet<string> VolatileFunctions = new(StringComparer.OrdinalIgnoreCase)
    {
        "random", "clock_timestamp", "timeofday", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc",
        "uuid_generate_v4", "uuidv4", "uuidv7", "nextval", "setseed", "txid_current", "statement_timestamp",
    };

    private static readonly HashSet<string> SerialTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "serial", "bigserial", "smallserial", "serial2", "serial4", "serial8",
    };

    public static IEnumerable<LockRiskFinding> Check(LockRiskStatement s)
    {
        var findings = new List<LockRiskFinding>();
        LongIdentifiers(s, findings);
        switch (s[0].Upper)
        {
            case "CREATE":
                CreateIndex(s, findings);
                NotRerunnableCreate(s, findings);
                break;
            case "DROP":
                Drop(s, findings);
                break;
            case "ALTER" when s[1].Is("TABLE"):
                AlterTable(s, findings);
                break;
            case "REINDEX" when !s.Has("CONCURRENTLY"):
                findings.Add(new(DiagnosticCodes.DropOrReindexWithoutConcurrently,
                    "REINDEX takes a ShareLock on the table (writes wait) and an AccessExclusiveLock on each index (reads using it wait) for the whole rebuild. Write REINDEX INDEX CONCURRENTLY (PostgreSQL 12+) in a non-transactional file."));
                break;
            case "VACUUM" when s[1].Is("FULL") || s[1].IsSymbol("(") && s.Has("FULL", 2, s.Tokens.Count):
                findings.Add(new(DiagnosticCodes.ExclusiveMaintenance,
                    "VACUUM FULL rewrites the table under an AccessExclusiveLock: nothing can read or write it until it ends. Run it in a maintenance window, outside migrations, or use pg_repack."));
                break;
            case "CLUSTER":
                findings.Add(new(DiagnosticCodes.ExclusiveMaintenance,
                    "CLUSTER rewrites the table under an AccessExclusiveLock: nothing can read or write it until it ends. Run it in a maintenance window, outside migrations, or use pg_repack."));
                break;
            case "LOCK":
                findings.Add(new(DiagnosticCodes.ExclusiveMaintenance,
                    $"LOCK TABLE takes {ExplicitLockMode(s)} until the transaction ends, and queues behind every running transaction that uses the table. Let each statement take the lock it needs, under the lock timeout."));
                break;
            case "TRUNCATE" when s.Has("CASCADE"):
                findings.Add(new(DiagnosticCodes.TruncateCascade,
                    "TRUNCATE ... CASCADE takes an AccessExclusiveLock on the table and on every table that references it, and empties them all. Name each table to truncate; without CASCADE PostgreSQL refuses when another table still refers to it."));
                break;
            case "SET" when LockTimeoutSetToZero(s):
                findings.Add(new(DiagnosticCodes.LockTimeoutOff,
                    "This turns the lock timeout off: a statement of this file will wait for its lock without end, and every query on the table queues behind it. Keep North's DdlLockTimeout, or set a bounded value (SET lock_timeout = '5s')."));
                break;
            case "RESET" when s[1].Is("ALL") || s[1].Is("LOCK_TIMEOUT"):
                findings.Add(new(DiagnosticCodes.LockTimeoutOff,
                    $"RESET {s[1].Upper} drops the lock timeout North set (DdlLockTimeout): a statement of this file will wait for its lock without end, and every query on the table queues behind it. Reset only the settings you changed, or set a bounded lock_timeout after it."));
                break;
        }
        return findings;
    }

    private static void LongIdentifiers(LockRiskStatement s, List<LockRiskFinding> findings)
    {
        foreach (var token in s.Tokens.Where(t => t.IsIdentifier && t.NameBytes > 63).DistinctBy(t => t.Name))
        {
            findings.Add(new(DiagnosticCodes.LongIdentifier,
                $"The identifier '{token.Name[..20]}...' is {token.NameBytes} bytes long: PostgreSQL truncates names to 63 bytes without an error, so two names can become one and later statements miss it. Shorten it to 63 bytes or fewer."));
        }
    }

    /// <summary>CREATE [UNIQUE] INDEX [CONCURRENTLY] [[IF NOT EXISTS] name] ON [ONLY] table.</summary>
    private static void CreateIndex(LockRiskStatement s, List<LockRiskFinding> findings)
    {
        var at = s.Skip(1, "UNIQUE");
        if (!s[at].Is("INDEX") || s[at + 1].Is("CONCURRENTLY"))
            return;
        var on = s.Find("ON", at);
        if (on < 0)
            return;
        var table = s.Name(s.Skip(on + 1, "ONLY"), out _);
        if (table is null || s.IsNew(table))
            return;
        var how = s.Mode == TransactionMode.None
            ? "Write CREATE INDEX CONCURRENTLY IF NOT EXISTS (it takes a ShareUpdateExclusiveLock and lets writes go on)."
            : "Write CREATE INDEX CONCURRENTLY IF NOT EXISTS in a file of its own: it cannot run in a transaction, so North runs that file statement by statement (ShareUpdateExclusiveLock, writes go on).";
        findings.Add(new(DiagnosticCodes.IndexWithoutConcurrently,
            $"CREATE INDEX on existing table '{table}' takes a ShareLock: every INSERT, UPDATE and DELETE on it waits until the index is built. {how}"));
    }

    private static void Drop(LockRiskStatement s, List<LockRiskFinding> findings)
    {
        var what = s[1].Upper;
        if (what == "INDEX")
        {
            var concurrently = s[2].Is("CONCURRENTLY");
            var at = s.Skip(concurrently ? 3 : 2, "IF", "EXISTS");
            var index = s.Name(at, out _);
            if (!concurrently && index is not null && !s.IsNew(index))
                findings.Add(new(DiagnosticCodes.DropOrReindexWithoutConcurrently,
                    $"DROP INDEX '{index}' takes an AccessExclusiveLock on its table: nothing can read or write the table until it is dropped, and it queues behind running transactions. Write DROP INDEX CONCURRENTLY IF EXISTS in a non-transactional file."));
        }
        if (what == "TABLE")
        {
            var at = s.Skip(2, "IF", "EXISTS");
            while (s.Name(at, out var next) is { } table)
            {
                if (!s.IsNew(table))
                    findings.Add(new(DiagnosticCodes.BreakingChange,
                        $"DROP TABLE '{table}' takes an AccessExclusiveLock and breaks every running client that still uses it. Stop using the table in a release first, then drop it in a later one."));
                if (!s[next].IsSymbol(","))
                    break;
                at = next + 1;
            }
        }
        if (s.Mode == TransactionMode.None && !s.WordsAt(2, "IF", "EXISTS") && !s.WordsAt(3, "IF", "EXISTS"))
            findings.Add(NotRerunnable(s, "DROP ... IF EXISTS"));
    }

    private static void NotRerunnableCreate(LockRiskStatement s, List<LockRiskFinding> findings)
    {
        if (s.Mode != TransactionMode.None || s.WordsAt(1, "OR", "REPLACE"))
            return;
        var at = s.Skip(s.Skip(s.Skip(1, "UNIQUE"), "UNLOGGED"), "TEMPORARY");
        at = s.Skip(s.Skip(at, "TEMP"), "MATERIALIZED");
        var what = s[at].Upper;
        if (what is not ("INDEX" or "TABLE" or "SEQUENCE" or "SCHEMA" or "EXTENSION" or "VIEW"))
            return;
        at = s.Skip(at + 1, "CONCURRENTLY");
        if (!s.WordsAt(at, "IF", "NOT", "EXISTS"))
            findings.Add(NotRerunnable(s, what == "VIEW" ? "CREATE OR REPLACE VIEW" : $"CREATE {what} IF NOT EXISTS"));
    }

    private static LockRiskFinding NotRerunnable(LockRiskStatement s, string instead) =>
        new(DiagnosticCodes.NotRerunnable,
            $"This file runs statement by statement in autocommit (non-transactional): if it fails after this statement, the re-run stops here because '{s.Statement.FirstLine.Trim()}' already took effect. Write {instead}.");

    /// <summary>ALTER TABLE [IF EXISTS] [ONLY] name [*] action [, ...]</summary>
    private static void AlterTable(LockRiskStatement s, List<LockRiskFinding> findings)
    {
        var at = s.Skip(s.Skip(2, "IF", "EXISTS"), "ONLY");
        var table = s.Name(at, out var next);
        if (table is null)
            return;
        if (s[next].IsSymbol("*"))
            next++;
        var existing = !s.IsNew(table);
        foreach (var (from, to) in s.Actions(next))
        {
            var verb = s[from].Upper;
            switch (verb)
            {
                case "ADD":
                    AddAction(s, table, existing, from + 1, to, findings);
                    break;
                case "ALTER":
                    AlterColumn(s, table, existing, s.Skip(from + 1, "COLUMN"), findings);
                    break;
                case "DROP" when !s[from + 1].Is("CONSTRAINT") && !s[from + 1].Is("DEFAULT"):
                {
                    var col = s.Skip(s.Skip(from + 1, "COLUMN"), "IF", "EXISTS");
                    var column = s.Name(col, out _);
                    if (existing && column is not null)
                        findings.Add(new(DiagnosticCodes.BreakingChange,
                            $"DROP COLUMN '{column}' of '{table}' takes an AccessExclusiveLock and breaks every running client that still reads or writes the column. Stop using it in a release first, then drop it in a later one."));
                    if (s.Mode == TransactionMode.None && !s.WordsAt(s.Skip(from + 1, "COLUMN"), "IF", "EXISTS"))
                        findings.Add(NotRerunnable(s, "ALTER TABLE ... DROP COLUMN IF EXISTS"));
                    break;
                }
                case "RENAME" when existing && !s[from + 1].Is("CONSTRAINT"):
                    findings.Add(new(DiagnosticCodes.BreakingChange,
                        $"RENAME on '{table}' takes an AccessExclusiveLock and breaks every running client that uses the old name. Add the new name beside the old one (a new column kept in step, or a view), move the clients, then remove the old name in a later release."));
                    break;
                case "DETACH" when s[from + 1].Is("PARTITION") && !s.Has("CONCURRENTLY", from, to) && !s.Has("FINALIZE", from, to):
                    findings.Add(new(DiagnosticCodes.DropOrReindexWithoutConcurrently,
                        $"DETACH PARTITION takes an AccessExclusiveLock on '{table}': nothing can read or write the partitioned table until it ends. Write DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+, ShareUpdateExclusiveLock) in a non-transactional file."));
                    break;
            }
        }
    }

    private static void AddAction(LockRiskStatement s, string table, bool existing, int at, int to, List<LockRiskFinding> findings)
    {
        var constraint = s[at].Is("CONSTRAINT");
        if (constraint)
            s.Name(at + 1, out at);
        var kind = s[at].Upper;
        if (constraint || kind is "FOREIGN" or "CHECK" or "PRIMARY" or "UNIQUE" or "EXCLUDE")
        {
            if (!existing)
                return;
            if (kind is "FOREIGN" or "CHECK" && !s.WordsAt(to - 2, "NOT", "VALID"))
            {
                var lockMode = kind == "FOREIGN"
                    ? $"a ShareRowExclusiveLock on '{table}' and on the table it references (writes wait)"
                    : $"an AccessExclusiveLock on '{table}' (reads and writes wait)";
                findings.Add(new(DiagnosticCodes.ConstraintWithoutNotValid,
                    $"ADD CONSTRAINT ... {(kind == "FOREIGN" ? "FOREIGN KEY" : "CHECK")} checks every row of '{table}' while holding {lockMode}. Add it with NOT VALID (brief lock), then VALIDATE CONSTRAINT in a separate file (ShareUpdateExclusiveLock: writes go on)."));
            }
            if (kind is "PRIMARY" or "UNIQUE" && !s.Has("USING", at, to))
                findings.Add(new(DiagnosticCodes.ConstraintIndexBuild,
                    $"ADD {(kind == "PRIMARY" ? "PRIMARY KEY" : "UNIQUE")} builds its index on '{table}' under an AccessExclusiveLock: nothing can read or write the table until it is built. Build it first with CREATE UNIQUE INDEX CONCURRENTLY in a non-transactional file, then ADD CONSTRAINT ... {(kind == "PRIMARY" ? "PRIMARY KEY" : "UNIQUE")} USING INDEX (brief lock)."));
            return;
        }
        var columnAt = s.Skip(s[at].Is("COLUMN") ? at + 1 : at, "IF", "NOT", "EXISTS");
        if (s.Mode == TransactionMode.None && !s.WordsAt(s[at].Is("COLUMN") ? at + 1 : at, "IF", "NOT", "EXISTS"))
            findings.Add(NotRerunnable(s, "ALTER TABLE ... ADD COLUMN IF NOT EXISTS"));
        if (!existing)
            return;
        var column = s.Name(columnAt, out var typeAt);
        if (column is null)
            return;
        string? why = null;
        if (SerialTypes.Contains(s[typeAt].Text))
            why = $"its type {s[typeAt].Text} draws a sequence value for each row";
        else if (s.Find("GENERATED", typeAt, to) is var g and >= 0 && s.Has("STORED", g, to))
            why = "a stored generated column is computed for each row";
        else if (s.Find("DEFAULT", typeAt, to) is var d and >= 0)
        {
            for (var k = d + 1; k < to; k++)
                if (s[k].Kind == SqlTokenKind.Word && VolatileFunctions.Contains(s[k].Text) && s[k + 1].IsSymbol("("))
                {
                    why = $"its default {s[k].Name}() is volatile, so it is evaluated for each row";
                    break;
                }
        }
        if (why is not null)
            findings.Add(new(DiagnosticCodes.VolatileDefault,
                $"ADD COLUMN '{column}' rewrites the whole of '{table}' under an AccessExclusiveLock: {why}. Add the column without that default (or with a constant one: no rewrite since PostgreSQL 11), SET DEFAULT in another statement, and fill existing rows in batches (a do-until-0 block with a LIMIT)."));
    }

    private static void AlterColumn(LockRiskStatement s, string table, bool existing, int at, List<LockRiskFinding> findings)
    {
        var column = s.Name(at, out var next);
        if (column is null || !existing)
            return;
        if (s.WordsAt(next, "SET", "NOT", "NULL"))
        {
            findings.Add(new(DiagnosticCodes.SetNotNull,
                $"SET NOT NULL on '{table}'.{column} scans every row under an AccessExclusiveLock: nothing can read or write the table meanwhile. Add CHECK ({column} IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it in a separate file (ShareUpdateExclusiveLock), then SET NOT NULL (PostgreSQL 12+ uses the constraint and skips the scan) and drop the CHECK."));
            return;
        }
        var typeAt = s.WordsAt(next, "SET", "DATA", "TYPE") ? next + 3 : s[next].Is("TYPE") ? next + 1 : -1;
        if (typeAt < 0 || IsBinaryCoercibleTarget(s, typeAt))
            return;
        findings.Add(new(DiagnosticCodes.ColumnTypeChange,
            $"ALTER COLUMN {column} TYPE rewrites '{table}' and rebuilds its indexes under an AccessExclusiveLock: nothing can read or write the table until it ends. Add a new column of the new type, fill it in batches, and switch over; only a change PostgreSQL knows binary-coercible (varchar(n) to a larger n or to text) avoids the rewrite."));
    }

    /// <summary>
    /// A change to text, or to varchar/character varying without a USING clause: North takes it as the
    /// widening PostgreSQL does without a rewrite (it cannot see the old type from the text alone).
    /// </summary>
    private static bool IsBinaryCoercibleTarget(LockRiskStatement s, int at)
    {
        var name = s[at].Upper;
        var varchar = name == "VARCHAR" || (name == "CHARACTER" && s[at + 1].Is("VARYING"));
        var textual = name == "TEXT" || varchar;
        return textual && !s.Has("USING", at);
    }

    private static bool LockTimeoutSetToZero(LockRiskStatement s)
    {
        var at = s.Skip(s.Skip(1, "SESSION"), "LOCAL");
        if (!s[at].Is("LOCK_TIMEOUT"))
            return false;
        var value = s[at + 2];
        return value.Is("DEFAULT") || value.Kind == SqlTokenKind.Number && value.Text.TrimStart('0').Length == 0
            || value.Kind == SqlTokenKind.String && StringValueIsZero(s.Statement.Text);
    }

    /// <summary>The quoted form: SET lock_timeout = '0' (or '0s', '0ms').</summary>
    private static bool StringValueIsZero(string text) =>
        System.Text.RegularExpressions.Regex.IsMatch(text, @"lock_timeout\s*(=|\bto\b)\s*'0+\s*(s|ms|min)?'", System.Text.RegularExpressions.RegexOptions.IgnoreCase);

    private static string ExplicitLockMode(LockRiskStatement s)
    {
        var inAt = s.Find("IN");
        var modeAt = s.Find("MODE");
        if (inAt < 0 || modeAt < inAt)
            return "an AccessExclusiveLock (the default of LOCK)";
        var words = s.Tokens.Skip(inAt + 1).Take(modeAt - inAt - 1).Select(t => t.Upper);
        return "a " + string.Concat(words.Select(w => w[0] + w[1..].ToLowerInvariant())) + "Lock";
    }
}
