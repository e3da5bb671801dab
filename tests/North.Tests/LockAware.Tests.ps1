# Lock-aware runs (issue 12): DDL that meets a lock waits a bounded time, is retried when nothing of
# its file was kept, names its blocker, and a CONCURRENTLY index is never recorded while invalid.
# A second session (psql, in the background) holds the locks. It holds them idle in its transaction
# (\! sleep; Start-Holder in TestSupport.psm1): a running statement would also hold a snapshot, which a
# CONCURRENTLY build waits for.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force

    function New-LockRepository([string] $Name, [hashtable] $Files, [string] $Schema = '') {
        <# Schema 0.1 (busy, a, b, t1, t2, u, big) then version 1.0 with the given files. #>
        $root = Join-Path $TestDrive $Name
        New-Item -ItemType Directory -Path "$root/schemas", "$root/0.1", "$root/1.0" | Out-Null
        Set-Content "$root/schemas/schema_0.1.sql" (@'
CREATE TABLE busy (id int);
CREATE TABLE a (id int PRIMARY KEY, v int);
CREATE TABLE b (id int PRIMARY KEY, v int);
INSERT INTO a VALUES (1, 0);
INSERT INTO b VALUES (1, 0);
CREATE TABLE t1 (x int);
CREATE TABLE t2 (x int);
CREATE TABLE u (x int);
INSERT INTO u VALUES (1), (2), (2);
'@ + "`n" + $Schema)
        Set-Content "$root/0.1/0.1-0-base-ddl.sql" 'SELECT 1;'
        foreach ($file in $Files.Keys) { Set-Content "$root/1.0/$file" $Files[$file] }
        (Resolve-Path $root).Path
    }

    function Invoke-HeldRun([string] $Name, [string] $File, [string] $Sql, [string] $HolderSql, [string] $HolderName) {
        <# A file (run statement by statement: CONCURRENTLY) meeting a lock: a fresh database at 0.1, a
           psql holder running $HolderSql as $HolderName (Start-Holder), then the run with
           -DdlLockTimeout 1 -LockRetries 10 -Verbose. Sets the Describe's Db, Repo, Holder, Records
           (everything the run wrote) and Verbose (its verbose messages). #>
        $script:Db = New-TestDatabase
        $script:Repo = New-LockRepository $Name @{ $File = $Sql }
        Invoke-NorthMigration -Path $Repo -ConnectionString $Db.ConnectionString -TargetVersion 0.1 -ErrorAction Stop | Out-Null
        $script:Holder = Start-Holder $Db.Name $HolderSql $HolderName
        $script:Records = @(Invoke-NorthMigration -Path $Repo -ConnectionString $Db.ConnectionString -DdlLockTimeout 1 -LockRetries 10 -Verbose `
                -WarningAction SilentlyContinue -ErrorAction Stop 4>&1)
        $script:Verbose = @($Records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
    }

    # Small back-off in tests: the first wait is at most 300 ms.
    $env:NORTH_LOCK_RETRY_MAX_DELAY = '300ms'
}
AfterAll { Remove-Item Env:NORTH_LOCK_RETRY_MAX_DELAY -ErrorAction SilentlyContinue }

Describe 'DdlLockTimeout by default' {
    BeforeAll {
        $script:Db = New-TestDatabase
        $script:Repo = New-LockRepository 'default-timeout' @{
            '1.0-1-default-ddl.sql' = "CREATE TABLE seen_1 AS SELECT current_setting('lock_timeout') AS l;"
            '1.0-2-own-ddl.sql'     = "SET lock_timeout = '7s';`nCREATE TABLE seen_2 AS SELECT current_setting('lock_timeout') AS l;"
            '1.0-3-after-ddl.sql'   = "CREATE TABLE seen_3 AS SELECT current_setting('lock_timeout') AS l;"
        }
    }
    AfterAll { Remove-TestDatabase $Db }

    It 'is 5 s for each file; a file''s own SET lock_timeout wins, and the next file has 5 s again' {
        $results = @(Invoke-NorthMigration -Path $Repo -ConnectionString $Db.ConnectionString -ErrorAction Stop)
        $results.Status | Should -Not -Contain 'Failed'
        Invoke-TestSql -Database $Db.Name -Sql 'SELECT (SELECT l FROM seen_1), (SELECT l FROM seen_2), (SELECT l FROM seen_3)' | Should -Be '5s|7s|5s'
        $results | ForEach-Object { $_.Attempts | Should -Be 1 }
    }
}

