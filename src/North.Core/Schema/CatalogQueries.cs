namespace North.Core.Schema;

/// <summary>
/// The pg_catalog queries behind <see cref="CatalogReader"/>: one per family of objects, all sent
/// in one batch. Every query returns <c>(type, schema, relation, name, properties jsonb)</c>;
/// property values are text so that two catalogs compare with plain string equality.
/// </summary>
/// <remarks>
/// pg_catalog, never information_schema (which hides what the role cannot see). Objects that
/// belong to an extension (pg_depend deptype <c>e</c>) are left out: the extension is compared
/// by name, schema and version instead. Texts come from the server's own deparsers
/// (pg_get_*def, format_type, pg_get_expr), read with search_path '' so they are qualified.
/// </remarks>
internal static class CatalogQueries
{
    private static string UserSchema(string n) =>
        $"{n}.nspname NOT IN ('pg_catalog', 'information_schema') AND {n}.nspname NOT LIKE 'pg\\_toast%' AND {n}.nspname NOT LIKE 'pg\\_temp\\_%'";

    private static string NotInExtension(string catalog, string oid) =>
        $"NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_catalog.{catalog}'::pg_catalog.regclass AND e.objid = {oid} AND e.deptype = 'e')";

    /// <summary>Privileges as <c>role:priv,priv; role:priv*</c> (<c>*</c> = grantable), grantor left
    /// out, NULL acl made explicit with acldefault so "never granted" equals "granted the defaults".</summary>
    private static string Privileges(string acl, char kind, string owner) =>
        $"""
        (SELECT string_agg(g, '; ' ORDER BY g) FROM (
            SELECT CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(x.grantee) END || ':' ||
                   string_agg(x.privilege_type || CASE WHEN x.is_grantable THEN '*' ELSE '' END, ',' ORDER BY x.privilege_type) AS g
            FROM pg_catalog.aclexplode(coalesce({acl}, pg_catalog.acldefault('{kind}', {owner}))) x GROUP BY x.grantee) p)
        """;

    private static string ColumnPrivileges(string acl) =>
        $"""
        (SELECT string_agg(g, '; ' ORDER BY g) FROM (
            SELECT CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(x.grantee) END || ':' ||
                   string_agg(x.privilege_type || CASE WHEN x.is_grantable THEN '*' ELSE '' END, ',' ORDER BY x.privilege_type) AS g
            FROM pg_catalog.aclexplode({acl}) x GROUP BY x.grantee) p)
        """;

    private static string SortedOptions(string options) =>
        $"pg_catalog.array_to_string(ARRAY(SELECT o FROM unnest({options}) o ORDER BY o), ', ')";

    // Not ::regcollation, which PostgreSQL 12 lacks.
    private static string CollationName(string oid) =>
        $"(SELECT cn.nspname || '.' || co.collname FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = {oid})";

    private static string Comment(string oid, string catalog) =>
        $"pg_catalog.obj_description({oid}, '{catalog}')";

    /// <summary>The session settings that change deparsed text, pinned for one transaction; and
    /// JIT off: compiling these catalog queries costs seconds and saves nothing.</summary>
    public const string SessionSettings =
        "SET LOCAL jit = off; SET LOCAL search_path = ''; SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'; " +
        "SET LOCAL IntervalStyle = 'postgres'; SET LOCAL extra_float_digits = 3; SET LOCAL lc_monetary = 'C'";

    public static string Schemas => $"""
        SELECT 'Schema', n.nspname, NULL, n.nspname, jsonb_build_object(
            'Owner', pg_catalog.pg_get_userbyid(n.nspowner),
            'Privileges', {Privileges("n.nspacl", 'n', "n.nspowner")},
            'Comment', {Comment("n.oid", "pg_namespace")})
        FROM pg_catalog.pg_namespace n
        WHERE {UserSchema("n")} AND {NotInExtension("pg_namespace", "n.oid")}
        """;

    public static string Extensions => """
        SELECT 'Extension', n.nspname, NULL, x.extname, jsonb_build_object(
            'Schema', n.nspname,
            'Version', x.extversion,
            'Comment', pg_catalog.obj_description(x.oid, 'pg_extension'))
        FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace
        """;

