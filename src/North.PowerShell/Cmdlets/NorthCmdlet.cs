using System.Management.Automation;
using North.Core.Errors;
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
public abstract class NorthCmdlet : PSCmdlet, IDisposable
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

    /// <summary>
    /// Forces the version a database that is not initialized is initialized at (its schema file is
    /// loaded); it must be at or below the target and have a schema file. Default: the greatest
    /// version at or below the target that has one.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VersionCompleter))]
    public string? SchemaVersion { get; set; }

    /// <summary>The schema file name under schemas/; {} is the version as its folder spells it (default schema_{}.sql).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SchemaTemplate { get; set; }

    /// <summary>The fixtures file name under fixtures/; {} is the version as its folder spells it (default fixtures_{}.sql).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? FixturesTemplate { get; set; }

    /// <summary>Files, folders or globs relative to schemas/, run before the schema when a database is initialized (roles.sql...).</summary>
    [Parameter]
    public string[]? BeforeSchemaFiles { get; set; }

    /// <summary>Files, folders or globs relative to schemas/, run after the schema when a database is initialized (grants.sql...).</summary>
    [Parameter]
    public string[]? AfterSchemaFiles { get; set; }

    /// <summary>A file holding one of these words (case-insensitive) runs statement by statement in autocommit (default CONCURRENTLY, ALTER TYPE, VACUUM).</summary>
    [Parameter]
    public string[]? NonTransactionalKeywords { get; set; }

    /// <summary>
    /// psql variables every file starts with, as psql's -v name=value: @{ app_schema = 'app' } makes
    /// :app_schema, :'app_schema' and :"app_schema" in a file. Replaces the Variables setting of
    /// north.json or NORTH_VARIABLES.
    /// </summary>
    [Parameter]
    public System.Collections.Hashtable? Variable { get; set; }

    /// <summary>Ignores migration files that are symbolic links (septentrion's --ignore-symlinks).</summary>
    [Parameter]
    public SwitchParameter IgnoreSymlinks { get; set; }

    private protected CancellationToken StopToken => _stopping.Token;

    private protected CmdletReporter Reporter => _reporter ??= new CmdletReporter();

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>PowerShell disposes a cmdlet when its pipeline ends: the stop signal and the report queue go with it.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the stop signal and the report queue.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stopping.Dispose();
            _reporter?.Dispose();
        }
    }

    protected sealed override void ProcessRecord() => EndQuietlyOnFailure(Process);

    protected sealed override void EndProcessing() => EndQuietlyOnFailure(End);

    /// <summary>What the cmdlet does for each pipeline input (most do nothing here).</summary>
    private protected virtual void Process()
    {
    }

    /// <summary>What the cmdlet does once its input is bound and collected.</summary>
    private protected virtual void End()
    {
    }

    /// <summary>
    /// Ends this call with <paramref name="record"/>: a terminating error, except under
    /// -ErrorAction SilentlyContinue or Ignore, where the error is written (so $Error has it,
    /// unless ignored) and the call simply ends, as a DBA's script expects.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private protected void Fail(ErrorRecord record)
    {
        if (MyInvocation.BoundParameters.TryGetValue("ErrorAction", out var action)
            && action is ActionPreference.SilentlyContinue or ActionPreference.Ignore)
        {
            WriteError(record);
            throw new CallEndedException();
        }
        ThrowTerminatingError(record);
        throw new CallEndedException(); // not reached: ThrowTerminatingError always throws
    }

    private static void EndQuietlyOnFailure(Action step)
    {
        try
        {
            step();
        }
        catch (CallEndedException)
        {
            // The error was already written; this call has nothing more to do.
        }
    }

    /// <summary>Unwinds a call whose error <see cref="Fail"/> has already written.</summary>
    private sealed class CallEndedException : Exception
    {
    }

    /// <summary>Whether this call runs under -WhatIf: the parameter when given (-WhatIf:$false included), else $WhatIfPreference.</summary>
    private protected bool IsWhatIf() => MyInvocation.BoundParameters.TryGetValue("WhatIf", out var flag)
        ? ((SwitchParameter)flag).IsPresent
        : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

    /// <summary>
    /// The working folder of this call: the PowerShell location (FileSystem provider), which
    /// relative paths and <c>\i</c> resolve against, as psql's against its current folder.
    /// </summary>
    private protected string WorkingDirectory => SessionState.Path.CurrentFileSystemLocation.ProviderPath;

    /// <summary>Settings from parameters, environment, north.json, septentrion.ini and defaults.</summary>
    private protected NorthSettings LoadSettings()
    {
        string? root = null;
        try
        {
            root = Path is null ? null : GetUnresolvedProviderPathFromPSPath(Path);
            var overrides = AddOverrides(new SettingsOverrides
            {
                MigrationsRoot = root,
                TargetVersion = ParseVersion(TargetVersion, nameof(TargetVersion)),
                SchemaVersion = ParseVersion(SchemaVersion, nameof(SchemaVersion)),
                SchemaTemplate = SchemaTemplate,
                FixturesTemplate = FixturesTemplate,
                BeforeSchemaFiles = BeforeSchemaFiles,
                AfterSchemaFiles = AfterSchemaFiles,
                NonTransactionalKeywords = NonTransactionalKeywords,
                Variables = Variable?.Cast<System.Collections.DictionaryEntry>()
                    .ToDictionary(e => e.Key.ToString() ?? "", e => LanguagePrimitives.ConvertTo<string>(e.Value) ?? "", StringComparer.Ordinal),
                IgnoreSymlinks = MyInvocation.BoundParameters.ContainsKey(nameof(IgnoreSymlinks)) ? IgnoreSymlinks.IsPresent : null,
            });
            return SettingsLoader.Load(overrides, WorkingDirectory);
        }
        catch (SettingsException e) when (e.ErrorId == ErrorIds.RepositoryNotFound)
        {
            // The core names the setting's source; the object not found is the folder itself.
            Fail(ErrorRecords.From(e, root ?? SessionState.Path.CurrentFileSystemLocation.ProviderPath, preferFallback: true));
            throw;
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            Fail(ErrorRecords.From(e, Path));
            throw;
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
            Fail(ErrorRecords.From(e, target));
            throw;
        }
    }

    private protected void Run(Func<IReporter, CancellationToken, Task> work, object? target = null) =>
        Run<bool>(async (r, c) => { await work(r, c); return true; }, target);
}
