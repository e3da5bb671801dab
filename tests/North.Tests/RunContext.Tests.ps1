# One decision, one place (issue 11), as a DBA meets it: settings precedence with PG*, the
# PowerShell location as working folder, duration parameters, a version printed as its text.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force

    function New-Repository([string] $Name, [hashtable] $Files) {
        <# Schema 1.0 (empty) and the given files, by path relative to the root. #>
        $root = Join-Path $TestDrive $Name
        New-Item -ItemType Directory -Path "$root/schemas", "$root/1.0" | Out-Null
        Set-Content "$root/schemas/schema_1.0.sql" 'CREATE TABLE base (id int);'
        foreach ($path in $Files.Keys) {
            $full = Join-Path $root $path
            New-Item -ItemType Directory -Path (Split-Path $full) -Force | Out-Null
            Set-Content -Path $full -Value $Files[$path]
        }
        (Resolve-Path $root).Path
    }

    function Set-PgEnvironment([string] $Database) {
        $server = Get-TestServer
        $env:PGHOST = $server['host']; $env:PGPORT = $server['port']; $env:PGUSER = $server['username']
        $env:PGPASSWORD = $server['password']; $env:PGDATABASE = $Database
    }

    function Clear-PgEnvironment {
        Remove-Item Env:PGHOST, Env:PGPORT, Env:PGUSER, Env:PGPASSWORD, Env:PGDATABASE, Env:PGAPPNAME -ErrorAction SilentlyContinue
    }

    function Invoke-Caught([scriptblock] $Script) {
        try { & $Script; $null } catch { $_ }
    }

}

Describe 'Settings precedence: the environment above the repository''s files' {
    BeforeAll { $script:Db = New-TestDatabase }
    AfterAll { Clear-PgEnvironment; Remove-TestDatabase $Db }

    It 'connects to PGHOST although north.json says Host' {
        $repo = New-Repository 'pghost' @{ 'north.json' = '{ "Host": "nohost.invalid", "Database": "nodb" }'; '1.0/1.0-a-ddl.sql' = 'CREATE TABLE a (id int);' }
        Set-PgEnvironment $Db.Name
        try { $version = Get-NorthVersion -Path $repo -ErrorAction Stop }
        finally { Clear-PgEnvironment }
        $version.Initialized | Should -BeFalse
        $version.LatestVersion.Text | Should -Be '1.0'
    }

    It 'still lets a parameter beat PGHOST' {
        $repo = New-Repository 'pghost-param' @{ '1.0/1.0-a-ddl.sql' = 'CREATE TABLE a (id int);' }
        $server = Get-TestServer
        $env:PGHOST = 'nohost.invalid'
        try { $version = Get-NorthVersion -Path $repo -HostName $server['host'] -Port $server['port'] -Username $server['username'] -Database $Db.Name -Credential ([pscredential]::new($server['username'], (ConvertTo-SecureString $server['password'] -AsPlainText -Force))) -ErrorAction Stop }
        finally { Clear-PgEnvironment }
        $version.LatestVersion.Text | Should -Be '1.0'
    }
}

Describe 'The working folder is the PowerShell location' {
    BeforeAll { $script:Db = New-TestDatabase }
    AfterAll { Remove-TestDatabase $Db }

    It 'resolves \i against Set-Location, \ir against the including file' {
        $repo = New-Repository 'include' @{
            '1.1/1.1-inc-ddl.sql'   = "\i shared/inc.sql`n\ir near.sql.txt"
            '1.1/near.sql.txt'      = 'CREATE TABLE near_the_file (id int);'
            'shared/inc.sql'        = 'CREATE TABLE from_the_location (id int);'
        }
        Push-Location $repo
        try { $results = @(Invoke-NorthMigration -Path . -ConnectionString $Db.ConnectionString -ErrorAction Stop) }
        finally { Pop-Location }
        $results.Name | Should -Contain '1.1-inc-ddl.sql'
        Invoke-TestSql -Database $Db.Name -Sql "SELECT to_regclass('from_the_location') IS NOT NULL, to_regclass('near_the_file') IS NOT NULL" | Should -Be 't|t'
    }
}