    public static string Tables => $"""
        SELECT CASE c.relkind WHEN 'f' THEN 'ForeignTable' ELSE 'Table' END, n.nspname, c.relname, c.relname, jsonb_build_object(
            'Kind', CASE c.relkind WHEN 'p' THEN 'partitioned table' WHEN 'f' THEN 'foreign table' ELSE 'table' END,
            'Persistence', CASE c.relpersistence WHEN 'u' THEN 'unlogged' ELSE 'permanent' END,
            'PartitionKey', CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END,
            'PartitionOf', CASE WHEN c.relispartition THEN (
                SELECT pn.nspname || '.' || p.relname FROM pg_catalog.pg_inherits i
                JOIN pg_catalog.pg_class p ON p.oid = i.inhparent JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
                WHERE i.inhrelid = c.oid) END,
            'PartitionBound', CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END,
            'Inherits', CASE WHEN NOT c.relispartition THEN (
                SELECT string_agg(pn.nspname || '.' || p.relname, ', ' ORDER BY i.inhseqno) FROM pg_catalog.pg_inherits i
                JOIN pg_catalog.pg_class p ON p.oid = i.inhparent JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
                WHERE i.inhrelid = c.oid) END,
            'RowSecurity', c.relrowsecurity::text,
            'ForceRowSecurity', c.relforcerowsecurity::text,
            'ReplicaIdentity', CASE c.relreplident WHEN 'd' THEN 'default' WHEN 'n' THEN 'nothing' WHEN 'f' THEN 'full'
                ELSE 'index ' || (SELECT ic.relname FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid
                                  WHERE x.indrelid = c.oid AND x.indisreplident) END,
            'Options', {SortedOptions("c.reloptions")},
            'AccessMethod', (SELECT amname FROM pg_catalog.pg_am WHERE oid = c.relam),
            'Tablespace', (SELECT spcname FROM pg_catalog.pg_tablespace WHERE oid = c.reltablespace),
            'ForeignServer', (SELECT s.srvname FROM pg_catalog.pg_foreign_table ft JOIN pg_catalog.pg_foreign_server s ON s.oid = ft.ftserver WHERE ft.ftrelid = c.oid),
            'ForeignOptions', (SELECT {SortedOptions("ft.ftoptions")} FROM pg_catalog.pg_foreign_table ft WHERE ft.ftrelid = c.oid),
            'Owner', pg_catalog.pg_get_userbyid(c.relowner),
            'Privileges', {Privileges("c.relacl", 'r', "c.relowner")},
            'Comment', {Comment("c.oid", "pg_class")})
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'f') AND {UserSchema("n")} AND {NotInExtension("pg_class", "c.oid")}
        """;

    /// <summary>
    /// NOT NULL is the column's nullability on every version. From PostgreSQL 18 it is also a
    /// constraint in pg_constraint (contype 'n') with a name and flags; they are part of the same
    /// property, so one change is one difference: "true", or "true, constraint nn, not valid, no
    /// inherit" listing only what is not the default (the name PostgreSQL chooses,
    /// table_column_not_null; a name inherited from a parent; validated; inherited).
    /// </summary>
    private static string NotNull(int serverMajor) => serverMajor < 18
        ? "a.attnotnull::text"
        : """
          CASE WHEN NOT a.attnotnull THEN 'false' ELSE coalesce((
              SELECT pg_catalog.concat_ws(', ', 'true',
                     CASE WHEN k.conislocal AND k.conname <> c.relname || '_' || a.attname || '_not_null'
                          THEN 'constraint ' || pg_catalog.quote_ident(k.conname) END,
                     CASE WHEN NOT k.convalidated THEN 'not valid' END,
                     CASE WHEN k.connoinherit THEN 'no inherit' END)
              FROM pg_catalog.pg_constraint k
              WHERE k.conrelid = c.oid AND k.contype = 'n' AND k.conkey[1] = a.attnum LIMIT 1), 'true') END
          """;

