<#
.SYNOPSIS
    The migrate benchmark: 50 versions x 20 files, psql against North, on fresh databases.
.DESCRIPTION
    Called by `build.ps1 Bench`. Generates the repository with MigrateBench, then measures, each
    round on a fresh database, rounds interleaved, median of -Rounds after a warm-up round:
      (a) psql -X -q -v ON_ERROR_STOP=1 -f on the concatenation, one session: the limit;
      (b) Invoke-NorthMigration in this warm pwsh session (Measure-Command);
      (c) North as a whole process: pwsh -NoProfile -c "Import-Module ...; Invoke-NorthMigration ...";
      (d) Get-NorthStatus in this session on the migrated database (1,000 files), and on 10,000
          files recorded with Register-NorthMigration (status reads history and files, not tables).
    Prints a table with the ratios b/a and c/a against the targets. -Core adds MigrateBench's
    in-process columns (b0, d0: the core without the cmdlets, with a discovery breakdown).
.PARAMETER ModuleManifest
    The built North.psd1 (build.ps1 Build lays it out in out/North/<version>/).
.PARAMETER ServerConnectionString
    A superuser on the maintenance database; the benchmark creates and drops north_bench_* databases.
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $ServerConnectionString,
    [int] $Rounds = 5,
    # Only (d): for iterating on Get-NorthStatus.
    [switch] $StatusOnly,
    [switch] $Core
)
$ErrorActionPreference = 'Stop'
$project = Join-Path $PSScriptRoot 'MigrateBench/MigrateBench.csproj'
& dotnet build $project -c Release --nologo -v q | Out-Host
if ($LASTEXITCODE -ne 0) { throw "MigrateBench did not build (exit $LASTEXITCODE)." }
$dll = Join-Path $PSScriptRoot 'MigrateBench/bin/Release/net10.0/MigrateBench.dll'
$ModuleManifest = (Resolve-Path $ModuleManifest).Path
$work = Join-Path ([System.IO.Path]::GetTempPath()) "north-bench-migrate-$PID"

# psql and the databases: host, port, user and password from the server's connection string.
$server = [System.Data.Common.DbConnectionStringBuilder]::new()
$server.set_ConnectionString($ServerConnectionString) # a method: on a dictionary, .ConnectionString = would set a key
function Get-Setting([string[]] $Names, [string] $Default) {
    foreach ($n in $Names) { if ($server.ContainsKey($n)) { return [string]$server[$n] } }
    $Default
}
$pgHost = Get-Setting 'Host', 'Server' '127.0.0.1'
$pgPort = Get-Setting 'Port' '5432'
$pgUser = Get-Setting 'Username', 'User Id', 'User' 'postgres'
$env:PGPASSWORD = Get-Setting 'Password' ''

function Invoke-Psql([string] $Database, [string[]] $Arguments) {
    $output = & psql -X -q -v ON_ERROR_STOP=1 -h $pgHost -p $pgPort -U $pgUser -d $Database @Arguments 2>&1
    if ($LASTEXITCODE -ne 0) { throw "psql failed (exit $LASTEXITCODE): $output" }
}

function New-BenchDatabase([string] $Name) {
    Invoke-Psql 'postgres' @('-c', "DROP DATABASE IF EXISTS $Name WITH (FORCE)", '-c', "CREATE DATABASE $Name")
    $b = [System.Data.Common.DbConnectionStringBuilder]::new()
    $b.set_ConnectionString($ServerConnectionString)
    foreach ($k in 'Database', 'Db') { if ($b.ContainsKey($k)) { $b.Remove($k) | Out-Null } }
    $b['Database'] = $Name
    $b.get_ConnectionString()
}

function Remove-BenchDatabase([string] $Name) {
    Invoke-Psql 'postgres' @('-c', "DROP DATABASE IF EXISTS $Name WITH (FORCE)")
}

function Assert-Migrated($Results, [int] $Files) {
    $applied = @($Results | Where-Object { $_.Action -eq 'Apply' -and $_.Status -eq 'Succeeded' }).Count
    if ($applied -ne $Files) { throw "North applied $applied file(s), expected $Files." }
}

function Get-Median([double[]] $Samples) {
    $s = $Samples | Sort-Object
    if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 }
}

# The whole-process column starts the pwsh this script runs in, as a user's shell would.
$pwshHost = Join-Path $PSHOME 'pwsh'
$pwshArgs = @()
if (-not (Test-Path $pwshHost)) { $pwshHost = 'dotnet'; $pwshArgs = @(Join-Path $PSHOME 'pwsh.dll') }