Describe 'Duration parameters read a number as seconds' {
    BeforeAll {
        $script:Db = New-TestDatabase
        $script:Holder = $null
    }
    AfterAll {
        # The holder may end between the look and the kill: gone is what the clean-up wants.
        if ($Holder -and -not $Holder.HasExited) { Stop-Process -Id $Holder.Id -Force -ErrorAction Ignore }
        Remove-TestDatabase $Db
    }

    It 'sets -DdlLockTimeout 2 and -DdlStatementTimeout ''5min'' for each file' {
        $check = "DO `$`$ BEGIN IF current_setting('lock_timeout') <> '2s' OR current_setting('statement_timeout') <> '5min' THEN " +
            "RAISE EXCEPTION 'lock_timeout %, statement_timeout %', current_setting('lock_timeout'), current_setting('statement_timeout'); END IF; END `$`$;"
        $repo = New-Repository 'ddl-timeouts' @{ '1.1/1.1-check-ddl.sql' = $check }
        $results = @(Invoke-NorthMigration -Path $repo -ConnectionString $Db.ConnectionString -DdlLockTimeout 2 -DdlStatementTimeout '5min' -ErrorAction Stop)
        $results[-1].Status.ToString() | Should -Be 'Succeeded'
    }

    It 'refuses a negative duration, naming the parameter' {
        $repo = New-Repository 'negative' @{ '1.0/1.0-a-ddl.sql' = 'SELECT 1;' }
        $failure = Invoke-Caught { Invoke-NorthMigration -Path $repo -ConnectionString $Db.ConnectionString -LockTimeout -5 -ErrorAction Stop }
        $failure | Should -Not -BeNullOrEmpty
        $failure.Exception.Message | Should -Match 'LockTimeout'
        $failure.Exception.Message | Should -Match 'negative'
        $failure = Invoke-Caught { Invoke-NorthMigration -Path $repo -ConnectionString $Db.ConnectionString -LockTimeout ([TimeSpan]::FromSeconds(-1)) -ErrorAction Stop }
        $failure.Exception.Message | Should -Match 'negative'
    }

    It 'waits -LockTimeout 2 seconds (not 2 ticks), and accepts ''1.5s'' and a [TimeSpan]' {
        $repo = New-Repository 'locked' @{ '1.0/1.0-a-ddl.sql' = 'CREATE TABLE a (id int);' }
        $sql = Join-Path $TestDrive 'hold-lock.sql'
        Set-Content $sql "SELECT pg_advisory_lock($(Get-NorthRunLockKey));`nSELECT pg_sleep(120);"
        Set-PgEnvironment $Db.Name
        $env:PGAPPNAME = 'north-pester-duration-holder'
        try {
            $script:Holder = Start-Process -FilePath psql -ArgumentList '-X', '-q', '-d', $Db.Name, '-f', $sql -PassThru `
                -RedirectStandardOutput "$sql.out" -RedirectStandardError "$sql.err"
        }
        finally { Clear-PgEnvironment }
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while (-not (Invoke-TestSql -Database $Db.Name -Sql "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")) {
            if ([DateTime]::UtcNow -gt $deadline) { throw 'psql did not take the advisory lock' }
            Start-Sleep -Milliseconds 100
        }
        foreach ($timeout in @(2, '1.5s', [TimeSpan]::FromSeconds(1.5))) {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $failure = Invoke-Caught { Invoke-NorthMigration -Path $repo -ConnectionString $Db.ConnectionString -LockTimeout $timeout -ErrorAction Stop }
            $clock.Stop()
            $failure.FullyQualifiedErrorId | Should -BeLike 'NorthLockTimeout*'
            $clock.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 1.4 -Because "-LockTimeout $timeout waits that long"
        }
        Invoke-TestSql -Database $Db.Name -Sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'north-pester-duration-holder'" | Out-Null
    }
}

Describe 'A version alone prints as its text' {
    BeforeAll {
        $script:Db = New-TestDatabase
        $script:Repo = New-Repository 'versions' @{ '1.0/1.0-a-ddl.sql' = 'SELECT 1;'; '1.2/1.2-a-ddl.sql' = 'SELECT 1;'; '1.10/1.10-a-ddl.sql' = 'SELECT 1;'; '1.9/1.9-a-ddl.sql' = 'SELECT 1;' }
        Invoke-NorthMigration -Path $Repo -ConnectionString $Db.ConnectionString -TargetVersion 1.2 | Out-Null
    }
    AfterAll { Remove-TestDatabase $Db }

    It 'shows (Get-NorthVersion).CurrentVersion as 1.2' {
        $version = Get-NorthVersion -Path $Repo -ConnectionString $Db.ConnectionString
        ($version.CurrentVersion | Out-String).Trim() | Should -Be '1.2'
        "$($version.CurrentVersion)" | Should -Be '1.2'
    }

    It 'still sorts as a version' {
        $versions = (Get-NorthStatus -Path $Repo -ConnectionString $Db.ConnectionString).Version | Sort-Object -Descending
        ($versions | ForEach-Object Text) | Should -Be @('1.10', '1.9', '1.2', '1.0')
    }
}