    public static string Columns(int serverMajor) => $"""
        SELECT 'Column', n.nspname, c.relname, a.attname, jsonb_build_object(
            'Type', pg_catalog.format_type(a.atttypid, a.atttypmod),
            'NotNull', {NotNull(serverMajor)},
            'Default', CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END,
            'Generated', CASE WHEN a.attgenerated <> '' THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid)
                         || CASE a.attgenerated WHEN 'v' THEN ' virtual' ELSE ' stored' END END,
            'Identity', CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END,
            'IdentitySequence', CASE WHEN a.attidentity <> '' THEN (
                SELECT pg_catalog.format('%s start %s increment %s minvalue %s maxvalue %s cache %s%s',
                       pg_catalog.format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache,
                       CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END)
                FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_sequence s ON s.seqrelid = d.objid
                WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = c.oid
                  AND d.refobjsubid = a.attnum AND d.deptype = 'i' LIMIT 1) END,
            'Collation', CASE WHEN a.attcollation <> t.typcollation THEN {CollationName("a.attcollation")} END,
            'Storage', CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage::text END,
            'Statistics', CASE WHEN a.attstattarget >= 0 THEN a.attstattarget::text END,
            'Compression', {(serverMajor >= 14 ? "nullif(a.attcompression::text, '')" : "NULL")},
            'Privileges', {ColumnPrivileges("a.attacl")},
            'Comment', pg_catalog.col_description(c.oid, a.attnum))
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
        WHERE c.relkind IN ('r', 'p', 'f') AND a.attnum > 0 AND NOT a.attisdropped
          AND {UserSchema("n")} AND {NotInExtension("pg_class", "c.oid")}
        """;

    /// <summary>Live columns in order, apart from content: <c>(schema, table, names[])</c>.</summary>
    public static string ColumnOrder => $"""
        SELECT n.nspname, c.relname, array_agg(a.attname::text ORDER BY a.attnum)
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'f') AND a.attnum > 0 AND NOT a.attisdropped
          AND {UserSchema("n")} AND {NotInExtension("pg_class", "c.oid")}
        GROUP BY n.nspname, c.relname
        """;

    // The deferrable/validated/no-inherit clauses are cut from the definition: they are
    // properties of their own, and one change must give one difference. NO INHERIT means
    // something for a CHECK only (a restored partition's primary key differs there, harmlessly).
    public static string Constraints => $"""
        SELECT 'Constraint', n.nspname, c.relname, k.conname, jsonb_build_object(
            'Type', CASE k.contype WHEN 'c' THEN 'check' WHEN 'f' THEN 'foreign key' WHEN 'p' THEN 'primary key'
                    WHEN 'u' THEN 'unique' WHEN 'x' THEN 'exclusion' ELSE k.contype::text END,
            'Definition', pg_catalog.regexp_replace(pg_catalog.pg_get_constraintdef(k.oid),
                    '( NO INHERIT)?( DEFERRABLE)?( INITIALLY DEFERRED)?( NOT VALID)?$', ''),
            'Deferrable', CASE WHEN NOT k.condeferrable THEN 'not deferrable'
                    WHEN k.condeferred THEN 'initially deferred' ELSE 'initially immediate' END,
            'Validated', k.convalidated::text,
            'NoInherit', CASE WHEN k.contype = 'c' THEN k.connoinherit::text END,
            'Comment', {Comment("k.oid", "pg_constraint")})
        FROM pg_catalog.pg_constraint k
        JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE k.contype NOT IN ('t', 'n') AND {UserSchema("n")} AND {NotInExtension("pg_class", "c.oid")}
        """;

    // Indexes that implement a primary key, unique or exclusion constraint are the constraint:
    // reporting both would say the same thing twice.
    public static string Indexes => $"""
        SELECT 'Index', n.nspname, t.relname, i.relname, jsonb_build_object(
            'Definition', pg_catalog.pg_get_indexdef(i.oid),
            'Valid', x.indisvalid::text,
            'Clustered', x.indisclustered::text,
            'Tablespace', (SELECT spcname FROM pg_catalog.pg_tablespace WHERE oid = i.reltablespace),
            'Comment', {Comment("i.oid", "pg_class")})
        FROM pg_catalog.pg_index x
        JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
        JOIN pg_catalog.pg_class t ON t.oid = x.indrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = i.relnamespace
        WHERE {UserSchema("n")} AND {NotInExtension("pg_class", "t.oid")}
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k
                          WHERE k.conindid = x.indexrelid AND k.conrelid = x.indrelid AND k.contype IN ('p', 'u', 'x'))
        """;