Describe 'An atomic file that meets a lock' {
    BeforeEach {
        $script:Db = New-TestDatabase
        $script:Repo = New-LockRepository "atomic-$([guid]::NewGuid().ToString('N').Substring(0, 6))" @{ '1.0-1-alter-ddl.sql' = 'ALTER TABLE busy ADD COLUMN c int;' }
        # Initialized to 0.1 first: the pre-flight and the lock are about the 1.0 file only.
        Invoke-NorthMigration -Path $Repo -ConnectionString $Db.ConnectionString -TargetVersion 0.1 -ErrorAction Stop | Out-Null
        $script:Holder = $null
    }
    AfterEach {
        Stop-Holder $Holder
        Remove-TestDatabase $Db
    }

    It 'held 4 s, with a 1 s DdlLockTimeout: is retried whole and succeeds with Attempts >= 2, a warning and each retry in -Verbose' {
        $script:Holder = Start-Holder $Db.Name "BEGIN;`nLOCK TABLE busy IN ACCESS SHARE MODE;`n\! sleep 4`nCOMMIT;" 'north-pester-blocker-4s'
        $records = @(Invoke-NorthMigration -Path $Repo -ConnectionString $Db.ConnectionString -DdlLockTimeout 1 -LockRetries 10 `
                -Verbose -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop 4>&1)
        $result = @($records | Where-Object { $_.PSObject.TypeNames -contains 'North.Core.Migrating.StepResult' })
        $verbose = @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)

        $result.Name | Should -Be '1.0-1-alter-ddl.sql'
        $result.Status | Should -Be 'Succeeded'
        $result.Attempts | Should -BeGreaterOrEqual 2
        @($verbose | Where-Object { $_ -match '55P03.*runs again whole; attempt 2 of 11 in \d+ ms' }).Count | Should -Be 1
        @($warnings | Where-Object { "$_" -like "*1.0-1-alter-ddl.sql: needed $($result.Attempts) attempts*" }).Count | Should -Be 1
        Invoke-TestSql -Database $Db.Name -Sql "SELECT count(*) FROM information_schema.columns WHERE table_name = 'busy' AND column_name = 'c'" | Should -Be 1
        Invoke-TestSql -Database $Db.Name -Sql "SELECT count(*) FROM north_migrations WHERE name = '1.0-1-alter-ddl.sql'" | Should -Be 1
    }

    It 'held for good: fails after its retries, naming the blocker''s pid and application_name, with pg_cancel_backend to consider' {
        $script:Holder = Start-Holder $Db.Name "BEGIN;`nLOCK TABLE busy IN ACCESS SHARE MODE;`n\! sleep 60`nCOMMIT;" 'north-pester-blocker-forever'
        $script:Verbose = @()
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $failure = Get-CommandFailure { Invoke-NorthMigration -Path $Repo -ConnectionString $Db.ConnectionString -DdlLockTimeout 2 -LockRetries 1 -Verbose -ErrorAction Stop 4>&1 |
                Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object { $script:Verbose += @($_.Message) } }
        $clock.Stop()

        $failure | Should -Not -BeNullOrEmpty
        $failure.FullyQualifiedErrorId | Should -BeLike 'NorthLockWaitFailed*'
        $failure.Exception.SqlState | Should -Be '55P03'
        $failure.Exception.Message | Should -Match '1\.0-1-alter-ddl\.sql:1:1'
        $failure.Exception.Message | Should -Match 'gave up after 2 attempt\(s\) \(LockRetries 1\)'
        $failure.Exception.Message | Should -Match "Blocked by pid $($Holder.Pid) \(user \w+, application 'north-pester-blocker-forever'"
        $failure.Exception.Message | Should -Match 'idle in transaction, transaction [\d.]+ s old\): LOCK TABLE busy'
        $failure.ErrorDetails.RecommendedAction | Should -Match "pg_cancel_backend\($($Holder.Pid)\)"
        $failure.ErrorDetails.RecommendedAction | Should -Match 'pg_terminate_backend'
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 30
        # While it waited (over 1 s of a 2 s timeout), -Verbose named the blocker.
        @($Verbose | Where-Object { $_ -match "^North's statement is waiting [\d.]+ s on a lock held by pid $($Holder.Pid) " }).Count | Should -BeGreaterOrEqual 1
        Invoke-TestSql -Database $Db.Name -Sql "SELECT count(*) FROM information_schema.columns WHERE table_name = 'busy' AND column_name = 'c'" | Should -Be 0
        Invoke-TestSql -Database $Db.Name -Sql "SELECT count(*) FROM north_migrations WHERE name = '1.0-1-alter-ddl.sql'" | Should -Be 0
    }

    It 'warns before the first file about a session idle in its transaction' {
        $script:Holder = Start-Holder $Db.Name "BEGIN;`nSELECT 1;`n\! sleep 30`nCOMMIT;" 'north-pester-idle'
        Invoke-NorthMigration -Path $Repo -ConnectionString $Db.ConnectionString -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop | Out-Null
        $found = @($warnings | Where-Object { "$_" -like '*idle in a transaction or in one older than*' })
        $found.Count | Should -Be 1
        "$($found[0])" | Should -Match "pid $($Holder.Pid) \(user \w+, application 'north-pester-idle', client [^,]+, idle in transaction, transaction [\d.]+ s old\): SELECT 1"
    }
}

Describe 'A deadlock between North''s file and another session' {
    BeforeAll {
        $script:Db = New-TestDatabase
        # North locks a, sleeps, then wants b; the other session takes b, then waits for a. North waits
        # last, so its deadlock check finds the cycle: North's transaction is the one cancelled.
        $script:Repo = New-LockRepository 'deadlock' @{ '1.0-1-both-dml.sql' = "UPDATE a SET v = 1 WHERE id = 1;`nSELECT pg_sleep(2);`nUPDATE b SET v = 1 WHERE id = 1;" }
        Invoke-NorthMigration -Path $Repo -ConnectionString $Db.ConnectionString -TargetVersion 0.1 -ErrorAction Stop | Out-Null
        $otherSql = @'
DO $$ BEGIN
  WHILE NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'North' AND query LIKE 'SELECT pg_sleep(2)%' AND pid <> pg_backend_pid()) LOOP
    PERFORM pg_stat_clear_snapshot();
    PERFORM pg_sleep(0.02);
  END LOOP;
END $$;
BEGIN;
UPDATE b SET v = 2 WHERE id = 1;
UPDATE a SET v = 2 WHERE id = 1;
COMMIT;
'@
        $file = Join-Path $TestDrive 'other.sql'
        Set-Content $file $otherSql
        $server = Get-TestServer
        $env:PGHOST = $server['host']; $env:PGPORT = $server['port']; $env:PGUSER = $server['username']; $env:PGPASSWORD = $server['password']
        try {
            $script:Other = Start-Process -FilePath psql -ArgumentList '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $Db.Name, '-f', $file -PassThru `
                -RedirectStandardOutput "$file.out" -RedirectStandardError "$file.err"
        }
        finally { Remove-Item Env:PGHOST, Env:PGPORT, Env:PGUSER, Env:PGPASSWORD -ErrorAction SilentlyContinue }
        $script:Records = @(Invoke-NorthMigration -Path $Repo -ConnectionString $Db.ConnectionString -LockRetries 3 -Verbose -ErrorAction Stop 4>&1)
        $Other | Wait-Process -Timeout 30
    }
    AfterAll {
        if ($Other -and -not $Other.HasExited) { Stop-Process -Id $Other.Id -Force -ErrorAction Ignore }
        Remove-TestDatabase $Db
    }

    It 'is retried whole and succeeds, after the other session committed' {
        $result = @($Records | Where-Object { $_.PSObject.TypeNames -contains 'North.Core.Migrating.StepResult' })
        $result.Status | Should -Be 'Succeeded'
        $result.Attempts | Should -Be 2
        @($Records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match '40P01 deadlock detected: the file''s transaction was rolled back' }).Count | Should -Be 1
        $Other.ExitCode | Should -Be 0
        Invoke-TestSql -Database $Db.Name -Sql 'SELECT (SELECT v FROM a), (SELECT v FROM b)' | Should -Be '1|1'
        Invoke-TestSql -Database $Db.Name -Sql "SELECT count(*) FROM north_migrations WHERE name = '1.0-1-both-dml.sql'" | Should -Be 1
    }
}

