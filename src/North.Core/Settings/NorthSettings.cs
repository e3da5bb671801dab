using North.Core.Versions;

namespace North.Core.Settings;

/// <summary>
/// Every setting North runs with (DESIGN.md section 4), resolved from parameters, environment,
/// <c>north.json</c>, <c>septentrion.ini</c> and defaults by <see cref="SettingsLoader"/>.
/// Immutable; a record so callers can derive a variant with <c>with { ... }</c>.
/// A bare <c>new NorthSettings { MigrationsRoot = path }</c> holds the defaults.
/// </summary>
public sealed record NorthSettings
{
    /// <summary>The migrations root (<c>-Path</c>), a full path once loaded.</summary>
    public string MigrationsRoot { get; init; } = ".";

    /// <summary>The version to migrate to; null means the latest version on disk.</summary>
    public MigrationVersion? TargetVersion { get; init; }

    /// <summary>Forces the schema version used to initialize a database; must be &lt;= the target.</summary>
    public MigrationVersion? SchemaVersion { get; init; }

    /// <summary>Schema file name under <c>schemas/</c>; <c>{}</c> or <c>{0}</c> is the version as written.</summary>
    public string SchemaTemplate { get; init; } = "schema_{}.sql";

    /// <summary>Fixtures file name under <c>fixtures/</c>; <c>{}</c> or <c>{0}</c> is the version as written.</summary>
    public string FixturesTemplate { get; init; } = "fixtures_{}.sql";

    /// <summary>Files, folders or globs relative to <c>schemas/</c>, run before the schema.</summary>
    public IReadOnlyList<string> BeforeSchemaFiles { get; init; } = [];

    /// <summary>Files, folders or globs relative to <c>schemas/</c>, run after the schema.</summary>
    public IReadOnlyList<string> AfterSchemaFiles { get; init; } = [];

    /// <summary>A file containing one of these (case-insensitive) runs statement by statement in autocommit.</summary>
    public IReadOnlyList<string> NonTransactionalKeywords { get; init; } = DefaultNonTransactionalKeywords;

    /// <summary>septentrion's defaults for <see cref="NonTransactionalKeywords"/>.</summary>
    public static readonly IReadOnlyList<string> DefaultNonTransactionalKeywords = ["CONCURRENTLY", "ALTER TYPE", "VACUUM"];

    /// <summary>psql variables every file starts with (<c>psql -v name=value</c>): <c>:name</c> in a file.</summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Severity per lock-risk rule (<c>NORTH103=Error</c>, <c>NORTH110=Off</c>); a rule not named is a Warning.</summary>
    public IReadOnlyList<string> LockRiskSeverities { get; init; } = [];

    /// <summary>Ignore migration files that are symbolic links (septentrion's <c>--ignore-symlinks</c>).</summary>
    public bool IgnoreSymlinks { get; init; }

    /// <summary>The history table layout.</summary>
    public HistoryStyle HistoryStyle { get; init; } = HistoryStyle.North;

    /// <summary>Schema of the history table; null = the search path.</summary>
    public string? HistorySchema { get; init; }

    /// <summary>History table name; null = the style's default.</summary>
    public string? HistoryTable { get; init; }

    /// <summary>Version column; null = the style's default.</summary>
    public string? VersionColumn { get; init; }

    /// <summary>Migration name column; null = the style's default.</summary>
    public string? NameColumn { get; init; }

    /// <summary>Applied-at column; null = the style's default.</summary>
    public string? AppliedAtColumn { get; init; }

    /// <summary>How the current version of a database is found.</summary>
    public VersionDetector VersionDetector { get; init; } = VersionDetector.History;

    /// <summary>Table read by <see cref="VersionDetector.VersionTable"/>.</summary>
    public string VersionTable { get; init; } = "sql_version";

    /// <summary>Column read by <see cref="VersionDetector.VersionTable"/>.</summary>
    public string VersionTableColumn { get; init; } = "version_num";

    /// <summary>Table whose comment <see cref="VersionDetector.TableComment"/> reads.</summary>
    public string CommentTable { get; init; } = "django_site";

    /// <summary>Names (wildcards <c>*</c>, <c>?</c>) of the databases Clear-NorthDatabase may empty without -Force.</summary>
    public IReadOnlyList<string> ClearableDatabases { get; init; } = [];

    /// <summary>A file edited after it was applied stops a run (as Flyway's validate); false: a warning.</summary>
    public bool FailOnModified { get; init; }