    // Identity sequences belong to their column (Column.IdentitySequence); last_value is data.
    public static string Sequences => $"""
        SELECT 'Sequence', n.nspname, o.relname, c.relname, jsonb_build_object(
            'Type', pg_catalog.format_type(s.seqtypid, NULL),
            'Start', s.seqstart::text,
            'Increment', s.seqincrement::text,
            'Minimum', s.seqmin::text,
            'Maximum', s.seqmax::text,
            'Cache', s.seqcache::text,
            'Cycle', s.seqcycle::text,
            'OwnedBy', CASE WHEN o.relname IS NOT NULL THEN o.nspname || '.' || o.relname || '.' || o.attname END,
            'Persistence', CASE c.relpersistence WHEN 'u' THEN 'unlogged' ELSE 'permanent' END,
            'Owner', pg_catalog.pg_get_userbyid(c.relowner),
            'Privileges', {Privileges("c.relacl", 's', "c.relowner")},
            'Comment', {Comment("c.oid", "pg_class")})
        FROM pg_catalog.pg_sequence s
        JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN LATERAL (
            SELECT tn.nspname, t.relname, a.attname FROM pg_catalog.pg_depend d
            JOIN pg_catalog.pg_class t ON t.oid = d.refobjid
            JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
            JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
            WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
              AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype = 'a' LIMIT 1) o ON true
        WHERE {UserSchema("n")} AND {NotInExtension("pg_class", "c.oid")}
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                          AND d.objid = c.oid AND d.deptype = 'i')
        """;

    public static string Views => $"""
        SELECT CASE c.relkind WHEN 'v' THEN 'View' ELSE 'MaterializedView' END, n.nspname, c.relname, c.relname, jsonb_build_object(
            'Definition', pg_catalog.pg_get_viewdef(c.oid),
            'Options', {SortedOptions("c.reloptions")},
            'Owner', pg_catalog.pg_get_userbyid(c.relowner),
            'Privileges', {Privileges("c.relacl", 'r', "c.relowner")},
            'Comment', {Comment("c.oid", "pg_class")})
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('v', 'm') AND {UserSchema("n")} AND {NotInExtension("pg_class", "c.oid")}
        """;

    public static string Routines(bool sqlBody) => $"""
        SELECT CASE p.prokind WHEN 'p' THEN 'Procedure' WHEN 'a' THEN 'Aggregate' ELSE 'Function' END,
            n.nspname, NULL, p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')', jsonb_build_object(
            'Arguments', pg_catalog.pg_get_function_arguments(p.oid),
            'Returns', CASE WHEN p.prokind <> 'p' THEN pg_catalog.pg_get_function_result(p.oid) END,
            'Language', l.lanname,
            'Body', CASE WHEN p.prokind = 'a' THEN NULL
                    {(sqlBody ? "WHEN p.prosqlbody IS NOT NULL THEN pg_catalog.pg_get_function_sqlbody(p.oid)" : "")}
                    ELSE p.prosrc END,
            'Volatility', CASE p.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable' ELSE 'volatile' END,
            'Strict', p.proisstrict::text,
            'SecurityDefiner', p.prosecdef::text,
            'Parallel', CASE p.proparallel WHEN 's' THEN 'safe' WHEN 'r' THEN 'restricted' ELSE 'unsafe' END,
            'Leakproof', p.proleakproof::text,
            'Cost', p.procost::text,
            'Rows', p.prorows::text,
            'Window', CASE WHEN p.prokind = 'w' THEN 'true' END,
            'Config', pg_catalog.array_to_string(p.proconfig, ', '),
            'Transition', CASE WHEN p.prokind = 'a' THEN ag.aggtransfn::pg_catalog.regprocedure::text END,
            'StateType', CASE WHEN p.prokind = 'a' THEN pg_catalog.format_type(ag.aggtranstype, NULL) END,
            'Final', CASE WHEN ag.aggfinalfn <> 0 THEN ag.aggfinalfn::pg_catalog.regprocedure::text END,
            'Combine', CASE WHEN ag.aggcombinefn <> 0 THEN ag.aggcombinefn::pg_catalog.regprocedure::text END,
            'InitialCondition', ag.agginitval,
            'SortOperator', CASE WHEN ag.aggsortop <> 0 THEN ag.aggsortop::pg_catalog.regoperator::text END,
            'Owner', pg_catalog.pg_get_userbyid(p.proowner),
            'Privileges', {Privileges("p.proacl", 'f', "p.proowner")},
            'Comment', {Comment("p.oid", "pg_proc")})
        FROM pg_catalog.pg_proc p
        JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        JOIN pg_catalog.pg_language l ON l.oid = p.prolang
        LEFT JOIN pg_catalog.pg_aggregate ag ON ag.aggfnoid = p.oid
        WHERE {UserSchema("n")} AND {NotInExtension("pg_proc", "p.oid")}
        """;

