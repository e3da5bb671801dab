using System.Management.Automation;
using North.Core.Repository;

namespace North.PowerShell.Cmdlets;

/// <summary>Checks a migration repository for mistakes, without a database.</summary>
/// <remarks>
/// <para>Reads the repository the way a migration run would (version folders, migration files,
/// manual folders, schema and fixtures files, settings) and reports every finding as an object
/// with a Severity (Error, Warning, Information), a stable Code (NORTH001...), the file's Path
/// relative to the repository, the Line where it applies, and a Message saying what to do.</para>
/// <para>It finds what the original tools silently ignored: look-alike files that will never run
/// (-ddl.foo, -dl.sql, DDL.SQL), folders that look like versions but do not parse, equal versions
/// (17.01 and 17.1), the same migration in a version folder and its manual/ folder, unknown or
/// unbalanced --meta-psql: markers, statements that cannot run inside the file's own
/// BEGIN ... COMMIT, files that are not UTF-8, a target version with no folder, no schema file
/// at or below the target. With -Quiet it returns only $true when no Error was found.</para>
/// <para>The lock-risk rules (NORTH101...) say which statements take locks that block a live
/// database, and what to write instead: CREATE INDEX without CONCURRENTLY on an existing table,
/// DROP INDEX/REINDEX/DETACH PARTITION without CONCURRENTLY, FOREIGN KEY or CHECK without NOT VALID,
/// SET NOT NULL, ALTER COLUMN TYPE, volatile ADD COLUMN defaults, ADD PRIMARY KEY/UNIQUE without
/// USING INDEX, VACUUM FULL/CLUSTER/LOCK TABLE, TRUNCATE CASCADE, DROP/RENAME, a lock timeout turned
/// off, non-transactional files that cannot be re-run, identifiers over 63 bytes, unbounded
/// do-until-0 batches. They are Warnings: north.json's LockRiskSeverities raises or silences them
/// (["NORTH103=Error", "NORTH110=Off"]), and a "-- north:ignore NORTH103" comment on a statement's
/// line or the line before (or "-- north:ignore-file NORTH103" anywhere) silences one finding.</para>
/// <para>It opens no connection: it accepts the connection parameters only so that the hashtable a
/// runbook splats into every North cmdlet works here too.</para>
/// </remarks>
/// <example>
/// <code>Test-NorthRepository -Path ./sql</code>
/// <para>Lists every finding in the repository under ./sql.</para>
/// </example>
/// <example>
/// <code>Test-NorthRepository -Path ./sql | Where-Object Severity -eq Error | Format-List</code>
/// <para>Shows only the errors, with their full messages.</para>
/// </example>
/// <example>
/// <code>if (-not (Test-NorthRepository -Path ./sql -Quiet)) { throw 'The repository has errors.' }</code>
/// <para>Stops a release script when the repository has an error.</para>
/// </example>
/// <example>
/// <code>Test-NorthRepository -Path ./sql | Where-Object Code -like 'NORTH1*' | Format-Table Code, Path, Line</code>
/// <para>Lists the lock-risk findings only: the statements that would block a live database.</para>
/// </example>
/// <seealso cref="GetNorthStatusCommand"/>
/// <seealso href="about_North">about_North</seealso>
[Cmdlet(VerbsDiagnostic.Test, "NorthRepository")]
[OutputType(typeof(RepositoryDiagnostic), typeof(bool))]
public sealed class TestNorthRepositoryCommand : NorthSingleDatabaseCmdlet
{
    /// <summary>Returns $true when the repository has no Error, $false otherwise, instead of the findings.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    private protected override void End()
    {
        var settings = LoadSettings();
        var diagnostics = Run((_, _) => Task.FromResult(RepositoryCheck.Run(settings, null, WorkingDirectory, Hosting.ModuleSession.Files)), settings.MigrationsRoot);
        if (Quiet)
        {
            WriteObject(diagnostics.All(d => d.Severity != DiagnosticSeverity.Error));
            return;
        }
        foreach (var diagnostic in diagnostics)
        {
            WriteObject(diagnostic);
        }
    }
}
