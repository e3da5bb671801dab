# Error records: every failure a DBA meets first comes back with a stable FullyQualifiedErrorId,
# a fitting category, the file or database as target object and, where North knows one, a
# recommended action; -ErrorAction Stop makes them catchable.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Bookshop = Join-Path (Get-TestRepositoryRoot) 'examples/bookshop'
    $script:Server = Get-TestServer
    $script:Database = New-TestDatabase

    function Get-NorthError([scriptblock] $Command) {
        # The error record a call ends with, or a failure when it ends without one.
        try { & $Command | Out-Null } catch { return $_ }
        throw 'The command did not fail.'
    }

}
AfterAll {
    Remove-TestDatabase $Database
}

Describe 'Error records' {
    It 'a server that does not answer: NorthConnectionFailed, ConnectionError, the server as target' {
        $cs = "Host=$($Server['host']);Port=1;Username=$($Server['username']);Database=$($Database.Name)"
        $e = Get-NorthError { Get-NorthStatus -Path $Bookshop -ConnectionString $cs -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -Be 'NorthConnectionFailed,North.PowerShell.Cmdlets.GetNorthStatusCommand'
        $e.CategoryInfo.Category | Should -Be 'ConnectionError'
        $e.TargetObject | Should -Be "$($Server['host']):1/$($Database.Name)"
        $e.ErrorDetails.RecommendedAction | Should -Match 'listens on that host and port'
        $e.Exception.Message | Should -Match ([regex]::Escape("$($Server['host']):1"))
    }

    It 'a repository that does not exist: NorthRepositoryNotFound, ObjectNotFound, the folder as target' {
        $missing = Join-Path $TestDrive 'no-such-repository'
        $e = Get-NorthError { Get-NorthStatus -Path $missing -ConnectionString $Database.ConnectionString -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -Be 'NorthRepositoryNotFound,North.PowerShell.Cmdlets.GetNorthStatusCommand'
        $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $e.TargetObject | Should -Be $missing
        $e.ErrorDetails.RecommendedAction | Should -Match '-Path'
    }

    It 'the same for Test-NorthRepository, which needs no database' {
        $missing = Join-Path $TestDrive 'still-missing'
        $e = Get-NorthError { Test-NorthRepository -Path $missing -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -Be 'NorthRepositoryNotFound,North.PowerShell.Cmdlets.TestNorthRepositoryCommand'
        $e.TargetObject | Should -Be $missing
    }

    It 'a failing SQL file: NorthScriptFailed, the SQLSTATE''s category, the file as target, the server''s hint as action' {
        $repo = Join-Path $TestDrive 'broken'
        Copy-Item $Bookshop $repo -Recurse
        # A new version: 1.2 has a schema snapshot, so its own files are recorded, not run.
        New-Item -ItemType Directory (Join-Path $repo '1.3') | Out-Null
        $broken = Join-Path $repo '1.3/1.3-broken-ddl.sql'
        Set-Content $broken "CREATE TABLE fine (id int);`nSELECT no_such_function(1);`n"
        $db = New-TestDatabase
        try {
            $e = Get-NorthError { Invoke-NorthMigration -Path $repo -ConnectionString $db.ConnectionString -ErrorAction Stop }
            $e.FullyQualifiedErrorId | Should -Be 'NorthScriptFailed,North.PowerShell.Cmdlets.InvokeNorthMigrationCommand'
            $e.CategoryInfo.Category | Should -Be 'InvalidData'
            $e.TargetObject | Should -Be $broken
            $e.Exception.Message | Should -Match '1\.3-broken-ddl\.sql:2:8: ERROR 42883'
            $e.ErrorDetails.RecommendedAction | Should -Match 'explicit type casts'
            # Atomic: nothing of the failed file is kept.
            Invoke-TestSql -Database $db.Name -Sql "SELECT count(*) FROM pg_class WHERE relname = 'fine'" | Should -Be '0'
        }
        finally { Remove-TestDatabase $db }
    }

    It 'a run lock held by another session: NorthLockTimeout, ResourceBusy, the database as target, how to end the holder' {
        $key = Get-NorthRunLockKey
        $start = [System.Diagnostics.ProcessStartInfo]::new('psql')
        foreach ($a in '-X', '-q', '-h', $Server['host'], '-p', $Server['port'], '-U', $Server['username'], '-d', $Database.Name,
            '-c', "SELECT pg_advisory_lock($key)", '-c', 'SELECT pg_sleep(60)') { $start.ArgumentList.Add($a) }
        $start.Environment['PGPASSWORD'] = $Server['password']
        $start.Environment['PGAPPNAME'] = 'lock-holder'
        $start.RedirectStandardOutput = $true
        $holder = [System.Diagnostics.Process]::Start($start)
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(20)
            do {
                Start-Sleep -Milliseconds 200
                $held = Invoke-TestSql -Database $Database.Name -Sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ((classid::bigint << 32) | objid::bigint) = $key"
            } until ($held -eq '1' -or [DateTime]::UtcNow -gt $deadline)
            $held | Should -Be '1'

            $e = Get-NorthError {
                Invoke-NorthMigration -Path $Bookshop -ConnectionString $Database.ConnectionString -LockTimeout '00:00:02' -ErrorAction Stop
            }
            $e.FullyQualifiedErrorId | Should -Be 'NorthLockTimeout,North.PowerShell.Cmdlets.InvokeNorthMigrationCommand'
            $e.CategoryInfo.Category | Should -Be 'ResourceBusy'
            $e.TargetObject | Should -Be "$($Server['host']):$($Server['port'])/$($Database.Name)"
            $e.Exception.Message | Should -Match 'lock-holder'
            $e.ErrorDetails.RecommendedAction | Should -Match 'pg_terminate_backend\(\d+\)'
        }
        finally {
            $holder.Kill()
            $holder.WaitForExit()
        }
    }
}

Describe '-ErrorAction' {
    It 'Stop turns the error into an exception a try/catch sees, with the North id' {
        $caught = $null
        try { Get-NorthStatus -Path (Join-Path $TestDrive 'nothing') -ErrorAction Stop } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -BeLike 'NorthRepositoryNotFound,*'
    }

    # A call that cannot do its work ends with a terminating error; as for PowerShell's own
    # cmdlets (about_CommonParameters), -ErrorAction does not hide those, the preference does.
    # A try block (Pester's own) catches them whatever the preference: hence a fresh pwsh.
    It 'by default ends its statement; SilentlyContinue and Ignore as the preference let the script go on' {
        $missing = Join-Path $TestDrive 'none'
        $script = @"
Import-Module '$(Get-TestModuleManifest)'
& { Get-NorthStatus -Path '$missing'; 'default went on' }
`$Error.Clear()
& { `$ErrorActionPreference = 'SilentlyContinue'; Get-NorthStatus -Path '$missing'; 'silent went on' }
'errors: ' + `$Error.Count + ' ' + `$Error[0].FullyQualifiedErrorId
& { `$ErrorActionPreference = 'Ignore'; Get-NorthVersion -Path '$Bookshop' -ConnectionString 'Host=$($Server['host']);Port=1;Database=x'; 'ignore went on' }
"@
        $result = Invoke-FreshPwsh $script
        $result.Output | Should -Match 'NorthRepositoryNotFound,North.PowerShell.Cmdlets.GetNorthStatusCommand'
        $result.Output | Should -Match 'default went on'
        $result.Output | Should -Match 'silent went on'
        $result.Output | Should -Match 'errors: 1 NorthRepositoryNotFound,North.PowerShell.Cmdlets.GetNorthStatusCommand'
        $result.Output | Should -Match 'ignore went on'
        $result.Output | Should -Not -Match 'NorthConnectionFailed'
    }

    It 'SilentlyContinue and Ignore as the parameter end the call quietly; SilentlyContinue keeps the error in $Error' {
        $missing = Join-Path $TestDrive 'nowhere'
        $Error.Clear()
        $output = Get-NorthStatus -Path $missing -ErrorAction SilentlyContinue 2>&1
        $output | Should -BeNullOrEmpty
        $Error.Count | Should -Be 1
        $Error[0].FullyQualifiedErrorId | Should -BeLike 'NorthRepositoryNotFound,*'
        $Error.Clear()
        $output = Get-NorthVersion -Path $missing -ErrorAction Ignore 2>&1
        $output | Should -BeNullOrEmpty
        $Error.Count | Should -Be 0
    }
}