    /// <summary>How long a run waits for the migration lock.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// <c>lock_timeout</c> set for each file (a file's own SET wins); null or zero = unset. A default, so
    /// DDL never queues for ever behind a long transaction while every later query queues behind it.
    /// </summary>
    public TimeSpan? DdlLockTimeout { get; init; } = DefaultDdlLockTimeout;

    public static readonly TimeSpan DefaultDdlLockTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The lock_timeout North sets before each file: <see cref="DdlLockTimeout"/>, null when unset or zero (the server's own then). A method: not a setting of its own.</summary>
    public TimeSpan? LockTimeoutForFiles() => DdlLockTimeout > TimeSpan.Zero ? DdlLockTimeout : null;

    /// <summary>Attempts after the first for a file or statement that met a lock timeout or a deadlock, when nothing of it was kept; 0 = no retry.</summary>
    public int LockRetries { get; init; } = DefaultLockRetries;

    public const int DefaultLockRetries = 5;

    /// <summary>The longest wait between two attempts (the back-off doubles from 500 ms up to it, with jitter).</summary>
    public TimeSpan LockRetryMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>An invalid index left by an earlier failure, met before a CONCURRENTLY build of that name, is dropped concurrently and built again (false: an error).</summary>
    public bool RebuildInvalidIndexes { get; init; }

    /// <summary>Before the first file, sessions of the database whose transaction is older than this are listed in a warning (idle in transaction ones always); zero = no check.</summary>
    public TimeSpan LongTransactionThreshold { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary><c>statement_timeout</c> set for each file; null = unset.</summary>
    public TimeSpan? DdlStatementTimeout { get; init; }

    /// <summary>Folders outside the migrations root (relative to it) that includes and the schema/fixtures templates may read.</summary>
    public IReadOnlyList<string> AllowedFolders { get; init; } = [];

    /// <summary>Cap on the executions of one do-until-0 block (a block that never reaches 0 rows is a bug); 0 = no cap.</summary>
    public int DoUntilZeroMaxIterations { get; init; } = DefaultDoUntilZeroMaxIterations;

    /// <summary>Time one do-until-0 block may run, all its executions together; zero = no limit.</summary>
    public TimeSpan DoUntilZeroTimeLimit { get; init; } = DefaultDoUntilZeroTimeLimit;

    public const int DefaultDoUntilZeroMaxIterations = 100_000;

    public static readonly TimeSpan DefaultDoUntilZeroTimeLimit = TimeSpan.FromHours(1);

    /// <summary>
    /// How many targets of one call may run at once on one PostgreSQL server (host and port);
    /// null = the cmdlet's default (1 for cmdlets that change a database, no cap beyond -ThrottleLimit
    /// for those that read); 0 = no cap.
    /// </summary>
    public int? ServerThrottleLimit { get; init; }

    /// <summary>The per-server cap a call runs under: the setting, else 1 for a call that changes databases, else none (0).</summary>
    public int ServerThrottleLimitFor(bool changesDatabases) => ServerThrottleLimit ?? (changesDatabases ? 1 : 0);

    /// <summary>A connection string (keyword form or URI) as given; turned into a connection elsewhere.</summary>
    public string? ConnectionString { get; init; }

    public string? Host { get; init; }

    public int? Port { get; init; }

    public string? Database { get; init; }

    public string? Username { get; init; }

    /// <summary>A password from a parameter or environment variable; never printed.</summary>
    public string? Password { get; init; }

    /// <summary>Which source gave each setting, by setting name (<c>TargetVersion</c>...).</summary>
    public IReadOnlyDictionary<string, SettingSource> Sources { get; init; } = new Dictionary<string, SettingSource>();

    /// <summary>The source of <paramref name="settingName"/>, <see cref="SettingSource.Default"/> when unknown.</summary>
    public SettingSource SourceOf(string settingName) =>
        Sources.TryGetValue(settingName, out var source) ? source : SettingSource.Default;

    // A record prints every property; the password must never show in output or logs.
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Style", "IDE0051", Justification = "Called by the record's compiler-generated ToString.")]
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("MigrationsRoot = ").Append(MigrationsRoot)
            .Append(", TargetVersion = ").Append(TargetVersion)
            .Append(", HistoryStyle = ").Append(HistoryStyle)
            .Append(", Password = ").Append(Password is null ? "(none)" : "(set)");
        return true;
    }
}
