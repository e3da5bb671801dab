using North.Core.Versions;

namespace North.Core.Settings;

/// <summary>
/// What cmdlet parameters set: the strongest source. Every member is nullable; null means
/// "not given", so weaker sources decide. Names match <see cref="NorthSettings"/>.
/// </summary>
public sealed record SettingsOverrides
{
    /// <summary>The migrations root (<c>-Path</c>); relative paths resolve against the current folder.</summary>
    public string? MigrationsRoot { get; init; }
    public MigrationVersion? TargetVersion { get; init; }
    public MigrationVersion? SchemaVersion { get; init; }
    public string? SchemaTemplate { get; init; }
    public string? FixturesTemplate { get; init; }
    public IReadOnlyList<string>? BeforeSchemaFiles { get; init; }
    public IReadOnlyList<string>? AfterSchemaFiles { get; init; }
    public IReadOnlyList<string>? NonTransactionalKeywords { get; init; }
    public IReadOnlyDictionary<string, string>? Variables { get; init; }
    public bool? IgnoreSymlinks { get; init; }

    public bool? FailOnModified { get; init; }
    public HistoryStyle? HistoryStyle { get; init; }
    public string? HistorySchema { get; init; }
    public string? HistoryTable { get; init; }
    public string? VersionColumn { get; init; }
    public string? NameColumn { get; init; }
    public string? AppliedAtColumn { get; init; }
    public VersionDetector? VersionDetector { get; init; }
    public string? VersionTable { get; init; }
    public string? VersionTableColumn { get; init; }
    public string? CommentTable { get; init; }
    public IReadOnlyList<string>? ClearableDatabases { get; init; }
    public TimeSpan? LockTimeout { get; init; }
    public TimeSpan? DdlLockTimeout { get; init; }
    public TimeSpan? DdlStatementTimeout { get; init; }
    public int? LockRetries { get; init; }
    public bool? RebuildInvalidIndexes { get; init; }
    public int? ServerThrottleLimit { get; init; }
    public string? ConnectionString { get; init; }
    public string? Host { get; init; }
    public int? Port { get; init; }
    public string? Database { get; init; }
    public string? Username { get; init; }
    public string? Password { get; init; }

    /// <summary>Parameter name shown in messages for a setting (<c>-Path</c> for the root).</summary>
    internal static string ParameterName(string setting) => setting switch
    {
        nameof(MigrationsRoot) => "-Path",
        nameof(Variables) => "-Variable",
        _ => "-" + setting,
    };
}
