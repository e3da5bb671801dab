# Fleets: one call on many databases, in parallel inside the cmdlet. Against the test server, and
# a second throwaway cluster made by the harness (max_connections = 50) for the per-server cap and
# the connection-hygiene proof; the shared server is never reconfigured.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Server = Get-TestServer

    # A small repository: 1.0 from a schema, 1.1 logs when it ran (and sleeps), 1.2 fails on
    # databases whose name ends in _bad.
    $script:Repo = Join-Path $TestDrive 'fleet'
    New-Item -ItemType Directory -Force -Path "$Repo/schemas", "$Repo/1.0", "$Repo/1.1", "$Repo/1.2" | Out-Null
    Set-Content "$Repo/schemas/schema_1.0.sql" 'CREATE TABLE public.tenant (id int primary key);'
    Set-Content "$Repo/1.0/1.0-fleet-1-ddl.sql" 'CREATE TABLE public.tenant (id int primary key);'
    Set-Content "$Repo/1.1/1.1-fleet-1-ddl.sql" @'
CREATE TABLE public.run_log (started timestamptz, ended timestamptz);
INSERT INTO public.run_log (started) VALUES (clock_timestamp());
SELECT pg_sleep(CASE WHEN current_database() LIKE '%\_slow' ESCAPE '\' THEN 1 ELSE 0 END);
UPDATE public.run_log SET ended = clock_timestamp();
'@
    Set-Content "$Repo/1.2/1.2-fleet-1-ddl.sql" @'
DO $$ BEGIN
  IF current_database() LIKE '%\_bad' ESCAPE '\' THEN RAISE EXCEPTION 'planned failure in %', current_database(); END IF;
END $$;
ALTER TABLE public.tenant ADD COLUMN name text;
'@

    function New-Fleet([string] $Prefix, [int] $Count, [string[]] $Suffixes = @(), $On = $null) {
        # $Count databases named <prefix>_NN (a suffix per index: _bad, _slow), on the test server
        # or on the cluster $On; returns their names and connection strings.
        $dbs = for ($i = 0; $i -lt $Count; $i++) {
            $name = '{0}_{1:00}{2}' -f $Prefix, $i, $(if ($i -lt $Suffixes.Count) { $Suffixes[$i] } else { '' })
            [pscustomobject]@{ Name = $name; ConnectionString = (New-ConnectionString $name $On) }
        }
        # FILE_COPY (15+): no WAL for each copy of the template, much faster for 200 small databases.
        $strategy = if ([int](Invoke-TestSql -Database postgres -Sql 'SHOW server_version_num' -Cluster $On) -ge 150000) { ' STRATEGY FILE_COPY' } else { '' }
        $sql = ($dbs | ForEach-Object { "CREATE DATABASE $($_.Name)$strategy;" }) -join "`n"
        Invoke-TestSql -Database postgres -Sql $sql -Cluster $On | Out-Null
        , $dbs
    }

    function New-ConnectionString([string] $Database, $On = $null) {
        $s = if ($On) { $On.Values } else { $Server }
        "Host=$($s['host']);Port=$($s['port']);Username=$($s['username']);Password=$($s['password']);Database=$Database"
    }

    function Remove-Fleet($Dbs, $On = $null) {
        $sql = ($Dbs | ForEach-Object { "DROP DATABASE IF EXISTS $($_.Name) WITH (FORCE);" }) -join "`n"
        Invoke-TestSql -Database postgres -Sql $sql -Cluster $On | Out-Null
    }

    function Get-Version($Db) {
        (Get-NorthVersion -Path $Repo -ConnectionString $Db.ConnectionString).CurrentVersion.Text
    }
}

