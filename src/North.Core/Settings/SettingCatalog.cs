using North.Core.Versions;

namespace North.Core.Settings;

/// <summary>
/// Every setting North knows, with the key names septentrion used for it (its <c>septentrion.ini</c>
/// keys and, upper-cased after <c>SEPTENTRION_</c>, its environment variables; see septentrion's
/// <c>configuration.py</c> DEFAULTS and <c>cli.py</c> options).
/// </summary>
internal static class SettingCatalog
{
    /// <summary>septentrion keys North accepts in septentrion.ini but does not use (CLI habits, a flag).</summary>
    public static readonly IReadOnlySet<string> IgnoredSeptentrionKeys =
        new HashSet<string>(StringComparer.Ordinal) { "verbosity", "create_table", "password", "config_file" };

    /// <summary>The JSON schema reference key editors use; allowed in north.json.</summary>
    public const string SchemaKey = "$schema";

    public static readonly IReadOnlyList<SettingDefinition> All =
    [
        new(nameof(NorthSettings.MigrationsRoot), SettingType.Path, ["migrations_root"],
            (s, v) => s with { MigrationsRoot = (string)v! }, p => p.MigrationsRoot, AllowedInJson: false,
            ExtraSeptentrionEnvironment: ["SEPTENTRION_MIGRATION_ROOT"]),
        new(nameof(NorthSettings.TargetVersion), SettingType.Version, ["target_version"],
            (s, v) => s with { TargetVersion = (MigrationVersion?)v }, p => p.TargetVersion),
        new(nameof(NorthSettings.SchemaVersion), SettingType.Version, ["schema_version"],
            (s, v) => s with { SchemaVersion = (MigrationVersion?)v }, p => p.SchemaVersion),
        new(nameof(NorthSettings.SchemaTemplate), SettingType.Text, ["schema_template"],
            (s, v) => s with { SchemaTemplate = (string)v! }, p => p.SchemaTemplate),
        new(nameof(NorthSettings.FixturesTemplate), SettingType.Text, ["fixtures_template"],
            (s, v) => s with { FixturesTemplate = (string)v! }, p => p.FixturesTemplate),
        // additional_schema_file is septentrion's deprecated name for before_schema_file.
        new(nameof(NorthSettings.BeforeSchemaFiles), SettingType.List, ["before_schema_file", "additional_schema_file"],
            (s, v) => s with { BeforeSchemaFiles = (IReadOnlyList<string>)v! }, p => p.BeforeSchemaFiles),
        new(nameof(NorthSettings.AfterSchemaFiles), SettingType.List, ["after_schema_file"],
            (s, v) => s with { AfterSchemaFiles = (IReadOnlyList<string>)v! }, p => p.AfterSchemaFiles),
        new(nameof(NorthSettings.NonTransactionalKeywords), SettingType.List, ["non_transactional_keyword"],
            (s, v) => s with { NonTransactionalKeywords = (IReadOnlyList<string>)v! }, p => p.NonTransactionalKeywords),
        new(nameof(NorthSettings.Variables), SettingType.Variables, [],
            (s, v) => s with { Variables = (IReadOnlyDictionary<string, string>)v! }, p => p.Variables),
        // Repository policy: no parameter (a cmdlet run does not change what a DBA decided).
        new(nameof(NorthSettings.LockRiskSeverities), SettingType.List, [],
            (s, v) => s with { LockRiskSeverities = (IReadOnlyList<string>)v! }, _ => null),
        new(nameof(NorthSettings.IgnoreSymlinks), SettingType.Bool, ["ignore_symlinks"],
            (s, v) => s with { IgnoreSymlinks = (bool)v! }, p => p.IgnoreSymlinks),
        new(nameof(NorthSettings.HistoryStyle), SettingType.HistoryStyle, [],
            (s, v) => s with { HistoryStyle = (HistoryStyle)v! }, p => p.HistoryStyle),
        new(nameof(NorthSettings.HistorySchema), SettingType.Text, [],
            (s, v) => s with { HistorySchema = (string?)v }, p => p.HistorySchema),
        new(nameof(NorthSettings.HistoryTable), SettingType.Text, ["table"],
            (s, v) => s with { HistoryTable = (string?)v }, p => p.HistoryTable),
        new(nameof(NorthSettings.VersionColumn), SettingType.Text, ["version_column"],
            (s, v) => s with { VersionColumn = (string?)v }, p => p.VersionColumn),
        new(nameof(NorthSettings.NameColumn), SettingType.Text, ["name_column"],
            (s, v) => s with { NameColumn = (string?)v }, p => p.NameColumn),
        new(nameof(NorthSettings.AppliedAtColumn), SettingType.Text, ["applied_at_column"],
            (s, v) => s with { AppliedAtColumn = (string?)v }, p => p.AppliedAtColumn),
        new(nameof(NorthSettings.VersionDetector), SettingType.VersionDetector, [],
            (s, v) => s with { VersionDetector = (VersionDetector)v! }, p => p.VersionDetector),
        new(nameof(NorthSettings.VersionTable), SettingType.Text, [],
            (s, v) => s with { VersionTable = (string)v! }, p => p.VersionTable),
        new(nameof(NorthSettings.VersionTableColumn), SettingType.Text, [],
            (s, v) => s with { VersionTableColumn = (string)v! }, p => p.VersionTableColumn),
        new(nameof(NorthSettings.CommentTable), SettingType.Text, [],
            (s, v) => s with { CommentTable = (string)v! }, p => p.CommentTable),
        new(nameof(NorthSettings.ClearableDatabases), SettingType.List, [],
            (s, v) => s with { ClearableDatabases = (IReadOnlyList<string>)v! }, p => p.ClearableDatabases),
        new(nameof(NorthSettings.FailOnModified), SettingType.Bool, [],
            (s, v) => s with { FailOnModified = (bool)v! }, p => p.FailOnModified),
        new(nameof(NorthSettings.LockTimeout), SettingType.Duration, [],
            (s, v) => s with { LockTimeout = (TimeSpan)v! }, p => p.LockTimeout),
        new(nameof(NorthSettings.DdlLockTimeout), SettingType.Duration, [],
            (s, v) => s with { DdlLockTimeout = (TimeSpan?)v }, p => p.DdlLockTimeout),
        new(nameof(NorthSettings.LockRetries), SettingType.Count, [],
            (s, v) => s with { LockRetries = (int)v! }, p => p.LockRetries),
        new(nameof(NorthSettings.LockRetryMaxDelay), SettingType.Duration, [],
            (s, v) => s with { LockRetryMaxDelay = (TimeSpan)v! }, _ => null),
        new(nameof(NorthSettings.RebuildInvalidIndexes), SettingType.Bool, [],
            (s, v) => s with { RebuildInvalidIndexes = (bool)v! }, p => p.RebuildInvalidIndexes),
        new(nameof(NorthSettings.LongTransactionThreshold), SettingType.Duration, [],
            (s, v) => s with { LongTransactionThreshold = (TimeSpan)v! }, _ => null),
        new(nameof(NorthSettings.DdlStatementTimeout), SettingType.Duration, [],
            (s, v) => s with { DdlStatementTimeout = (TimeSpan?)v }, p => p.DdlStatementTimeout),
        new(nameof(NorthSettings.AllowedFolders), SettingType.List, [],
            (s, v) => s with { AllowedFolders = (IReadOnlyList<string>)v! }, _ => null),
        new(nameof(NorthSettings.DoUntilZeroMaxIterations), SettingType.Count, [],
            (s, v) => s with { DoUntilZeroMaxIterations = (int)v! }, _ => null),
        new(nameof(NorthSettings.DoUntilZeroTimeLimit), SettingType.Duration, [],
            (s, v) => s with { DoUntilZeroTimeLimit = (TimeSpan)v! }, _ => null),
        new(nameof(NorthSettings.ServerThrottleLimit), SettingType.Count, [],
            (s, v) => s with { ServerThrottleLimit = (int?)v }, p => p.ServerThrottleLimit),
        // A connection string may hold a password: not in a committed file.
        new(nameof(NorthSettings.ConnectionString), SettingType.Text, [],
            (s, v) => s with { ConnectionString = (string?)v }, p => p.ConnectionString, AllowedInJson: false),
        new(nameof(NorthSettings.Host), SettingType.Text, ["host"],
            (s, v) => s with { Host = (string?)v }, p => p.Host, PgVariables: ["PGHOST", "PGHOSTADDR"]),
        new(nameof(NorthSettings.Port), SettingType.Port, ["port"],
            (s, v) => s with { Port = (int?)v }, p => p.Port, PgVariables: ["PGPORT"]),
        new(nameof(NorthSettings.Database), SettingType.Text, ["dbname"],
            (s, v) => s with { Database = (string?)v }, p => p.Database, PgVariables: ["PGDATABASE"]),
        new(nameof(NorthSettings.Username), SettingType.Text, ["username"],
            (s, v) => s with { Username = (string?)v }, p => p.Username, PgVariables: ["PGUSER"]),
        // septentrion read its password from SEPTENTRION_PASSWORD only; its ini "password" was a prompt flag.
        new(nameof(NorthSettings.Password), SettingType.Text, [],
            (s, v) => s with { Password = (string?)v }, p => p.Password, AllowedInJson: false,
            ExtraSeptentrionEnvironment: ["SEPTENTRION_PASSWORD"], PgVariables: ["PGPASSWORD"]),
    ];

    public static readonly IReadOnlyDictionary<string, SettingDefinition> ByName =
        All.ToDictionary(d => d.Name, StringComparer.Ordinal);

    /// <summary>septentrion.ini key to setting (several keys may feed one setting).</summary>
    public static readonly IReadOnlyDictionary<string, SettingDefinition> BySeptentrionKey =
        All.SelectMany(d => d.SeptentrionKeys.Select(k => (k, d))).ToDictionary(x => x.k, x => x.d, StringComparer.Ordinal);
}
