using North.Core.Fleet;
using System.Management.Automation;
using North.Core.Planning;

namespace North.PowerShell.Cmdlets;

/// <summary>Tells where a database stands against the repository.</summary>
/// <remarks>
/// <para>Returns one object: CurrentVersion (found by the version detector), TargetVersion,
/// LatestVersion on disk, InitVersion (the schema a fresh database would be initialized from),
/// Initialized, and PendingCount (migrations a run would apply), with the Server and Database it is
/// about. Nothing is changed. Given several databases (see about_North, MANY DATABASES), it reads
/// them in parallel and returns one object per database.</para>
/// </remarks>
/// <example>
/// <code>Get-NorthVersion -Path ./sql -ConnectionString 'postgresql://north@db1/app'</code>
/// <para>Shows the current and target versions of the database app on db1.</para>
/// </example>
/// <example>
/// <code>Import-Csv ./tenants.csv | Get-NorthVersion -Path ./sql | Where-Object PendingCount</code>
/// <para>Which databases are behind: one call reads every database of the CSV (Host, Port, Database,
/// Username columns) in parallel, each object with its Server and Database.</para>
/// </example>
/// <example>
/// <code>Get-NorthVersion -Path ./sql -Service tenant_a, tenant_b</code>
/// <para>Reads the databases of two services of pg_service.conf.</para>
/// </example>
/// <seealso cref="GetNorthStatusCommand"/>
/// <seealso href="about_North">about_North</seealso>
[Cmdlet(VerbsCommon.Get, "NorthVersion")]
[OutputType(typeof(VersionInfo))]
public sealed class GetNorthVersionCommand : NorthFleetCmdlet
{
    private protected override bool ChangesDatabases => false;

    private protected override void End()
    {
        RunTargets(LoadSettings(), Targets, async (run, cancel) =>
        {
            var state = await run.Migrator.ReadStateAsync(cancel: cancel).ConfigureAwait(false);
            run.Write(state.Version);
            return state.Version.PendingCount == 0 ? TargetOutcome.NoOp : TargetOutcome.Succeeded;
        });
    }
}
