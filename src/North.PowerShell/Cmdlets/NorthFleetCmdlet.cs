using System.Management.Automation;
using North.Core.Connections;
using North.Core.Fleet;
using North.Core.Settings;
using North.Core.Targets;
using North.PowerShell.Binding;
using North.PowerShell.Hosting;

namespace North.PowerShell.Cmdlets;

/// <summary>
/// A database cmdlet that acts on many databases: targets come from -ConnectionString and
/// -Service (arrays), and from the pipeline (strings, or objects with ConnectionString, Host or
/// Server, Port, Database and Username properties, as Import-Csv gives and every North output
/// carries). They are collected as the input comes and run, once bound, by the core's
/// <see cref="FleetRunner{T}"/>; this class only turns its events into the cmdlet's streams.
/// One target runs exactly as a single-database call always did.
/// </summary>
public abstract class NorthFleetCmdlet : NorthDatabaseCmdlet
{
    // Progress ids: the call's bar, then eight per target (its bar and the core's bars inside it).
    private const int FleetProgressId = 1000;
    private const int TargetProgressIds = 8 + 1;

    private readonly List<DatabaseTarget> _targets = new();
    private readonly HashSet<DatabaseTarget> _known = new();

    /// <summary>
    /// Connection strings, one per database: libpq keyword form (host=db dbname=app), postgresql://
    /// URIs, or Npgsql's form (Host=db;Database=app). Taken from the pipeline too. Each wins over
    /// -Host, -Port, -Database and -Username, which fill what it leaves out.
    /// </summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public ConnectionStringValue[]? ConnectionString { get; set; }

    /// <summary>
    /// Service names of libpq's pg_service.conf (PGSERVICEFILE or ~/.pg_service.conf, then
    /// PGSYSCONFDIR/pg_service.conf), one database each; default PGSERVICE. A name in no file is an
    /// error for that target (NorthServiceNotFound).
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? Service { get; set; }

    /// <summary>The server's host name, address or socket folder, or host:port (default: PGHOST, else localhost). Taken from the pipeline by property name (Host, Server).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Host", "Server")]
    [ValidateNotNullOrEmpty]
    public string? HostName { get; set; }

    /// <summary>The server's port (default: PGPORT, else 5432). Taken from the pipeline by property name.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 65535)]
    public int? Port { get; set; }

    /// <summary>The database (default: PGDATABASE, else the user name). Taken from the pipeline by property name.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("DatabaseName")]
    [ValidateNotNullOrEmpty]
    public string? Database { get; set; }

    /// <summary>The role to connect as (default: PGUSER, else the operating system user). Taken from the pipeline by property name.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("User")]
    [ValidateNotNullOrEmpty]
    public string? Username { get; set; }

    /// <summary>How many databases run at once, in all (default 4).</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = FleetOptions.DefaultThrottleLimit;

    /// <summary>
    /// How many databases run at once on one server (host and port); 0 = no cap beyond
    /// -ThrottleLimit. Default: the ServerThrottleLimit setting, else 1 for cmdlets that change a
    /// database (two migrations never run at once on one server unless asked) and no cap for reads.
    /// </summary>
    [Parameter]
    [ValidateRange(0, 1024)]
    public int? ServerThrottleLimit { get; set; }

    /// <summary>Runs the first N databases first; if one of them fails, no other database is touched.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int CanaryCount { get; set; }

    /// <summary>Whether the cmdlet changes databases: then the per-server cap defaults to 1.</summary>
    private protected abstract bool ChangesDatabases { get; }

    /// <summary>Whether an error of the one-target call names the target (else the error's own object, as the cmdlet always did).</summary>
    private protected virtual bool NamesTargetInErrors => false;

    /// <summary>Every target collected so far, in the order given; none means the one the settings name.</summary>
    private protected IReadOnlyList<DatabaseTarget> Targets => _targets;

    private protected override DatabaseTarget GivenTarget => _single ?? RecordTargets().FirstOrDefault() ?? new DatabaseTarget();

    // The one target of a one-target call, while it is set up.
    private DatabaseTarget? _single;

    private protected override SettingsOverrides AddOverrides(SettingsOverrides overrides) =>
        base.AddOverrides(overrides) with { ServerThrottleLimit = ServerThrottleLimit };

    private protected sealed override void Process()
    {
        var record = RecordTargets();
        foreach (var target in record)
        {
            if (_known.Add(target))
            {
                _targets.Add(target);
            }
        }
        ProcessTargets(record);
    }

    /// <summary>What the cmdlet does with one input's targets (beyond collecting them).</summary>
    private protected virtual void ProcessTargets(IReadOnlyList<DatabaseTarget> record)
    {
    }

    // The targets the current input names: each connection string, each service, or the host/port/database/user alone.
    private List<DatabaseTarget> RecordTargets()
    {
        var fields = WithCredential(new DatabaseTarget { Host = HostName, Port = Port, Database = Database, Username = Username });
        var targets = new List<DatabaseTarget>();
        targets.AddRange((ConnectionString ?? []).Select(c => fields with { ConnectionString = c.Text }));
        targets.AddRange((Service ?? []).Select(s => fields with { Service = s }));
        if (targets.Count == 0 && (HostName is not null || Port is not null || Database is not null || Username is not null))
        {
            targets.Add(fields);
        }
        return targets;
    }

