using System.Management.Automation;
using North.Core.Connections;
using North.Core.Detection;
using North.Core.Migrating;
using North.Core.Running;
using North.Core.Reporting;
using North.Core.Settings;
using North.Core.Targets;
using North.PowerShell.Binding;
using North.PowerShell.Hosting;

namespace North.PowerShell.Cmdlets;

// Parameters here are strings, not North.Core enums: PowerShell reflects over the exported
// types before North's load context is hooked, and a field of a value type from North.Core would
// make the type unloadable (see Loading/ModuleInitializer).

/// <summary>
/// The cmdlets that talk to a database: the connection parameters shared by every target (libpq
/// habits), the history and version-detection choices, and the <see cref="Migrator"/> built from
/// them. Which database(s) to act on is declared by <see cref="NorthSingleDatabaseCmdlet"/> (one)
/// or <see cref="NorthFleetCmdlet"/> (many, from the pipeline).
/// </summary>
public abstract class NorthDatabaseCmdlet : NorthCmdlet
{
    /// <summary>
    /// The role and password to connect with. Without it the password comes from PGPASSWORD or
    /// the password file (~/.pgpass, or PGPASSFILE). A password is never printed.
    /// </summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>libpq's sslmode: disable, allow, prefer, require, verify-ca or verify-full.</summary>
    [Parameter]
    [ValidateSet("disable", "allow", "prefer", "require", "verify-ca", "verify-full")]
    public string? SslMode { get; set; }

    /// <summary>The name shown in pg_stat_activity (default: North).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ApplicationName { get; set; } = ConnectionFactory.DefaultApplicationName;

    /// <summary>
    /// The history table's layout: North (north_migrations), Septentrion (septentrion_migrations)
    /// or DjangoNorth (django_migrations, the version in its app column).
    /// </summary>
    [Parameter]
    [ValidateSet("North", "Septentrion", "DjangoNorth")]
    public string? HistoryStyle { get; set; }

    /// <summary>The schema of the history table (default: the first schema of the search path).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? HistorySchema { get; set; }

    /// <summary>The history table's name (default: the style's, north_migrations for North).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? HistoryTable { get; set; }

    /// <summary>The history table's version column (default: the style's).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? VersionColumn { get; set; }

    /// <summary>The history table's migration name column (default: the style's).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NameColumn { get; set; }

    /// <summary>The history table's applied-at column (default: the style's).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AppliedAtColumn { get; set; }

    /// <summary>The table the VersionTable detector reads (default sql_version).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? VersionTable { get; set; }

    /// <summary>The column the VersionTable detector reads (default version_num).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? VersionTableColumn { get; set; }

    /// <summary>The table whose 'version X' comment the TableComment detector reads (default django_site).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? CommentTable { get; set; }

    /// <summary>
    /// How long to wait for another run's lock before failing (default: the LockTimeout setting, 5
    /// minutes). A number is seconds (30); a string like 30s, 5min or 00:05:00, or a [TimeSpan].
    /// </summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? LockTimeout { get; set; }

    /// <summary>
    /// The lock_timeout North sets for each file it runs (unset by default; a file's own SET wins).
    /// A number is seconds (10); a string like 10s or 500ms, or a [TimeSpan].
    /// </summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? DdlLockTimeout { get; set; }

    /// <summary>
    /// The statement_timeout North sets for each file it runs (unset by default; a file's own SET
    /// wins). A number is seconds (600); a string like 10min, or a [TimeSpan].
    /// </summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? DdlStatementTimeout { get; set; }

    /// <summary>
    /// How the current version is found: History (greatest recorded version on disk), VersionTable
    /// (greatest version_num in sql_version) or TableComment (a 'version X' table comment).
    /// </summary>
    [Parameter]
    [ValidateSet("History", "VersionTable", "TableComment")]
    public string? VersionDetector { get; set; }

    /// <summary>
    /// A script block that returns the database's current version (a string, or nothing when the
    /// database is not initialized), for databases that record it their own way. It receives one
    /// object with Host, Port, Database and Username (no password).
    /// </summary>
    [Parameter]
    public ScriptBlock? VersionScript { get; set; }

