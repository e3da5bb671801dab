using North.Core.Connections;
using North.Core.Execution;
using North.Core.Files;
using North.Core.Repository;
using North.Core.Settings;

namespace North.Core.Running;

/// <summary>
/// What one call decides once and hands down to the migrator, planner, executor and schema
/// verification: the resolved settings (one precedence, each value knowing its source), the
/// working folder (the PowerShell location: <c>\i</c> resolves against it, as psql's against its
/// current folder), the connection factory, and the file facts the caller's session remembers.
/// </summary>
public sealed class RunContext
{
    /// <param name="settings">Resolved by <see cref="SettingsLoader"/>.</param>
    /// <param name="workingDirectory">The caller's location; the core never asks the process for its own.</param>
    /// <param name="connections">Built from <paramref name="settings"/>.</param>
    /// <param name="files">The session's file facts; null gives this call its own.</param>
    public RunContext(NorthSettings settings, string workingDirectory, ConnectionFactory connections, FileStampCache? files = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(workingDirectory);
        ArgumentNullException.ThrowIfNull(connections);
        Settings = settings;
        WorkingDirectory = Path.GetFullPath(workingDirectory);
        Connections = connections;
        Files = files ?? new FileStampCache();
    }

    public NorthSettings Settings { get; }

    /// <summary>Full path of the folder relative paths in files (<c>\i</c>) resolve against.</summary>
    public string WorkingDirectory { get; }

    public ConnectionFactory Connections { get; }

    public FileStampCache Files { get; }

    /// <summary>
    /// What the settings decide about running any file of this call: the non-transactional keywords,
    /// the variables, the working and readable folders, the timeouts, the lock retries and the
    /// do-until-0 limits. The one source for a run, a clear's fixtures, a rehearsal and a schema
    /// replay, so a file runs the same way in each; callers add what is the file's own.
    /// </summary>
    public ExecutionOptions FileOptions() => new()
    {
        NonTransactionalKeywords = Settings.NonTransactionalKeywords,
        Variables = Settings.Variables,
        WorkingDirectory = WorkingDirectory,
        ReadableFolders = _readable ??= new ReadableFolders(Settings.MigrationsRoot, Settings.AllowedFolders),
        MaxIterations = Settings.DoUntilZeroMaxIterations > 0 ? Settings.DoUntilZeroMaxIterations : null,
        BlockTimeLimit = Settings.DoUntilZeroTimeLimit > TimeSpan.Zero ? Settings.DoUntilZeroTimeLimit : null,
        LockTimeout = Settings.LockTimeoutForFiles(),
        StatementTimeout = Settings.DdlStatementTimeout,
        LockRetries = new Contention.LockRetryPolicy(Settings.LockRetries, Settings.LockRetryMaxDelay),
        RebuildInvalidIndexes = Settings.RebuildInvalidIndexes,
    };

    private ReadableFolders? _readable;
}