$loadAtStart = ((Get-Content /proc/loadavg -ErrorAction SilentlyContinue) -split " " | Select-Object -First 3) -join " "
Import-Module $ModuleManifest
try {
    $root = Join-Path $work 'repository'
    $all = Join-Path $work 'all.sql'
    $bigRoot = Join-Path $work 'repository-10k'
    & dotnet $dll generate $root 50 20 $all | Out-Host
    & dotnet $dll generate $bigRoot 500 20 | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "MigrateBench generate failed (exit $LASTEXITCODE)." }
    $files = 1000
    # (a+) the same psql run plus, per file, what North's design adds on the server: the history
    # row inserted before COMMIT and DISCARD ALL after it. Not a target: it shows how much of (b)
    # is the server's work that the design asks for, not the client's.
    $design = Join-Path $work 'all-design.sql'
    $history = "CREATE TABLE north_migrations (id bigserial PRIMARY KEY, version text NOT NULL, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), checksum text, duration_ms bigint, applied_by text DEFAULT current_user, mode text);`n"
    $record = "INSERT INTO north_migrations (version, name, checksum, duration_ms, mode) VALUES ('1.0', '1.0-00-create-t-1-0-ddl.sql', '$('0' * 64)', 1, 'applied') RETURNING *;`nCOMMIT;`nDISCARD ALL;`n"
    [System.IO.File]::WriteAllText($design, $history + ([System.IO.File]::ReadAllText($all) -replace "COMMIT;`n", $record))

    $samples = @{ a = [System.Collections.Generic.List[double]]::new(); ad = [System.Collections.Generic.List[double]]::new(); b = [System.Collections.Generic.List[double]]::new(); c = [System.Collections.Generic.List[double]]::new() }
    $child = "Import-Module '$ModuleManifest'; `$r = Invoke-NorthMigration -Path '$root' -ConnectionString `$env:NORTH_BENCH_CONNECTION; " +
             "if (@(`$r | Where-Object { `$_.Action -eq 'Apply' -and `$_.Status -eq 'Succeeded' }).Count -ne $files) { exit 3 }"
    $statusDatabase = $null
    if ($StatusOnly) {
        $name = 'north_bench_status_1k'
        $statusDatabase = @{ Name = $name; ConnectionString = (New-BenchDatabase $name) }
        Register-NorthMigration -Path $root -ConnectionString $statusDatabase.ConnectionString -Version '50.0' | Out-Null
    }
    for ($round = 0; $round -le ($StatusOnly ? -1 : $Rounds); $round++) {
        $label = if ($round) { "round $round/$Rounds" } else { 'warm-up' }
        $times = [ordered]@{}
        # Rotate the order each round so drift on a shared machine falls on every column alike.
        $order = @('a', 'b', 'c', 'ad')
        $order = $order[($round % 4)..3] + $(if ($round % 4) { $order[0..(($round % 4) - 1)] } else { @() })
        foreach ($column in $order) {
            $name = "north_bench_$column$round"
            $cs = New-BenchDatabase $name
            $keep = $false
            switch ($column) {
                'a' { $times.a = (Measure-Command { Invoke-Psql $name @('-f', $all) }).TotalMilliseconds }
                'ad' { $times.ad = (Measure-Command { Invoke-Psql $name @('-f', $design) }).TotalMilliseconds }
                'b' {
                    $results = $null
                    $times.b = (Measure-Command { $results = Invoke-NorthMigration -Path $root -ConnectionString $cs }).TotalMilliseconds
                    Assert-Migrated $results $files
                    if ($round -eq $Rounds) { $statusDatabase = @{ Name = $name; ConnectionString = $cs }; $keep = $true }
                }
                'c' {
                    $env:NORTH_BENCH_CONNECTION = $cs
                    $times.c = (Measure-Command { & $pwshHost @pwshArgs -NoProfile -NonInteractive -c $child | Out-Host }).TotalMilliseconds
                    if ($LASTEXITCODE -ne 0) { throw "The whole-process run failed (exit $LASTEXITCODE)." }
                    Remove-Item Env:NORTH_BENCH_CONNECTION
                }
            }
            if (-not $keep) { Remove-BenchDatabase $name }
        }
        Write-Host ("{0}: (a) {1:0} ms, (a+) {2:0} ms, (b) {3:0} ms, (c) {4:0} ms" -f $label, $times.a, $times.ad, $times.b, $times.c)
        if ($round) { foreach ($k in 'a', 'ad', 'b', 'c') { $samples[$k].Add($times[$k]) } }
    }

    function Measure-Status([string] $Path, [string] $ConnectionString, [int] $Expected) {
        $status = @(Get-NorthStatus -Path $Path -ConnectionString $ConnectionString) # warm-up
        $list = [System.Collections.Generic.List[double]]::new()
        for ($i = 0; $i -lt $Rounds; $i++) {
            $list.Add((Measure-Command { $status = Get-NorthStatus -Path $Path -ConnectionString $ConnectionString }).TotalMilliseconds)
        }
        $applied = @($status | Where-Object Applied).Count
        if ($status.Count -ne $Expected -or $applied -ne $Expected) { throw "Get-NorthStatus saw $($status.Count) migration(s), $applied applied; expected $Expected." }
        Get-Median $list
    }
    $d1000 = Measure-Status $root $statusDatabase.ConnectionString $files
    Remove-BenchDatabase $statusDatabase.Name

    $bigCs = New-BenchDatabase 'north_bench_status_10k'
    try {
        Register-NorthMigration -Path $bigRoot -ConnectionString $bigCs -Version '500.0' | Out-Null
        $d10000 = Measure-Status $bigRoot $bigCs 10000
    }
    finally {
        Remove-BenchDatabase 'north_bench_status_10k'
    }

    $a, $ad, $b, $c = foreach ($k in 'a', 'ad', 'b', 'c') { if ($samples[$k].Count) { Get-Median $samples[$k] } else { [double]::NaN } }
    $verdict = { param($ok) if ($ok) { 'yes' } else { 'NO' } }
    Write-Host ''
    Write-Host "Repository: $files files in 50 versions; median of $Rounds rounds after a warm-up, each on a fresh database; load average $loadAtStart at the start, $(((Get-Content /proc/loadavg -ErrorAction SilentlyContinue) -split " " | Select-Object -First 3) -join " ") at the end"
    Write-Host ''
    Write-Host '| column | what | median ms | ratio to (a) | target | met |'
    Write-Host '| --- | --- | ---: | ---: | --- | --- |'
    Write-Host ('| (a) | psql -X -q -v ON_ERROR_STOP=1 -f, {0} files in one session | {1:0} | 1.00 | the limit | |' -f $files, $a)
    Write-Host ('| (a+) | (a) plus the history insert before each COMMIT and DISCARD ALL after it | {0:0} | {1:0.00} | not a target | |' -f $ad, ($ad / $a))
    Write-Host ('| (b) | Invoke-NorthMigration in a warm pwsh session | {0:0} | {1:0.00} | <= 1.10 | {2} |' -f $b, ($b / $a), (& $verdict (($b / $a) -le 1.10)))
    Write-Host ('| (c) | pwsh -NoProfile -c "Import-Module; Invoke-NorthMigration" | {0:0} | {1:0.00} | <= 1.5 | {2} |' -f $c, ($c / $a), (& $verdict (($c / $a) -le 1.5)))
    Write-Host ('| (d) | Get-NorthStatus, 1,000 files, warm session | {0:0.0} | | < 50 ms | {1} |' -f $d1000, (& $verdict ($d1000 -lt 50)))
    Write-Host ('| (d) | Get-NorthStatus, 10,000 files, warm session | {0:0.0} | | < 300 ms | {1} |' -f $d10000, (& $verdict ($d10000 -lt 300)))
    Write-Host ''
    Write-Host "samples (a): $(($samples.a | ForEach-Object { $_.ToString('0') }) -join ', ')"
    Write-Host "samples (a+): $(($samples.ad | ForEach-Object { $_.ToString('0') }) -join ', ')"
    Write-Host "samples (b): $(($samples.b | ForEach-Object { $_.ToString('0') }) -join ', ')"
    Write-Host "samples (c): $(($samples.c | ForEach-Object { $_.ToString('0') }) -join ', ')"

    if ($Core) {
        & dotnet $dll run $ServerConnectionString --rounds $Rounds --work (Join-Path $work 'core') | Out-Host
        if ($LASTEXITCODE -ne 0) { throw "MigrateBench failed (exit $LASTEXITCODE)." }
    }
}
finally {
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
    Remove-Item Env:PGPASSWORD -ErrorAction SilentlyContinue
}
