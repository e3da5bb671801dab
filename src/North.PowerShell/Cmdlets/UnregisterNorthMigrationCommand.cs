using System.Management.Automation;
using North.Core.History;
using North.Core.Migrating;
using North.Core.Versions;

namespace North.PowerShell.Cmdlets;

/// <summary>Removes rows from the history table, so their migrations count as not applied (repair).</summary>
/// <remarks>
/// <para>Deletes the history rows of -Version, or only that of the file -Name, and returns the rows
/// removed. The database objects the migrations made are not touched: the next run applies the
/// files again. It asks for confirmation (ConfirmImpact High); pass -Confirm:$false in scripts.</para>
/// </remarks>
/// <example>
/// <code>Unregister-NorthMigration -Path ./sql -Database app -Version 1.3 -Name 1.3-add-readers-ddl.sql</code>
/// <para>Forgets that one file ran, after asking.</para>
/// </example>
/// <example>
/// <code>Get-NorthStatus -Path ./sql -Database app | Where-Object MissingOnDisk | Unregister-NorthMigration -Path ./sql -Database app -Confirm:$false</code>
/// <para>Removes the rows of migrations that no longer exist on disk.</para>
/// </example>
/// <seealso cref="RegisterNorthMigrationCommand"/>
/// <seealso cref="GetNorthHistoryCommand"/>
/// <seealso href="about_North">about_North</seealso>
[Cmdlet(VerbsLifecycle.Unregister, "NorthMigration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(HistoryRow))]
public sealed class UnregisterNorthMigrationCommand : HistoryEditCmdlet
{
    private protected override string Describe(MigrationVersion version) =>
        Name is null ? $"Remove every history row of version {version.Text}" : $"Remove the history row of {version.Text}/{Name}";

    private protected override Task<IReadOnlyList<HistoryRow>> EditAsync(Migrator migrator, MigrationVersion version, CancellationToken cancel) =>
        migrator.UnregisterAsync(version, Name, cancel);
}