    // Triggers a partition inherits from its parent's trigger are re-created by ATTACH: they are
    // compared as the parent's.
    public static string Triggers => $"""
        SELECT 'Trigger', n.nspname, c.relname, g.tgname, jsonb_build_object(
            'Definition', pg_catalog.pg_get_triggerdef(g.oid),
            'Enabled', CASE g.tgenabled WHEN 'O' THEN 'origin' WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'replica' WHEN 'A' THEN 'always' END,
            'Comment', {Comment("g.oid", "pg_trigger")})
        FROM pg_catalog.pg_trigger g
        JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT g.tgisinternal AND {UserSchema("n")} AND {NotInExtension("pg_class", "c.oid")}
        """;

    public static string Rules => $"""
        SELECT 'Rule', n.nspname, c.relname, r.rulename, jsonb_build_object(
            'Definition', pg_catalog.pg_get_ruledef(r.oid),
            'Enabled', CASE r.ev_enabled WHEN 'O' THEN 'origin' WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'replica' WHEN 'A' THEN 'always' END,
            'Comment', {Comment("r.oid", "pg_rewrite")})
        FROM pg_catalog.pg_rewrite r
        JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE r.rulename <> '_RETURN' AND {UserSchema("n")} AND {NotInExtension("pg_class", "c.oid")}
        """;

    public static string Policies => $"""
        SELECT 'Policy', n.nspname, c.relname, p.polname, jsonb_build_object(
            'Command', CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
            'Permissive', p.polpermissive::text,
            'Roles', (SELECT string_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(r) END, '; ' ORDER BY 1)
                      FROM unnest(p.polroles) r),
            'Using', pg_catalog.pg_get_expr(p.polqual, p.polrelid),
            'WithCheck', pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid),
            'Comment', {Comment("p.oid", "pg_policy")})
        FROM pg_catalog.pg_policy p
        JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE {UserSchema("n")} AND {NotInExtension("pg_class", "c.oid")}
        """;