    /// <summary>
    /// Masks the password of every bound connection string: PowerShell puts the bound parameters
    /// in the InvocationInfo of each verbose, warning and information record, where a transcript,
    /// a log sink or ConvertTo-Json would show them. The properties keep the real values.
    /// </summary>
    protected override void BeginProcessing()
    {
        var bound = MyInvocation.BoundParameters;
        foreach (var name in bound.Keys.Where(k => k.EndsWith("ConnectionString", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            bound[name] = bound[name] switch
            {
                string text => ConnectionFactory.Mask(text),
                string[] texts => texts.Select(ConnectionFactory.Mask).ToArray(),
                var other => other,
            };
        }
        base.BeginProcessing();
    }

    private protected override SettingsOverrides AddOverrides(SettingsOverrides overrides) => base.AddOverrides(overrides) with
    {
        Username = Credential?.UserName,
        Password = Credential?.GetNetworkCredential().Password,
        HistoryStyle = HistoryStyle is null ? null : Enum.Parse<HistoryStyle>(HistoryStyle, ignoreCase: true),
        VersionDetector = VersionDetector is null ? null : Enum.Parse<VersionDetector>(VersionDetector, ignoreCase: true),
        HistorySchema = HistorySchema,
        HistoryTable = HistoryTable,
        VersionColumn = VersionColumn,
        NameColumn = NameColumn,
        AppliedAtColumn = AppliedAtColumn,
        VersionTable = VersionTable,
        VersionTableColumn = VersionTableColumn,
        CommentTable = CommentTable,
        LockTimeout = LockTimeout,
        DdlLockTimeout = DdlLockTimeout,
        DdlStatementTimeout = DdlStatementTimeout,
    };

    /// <summary>The database this call names (connection string, service, host, port, database, user), as a target.</summary>
    private protected abstract DatabaseTarget GivenTarget { get; }

    /// <summary>The settings of <paramref name="target"/>: the call's, with the target's connection values as parameters.</summary>
    private protected DatabaseTarget WithCredential(DatabaseTarget target) =>
        Credential is null ? target : target with { Username = Credential.UserName };

    /// <summary>The connections to the database <paramref name="settings"/> name; throws a North error when they cannot be built.</summary>
    private protected ConnectionFactory CreateConnections(NorthSettings settings, ConnectionEnvironment environment, bool pooling = true) =>
        new(ConnectionOptions.FromSettings(settings, SslMode, ApplicationName) with { Pooling = pooling }, environment, ModuleSession.Pools);

    /// <summary>A migrator of one target, reporting through <paramref name="reporter"/>.</summary>
    private protected Migrator CreateMigrator(NorthSettings settings, ConnectionFactory connections, IReporter reporter) =>
        new(new RunContext(settings, WorkingDirectory, connections, ModuleSession.Files), reporter, ScriptDetector(connections));

    /// <summary>The settings, the connection and the migrator for this call's one database.</summary>
    private protected Migrator CreateMigrator(NorthSettings settings)
    {
        ConnectionFactory connections;
        try
        {
            var environment = ConnectionEnvironment.Current();
            settings = WithCredential(GivenTarget).ApplyTo(settings, environment);
            connections = CreateConnections(settings, environment);
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            Fail(Hosting.ErrorRecords.From(e, "connection"));
            throw;
        }
        foreach (var warning in connections.Warnings)
        {
            WriteWarning(warning);
        }
        WriteVerbose($"Connecting to {connections.Describe()}.");
        return CreateMigrator(settings, connections, Reporter);
    }

    private DelegateVersionDetector? ScriptDetector(ConnectionFactory connections)
    {
        if (VersionScript is null)
        {
            return null;
        }
        var script = VersionScript;
        var reporter = Reporter;
        var info = new PSObject();
        info.Properties.Add(new PSNoteProperty("Host", connections.Host));
        info.Properties.Add(new PSNoteProperty("Port", connections.Port));
        info.Properties.Add(new PSNoteProperty("Database", connections.Database));
        info.Properties.Add(new PSNoteProperty("Username", connections.Username));
        // The core calls detectors on worker threads; a script block must run on the pipeline thread.
        return new DelegateVersionDetector((_, _) => Task.FromResult(reporter.InvokeOnPipeline(_ =>
        {
            var output = script.Invoke(info).Select(o => o?.BaseObject).LastOrDefault(o => o is not null);
            return output?.ToString();
        })), "VersionScript");
    }
}
