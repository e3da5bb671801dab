# Bounded waits (issue 10, item 8): a do-until-0 block that never converges stops at its
# iteration cap or its time limit, with an error naming the file and line, and the file is not recorded.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force

    function New-Repository([string] $Name, [string] $Block) {
        $root = Join-Path $TestDrive $Name
        New-Item -ItemType Directory -Path "$root/schemas", "$root/0.1", "$root/1.0" | Out-Null
        Set-Content "$root/schemas/schema_0.1.sql" 'CREATE TABLE counter (n int NOT NULL); INSERT INTO counter VALUES (0);'
        Set-Content "$root/0.1/0.1-0-base-ddl.sql" 'SELECT 1;'
        Set-Content "$root/1.0/1.0-1-loop-dml.sql" "SELECT 1;`n--meta-psql:do-until-0`n$Block`n--meta-psql:done"
        (Resolve-Path $root).Path
    }
}

Describe 'A do-until-0 block that never converges' {
    BeforeEach { $script:Db = New-TestDatabase }
    AfterEach {
        Remove-TestDatabase $Db
        Remove-Item Env:NORTH_DO_UNTIL_ZERO_TIME_LIMIT -ErrorAction SilentlyContinue
    }

    It 'stops at DoUntilZeroMaxIterations from north.json, naming the file and line, and is not recorded' {
        $repo = New-Repository 'cap' 'UPDATE counter SET n = n + 1;'
        Set-Content "$repo/north.json" '{ "DoUntilZeroMaxIterations": 25 }'
        $e = Get-CommandFailure { Invoke-NorthMigration -Path $repo -ConnectionString $Db.ConnectionString -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'NorthDoUntilZeroIterationLimit,*'
        $e.TargetObject | Should -Be "$repo/1.0/1.0-1-loop-dml.sql"
        $e.Exception.Message | Should -BeLike "$repo/1.0/1.0-1-loop-dml.sql:2:1: do-until-0 block still changed rows after 25 iteration(s)*"
        $e.ErrorDetails.RecommendedAction | Should -Match 'DoUntilZeroMaxIterations'
        # Exactly 25 executions ran, none of a 26th; the file is not in the history.
        Invoke-TestSql -Database $Db.Name -Sql 'SELECT n FROM counter' | Should -Be '25'
        Invoke-TestSql -Database $Db.Name -Sql "SELECT count(*) FROM north_migrations WHERE name = '1.0-1-loop-dml.sql'" | Should -Be '0'
        (Get-NorthStatus -Path $repo -ConnectionString $Db.ConnectionString | Where-Object Name -eq '1.0-1-loop-dml.sql').Pending | Should -BeTrue
    }

    It 'stops at NORTH_DO_UNTIL_ZERO_TIME_LIMIT, cancelling the running iteration, and is not recorded' {
        $repo = New-Repository 'time' 'UPDATE counter SET n = n + 1 WHERE pg_sleep(0.3) IS NOT NULL;'
        $env:NORTH_DO_UNTIL_ZERO_TIME_LIMIT = '2s'
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $e = Get-CommandFailure { Invoke-NorthMigration -Path $repo -ConnectionString $Db.ConnectionString -ErrorAction Stop }
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 30
        $e.FullyQualifiedErrorId | Should -BeLike 'NorthDoUntilZeroTimeLimit,*'
        $e.CategoryInfo.Category | Should -Be 'OperationTimeout'
        $e.Exception.Message | Should -BeLike "$repo/1.0/1.0-1-loop-dml.sql:2:1: do-until-0 block ran past its time limit of 00:00:02 * iteration *"
        # In an iteration, cancelled; or after one whose last statement the server finished before the cancel came.
        $e.Exception.Message -match '(in|after) iteration (\d+) \((\d+) done' | Should -BeTrue
        $done = [int]$Matches[3]
        $done | Should -Be $(if ($Matches[1] -eq 'in') { [int]$Matches[2] - 1 } else { [int]$Matches[2] })
        # A cancelled iteration changed nothing: the counter holds the finished ones only.
        Invoke-TestSql -Database $Db.Name -Sql 'SELECT n FROM counter' | Should -Be "$done"
        Invoke-TestSql -Database $Db.Name -Sql "SELECT count(*) FROM north_migrations WHERE name = '1.0-1-loop-dml.sql'" | Should -Be '0'
    }

    It 'a block that converges is not stopped by the defaults' {
        $repo = New-Repository 'converges' 'UPDATE counter SET n = n + 1 WHERE n < 300;'
        $result = Invoke-NorthMigration -Path $repo -ConnectionString $Db.ConnectionString -ErrorAction Stop | Where-Object Name -eq '1.0-1-loop-dml.sql'
        $result.Status | Should -Be 'Succeeded'
        Invoke-TestSql -Database $Db.Name -Sql 'SELECT n FROM counter' | Should -Be '300'
    }
}
