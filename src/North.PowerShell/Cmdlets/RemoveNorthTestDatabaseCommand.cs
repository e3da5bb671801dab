using System.Management.Automation;
using North.Core.TestDatabases;

namespace North.PowerShell.Cmdlets;

/// <summary>Drops a database made by New-NorthTestDatabase, ending its sessions.</summary>
/// <remarks>
/// <para>Drops the database (WITH (FORCE) on PostgreSQL 13 and later, so sessions a test left open do
/// not stop it). It refuses a database that New-NorthTestDatabase did not create (it recognizes the
/// comment it puts on them) unless -Force is given. A name that does not exist is not an error: the
/// call writes a verbose message, so a teardown can run twice. The repository's template stays for
/// the next New-NorthTestDatabase. Takes the objects of New-NorthTestDatabase from the pipeline.</para>
/// </remarks>
/// <example>
/// <code>Remove-NorthTestDatabase -Name app_test_1 -ConnectionString 'postgresql://postgres@localhost/postgres'</code>
/// <para>Drops the test database app_test_1.</para>
/// </example>
/// <example>
/// <code>$db | Remove-NorthTestDatabase -Database postgres</code>
/// <para>Drops the database New-NorthTestDatabase returned in $db (in a Pester AfterAll).</para>
/// </example>
/// <seealso cref="NewNorthTestDatabaseCommand"/>
/// <seealso href="about_North">about_North</seealso>
[Cmdlet(VerbsCommon.Remove, "NorthTestDatabase", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
public sealed class RemoveNorthTestDatabaseCommand : NorthSingleDatabaseCmdlet
{
    private readonly List<string> _names = new();

    /// <summary>The test databases to drop (the Name of New-NorthTestDatabase's objects).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    /// <summary>Drops the database even when New-NorthTestDatabase did not create it; this also drops a repository's template (north_tpl_...).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    private protected override void Process() => _names.AddRange(Name);

    private protected override void End()
    {
        var settings = LoadSettings();
        var factory = new TestDatabaseFactory(CreateMigrator(settings).Context, Reporter);
        foreach (var name in _names)
        {
            if (!ShouldProcess($"{factory.Server}/{name}", "Drop the test database"))
            {
                continue;
            }
            if (!Run((_, cancel) => factory.RemoveAsync(name, Force, cancel), name))
            {
                WriteVerbose($"{factory.Server}/{name} does not exist: nothing to drop.");
            }
        }
    }
}