    /// <summary>
    /// Runs <paramref name="work"/> on every target in <paramref name="targets"/> (none: the one the
    /// settings name). One target: as a single-database call, its errors terminating. Several: in
    /// parallel under the caps, each failure a non-terminating error naming its target (under
    /// -ErrorAction Stop: no new target starts, and the first failure is thrown once the running
    /// ones end), then a summary information record.
    /// </summary>
    /// <returns>The summary of a multi-target call; null for one target.</returns>
    private protected FleetSummary? RunTargets(NorthSettings settings, IReadOnlyList<DatabaseTarget> targets, Func<TargetRun, CancellationToken, Task<TargetOutcome>> work)
    {
        if (targets.Count <= 1)
        {
            RunOne(settings, targets.Count == 0 ? new DatabaseTarget() : targets[0], work);
            return null;
        }
        var options = new FleetOptions
        {
            ThrottleLimit = ThrottleLimit,
            ServerThrottleLimit = settings.ServerThrottleLimitFor(ChangesDatabases),
            CanaryCount = CanaryCount,
            StopOnFailure = ErrorActionIsStop(),
        };
        var buffered = options.ThrottleLimit > 1;
        var environment = ConnectionEnvironment.Current();
        var prepared = targets.Select((t, i) => Prepare(settings, t, i, environment, buffered)).ToList();
        foreach (var warning in prepared.SelectMany(p => p.Warnings).Distinct())
        {
            WriteWarning(warning);
        }

        var pipeline = Reporter;
        var done = 0;
        ErrorRecord? firstFailure = null;
        var activity = $"{MyInvocation.MyCommand.Name} on {prepared.Count} databases";
        void Overall() => pipeline.Progress(new(FleetProgressId, activity, $"{Volatile.Read(ref done)}/{prepared.Count} done",
            Volatile.Read(ref done) * 100 / prepared.Count));
        var runner = new FleetRunner<PreparedTarget>(options, p => p.Server)
        {
            OnStarted = p => pipeline.Progress(new(p.Reporter.ProgressId, p.Name, "running", -1, FleetProgressId)),
            OnFinished = (p, outcome, error) =>
            {
                p.Reporter.Flush();
                pipeline.Progress(new(p.Reporter.ProgressId, p.Name, outcome.ToString(), 100, FleetProgressId, Completed: true));
                Interlocked.Increment(ref done);
                Overall();
                if (error is null)
                {
                    return;
                }
                var record = ErrorRecords.ForTarget(error, p.Name);
                if (options.StopOnFailure)
                {
                    Interlocked.CompareExchange(ref firstFailure, record, null);
                }
                else
                {
                    pipeline.Post(c => c.WriteError(record));
                }
            },
        };
        Overall();
        FleetSummary summary;
        try
        {
            summary = pipeline.Pump(this, runner.RunAsync(prepared, (p, cancel) => p.Run is null ? throw p.Error! : work(p.Run, cancel), StopToken));
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        WriteProgress(new ProgressRecord(FleetProgressId, activity, "Done") { RecordType = ProgressRecordType.Completed });
        WriteInformation(summary, ["North", "NorthSummary"]);
        if (firstFailure is not null)
        {
            ThrowTerminatingError(firstFailure);
        }
        return summary;
    }

    private void RunOne(NorthSettings settings, DatabaseTarget target, Func<TargetRun, CancellationToken, Task<TargetOutcome>> work)
    {
        _single = target;
        var migrator = CreateMigrator(settings);
        var identity = TargetIdentity.Of(migrator.Context.Connections);
        var pipeline = Reporter;
        var run = new TargetRun(target, migrator, identity, pipeline, pipeline, pipeline.Post);
        Run((_, cancel) => work(run, cancel), NamesTargetInErrors ? migrator.Target : null);
    }

    private PreparedTarget Prepare(NorthSettings settings, DatabaseTarget target, int index, ConnectionEnvironment environment, bool buffered)
    {
        try
        {
            var targetSettings = target.ApplyTo(settings, environment);
            // No pool: nothing stays open once a target is done, and a run never holds more than its two sessions.
            var connections = CreateConnections(targetSettings, environment, pooling: false);
            var identity = TargetIdentity.Of(connections);
            var reporter = new TargetReporter(Reporter, identity.ToString(), FleetProgressId + 1 + index * TargetProgressIds, buffered);
            var migrator = CreateMigrator(targetSettings, connections, reporter);
            reporter.Verbose($"Connecting to {connections.Describe()}.");
            return new PreparedTarget(identity.ToString(), identity.Server, reporter, connections.Warnings,
                new TargetRun(target, migrator, identity, reporter, Reporter, reporter.Queue, fleetView: true), null);
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            // This target cannot even be resolved (an unknown service, a bad connection string): it fails alone.
            var name = target.Label;
            return new PreparedTarget(name, "", new TargetReporter(Reporter, name, FleetProgressId + 1 + index * TargetProgressIds, buffered), [], null, e);
        }
    }

    // -ErrorAction Stop, or $ErrorActionPreference = 'Stop' (set as text or as the enum): a WriteError
    // would then throw mid-run, so failures are held and the first thrown once the running targets end.
    private bool ErrorActionIsStop()
    {
        var value = MyInvocation.BoundParameters.TryGetValue("ErrorAction", out var action) ? action : GetVariableValue("ErrorActionPreference");
        return LanguagePrimitives.TryConvertTo<ActionPreference>(value, out var preference) && preference == ActionPreference.Stop;
    }

    /// <summary>A target ready to run (or the error that keeps it from running).</summary>
    private sealed record PreparedTarget(string Name, string Server, TargetReporter Reporter, IReadOnlyList<string> Warnings, TargetRun? Run, Exception? Error);
}
