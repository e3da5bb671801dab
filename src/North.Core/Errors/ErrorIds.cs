namespace North.Core.Errors;

/// <summary>
/// Every ErrorId North raises, in one place: one meaning each. Scripts match on these values
/// (the FullyQualifiedErrorId starts with one), so a value never changes once released.
/// README.md's error catalogue lists each with what to do; a test keeps the two in step.
/// </summary>
public static class ErrorIds
{
    // Repository and settings (RepositoryException, SettingsException).

    /// <summary>The migrations root does not exist.</summary>
    public const string RepositoryNotFound = "NorthRepositoryNotFound";

    /// <summary>Two version folders have equal versions (NORTH003).</summary>
    public const string DuplicateVersion = "NorthDuplicateVersion";

    /// <summary>The same file name is in a version folder and its manual/ (NORTH004).</summary>
    public const string DuplicateMigration = "NorthDuplicateMigration";

    /// <summary>A file cannot be read: missing, dangling link, no permission.</summary>
    public const string FileUnreadable = "NorthFileUnreadable";

    /// <summary>A script file is a FIFO, a socket or a device (NORTH022).</summary>
    public const string FileNotRegular = "NorthFileNotRegular";

    /// <summary>An include or a schema/fixtures template resolves outside the migrations root and AllowedFolders (NORTH023).</summary>
    public const string PathOutsideRoot = "NorthPathOutsideRoot";

    /// <summary>A version the command needs (target, SchemaVersion, current, -Version) has no folder, or the repository has none.</summary>
    public const string VersionNotFound = "NorthVersionNotFound";

    /// <summary>No schema file to initialize a database: none at or below the target, or none for the forced SchemaVersion (NORTH010).</summary>
    public const string SchemaNotFound = "NorthSchemaNotFound";

    /// <summary>The forced SchemaVersion is above the target version.</summary>
    public const string SchemaVersionAboveTarget = "NorthSchemaVersionAboveTarget";

    /// <summary>A BeforeSchemaFiles/AfterSchemaFiles entry matches no file under schemas/ (NORTH017).</summary>
    public const string SchemaFileNotFound = "NorthSchemaFileNotFound";

    /// <summary>A setting has a bad value, north.json is malformed, has an unknown key or a secret.</summary>
    public const string SettingsInvalid = "NorthSettingsInvalid";

    /// <summary>north.json or septentrion.ini exists but cannot be read.</summary>
    public const string SettingsUnreadable = "NorthSettingsUnreadable";

    // Script files (ScriptException).

    /// <summary>The server rejected a statement of a file, or the file failed in its life (COMMIT, history insert, reset).</summary>
    public const string ScriptFailed = "NorthScriptFailed";

    /// <summary>A script file is malformed: an unterminated quote or comment, an unsupported meta-command.</summary>
    public const string ScriptInvalid = "NorthScriptInvalid";

    /// <summary>A NUL byte in a script (NORTH021): PostgreSQL cannot take one in a statement.</summary>
    public const string NulByte = "NorthNulByte";

    /// <summary>PostgreSQL refused a statement inside the one transaction an atomic file runs in (25001, 2D000, 55P04): nothing was kept.</summary>
    public const string AutocommitRequired = "NorthAutocommitRequired";

    /// <summary>A psql meta-command North refuses by design (a shell command, a prompt, another connection, AUTOCOMMIT or ON_ERROR_STOP off).</summary>
    public const string MetaCommandRefused = "NorthMetaCommandRefused";

    /// <summary>A <c>\connect</c> to the current database (psql's new session) where North cannot start one: in a file it runs in one transaction, or inside the file's own transaction block.</summary>
    public const string NewSessionInTransaction = "NorthNewSessionInTransaction";

    /// <summary>A query run by \gset returned no row or more than one (as psql, exactly one is required).</summary>
    public const string GsetRowCount = "NorthGsetRowCount";

    /// <summary>A do-until-0 block reached DoUntilZeroMaxIterations without an execution that changed 0 rows.</summary>
    public const string DoUntilZeroIterationLimit = "NorthDoUntilZeroIterationLimit";

    /// <summary>A do-until-0 block ran past DoUntilZeroTimeLimit; its running statement was cancelled.</summary>
    public const string DoUntilZeroTimeLimit = "NorthDoUntilZeroTimeLimit";

    /// <summary>A statement met a lock timeout (55P03) or a deadlock (40P01) and North gave up: its retries ran out, or the file had kept work a retry would redo. Names the blockers seen.</summary>
    public const string LockWaitFailed = "NorthLockWaitFailed";

    /// <summary>A CONCURRENTLY index build or reindex left its index invalid, or met an invalid index of that name left by an earlier failure.</summary>
    public const string InvalidIndex = "NorthInvalidIndex";

    // A run and its "exactly once".

