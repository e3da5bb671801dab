using System.Management.Automation;
using North.Core.History;
using North.Core.Migrating;
using North.Core.Versions;

namespace North.PowerShell.Cmdlets;

/// <summary>Records migrations as applied without running them.</summary>
/// <remarks>
/// <para>septentrion's fake: records every unrecorded migration of every version up to -Version,
/// or only the file -Name of that version, with Mode Faked and the file's checksum. Use it when
/// the changes were made by hand, or to adopt a database whose history was kept elsewhere.
/// Returns the rows recorded.</para>
/// </remarks>
/// <example>
/// <code>Register-NorthMigration -Path ./sql -Database app -Version 1.2</code>
/// <para>Marks everything up to 1.2 as applied.</para>
/// </example>
/// <example>
/// <code>Get-NorthStatus -Path ./sql -Database app | Where-Object OutOfOrder | ForEach-Object { Register-NorthMigration -Path ./sql -Database app -Version $_.Version -Name $_.Name }</code>
/// <para>Records late-added files that were already applied by hand.</para>
/// </example>
/// <seealso cref="UnregisterNorthMigrationCommand"/>
/// <seealso cref="GetNorthHistoryCommand"/>
/// <seealso href="about_North">about_North</seealso>
[Cmdlet(VerbsLifecycle.Register, "NorthMigration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(HistoryRow))]
public sealed class RegisterNorthMigrationCommand : HistoryEditCmdlet
{
    private protected override string Describe(MigrationVersion version) =>
        Name is null ? $"Record every migration up to {version.Text} as applied without running it" : $"Record {version.Text}/{Name} as applied without running it";

    private protected override Task<IReadOnlyList<HistoryRow>> EditAsync(Migrator migrator, MigrationVersion version, CancellationToken cancel) =>
        migrator.RegisterAsync(version, Name, cancel);
}