Describe 'A non-transactional file with two CREATE INDEX CONCURRENTLY, the second meeting a lock' {
    BeforeAll {
        Invoke-HeldRun 'two-cic' '1.0-1-indexes-ddl.sql' "CREATE INDEX CONCURRENTLY i1 ON t1 (x);`nCREATE INDEX CONCURRENTLY i2 ON t2 (x);" `
            "BEGIN;`nLOCK TABLE t2 IN SHARE MODE;`n\! sleep 3`nCOMMIT;" 'north-pester-t2'
    }
    AfterAll {
        Stop-Holder $Holder
        Remove-TestDatabase $Db
    }

    It 'retries only the second statement: the first is not built again' {
        $result = @($Records | Where-Object { $_.PSObject.TypeNames -contains 'North.Core.Migrating.StepResult' })
        $result.Status | Should -Be 'Succeeded'
        $result.Attempts | Should -BeGreaterOrEqual 2
        $retries = @($Verbose | Where-Object { $_ -match 'attempt \d+ of 11 in' })
        $retries.Count | Should -Be ($result.Attempts - 1)
        $retries | ForEach-Object { $_ | Should -Match '1\.0-1-indexes-ddl\.sql:2:1: 55P03 .*the statements before it are done and are not run again' }
        # Line 1 ran once: a second CREATE INDEX CONCURRENTLY i1 would have failed (it has no IF NOT EXISTS).
        @($Verbose | Where-Object { $_ -match '1\.0-1-indexes-ddl\.sql:1:1: CREATE INDEX CONCURRENTLY i1' }).Count | Should -Be 1
        Invoke-TestSql -Database $Db.Name -Sql "SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname IN ('i1', 'i2') ORDER BY 1" |
            Should -Be @('i1|t', 'i2|t')
        Invoke-TestSql -Database $Db.Name -Sql "SELECT count(*) FROM north_migrations WHERE name = '1.0-1-indexes-ddl.sql'" | Should -Be 1
    }
}

