# Exactly once, whatever happens: a run killed (SIGKILL) at random points, at the initialization's
# COMMIT and inside a file with its own transactions; a stranger's database refused. The module runs
# in child pwsh processes that are really killed; the shared server itself is never touched.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Series = Join-Path (Get-TestRepositoryRoot) 'bench/faults/Invoke-KillSeries.ps1'

    function Get-NorthError([scriptblock] $Command) {
        try { & $Command | Out-Null } catch { return $_ }
        throw 'The command did not fail.'
    }

    function New-SmallRepository([hashtable] $Files) {
        $root = Join-Path ([IO.Path]::GetTempPath()) ('north-rel-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        New-Item -ItemType Directory -Force "$root/schemas", "$root/1.0", "$root/1.1" | Out-Null
        Set-Content "$root/schemas/schema_1.0.sql" 'CREATE TABLE books (title text);'
        Set-Content "$root/1.0/1.0-0-version-dml.sql" 'SELECT 1;'
        foreach ($name in $Files.Keys) { Set-Content "$root/1.1/$name" $Files[$name] }
        $root
    }
}

Describe 'A run killed with SIGKILL' {
    It 'at 10 random points of a 200-file run and at the initialization''s COMMIT, then run again: equal to a clean run, with a truthful history' {
        $results = @(& $Series -ModuleManifest (Get-TestModuleManifest) -Kills 10 -Files 200 -AtSchemaCommit -PassThru 6>$null)
        $results.Count | Should -Be 11
        $failed = @($results | Where-Object { -not $_.Passed } | ForEach-Object { "kill $($_.Kill) at $($_.Point): $($_.Detail)" })
        $failed | Should -BeNullOrEmpty
        @($results | Where-Object Killed).Count | Should -BeGreaterThan 5
    }

    It 'inside a file with its own transactions, after its COMMIT: the next run stops and names the file; Register-NorthMigration resolves it' {
        $db = New-TestDatabase
        $root = New-SmallRepository @{ '1.1-own-ddl.sql' = "BEGIN;`nCREATE TABLE kept (id int);`nCOMMIT;`nSELECT pg_sleep(60);"; '1.1-z-ddl.sql' = 'CREATE TABLE after_it (id int);' }
        try {
            $start = [System.Diagnostics.ProcessStartInfo]::new([System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName)
            $self = [Environment]::GetCommandLineArgs()[0]
            if ($self -like '*.dll') { $start.ArgumentList.Add($self) }
            foreach ($a in '-NoProfile', '-NonInteractive', '-Command',
                "Import-Module '$(Get-TestModuleManifest)'; Invoke-NorthMigration -Path '$root' -ConnectionString '$($db.ConnectionString)' -Confirm:`$false | Out-Null") { $start.ArgumentList.Add($a) }
            $start.RedirectStandardOutput = $true
            $run = [System.Diagnostics.Process]::Start($start)
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            do { Start-Sleep -Milliseconds 100; $kept = Invoke-TestSql -Database $db.Name -Sql "SELECT to_regclass('kept') IS NOT NULL" } until ($kept -eq 't' -or [DateTime]::UtcNow -gt $deadline)
            $run.Kill()
            $run.WaitForExit()
            $kept | Should -Be 't'

            $status = @(Get-NorthStatus -Path $root -ConnectionString $db.ConnectionString)
            ($status | Where-Object Interrupted).Name | Should -Be '1.1-own-ddl.sql'
            ($status | Format-Table | Out-String) | Should -Match '1\.1-own-ddl\.sql.*STOPPED'
            $e = Get-NorthError { Invoke-NorthMigration -Path $root -ConnectionString $db.ConnectionString -ErrorAction Stop }
            $e.FullyQualifiedErrorId | Should -Be 'NorthMigrationInterrupted,North.PowerShell.Cmdlets.InvokeNorthMigrationCommand'
            $e.Exception.Message | Should -Match '1\.1/1\.1-own-ddl\.sql was started'
            $e.ErrorDetails.RecommendedAction | Should -Match 'Register-NorthMigration -Version 1\.1 -Name 1\.1-own-ddl\.sql'
            Invoke-TestSql -Database $db.Name -Sql "SELECT to_regclass('after_it') IS NULL" | Should -Be 't'

            Register-NorthMigration -Path $root -ConnectionString $db.ConnectionString -Version 1.1 -Name 1.1-own-ddl.sql -Confirm:$false | Out-Null
            @(Get-NorthStatus -Path $root -ConnectionString $db.ConnectionString | Where-Object Interrupted) | Should -BeNullOrEmpty
            $applied = @(Invoke-NorthMigration -Path $root -ConnectionString $db.ConnectionString)
            $applied.Name | Should -Be @('1.1-z-ddl.sql')
            Invoke-TestSql -Database $db.Name -Sql "SELECT count(*) FROM north_migrations WHERE name = '1.1-own-ddl.sql'" | Should -Be '1'
        }
        finally {
            Remove-TestDatabase $db
            Remove-Item $root -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
}

Describe 'A database North has never seen' {
    It 'with tables of its own and no history: refused with NorthDatabaseNotEmpty naming Register-NorthMigration and -Force; -Force initializes it' {
        $db = New-TestDatabase
        $root = New-SmallRepository @{}
        try {
            Invoke-TestSql -Database $db.Name -Sql 'CREATE TABLE customers (id int)' | Out-Null
            foreach ($command in { Invoke-NorthMigration -Path $root -ConnectionString $db.ConnectionString -ErrorAction Stop },
                { Initialize-NorthDatabase -Path $root -ConnectionString $db.ConnectionString -ErrorAction Stop }) {
                $e = Get-NorthError $command
                $e.FullyQualifiedErrorId | Should -Match '^NorthDatabaseNotEmpty,'
                $e.Exception.Message | Should -Match 'public\.customers'
                $e.ErrorDetails.RecommendedAction | Should -Match 'Register-NorthMigration'
                $e.ErrorDetails.RecommendedAction | Should -Match '-Force'
            }
            Invoke-TestSql -Database $db.Name -Sql "SELECT to_regclass('books') IS NULL" | Should -Be 't'
            Initialize-NorthDatabase -Path $root -ConnectionString $db.ConnectionString -Force | Out-Null
            Invoke-TestSql -Database $db.Name -Sql "SELECT to_regclass('books') IS NOT NULL" | Should -Be 't'
        }
        finally {
            Remove-TestDatabase $db
            Remove-Item $root -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
}

Describe 'A connection lost: a backend killed while a file runs, the server restarted between two calls' {
    # A throwaway cluster: its backend is killed (SIGKILL), so the postmaster ends every session and
    # recovers; then it is restarted. The shared server is never touched.
    BeforeAll {
        $script:Cluster = Start-TestCluster
        $script:Values = $Cluster.Values
        $script:Target = "Host=$($Values['host']);Port=$($Values['port']);Username=$($Values['username']);Password=$($Values['password']);Database=lost_atomic"

        function Invoke-KilledRun([string] $Root, [string] $Database) {
            <# Runs the repository; kills the backend running pg_sleep(30); returns the error. #>
            $killer = Start-ThreadJob -ScriptBlock {
                param($v, $db)
                $env:PGHOST = $v['host']; $env:PGPORT = $v['port']; $env:PGUSER = $v['username']; $env:PGPASSWORD = $v['password']
                $deadline = [DateTime]::UtcNow.AddSeconds(60)
                do {
                    Start-Sleep -Milliseconds 100
                    $backend = & psql -X -At -d $db -c "SELECT pid FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()"
                } until ($backend -or [DateTime]::UtcNow -gt $deadline)
                if ($backend) { & kill -9 $backend }
            } -ArgumentList $Values, $Database
            try {
                try { Invoke-NorthMigration -Path $Root -ConnectionString $Target -ErrorAction Stop | Out-Null; $null }
                catch { $_ }
            }
            finally { $killer | Wait-Job -Timeout 90 | Remove-Job -Force }
        }

        function Wait-Recovery([string] $Database) {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while ($true) {
                try { if ((Invoke-TestSql -Cluster $Cluster -Database $Database -Sql 'SELECT 1') -eq '1') { return } } catch { if ([DateTime]::UtcNow -gt $deadline) { throw } }
                Start-Sleep -Milliseconds 200
            }
        }

        $script:Root = New-SmallRepository @{
            '1.1-a-slow-ddl.sql'  = "CREATE TABLE slow_one (id int);`nSELECT pg_sleep(30);"
            '1.1-b-after-ddl.sql' = 'CREATE TABLE after_it (id int);'
        }
        Invoke-TestSql -Cluster $Cluster -Database postgres -Sql 'CREATE DATABASE lost_atomic' | Out-Null
        # Initialized first: an initialization commits as one, so a loss inside it keeps nothing at all.
        Invoke-NorthMigration -Path $Root -ConnectionString $Target -TargetVersion 1.0 | Out-Null
        $script:Atomic = Invoke-KilledRun $Root 'lost_atomic'
        Wait-Recovery 'lost_atomic'
    }
    AfterAll {
        Stop-TestCluster $Cluster
        Remove-Item $Root -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'is NorthConnectionLost naming the database, the file, and what the file''s transaction kept' {
        $Atomic | Should -Not -BeNullOrEmpty
        $Atomic.FullyQualifiedErrorId | Should -BeLike 'NorthConnectionLost,*'
        $Atomic.CategoryInfo.Category | Should -Be 'ConnectionError'
        $Atomic.Exception.Message | Should -Match "The connection to .*:$($Values['port'])/lost_atomic was lost while 1\.1/1\.1-a-slow-ddl\.sql ran"
        $Atomic.Exception.Message | Should -Match 'rolls both back'
        $Atomic.ErrorDetails.RecommendedAction | Should -Match 'Get-NorthStatus'
    }

    It 'leaves an atomic file unrecorded and its effects absent; the next run in the same session applies it once' {
        Invoke-TestSql -Cluster $Cluster -Database lost_atomic -Sql "SELECT to_regclass('slow_one') IS NULL, count(*) FROM north_migrations WHERE name LIKE '1.1-%'" | Should -Be 't|0'
        Set-Content (Join-Path $Root '1.1/1.1-a-slow-ddl.sql') 'CREATE TABLE slow_one (id int);'
        @(Invoke-NorthMigration -Path $Root -ConnectionString $Target).Name | Should -Be @('1.1-a-slow-ddl.sql', '1.1-b-after-ddl.sql')
        Invoke-TestSql -Cluster $Cluster -Database lost_atomic -Sql "SELECT count(*) FROM north_migrations WHERE name = '1.1-a-slow-ddl.sql'" | Should -Be '1'
    }

    It 'a server restarted between two calls of one session: the second call works (its idle pooled session is replaced)' {
        Invoke-TestSql -Cluster $Cluster -Database postgres -Sql 'CREATE DATABASE restarted' | Out-Null
        $restarted = $Target -replace 'Database=lost_atomic', 'Database=restarted'
        Invoke-NorthMigration -Path $Root -ConnectionString $restarted -TargetVersion 1.0 | Out-Null
        Restart-TestCluster $Cluster
        (Get-NorthVersion -Path $Root -ConnectionString $restarted -TargetVersion 1.0 -ErrorAction Stop).CurrentVersion | Should -Be '1.0'
        @(Invoke-NorthMigration -Path $Root -ConnectionString $restarted -ErrorAction Stop).Name | Should -Be @('1.1-a-slow-ddl.sql', '1.1-b-after-ddl.sql')
    }
}
