using North.Core.Fleet;
using System.Management.Automation;
using North.Core.History;

namespace North.PowerShell.Cmdlets;

/// <summary>Returns the rows of the history table.</summary>
/// <remarks>
/// <para>Reads the history table of the chosen style (North's north_migrations, septentrion's
/// septentrion_migrations or django-north's django_migrations) and returns one object per row:
/// Id, Version, Name, AppliedAt, and where the table has them Checksum, DurationMs, AppliedBy and
/// Mode. A database without a history table returns nothing.</para>
/// </remarks>
/// <example>
/// <code>Get-NorthHistory -Path ./sql -Database app</code>
/// <para>Lists every migration recorded in the database app.</para>
/// </example>
/// <example>
/// <code>Get-NorthHistory -Database app -HistoryStyle Septentrion | Sort-Object AppliedAt -Descending | Select-Object -First 10</code>
/// <para>Shows the last ten migrations septentrion recorded.</para>
/// </example>
/// <seealso cref="GetNorthStatusCommand"/>
/// <seealso cref="UnregisterNorthMigrationCommand"/>
/// <seealso href="about_North">about_North</seealso>
[Cmdlet(VerbsCommon.Get, "NorthHistory")]
[OutputType(typeof(HistoryRow))]
public sealed class GetNorthHistoryCommand : NorthFleetCmdlet
{
    private protected override bool ChangesDatabases => false;

    private protected override void End()
    {
        RunTargets(LoadSettings(), Targets, async (run, cancel) =>
        {
            foreach (var row in await run.Migrator.ReadHistoryAsync(cancel).ConfigureAwait(false))
            {
                run.Write(row);
            }
            return TargetOutcome.Succeeded;
        });
    }
}