Describe 'One call on 24 databases' {
    BeforeAll {
        # 23 databases, the fifth fails in 1.2; the 24th target names a database that does not exist.
        $script:Dbs = New-Fleet 'north_fleet24' 23 @('', '', '', '', '_bad')
        $script:Missing = [pscustomobject]@{ Name = 'north_fleet24_missing'; ConnectionString = (New-ConnectionString 'north_fleet24_missing') }
        $targets = @($Dbs.ConnectionString) + $Missing.ConnectionString
        $script:Results = @($targets | Invoke-NorthMigration -Path $Repo -ThrottleLimit 6 -ServerThrottleLimit 6 `
                -ErrorVariable failures -ErrorAction SilentlyContinue -InformationVariable info)
        $script:Failures = @($failures)
        $script:Summary = @($info | Where-Object { 'NorthSummary' -in $_.Tags })
    }
    AfterAll { Remove-Fleet $Dbs }

    It 'leaves the 22 good databases at the latest version and the failed one at 1.1' {
        $versions = @($Dbs | ForEach-Object { [pscustomobject]@{ Name = $_.Name; Version = Get-Version $_ } })
        @($versions | Where-Object Version -EQ '1.2').Count | Should -Be 22
        ($versions | Where-Object Name -Like '*_bad').Version | Should -Be '1.1'
    }

    It 'gives exactly two errors, each naming its database' {
        $Failures.Count | Should -Be 2
        $bad = $Failures | Where-Object { "$($_.TargetObject)" -like '*/north_fleet24_04_bad' }
        $bad.FullyQualifiedErrorId | Should -BeLike 'NorthScriptFailed*'
        "$bad" | Should -Match 'north_fleet24_04_bad'
        "$bad" | Should -Match 'planned failure'
        $missing = $Failures | Where-Object { "$($_.TargetObject)" -like '*/north_fleet24_missing' }
        $missing.FullyQualifiedErrorId | Should -BeLike 'NorthConnectionFailed*'
        "$missing" | Should -Match 'north_fleet24_missing'
    }

    It 'puts Server and Database on every result' {
        $Results.Count | Should -BeGreaterThan 23
        $expected = "$($Server['host']):$($Server['port'])"
        foreach ($r in $Results) {
            $r.Server | Should -Be $expected
            $r.Database | Should -BeIn $Dbs.Name
        }
        # The failed step comes back too, on its database.
        ($Results | Where-Object Status -EQ 'Failed').Database | Should -Be 'north_fleet24_04_bad'
    }

    It 'ends with one summary: 24 targets, 22 succeeded, 2 failed' {
        $Summary.Count | Should -Be 1
        $s = $Summary[0].MessageData
        ($s.Targets, $s.Succeeded, $s.NoOp, $s.Failed, $s.Skipped) | Should -Be @(24, 22, 0, 2, 0)
        "$s" | Should -Match '24 target\(s\): 22 succeeded, 0 no-op, 2 failed, 0 skipped'
    }

    It 'counts up-to-date databases as no-op, and a fleet Get-NorthVersion is the "which are behind" table' {
        $null = $Dbs.ConnectionString | Invoke-NorthMigration -Path $Repo -ThrottleLimit 6 -ServerThrottleLimit 6 -ErrorAction SilentlyContinue -InformationVariable again
        $s = ($again | Where-Object { 'NorthSummary' -in $_.Tags }).MessageData
        ($s.Succeeded, $s.NoOp, $s.Failed) | Should -Be @(0, 22, 1)
        $behind = @($Dbs.ConnectionString | Get-NorthVersion -Path $Repo | Where-Object PendingCount)
        $behind.Database | Should -Be 'north_fleet24_04_bad'
    }

    It 'takes targets from Import-Csv rows (Host, Port, Database, Username)' {
        $csv = Join-Path $TestDrive 'tenants.csv'
        $Dbs | Select-Object -First 3 | ForEach-Object {
            [pscustomobject]@{ Host = $Server['host']; Port = $Server['port']; Database = $_.Name; Username = $Server['username'] }
        } | Export-Csv $csv
        $env:PGPASSWORD = $Server['password']
        try { $rows = @(Import-Csv $csv | Get-NorthVersion -Path $Repo) }
        finally { Remove-Item Env:PGPASSWORD }
        # Objects come as targets end (as ForEach-Object -Parallel): each target's together.
        ($rows.Database | Sort-Object) | Should -Be @($Dbs[0..2].Name)
        $rows.CurrentVersion.Text | Should -Be @('1.2', '1.2', '1.2')
    }

    It 'shows the databases in the default views, within 120 columns' {
        $versions = $Dbs[0..2].ConnectionString | Get-NorthVersion -Path $Repo
        $lines = ($versions | Format-Table | Out-String -Width 120) -split "`r?`n"
        ($lines | Where-Object { $_ -match '^Server\s' }).Trim() -split '\s+' |
            Should -Be @('Server', 'Database', 'CurrentVersion', 'TargetVersion', 'Initialized', 'PendingCount')
        $lines | Where-Object { $_ -match 'north_fleet24_00\s' } | Should -Not -BeNullOrEmpty
        $history = $Dbs[0..1].ConnectionString | Get-NorthHistory -Path $Repo
        $lines += ($history | Format-Table | Out-String -Width 120) -split "`r?`n"
        $lines | Where-Object { $_ -match "^\s*Database: $([regex]::Escape($Server['host'])):\d+/north_fleet24_01" } | Should -Not -BeNullOrEmpty
        foreach ($line in $lines) { $line.TrimEnd().Length | Should -BeLessOrEqual 120 }
        # One database: today's view, no Server column.
        ((Get-NorthVersion -Path $Repo -ConnectionString $Dbs[0].ConnectionString | Format-Table | Out-String -Width 120) -split "`n" |
            Where-Object { $_ -match 'CurrentVersion' }).Trim() | Should -Match '^CurrentVersion'
    }

    It 'groups one target''s verbose lines together, each naming its target' {
        $verbose = @($Dbs[0..3].ConnectionString | Get-NorthStatus -Path $Repo -ThrottleLimit 4 -Verbose 4>&1 |
                Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        $verbose.Count | Should -BeGreaterThan 4
        $owners = $verbose | ForEach-Object { if ($_.Message -match '^\[[^/]+/(north_fleet24_\d+)\] ') { $Matches[1] } else { 'none' } }
        $owners | Should -Not -Contain 'none'
        # Each target's lines are one run: as many runs as targets.
        $runs = 1 + @(for ($i = 1; $i -lt $owners.Count; $i++) { if ($owners[$i] -ne $owners[$i - 1]) { $i } }).Count
        $runs | Should -Be 4
    }
}

Describe 'Failure policy' {
    BeforeAll {
        # The first database fails fast in 1.2; the others take a second in 1.1.
        $script:Stop = New-Fleet 'north_fleetstop' 8 @('_bad', '_slow', '_slow', '_slow', '_slow', '_slow', '_slow', '_slow')
        $script:Canary = New-Fleet 'north_fleetcanary' 5 @('_bad')
    }
    AfterAll { Remove-Fleet ($Stop + $Canary) }

    It '-ErrorAction Stop starts no new target after a failure, lets running ones finish, then throws naming the database' {
        $thrown = $null
        try { $Stop.ConnectionString | Invoke-NorthMigration -Path $Repo -ThrottleLimit 2 -ServerThrottleLimit 2 -ErrorAction Stop -InformationVariable info | Out-Null }
        catch { $thrown = $_ }
        $thrown | Should -Not -BeNullOrEmpty
        "$($thrown.TargetObject)" | Should -BeLike '*/north_fleetstop_00_bad'
        "$thrown" | Should -Match 'planned failure'
        # The one running beside it finished; the last ones were never started.
        Get-Version $Stop[1] | Should -Be '1.2'
        foreach ($db in $Stop[4..7]) {
            (Get-NorthVersion -Path $Repo -ConnectionString $db.ConnectionString).Initialized | Should -BeFalse
        }
        $s = ($info | Where-Object { 'NorthSummary' -in $_.Tags }).MessageData
        $s.Failed | Should -Be 1
        $s.Skipped | Should -BeGreaterOrEqual 4
    }

    It '$ErrorActionPreference = ''Stop'' stops like -ErrorAction Stop' {
        $ErrorActionPreference = 'Stop'
        $targets = @((New-ConnectionString 'north_fleetstop_missing'), $Stop[1].ConnectionString)
        $thrown = $null
        try { $targets | Get-NorthVersion -Path $Repo -ThrottleLimit 1 -InformationVariable info | Out-Null }
        catch { $thrown = $_ }
        "$($thrown.TargetObject)" | Should -BeLike '*/north_fleetstop_missing'
        $thrown.FullyQualifiedErrorId | Should -BeLike 'NorthConnectionFailed*'
        (($info | Where-Object { 'NorthSummary' -in $_.Tags }).MessageData).Skipped | Should -Be 1
    }

    It 'a failing canary: no other database is touched' {
        $errors = @()
        $null = $Canary.ConnectionString | Invoke-NorthMigration -Path $Repo -CanaryCount 1 -ThrottleLimit 4 -ServerThrottleLimit 4 -ErrorVariable errors -ErrorAction SilentlyContinue -InformationVariable info
        $errors.Count | Should -Be 1
        "$($errors[0].TargetObject)" | Should -BeLike '*/north_fleetcanary_00_bad'
        foreach ($db in $Canary[1..4]) {
            (Get-NorthVersion -Path $Repo -ConnectionString $db.ConnectionString).Initialized | Should -BeFalse
        }
        (($info | Where-Object { 'NorthSummary' -in $_.Tags }).MessageData).Skipped | Should -Be 4
    }

    It 'a passing canary: the others follow' {
        $targets = @($Canary[1..4].ConnectionString)
        $null = $targets | Invoke-NorthMigration -Path $Repo -CanaryCount 2 -ThrottleLimit 4 -ServerThrottleLimit 4
        foreach ($db in $Canary[1..4]) { Get-Version $db | Should -Be '1.2' }
    }
}

Describe '-Service names from pg_service.conf' {
    BeforeAll {
        $script:Svc = New-Fleet 'north_fleetsvc' 2
        $script:ServiceFile = Join-Path $TestDrive 'pg_service.conf'
        Set-Content $ServiceFile @"
# tenants of the fleet tests
[tenant_a]
host=$($Server['host'])
port=$($Server['port'])
dbname=$($Svc[0].Name)
user=$($Server['username'])

[tenant_b]
host=$($Server['host'])
port=$($Server['port'])
dbname=$($Svc[1].Name)
user=$($Server['username'])
"@
        $script:Saved = @{ PGSERVICEFILE = $env:PGSERVICEFILE; PGPASSWORD = $env:PGPASSWORD; PGSYSCONFDIR = $env:PGSYSCONFDIR; PGPASSFILE = $env:PGPASSFILE }
        $env:PGSERVICEFILE = $ServiceFile
        $env:PGSYSCONFDIR = Join-Path $TestDrive 'no-sysconf'
    }
    AfterAll {
        foreach ($k in $Saved.Keys) { Set-Item "Env:$k" -Value $Saved[$k] -ErrorAction SilentlyContinue; if (-not $Saved[$k]) { Remove-Item "Env:$k" -ErrorAction SilentlyContinue } }
        Remove-Fleet $Svc
    }

    It 'migrates the databases of two services, the password from PGPASSWORD' {
        $env:PGPASSWORD = $Server['password']
        try { $results = @(Invoke-NorthMigration -Path $Repo -Service tenant_a, tenant_b -ServerThrottleLimit 2) }
        finally { Remove-Item Env:PGPASSWORD }
        ($results.Database | Sort-Object -Unique) | Should -Be @($Svc.Name)
        foreach ($db in $Svc) { Get-Version $db | Should -Be '1.2' }
    }

    It 'takes the password from a password file (.pgpass) too' {
        $pgpass = Join-Path $TestDrive 'pgpass'
        Set-Content $pgpass "$($Server['host']):$($Server['port']):*:$($Server['username']):$($Server['password'])"
        if (-not $IsWindows) { & chmod 600 $pgpass }
        $env:PGPASSFILE = $pgpass
        try { $version = Get-NorthVersion -Path $Repo -Service tenant_b }
        finally { Remove-Item Env:PGPASSFILE }
        $version.Database | Should -Be $Svc[1].Name
        $version.CurrentVersion.Text | Should -Be '1.2'
    }

    It 'a service in no file is a clear error for that target; the others go on' {
        $env:PGPASSWORD = $Server['password']
        try { $versions = @(Get-NorthVersion -Path $Repo -Service tenant_a, no_such_tenant -ErrorVariable errors -ErrorAction SilentlyContinue) }
        finally { Remove-Item Env:PGPASSWORD }
        $versions.Database | Should -Be $Svc[0].Name
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'NorthServiceNotFound*'
        "$errors" | Should -Match '"no_such_tenant"'
        "$errors" | Should -Match ([regex]::Escape($ServiceFile))
        # One target alone: a terminating error, as every single-database failure.
        { Get-NorthVersion -Path $Repo -Service no_such_tenant -ErrorAction Stop } | Should -Throw -ErrorId 'NorthServiceNotFound*'
    }
}

Describe 'Two servers, and a server with max_connections = 50' {
    BeforeAll {
        # A second, throwaway PostgreSQL with max_connections = 50.
        $script:Cluster = Start-TestCluster -Options '-c max_connections=50'
    }
    AfterAll {
        Stop-TestCluster $Cluster
    }

    It 'holds the per-server cap on each server while both servers run at once' {
        # Each takes a second in 1.1 (the _slow suffix).
        $here = New-Fleet 'north_fleetcap' 3 @('_slow', '_slow', '_slow')
        $there = New-Fleet 'north_fleetcap' 3 @('_slow', '_slow', '_slow') -On $Cluster
        try {
            $null = @($here.ConnectionString) + @($there.ConnectionString) | Invoke-NorthMigration -Path $Repo -ThrottleLimit 6
            $runs = @(
                foreach ($db in $here) { Invoke-TestSql -Database $db.Name -Sql "SELECT 'here', extract(epoch from started), extract(epoch from ended) FROM run_log" }
                foreach ($db in $there) { Invoke-TestSql -Database $db.Name -Cluster $Cluster -Sql "SELECT 'there', extract(epoch from started), extract(epoch from ended) FROM run_log" }
            ) | ForEach-Object { $f = $_ -split '\|'; [pscustomobject]@{ Server = $f[0]; Start = [double]$f[1]; End = [double]$f[2] } }
            $runs.Count | Should -Be 6
            foreach ($group in $runs | Group-Object Server) {
                # Default per-server cap of a migration: 1. No two runs of one server overlap.
                $sorted = @($group.Group | Sort-Object Start)
                for ($i = 1; $i -lt $sorted.Count; $i++) { $sorted[$i].Start | Should -BeGreaterOrEqual $sorted[$i - 1].End }
            }
            # Across the two servers the runs did overlap: the global limit let them run at once.
            $overlap = @(foreach ($a in $runs | Where-Object Server -EQ 'here') { $runs | Where-Object { $_.Server -eq 'there' -and $_.Start -lt $a.End -and $a.Start -lt $_.End } })
            $overlap.Count | Should -BeGreaterThan 0
        }
        finally {
            Remove-Fleet $here
            Remove-Fleet $there -On $Cluster
        }
    }

    It 'migrates 200 databases with -ThrottleLimit 16 while other sessions fill the server: no too-many-connections error' {
        $dbs = New-Fleet 'north_fleet200' 200 -On $Cluster
        # 30 other sessions hold most of the 50 slots for a few seconds, so North meets 53300 and waits.
        $env:PGHOST = $Cluster.Values['host']; $env:PGPORT = $Cluster.Values['port']; $env:PGUSER = $Cluster.Values['username']; $env:PGPASSWORD = $Cluster.Values['password']
        # psql writes its own output (-o): PowerShell's Start-Process redirection can write a child's last
        # line after closing the file, and that ObjectDisposedException ends the whole pwsh (seen under load).
        try { $holders = 1..30 | ForEach-Object { Start-Process psql -ArgumentList '-X', '-q', '-o', (Join-Path $TestDrive "holder$_.out"), '-d', 'postgres', '-c', 'SELECT pg_sleep(6)' -PassThru } }
        finally { Remove-Item Env:PGHOST, Env:PGPORT, Env:PGUSER, Env:PGPASSWORD }
        try {
            Start-Sleep -Milliseconds 1500
            $results = @($dbs.ConnectionString | Invoke-NorthMigration -Path $Repo -ThrottleLimit 16 -ServerThrottleLimit 16 -ErrorVariable errors -InformationVariable info)
            $errors.Count | Should -Be 0 -Because ($errors | Out-String)
            $s = ($info | Where-Object { 'NorthSummary' -in $_.Tags }).MessageData
            ($s.Targets, $s.Succeeded, $s.Failed) | Should -Be @(200, 200, 0)
            @($results | Where-Object Status -EQ 'Failed').Count | Should -Be 0
            # Nothing stays open once the targets are done.
            Invoke-TestSql -Database postgres -Cluster $Cluster -Sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'North'" | Should -Be '0'
        }
        finally {
            $holders | Wait-Process -Timeout 30 -ErrorAction SilentlyContinue
            Remove-Fleet $dbs -On $Cluster
        }
    }
}

Describe 'The module in several runspaces at once' {
    BeforeAll {
        $script:Par = New-Fleet 'north_fleetrs' 4
        $null = $Par.ConnectionString | Invoke-NorthMigration -Path $Repo -ServerThrottleLimit 4
    }
    AfterAll { Remove-Fleet $Par }

    It 'imports and runs in ForEach-Object -Parallel and Start-ThreadJob without errors' {
        $script = @"
`$ErrorActionPreference = 'Stop'
`$manifest = '$((Get-TestModuleManifest) -replace "'", "''")'
`$repo = '$($Repo -replace "'", "''")'
`$targets = @('$(($Par.ConnectionString) -join "','")')
`$parallel = `$targets | ForEach-Object -ThrottleLimit 4 -Parallel {
    Import-Module `$using:manifest
    Get-NorthVersion -Path `$using:repo -ConnectionString `$_
    Get-NorthStatus -Path `$using:repo -ConnectionString `$_ | Out-Null
}
`$jobs = `$targets | ForEach-Object { Start-ThreadJob -ArgumentList `$manifest, `$repo, `$_ { param(`$m, `$r, `$c) Import-Module `$m; Get-NorthVersion -Path `$r -ConnectionString `$c } }
`$threaded = `$jobs | Receive-Job -Wait -AutoRemoveJob -ErrorAction Stop
Import-Module `$manifest
`$fleet = `$targets | ForEach-Object -ThrottleLimit 2 -Parallel { Import-Module `$using:manifest; `$_ } | Get-NorthVersion -Path `$repo
'{0}|{1}|{2}' -f (@(`$parallel).Where({ `$_.CurrentVersion.Text -eq '1.2' }).Count), (@(`$threaded).Where({ `$_.CurrentVersion.Text -eq '1.2' }).Count), @(`$fleet).Count
"@
        $run = Invoke-FreshPwsh -Script $script
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output.Trim() | Should -Be '4|4|4'
    }
}