    /// <summary>Another run holds the run lock past LockTimeout.</summary>
    public const string LockTimeout = "NorthLockTimeout";

    /// <summary>The run lock's session ended or lost the lock mid-run.</summary>
    public const string LockLost = "NorthLockLost";

    /// <summary>A file waits for North's own advisory key, which the run holds.</summary>
    public const string LockSelfDeadlock = "NorthLockSelfDeadlock";

    /// <summary>A file that cannot be atomic was started and never finished.</summary>
    public const string MigrationInterrupted = "NorthMigrationInterrupted";

    /// <summary>A resumable initialization stopped inside a non-transactional step.</summary>
    public const string InitializationInterrupted = "NorthInitializationInterrupted";

    /// <summary>Initializing a database that has tables of its own and no history.</summary>
    public const string DatabaseNotEmpty = "NorthDatabaseNotEmpty";

    /// <summary>FailOnModified is set and an applied file's checksum differs.</summary>
    public const string MigrationModified = "NorthMigrationModified";

    /// <summary>Register-NorthMigration -Name names no migration of that version.</summary>
    public const string MigrationNotFound = "NorthMigrationNotFound";

    /// <summary>The plan steps given to Invoke-NorthMigration are not a prefix of the current plan.</summary>
    public const string PlanMismatch = "NorthPlanMismatch";

    /// <summary>The database has no current version, and the command needs one.</summary>
    public const string NotInitialized = "NorthNotInitialized";

    // History table and version detection.

    /// <summary>The history table exists but lacks a column North needs.</summary>
    public const string HistoryTableInvalid = "NorthHistoryTableInvalid";

    /// <summary>The history table does not exist, and the command needs it.</summary>
    public const string HistoryTableMissing = "NorthHistoryTableMissing";

    /// <summary>The version detector found something that is not a version.</summary>
    public const string VersionUndetectable = "NorthVersionUndetectable";

    // Schema verification.

    /// <summary>Test-NorthSchema has no schema snapshot for the version it compares or replays (or for the one before it).</summary>
    public const string SchemaSnapshotNotFound = "NorthSchemaSnapshotNotFound";

    /// <summary>The role may not create the scratch database a schema comparison needs.</summary>
    public const string ScratchDatabaseDenied = "NorthScratchDatabaseDenied";

    // Connections.

    /// <summary>A connection string, URI or connection setting cannot be used.</summary>
    public const string ConnectionStringInvalid = "NorthConnectionStringInvalid";

    /// <summary>The server cannot be reached or refused the login.</summary>
    public const string ConnectionFailed = "NorthConnectionFailed";

    /// <summary>sslmode verify-ca/verify-full and the root certificate file does not exist.</summary>
    public const string SslRootCertificateMissing = "NorthSslRootCertificateMissing";

    /// <summary>A -Service name is defined in none of the connection service files (pg_service.conf) searched.</summary>
    public const string ServiceNotFound = "NorthServiceNotFound";

    /// <summary>A line of a connection service file (pg_service.conf) is not what libpq accepts.</summary>
    public const string ServiceFileInvalid = "NorthServiceFileInvalid";

    /// <summary>The server is older than the oldest supported PostgreSQL.</summary>
    public const string ServerUnsupported = "NorthServerUnsupported";

    // Daily tools.

    /// <summary>Clear-NorthDatabase on a database that matches no ClearableDatabases pattern, without -Force.</summary>
    public const string ClearRefused = "NorthClearRefused";

    /// <summary>The server refused Clear-NorthDatabase's TRUNCATE.</summary>
    public const string ClearFailed = "NorthClearFailed";

    /// <summary>New-NorthMigration's name or version is not valid.</summary>
    public const string MigrationNameInvalid = "NorthMigrationNameInvalid";

    /// <summary>New-NorthMigration's file or version folder exists already.</summary>
    public const string MigrationExists = "NorthMigrationExists";

    /// <summary>New-NorthTestDatabase's name exists already or is reserved.</summary>
    public const string TestDatabaseName = "NorthTestDatabaseName";

    /// <summary>Remove-NorthTestDatabase on a database New-NorthTestDatabase did not make.</summary>
    public const string NotTestDatabase = "NorthNotTestDatabase";

    /// <summary>The server refused a CREATE, ALTER or DROP DATABASE of a test database.</summary>
    public const string TestDatabaseFailed = "NorthTestDatabaseFailed";

    // Errors that are not North's own (the PowerShell layer's ErrorRecords).

    /// <summary>A parameter value the core refused as an ArgumentException.</summary>
    public const string InvalidArgument = "NorthInvalidArgument";

    /// <summary>The command was stopped (Ctrl+C, a cancelled pipeline).</summary>
    public const string Stopped = "NorthStopped";

    /// <summary>A failure North did not foresee: a defect to report.</summary>
    public const string UnexpectedError = "NorthUnexpectedError";
}