Describe 'A file with its own transactions' {
    BeforeEach {
        $script:Db = New-TestDatabase
        $script:Holder = $null
    }
    AfterEach {
        Stop-Holder $Holder
        Remove-TestDatabase $Db
    }

    It 'whose second transaction meets the lock is not retried: its first transaction committed' {
        $repo = New-LockRepository 'as-written-second' @{ '1.0-1-two-ddl.sql' = "BEGIN;`nCREATE TABLE first_tx (id int);`nCOMMIT;`nBEGIN;`nALTER TABLE busy ADD COLUMN d int;`nCOMMIT;" }
        Invoke-NorthMigration -Path $repo -ConnectionString $Db.ConnectionString -TargetVersion 0.1 -ErrorAction Stop | Out-Null
        $script:Holder = Start-Holder $Db.Name "BEGIN;`nLOCK TABLE busy IN ACCESS SHARE MODE;`n\! sleep 4`nCOMMIT;" 'north-pester-second-tx'
        $script:AsWrittenVerbose = @()
        $failure = Get-CommandFailure { Invoke-NorthMigration -Path $repo -ConnectionString $Db.ConnectionString -DdlLockTimeout 1 -LockRetries 5 -Verbose -ErrorAction Stop 4>&1 |
                Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object { $script:AsWrittenVerbose += @($_.Message) } }

        $failure.FullyQualifiedErrorId | Should -BeLike 'NorthLockWaitFailed*'
        $failure.Exception.Message | Should -Match '1\.0-1-two-ddl\.sql:5:1: .*55P03'
        $failure.Exception.Message | Should -Match 'not retried: the file had already committed work \(from line 3\) that running it again would redo'
        $failure.Exception.Message | Should -Match "Blocked by pid $($Holder.Pid) "
        $failure.Exception.Message | Should -Match 'what it committed before line 5 stays'
        @($AsWrittenVerbose | Where-Object { $_ -match 'attempt \d+ of' }).Count | Should -Be 0
        Invoke-TestSql -Database $Db.Name -Sql "SELECT to_regclass('first_tx') IS NOT NULL, (SELECT count(*) FROM north_migrations WHERE name = '1.0-1-two-ddl.sql')" | Should -Be 't|0'
    }

    It 'whose first transaction meets the lock runs again whole: nothing of it was kept' {
        $repo = New-LockRepository 'as-written-first' @{ '1.0-1-two-ddl.sql' = "SET lock_timeout = '1s';`nBEGIN;`nALTER TABLE busy ADD COLUMN e int;`nCOMMIT;`nBEGIN;`nCREATE TABLE after_e (id int);`nCOMMIT;" }
        Invoke-NorthMigration -Path $repo -ConnectionString $Db.ConnectionString -TargetVersion 0.1 -ErrorAction Stop | Out-Null
        $script:Holder = Start-Holder $Db.Name "BEGIN;`nLOCK TABLE busy IN ACCESS SHARE MODE;`n\! sleep 3`nCOMMIT;" 'north-pester-first-tx'
        $result = @(Invoke-NorthMigration -Path $repo -ConnectionString $Db.ConnectionString -LockRetries 10 -WarningAction SilentlyContinue -ErrorAction Stop)
        $result.Status | Should -Be 'Succeeded'
        $result.Attempts | Should -BeGreaterOrEqual 2
        Invoke-TestSql -Database $Db.Name -Sql "SELECT to_regclass('after_e') IS NOT NULL, (SELECT count(*) FROM north_migrations WHERE name = '1.0-1-two-ddl.sql')" | Should -Be 't|1'
    }
}

