using System.Management.Automation;
using North.Core.Fleet;
using North.Core.Rehearsal;
using North.PowerShell.Completion;

namespace North.PowerShell.Cmdlets;

/// <summary>Rehearses a database's pending migrations on a scratch copy and measures, per statement, the locks they take.</summary>
/// <remarks>
/// <para>Builds a scratch database on the target's server the way Test-NorthSchema -Replay does: the
/// schema snapshot at or below the target's current version, then the target's recorded migrations
/// above it. Then it runs the target's pending files (its plan up to -TargetVersion, or only the
/// files of -Version) with North's own engine and modes, and after each statement, from the
/// statement's own session before its transaction ends, reads what it did to every relation that
/// existed before the file: the locks it holds (pg_locks, PostgreSQL's mode names such as
/// AccessExclusiveLock), whether the relation was rewritten (its relfilenode changed) and whether it
/// was read in full (pg_stat_xact_user_tables.seq_scan grew: a validating CHECK, FOREIGN KEY or SET
/// NOT NULL). A non-transactional file is rehearsed too: a second session watches the locks of its
/// statements while they run (CREATE INDEX CONCURRENTLY holds ShareUpdateExclusiveLock, which blocks
/// no write).</para>
/// <para>Returns one object per statement and relation: Server, Database, Version, Name, Line,
/// Statement (its first line), Relation, LockMode, Rewrite, FullScan, Duration (on the scratch copy),
/// Rows and Size (of the relation on the target, read-only), Risk (None, Low, High) and Reason.
/// AccessExclusiveLock with a rewrite or a full scan is High, without either Low (brief, but it
/// queues behind long transactions); a ShareLock for an index build is High; a relation under
/// 1,000 rows and 1 MiB on the target makes High Low.</para>
/// <para>The target is never changed: no statement of a pending file runs on it. The scratch
/// database is dropped afterwards, even on an error or Ctrl+C. The role needs CREATEDB.</para>
/// <para>Takes many databases (-ConnectionString arrays, the pipeline, -Service names) and rehearses
/// them in parallel (-ThrottleLimit); a database that fails is a non-terminating error naming it and
/// the others go on; a NorthSummary information record ends the call.</para>
/// </remarks>
/// <example>
/// <code>Test-NorthMigration -Path ./sql -Database app</code>
/// <para>Rehearses every pending migration of app and lists the locks each statement takes, grouped by file.</para>
/// </example>
/// <example>
/// <code>Test-NorthMigration -Path ./sql -Database app -Version 1.3 | Where-Object Risk -eq High</code>
/// <para>Shows only the statements of the 1.3 files that would block a live database for long.</para>
/// </example>
/// <example>
/// <code>Test-NorthMigration -Path ./sql -Database app -TargetVersion 2.0 | Format-List Name, Line, Statement, Relation, LockMode, Rows, Size, Reason</code>
/// <para>Every detail of the rehearsal up to 2.0, with the size of each relation on app.</para>
/// </example>
/// <example>
/// <code>'app_eu', 'app_us' | ForEach-Object { "host=db dbname=$_" } | Test-NorthMigration -Path ./sql -ThrottleLimit 2 | Where-Object Risk -eq High | Format-Table Database, Name, Line, Relation, LockMode</code>
/// <para>Rehearses the pending migrations of two databases side by side and shows, per database, the statements that would block for long.</para>
/// </example>
/// <seealso cref="TestNorthRepositoryCommand"/>
/// <seealso cref="InvokeNorthMigrationCommand"/>
/// <seealso href="about_North">about_North</seealso>
[Cmdlet(VerbsDiagnostic.Test, "NorthMigration")]
[OutputType(typeof(LockObservation))]
public sealed class TestNorthMigrationCommand : NorthFleetCmdlet
{
    // The target is only read; the rehearsal's own work is on a scratch database (as Test-NorthSchema's).
    private protected override bool ChangesDatabases => false;

    private protected override bool NamesTargetInErrors => true;

    /// <summary>Rehearses only the pending files of this version (the pending files before it still run on the scratch copy, unmeasured).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(VersionCompleter))]
    public string? Version { get; set; }

    private protected override void End()
    {
        var version = ParseVersion(Version, nameof(Version));
        RunTargets(LoadSettings(), Targets, async (run, cancel) =>
        {
            var observations = await new MigrationRehearsal(run.Migrator, run.Reporter).RunAsync(version, cancel).ConfigureAwait(false);
            foreach (var observation in observations)
            {
                run.Write(observation);
            }
            return observations.Count == 0 ? TargetOutcome.NoOp : TargetOutcome.Succeeded;
        });
    }
}
