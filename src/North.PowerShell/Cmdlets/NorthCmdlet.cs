using System.Management.Automation;
using North.Core.Reporting;
using North.Core.Settings;
using North.Core.Versions;
using North.PowerShell.Completion;
using North.PowerShell.Hosting;

namespace North.PowerShell.Cmdlets;

/// <summary>
/// What every North cmdlet shares: the repository parameters, settings resolution and the bridge
/// that runs the asynchronous core while writing its reports on the pipeline thread.
/// </summary>
public abstract class NorthCmdlet : PSCmdlet
{
    private readonly CancellationTokenSource _stopping = new();
    private CmdletReporter? _reporter;

    /// <summary>
    /// The migrations root: the folder holding the version folders, schemas/ and fixtures/.
    /// Defaults to the current folder.
    /// </summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>
    /// The version to migrate to (default: the latest version on disk). Tab completes the
    /// versions found under -Path.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VersionCompleter))]
    public string? TargetVersion { get; set; }

    private protected CancellationToken StopToken => _stopping.Token;

    private protected CmdletReporter Reporter => _reporter ??= new CmdletReporter();

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>Settings from parameters, environment, north.json, septentrion.ini and defaults.</summary>
    private protected NorthSettings LoadSettings()
    {
        try
        {
            var overrides = AddOverrides(new SettingsOverrides
            {
                MigrationsRoot = Path is null ? null : GetUnresolvedProviderPathFromPSPath(Path),
                TargetVersion = ParseVersion(TargetVersion, nameof(TargetVersion)),
            });
            return SettingsLoader.Load(overrides, SessionState.Path.CurrentFileSystemLocation.ProviderPath);
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ThrowTerminatingError(ErrorRecords.From(e, Path));
            throw; // not reached: ThrowTerminatingError always throws
        }
    }

    /// <summary>Lets a cmdlet add the settings its own parameters carry.</summary>
    private protected virtual SettingsOverrides AddOverrides(SettingsOverrides overrides) => overrides;

    private protected static MigrationVersion? ParseVersion(string? text, string parameter)
    {
        if (text is null)
        {
            return null;
        }
        if (!MigrationVersion.TryParse(text, out var version, out var reason))
        {
            throw new PSArgumentException($"-{parameter} '{text}' is not a version: {reason}.", parameter);
        }
        return version;
    }

    /// <summary>
    /// Runs core work to completion, writing its verbose, warning, progress and information
    /// reports as they come; a North error becomes a terminating ErrorRecord.
    /// </summary>
    private protected T Run<T>(Func<IReporter, CancellationToken, Task<T>> work, object? target = null)
    {
        var reporter = Reporter;
        Task<T> task;
        try
        {
            task = Task.Run(() => work(reporter, StopToken), StopToken);
        }
        catch (Exception e)
        {
            task = Task.FromException<T>(e);
        }
        try
        {
            return reporter.Pump(this, task);
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ThrowTerminatingError(ErrorRecords.From(e, target));
            throw;
        }
    }

    private protected void Run(Func<IReporter, CancellationToken, Task> work, object? target = null) =>
        Run<bool>(async (r, c) => { await work(r, c); return true; }, target);
}