Describe 'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS after a failed build left the index INVALID' {
    BeforeAll {
        $script:Db = New-TestDatabase
        $script:Repo = New-LockRepository 'invalid-index' @{ '1.0-1-unique-ddl.sql' = 'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS u_x ON u (x);' }
        $script:North = @{ Path = $Repo; ConnectionString = $Db.ConnectionString }
        # u has a duplicate: the build fails and leaves u_x INVALID (PostgreSQL does).
        $script:First = Get-CommandFailure { Invoke-NorthMigration @North -ErrorAction Stop }
        Invoke-TestSql -Database $Db.Name -Sql "DELETE FROM u WHERE ctid = (SELECT max(ctid) FROM u WHERE x = 2)" | Out-Null
        # The failed build kept nothing but the INVALID index North checks for: the file is not left
        # marked unfinished, so the DBA fixes the data and runs again, with no repair step.
        $script:MarksAfterFirst = Invoke-TestSql -Database $Db.Name -Sql "SELECT count(*) FROM north_migrations_unfinished"
        $script:Second = Get-CommandFailure { Invoke-NorthMigration @North -ErrorAction Stop }
        $script:AfterSecond = Invoke-TestSql -Database $Db.Name -Sql "SELECT (SELECT indisvalid FROM pg_index WHERE indexrelid = 'u_x'::regclass), (SELECT count(*) FROM north_migrations WHERE name = '1.0-1-unique-ddl.sql')"
        $script:MarksAfterSecond = Invoke-TestSql -Database $Db.Name -Sql "SELECT count(*) FROM north_migrations_unfinished"
        $script:Third = @(Invoke-NorthMigration @North -RebuildInvalidIndexes -Verbose -ErrorAction Stop 4>&1)
    }
    AfterAll { Remove-TestDatabase $Db }

    It 'fails first on the duplicate' {
        $First.Exception.SqlState | Should -Be '23505'
        $First.FullyQualifiedErrorId | Should -BeLike 'NorthScriptFailed*'
        $MarksAfterFirst | Should -Be '0'
    }

    It 'is never recorded while the index is invalid: the re-run fails naming it, with the DROP INDEX CONCURRENTLY to run' {
        $Second.FullyQualifiedErrorId | Should -BeLike 'NorthInvalidIndex*'
        $Second.Exception.Message | Should -Match '1\.0-1-unique-ddl\.sql:1:1: the index public\.u_x exists and is INVALID'
        $Second.Exception.Message | Should -Match 'skip it \(IF NOT EXISTS\)'
        $Second.ErrorDetails.RecommendedAction | Should -Match 'Run DROP INDEX CONCURRENTLY IF EXISTS public\.u_x;'
        $Second.ErrorDetails.RecommendedAction | Should -Match 'RebuildInvalidIndexes'
        $AfterSecond | Should -Be 'f|0'
        $MarksAfterSecond | Should -Be '0'
    }

    It 'with -RebuildInvalidIndexes drops it, builds it again valid, and records the file once' {
        $result = @($Third | Where-Object { $_.PSObject.TypeNames -contains 'North.Core.Migrating.StepResult' })
        $result.Status | Should -Be 'Succeeded'
        @($Third | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like '*the INVALID index public.u_x is dropped and built again (RebuildInvalidIndexes)*' }).Count | Should -Be 1
        @($Third | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like '*public.u_x valid and ready.' }).Count | Should -Be 1
        Invoke-TestSql -Database $Db.Name -Sql "SELECT indisvalid AND indisready AND indisunique FROM pg_index WHERE indexrelid = 'u_x'::regclass" | Should -Be 't'
        Invoke-TestSql -Database $Db.Name -Sql "SELECT count(*) FROM north_migrations WHERE name = '1.0-1-unique-ddl.sql'" | Should -Be 1
        Invoke-TestSql -Database $Db.Name -Sql "SELECT count(*) FROM pg_class WHERE relname LIKE 'u_x%'" | Should -Be 1
    }
}

