namespace North.Core.Repository;

/// <summary>
/// The stable codes of <see cref="RepositoryDiagnostic"/>. Scripts may match on them; never
/// reuse a number. Each is documented in the README (Repository diagnostics).
/// </summary>
public static class DiagnosticCodes
{
    /// <summary>Error: the migrations root does not exist.</summary>
    public const string RootNotFound = "NORTH001";
    /// <summary>Warning: a root folder named like a version does not parse (<c>1.0-rc</c>); ignored.</summary>
    public const string UnparsableVersionFolder = "NORTH002";
    /// <summary>Error: two folders have equal versions (<c>17.01</c> and <c>17.1</c>).</summary>
    public const string DuplicateVersion = "NORTH003";
    /// <summary>Error: the same migration name in a version folder and its <c>manual/</c>.</summary>
    public const string DuplicateMigration = "NORTH004";
    /// <summary>Warning: a file looks like a migration but will be ignored.</summary>
    public const string LookAlikeFile = "NORTH005";
    /// <summary>Warning: a <c>--meta-psql:</c> line in a <c>ddl.sql</c> file, which is not manual.</summary>
    public const string MarkerInDdl = "NORTH006";
    /// <summary>Error: a meta-command other than <c>do-until-0</c>/<c>done</c>.</summary>
    public const string UnknownMetaCommand = "NORTH007";
    /// <summary>Error: <c>do-until-0</c> and <c>done</c> do not pair up.</summary>
    public const string UnbalancedBlock = "NORTH008";
    /// <summary>Error: the target version has no folder.</summary>
    public const string TargetNotFound = "NORTH009";
    /// <summary>Error: no schema file to initialize a database at the target (or the forced SchemaVersion is unusable).</summary>
    public const string SchemaNotFound = "NORTH010";
    /// <summary>Information: a version folder holds no migration.</summary>
    public const string EmptyVersion = "NORTH011";
    /// <summary>Error: a non-transactional statement inside an explicit BEGIN ... COMMIT.</summary>
    public const string NonTransactionalInTransaction = "NORTH012";
    /// <summary>Error: a file is not valid UTF-8.</summary>
    public const string InvalidUtf8 = "NORTH013";
    /// <summary>Information: a version folder that is a symbolic link; ignored.</summary>
    public const string SymlinkedVersionFolder = "NORTH014";
    /// <summary>Information: a migration file that is a symbolic link, ignored with IgnoreSymlinks.</summary>
    public const string SymlinkedFile = "NORTH015";
    /// <summary>Information: another file or folder found and not used.</summary>
    public const string OtherIgnored = "NORTH016";
    /// <summary>Error: a BeforeSchemaFiles/AfterSchemaFiles entry matches no file.</summary>
    public const string SchemaEntryNotFound = "NORTH017";
    /// <summary>Warning: a schema or fixtures file for a version that has no folder; never used.</summary>
    public const string OrphanSchemaFile = "NORTH018";
    /// <summary>Error: a file cannot be read.</summary>
    public const string Unreadable = "NORTH019";
    /// <summary>Error: the file cannot be read the way psql would (unterminated quote, unsupported meta-command, missing include).</summary>
    public const string UnreadableScript = "NORTH020";
    /// <summary>Error: a NUL byte in a migration (PostgreSQL cannot take one).</summary>
    public const string NulByte = "NORTH021";
    /// <summary>Error: a file named like a migration is a FIFO, a socket or a device, not a regular file.</summary>
    public const string NotRegularFile = "NORTH022";
    /// <summary>Error: an include (<c>\i</c>, <c>\ir</c>) or a schema/fixtures template resolves outside the migrations root and AllowedFolders.</summary>
    public const string PathOutsideRoot = "NORTH023";

    /// <summary>Error: a <c>LockRiskSeverities</c> entry is not <c>NORTH1xx=Error|Warning|Information|Off</c>.</summary>
    public const string InvalidLockRiskSeverity = "NORTH024";
    /// <summary>Error: a <c>\connect</c> (psql's new session) where no new session can start: after the first statement of an atomic file, or inside the file's own block.</summary>
    public const string NewSessionInTransaction = "NORTH025";

    // Lock-risk rules (src/North.Core/LockRisk): Warnings unless LockRiskSeverities says otherwise.

    /// <summary><c>CREATE INDEX</c> without <c>CONCURRENTLY</c> on a table not created in the same version (ShareLock: writes wait for the build).</summary>
    public const string IndexWithoutConcurrently = "NORTH101";
    /// <summary><c>DROP INDEX</c>, <c>REINDEX</c> or <c>DETACH PARTITION</c> without <c>CONCURRENTLY</c>.</summary>
    public const string DropOrReindexWithoutConcurrently = "NORTH102";
    /// <summary><c>ADD CONSTRAINT ... FOREIGN KEY</c> or <c>CHECK</c> without <c>NOT VALID</c> on an existing table (validated under the lock).</summary>
    public const string ConstraintWithoutNotValid = "NORTH103";
    /// <summary><c>ALTER COLUMN ... SET NOT NULL</c> on an existing table (full scan under AccessExclusiveLock).</summary>
    public const string SetNotNull = "NORTH104";
    /// <summary><c>ALTER COLUMN ... TYPE</c> that rewrites the table.</summary>
    public const string ColumnTypeChange = "NORTH105";
    /// <summary><c>ADD COLUMN</c> with a volatile default (or serial, or a stored generated column): rewrites the table.</summary>
    public const string VolatileDefault = "NORTH106";
    /// <summary><c>ADD PRIMARY KEY</c> / <c>ADD UNIQUE</c> without <c>USING INDEX</c> on an existing table.</summary>
    public const string ConstraintIndexBuild = "NORTH107";
    /// <summary><c>VACUUM FULL</c>, <c>CLUSTER</c> or <c>LOCK TABLE</c> in a migration.</summary>
    public const string ExclusiveMaintenance = "NORTH108";
    /// <summary><c>TRUNCATE ... CASCADE</c>.</summary>
    public const string TruncateCascade = "NORTH109";
    /// <summary><c>DROP TABLE</c>, <c>DROP COLUMN</c>, <c>RENAME</c> of an existing table or column: breaks running clients.</summary>
    public const string BreakingChange = "NORTH110";
    /// <summary>The file turns the lock timeout off (<c>SET lock_timeout = 0</c>, <c>RESET lock_timeout</c>, <c>RESET ALL</c>).</summary>
    public const string LockTimeoutOff = "NORTH111";
    /// <summary>A non-transactional file holds a statement that fails when re-run (no <c>IF [NOT] EXISTS</c>).</summary>
    public const string NotRerunnable = "NORTH112";
    /// <summary>An identifier longer than 63 bytes: PostgreSQL truncates it silently.</summary>
    public const string LongIdentifier = "NORTH113";
    /// <summary>A <c>do-until-0</c> block whose statements have no <c>LIMIT</c> nor bounded key range.</summary>
    public const string UnboundedBatch = "NORTH114";
}
