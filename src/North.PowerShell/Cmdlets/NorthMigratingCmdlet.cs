using System.Management.Automation;
using North.Core.Settings;

namespace North.PowerShell.Cmdlets;

/// <summary>
/// The cmdlets that run migration files on many databases (Invoke-NorthMigration,
/// Initialize-NorthDatabase): they change databases and share the lock-aware run's parameters.
/// </summary>
public abstract class NorthMigratingCmdlet : NorthFleetCmdlet
{
    private protected override bool ChangesDatabases => true;

    /// <summary>
    /// Attempts after the first for a file or statement that met a lock timeout or a deadlock, when
    /// nothing of it was kept (default: the LockRetries setting, 5; 0: no retry). An atomic file runs
    /// again whole, a non-transactional file only its failing statement.
    /// </summary>
    [Parameter]
    [ValidateRange(0, 1000)]
    public int? LockRetries { get; set; }

    /// <summary>
    /// An INVALID index left by an earlier failed CONCURRENTLY build, met before the statement that builds
    /// it, is dropped (DROP INDEX CONCURRENTLY) and built again, instead of failing with NorthInvalidIndex.
    /// </summary>
    [Parameter]
    public SwitchParameter RebuildInvalidIndexes { get; set; }

    private protected override SettingsOverrides AddOverrides(SettingsOverrides overrides) => base.AddOverrides(overrides) with
    {
        LockRetries = LockRetries,
        RebuildInvalidIndexes = RebuildInvalidIndexes.IsPresent ? true : null,
    };
}
