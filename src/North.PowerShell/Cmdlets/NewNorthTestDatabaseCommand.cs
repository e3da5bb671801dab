using System.Management.Automation;
using North.Core.TestDatabases;

namespace North.PowerShell.Cmdlets;

/// <summary>Creates a database at the repository's latest version (or -TargetVersion), cloned from a migrated template.</summary>
/// <remarks>
/// <para>The connection parameters name the server and any database of it to work from (postgres);
/// the role needs CREATEDB. The first call migrates a template database for the repository's current
/// content: its name, north_tpl_&lt;repository&gt;_&lt;content&gt;, carries a hash of every file of the
/// repository and of the target, so editing, adding or removing a file makes the next call build a new
/// template, and the repository's older templates are dropped. The template is marked as a template
/// and closed to connections. Every call then runs CREATE DATABASE -Name TEMPLATE the template, which
/// takes a fraction of a second. Concurrent calls for one repository take an advisory lock: the
/// template is built once.</para>
/// <para>Returns an object with the new database's Name, Version, Template, TemplateBuilt, Duration and
/// ConnectionString (Npgsql's form, password included, for -ConnectionString or Npgsql; the views show
/// it with the password masked). Remove-NorthTestDatabase drops it.</para>
/// <para>In Pester:</para>
/// <para>BeforeAll { $db = New-NorthTestDatabase -Path ./sql -Name "app_test_$PID" -ConnectionString $env:TEST_SERVER }</para>
/// <para>It 'has its fixtures' { Get-NorthVersion -Path ./sql -ConnectionString $db.ConnectionString | ... }</para>
/// <para>AfterAll { $db | Remove-NorthTestDatabase -ConnectionString $env:TEST_SERVER }</para>
/// </remarks>
/// <example>
/// <code>$db = New-NorthTestDatabase -Path ./sql -Name app_test_1 -ConnectionString 'postgresql://postgres@localhost/postgres'</code>
/// <para>Creates app_test_1 at the latest version, with its fixtures; $db.ConnectionString connects to it.</para>
/// </example>
/// <example>
/// <code>1..4 | ForEach-Object { New-NorthTestDatabase -Path ./sql -Name "app_test_$_" -Database postgres } | Format-Table Name, TemplateBuilt, Duration</code>
/// <para>Creates four databases for parallel test workers: the first call builds the template, the others clone it.</para>
/// </example>
/// <seealso cref="RemoveNorthTestDatabaseCommand"/>
/// <seealso cref="ClearNorthDatabaseCommand"/>
/// <seealso href="about_North">about_North</seealso>
[Cmdlet(VerbsCommon.New, "NorthTestDatabase", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(TestDatabase))]
public sealed class NewNorthTestDatabaseCommand : NorthSingleDatabaseCmdlet
{
    /// <summary>The name of the database to create; it must not exist.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    [ValidateLength(1, 63)]
    public string Name { get; set; } = "";

    private protected override void End()
    {
        var settings = LoadSettings();
        var factory = new TestDatabaseFactory(CreateMigrator(settings).Context, Reporter);
        if (!ShouldProcess($"{factory.Server}/{Name}", "Create a test database from the repository's template"))
        {
            return;
        }
        WriteObject(Run((_, cancel) => factory.CreateAsync(Name, cancel), Name));
    }
}