Describe 'CREATE INDEX CONCURRENTLY on 200,000 rows while four other North processes wait on the run lock' {
    BeforeAll {
        $script:Db = New-TestDatabase
        $script:Repo = New-LockRepository 'big-cic' @{ '1.0-1-big-ddl.sql' = "SELECT pg_sleep(1);`nCREATE INDEX CONCURRENTLY big_x ON big (x);" } `
            -Schema 'CREATE TABLE big (id int, x int); INSERT INTO big SELECT g, g % 1000 FROM generate_series(1, 200000) g;'
        Invoke-NorthMigration -Path $Repo -ConnectionString $Db.ConnectionString -TargetVersion 0.1 -ErrorAction Stop | Out-Null
        # Each child imports the module, waits for the go file, runs, and writes what it did as JSON.
        # The run lock is a polled try-lock on its own idle session: the waiters hold no snapshot the build would wait for.
        $child = Join-Path $TestDrive 'Invoke-Child.ps1'
        Set-Content $child @'
param([string] $Manifest, [string] $Path, [string] $Out, [string] $Go)
$ErrorActionPreference = 'Stop'
Import-Module $Manifest
Set-Content -LiteralPath "$Out.ready" -Value 'ready'
while (-not (Test-Path -LiteralPath $Go)) { Start-Sleep -Milliseconds 20 }
$records = @(Invoke-NorthMigration -Path $Path -ConnectionString $env:NORTH_PESTER_CONNECTION -LockTimeout 00:02:00 -Verbose 4>&1)
[pscustomobject]@{
    Applied = @($records | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] } | ForEach-Object Name)
    Waited  = [bool]($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Waiting for the migration lock*' })
} | ConvertTo-Json | Set-Content -LiteralPath $Out
'@
        $env:NORTH_PESTER_CONNECTION = $Db.ConnectionString
        $go = Join-Path $TestDrive 'go'
        $script:Outs = 1..5 | ForEach-Object { Join-Path $TestDrive "child-$_.json" }
        $script:Children = @(foreach ($out in $Outs) {
                Start-Process -FilePath dotnet -ArgumentList 'pwsh', '-NoProfile', '-NonInteractive', '-File', $child, '-Manifest', (Get-TestModuleManifest), '-Path', $Repo, '-Out', $out, '-Go', $go `
                    -WorkingDirectory (Get-TestRepositoryRoot) -RedirectStandardOutput "$out.stdout" -RedirectStandardError "$out.stderr" -PassThru
            })
        $deadline = [DateTime]::UtcNow.AddSeconds(180)
        while (@($Outs | Where-Object { Test-Path "$_.ready" }).Count -lt 5) {
            if ([DateTime]::UtcNow -gt $deadline) { throw 'The five children did not import the module in time.' }
            Start-Sleep -Milliseconds 100
        }
        Set-Content $go 'go'
        $Children | Wait-Process -Timeout 180
    }
    AfterAll {
        $Children | Where-Object { -not $_.HasExited } | ForEach-Object { Stop-Process -Id $_.Id -Force }
        Remove-Item Env:NORTH_PESTER_CONNECTION -ErrorAction SilentlyContinue
        Remove-TestDatabase $Db
    }

    It 'completes: one process applies it, four waited, the index is valid, and one history row' {
        $Children | ForEach-Object { $_.ExitCode | Should -Be 0 -Because (Get-Content -Raw "$($Outs[[array]::IndexOf($Children, $_)]).stderr") }
        $reports = @($Outs | ForEach-Object { Get-Content -Raw $_ | ConvertFrom-Json })
        @($reports | Where-Object { @($_.Applied) -contains '1.0-1-big-ddl.sql' }).Count | Should -Be 1
        @($reports | Where-Object Waited).Count | Should -BeGreaterOrEqual 4
        Invoke-TestSql -Database $Db.Name -Sql "SELECT indisvalid AND indisready FROM pg_index WHERE indexrelid = 'big_x'::regclass" | Should -Be 't'
        Invoke-TestSql -Database $Db.Name -Sql "SELECT count(*) FROM north_migrations WHERE name = '1.0-1-big-ddl.sql'" | Should -Be 1
    }
}