    // Enums, composite types (not a table's row type), domains and range types. A domain's CHECKs
    // become properties "Check <name>" so a changed or missing check names itself.
    public static string Types => $"""
        SELECT CASE t.typtype WHEN 'e' THEN 'Enum' WHEN 'c' THEN 'CompositeType' WHEN 'd' THEN 'Domain' ELSE 'RangeType' END,
            n.nspname, NULL, t.typname, jsonb_build_object(
            'Labels', CASE WHEN t.typtype = 'e' THEN (
                SELECT string_agg(pg_catalog.quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
                FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) END,
            'Attributes', CASE WHEN t.typtype = 'c' THEN (
                SELECT string_agg(pg_catalog.quote_ident(a.attname) || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod)
                       || CASE WHEN a.attcollation <> at.typcollation THEN ' COLLATE ' || {CollationName("a.attcollation")} ELSE '' END,
                       ', ' ORDER BY a.attnum)
                FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type at ON at.oid = a.atttypid
                WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) END,
            'BaseType', CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END,
            'Default', CASE WHEN t.typtype = 'd' THEN pg_catalog.pg_get_expr(t.typdefaultbin, 0) END,
            'NotNull', CASE WHEN t.typtype = 'd' THEN t.typnotnull::text END,
            'Collation', CASE WHEN t.typtype = 'd' AND t.typcollation <> bt.typcollation THEN {CollationName("t.typcollation")} END,
            'Subtype', CASE WHEN t.typtype = 'r' THEN pg_catalog.format_type(r.rngsubtype, NULL) END,
            'SubtypeCollation', CASE WHEN r.rngcollation <> 0 THEN {CollationName("r.rngcollation")} END,
            'SubtypeOperatorClass', (SELECT oc.opcname FROM pg_catalog.pg_opclass oc WHERE oc.oid = r.rngsubopc),
            'Canonical', CASE WHEN r.rngcanonical <> 0 THEN r.rngcanonical::pg_catalog.regprocedure::text END,
            'SubtypeDiff', CASE WHEN r.rngsubdiff <> 0 THEN r.rngsubdiff::pg_catalog.regprocedure::text END,
            'Owner', pg_catalog.pg_get_userbyid(t.typowner),
            'Privileges', {Privileges("t.typacl", 'T', "t.typowner")},
            'Comment', {Comment("t.oid", "pg_type")})
            || coalesce((SELECT jsonb_object_agg('Check ' || k.conname, pg_catalog.pg_get_constraintdef(k.oid))
                         FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c'), pg_catalog.jsonb_build_object())
        FROM pg_catalog.pg_type t
        JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
        LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
        LEFT JOIN pg_catalog.pg_range r ON r.rngtypid = t.oid
        WHERE t.typtype IN ('e', 'c', 'd', 'r')
          AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_catalog.pg_class WHERE oid = t.typrelid) = 'c')
          AND {UserSchema("n")} AND {NotInExtension("pg_type", "t.oid")}
        """;

    public static string Collations => $"""
        SELECT 'Collation', n.nspname, NULL, c.collname, jsonb_build_object(
            'Provider', CASE c.collprovider WHEN 'i' THEN 'icu' WHEN 'c' THEN 'libc' ELSE 'default' END,
            'Deterministic', c.collisdeterministic::text,
            'Collate', c.collcollate,
            'Ctype', c.collctype,
            'Owner', pg_catalog.pg_get_userbyid(c.collowner),
            'Comment', {Comment("c.oid", "pg_collation")})
        FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace
        WHERE {UserSchema("n")} AND {NotInExtension("pg_collation", "c.oid")}
        """;

    public static string Statistics => $"""
        SELECT 'Statistics', n.nspname, c.relname, s.stxname, jsonb_build_object(
            'Definition', pg_catalog.pg_get_statisticsobjdef(s.oid),
            'Owner', pg_catalog.pg_get_userbyid(s.stxowner),
            'Comment', {Comment("s.oid", "pg_statistic_ext")})
        FROM pg_catalog.pg_statistic_ext s
        JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace
        JOIN pg_catalog.pg_class c ON c.oid = s.stxrelid
        WHERE {UserSchema("n")} AND {NotInExtension("pg_class", "c.oid")}
        """;

    // Event triggers belong to the database, not a schema: reported under the schema "".
    public static string EventTriggers => $"""
        SELECT 'EventTrigger', '', NULL, et.evtname, jsonb_build_object(
            'Event', et.evtevent,
            'Function', et.evtfoid::pg_catalog.regprocedure::text,
            'Tags', pg_catalog.array_to_string(ARRAY(SELECT t FROM unnest(et.evttags) t ORDER BY t), ', '),
            'Enabled', CASE et.evtenabled WHEN 'O' THEN 'origin' WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'replica' WHEN 'A' THEN 'always' END,
            'Owner', pg_catalog.pg_get_userbyid(et.evtowner),
            'Comment', {Comment("et.oid", "pg_event_trigger")})
        FROM pg_catalog.pg_event_trigger et
        WHERE {NotInExtension("pg_event_trigger", "et.oid")}
        """;

    /// <summary>The queries of the object batch, in order.</summary>
    public static IReadOnlyList<string> ObjectQueries(int serverMajor) =>
    [
        Schemas, Extensions, Tables, Columns(serverMajor), Constraints, Indexes, Sequences, Views,
        Routines(serverMajor >= 14), Triggers, Rules, Policies, Types, Collations, Statistics, EventTriggers,
    ];
}