Describe 'A CREATE INDEX CONCURRENTLY whose wait for an older snapshot meets the lock timeout' {
    BeforeAll {
        # A repeatable-read transaction keeps its snapshot while idle: the build waits for it at its end.
        Invoke-HeldRun 'cic-snapshot' '1.0-1-index-ddl.sql' 'CREATE INDEX CONCURRENTLY IF NOT EXISTS i1 ON t1 (x);' `
            "BEGIN ISOLATION LEVEL REPEATABLE READ;`nSELECT 1;`n\! sleep 3`nCOMMIT;" 'north-pester-snapshot'
    }
    AfterAll {
        Stop-Holder $Holder
        Remove-TestDatabase $Db
    }

    It 'drops the invalid index its cancelled attempt left and builds it again: valid, recorded once' {
        $result = @($Records | Where-Object { $_.PSObject.TypeNames -contains 'North.Core.Migrating.StepResult' })
        $result.Status | Should -Be 'Succeeded'
        $result.Attempts | Should -BeGreaterOrEqual 2
        @($Verbose | Where-Object { $_ -like '*the INVALID index public.i1 is dropped and built again (left by this statement''s attempt)*' }).Count | Should -BeGreaterOrEqual 1
        Invoke-TestSql -Database $Db.Name -Sql "SELECT indisvalid AND indisready FROM pg_index WHERE indexrelid = 'i1'::regclass" | Should -Be 't'
        Invoke-TestSql -Database $Db.Name -Sql "SELECT count(*) FROM north_migrations WHERE name = '1.0-1-index-ddl.sql'" | Should -Be 1
    }
}
