<#
.SYNOPSIS
    North as a whole process against psql's single session, on the migrate benchmark's workload.
.DESCRIPTION
    Called by `build.ps1 Bench`. Generates 50 versions x 20 files (each `BEGIN; ... COMMIT;`) with
    bench/migrate's MigrateBench, then each round, on a fresh database, columns in a rotating order:
      (a) psql -X -q -v ON_ERROR_STOP=1 -f on the concatenation, one session: the limit;
      (c) pwsh -NoProfile -c "Import-Module North; Invoke-NorthMigration ...", a whole process;
      (s) pwsh -NoProfile -c "Import-Module North; Get-NorthStatus ..." on the database (c) migrated,
          its table printed (to a file) as a console would;
      (p) pwsh -NoProfile -c exit: PowerShell's own start, for scale;
      (n) bench/process/NpgsqlFloor: Npgsql alone, each file's text as one command on one session,
          a plain .NET process with ReadyToRun code: the floor of any .NET client, North's or a peer's;
      (f) pwsh -NoProfile -c printing a table of 1,000 objects of eight short strings (the status
          table's shape) without North: the floor of any PowerShell command that prints such a table.
    Each is timed by GNU time: wall, client CPU (user + system) and peak RSS of the process. Then,
    unless -NoSpans, one cold status and one cold migrate per round run Measure-ColdSpans.ps1,
    which breaks the process down into stopwatch spans with the JIT's method counts.
    Prints medians of -Rounds after a warm-up round, with the load average at the start and end.
.PARAMETER ModuleManifest
    The built North.psd1 (build.ps1 Build lays it out in out/North/<version>/).
.PARAMETER ServerConnectionString
    A superuser on the maintenance database; the benchmark creates and drops north_bench_p_* databases.
.PARAMETER PowerShell
    The pwsh that columns (c), (s), (p) and (f) start: its executable, or its pwsh.dll (then started
    by dotnet). By default the one this script runs in.
.PARAMETER ReadyToRunPowerShell
    Start a copy of the pwsh this script runs in whose own assemblies are compiled ReadyToRun
    (build/ReadyToRun/Invoke-Crossgen.ps1; the images are kept in out/readytorun). The `PowerShell`
    .NET tool ships them as IL only, and Microsoft's release packages ship them compiled: this
    measures North as a DBA's installed pwsh runs it.
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $ServerConnectionString,
    [int] $Rounds = 5,
    [switch] $NoSpans,
    [string] $PowerShell,
    [switch] $ReadyToRunPowerShell
)
$ErrorActionPreference = 'Stop'
$time = '/usr/bin/time'
if (-not (Test-Path $time)) { throw "GNU time measures each process's CPU and peak RSS: install it (Debian: apt-get install time)." }
$project = Join-Path $PSScriptRoot '../migrate/MigrateBench/MigrateBench.csproj'
& dotnet build $project -c Release --nologo -v q | Out-Host
if ($LASTEXITCODE -ne 0) { throw "MigrateBench did not build (exit $LASTEXITCODE)." }
$dll = Join-Path $PSScriptRoot '../migrate/MigrateBench/bin/Release/net10.0/MigrateBench.dll'
$work = Join-Path ([System.IO.Path]::GetTempPath()) "north-bench-process-$PID"
# The floor is published as the peers were: framework-dependent, ReadyToRun for this platform.
$floor = Join-Path $work 'floor'
$rid = [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier
& dotnet publish (Join-Path $PSScriptRoot 'NpgsqlFloor/NpgsqlFloor.csproj') -c Release -r $rid -p:PublishReadyToRun=true -o $floor --nologo -v q | Out-Host
if ($LASTEXITCODE -ne 0) { throw "NpgsqlFloor did not publish (exit $LASTEXITCODE)." }
$ModuleManifest = (Resolve-Path $ModuleManifest).Path
$spansScript = Join-Path $PSScriptRoot 'Measure-ColdSpans.ps1'

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
$psqlArgs = @('-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', $pgHost, '-p', $pgPort, '-U', $pgUser)

function Invoke-Psql([string] $Database, [string[]] $Arguments) {
    $output = & psql @psqlArgs -d $Database @Arguments 2>&1
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

function Measure-Process([string] $Command, [string[]] $Arguments, [string] $Output = '/dev/null') {
    # Wall s, user + system CPU s and peak RSS MB of one process, from GNU time.
    $report = Join-Path $work 'time.txt'
    & $time -f '%e %U %S %M' -o $report $Command @Arguments > $Output 2> (Join-Path $work 'stderr.txt')
    if ($LASTEXITCODE -ne 0) { throw "$Command failed (exit $LASTEXITCODE): $(Get-Content (Join-Path $work 'stderr.txt') -Raw)" }
    $e, $u, $s, $m = (Get-Content $report | Select-Object -Last 1) -split ' '
    [pscustomobject]@{ Wall = [double]$e; Cpu = [double]$u + [double]$s; RssMB = [double]$m / 1024 }
}

function Get-Median([double[]] $Samples) {
    $s = @($Samples | Sort-Object)
    if (-not $s.Count) { return [double]::NaN }
    if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 }
}

function Get-Load { ((Get-Content /proc/loadavg -ErrorAction SilentlyContinue) -split ' ' | Select-Object -First 3) -join ' ' }

if ($ReadyToRunPowerShell) {
    if ($PowerShell) { throw 'Give -PowerShell or -ReadyToRunPowerShell, not both.' }
    # What pwsh loads to start, run a command and print a table: the rest stays IL.
    $loaded = 'pwsh', 'System.Management.Automation', 'Microsoft.PowerShell.ConsoleHost', 'Microsoft.PowerShell.Commands.Utility',
        'Microsoft.PowerShell.Commands.Management', 'Microsoft.PowerShell.Security', 'Microsoft.PowerShell.SDK',
        'Microsoft.ApplicationInsights', 'Newtonsoft.Json'
    $copy = Join-Path $work 'pwsh'
    New-Item -ItemType Directory -Force -Path $work | Out-Null
    Copy-Item $PSHOME $copy -Recurse
    $il = @($loaded | ForEach-Object { Join-Path $PSHOME "$_.dll" } | Where-Object { Test-Path $_ })
    $images = & (Join-Path $PSScriptRoot '../../build/ReadyToRun/Invoke-Crossgen.ps1') -Assembly $il -Reference (Join-Path $PSHOME '*.dll') `
        -Cache (Join-Path $PSScriptRoot '../../out/readytorun')
    foreach ($image in $images) { Copy-Item $image.Image (Join-Path $copy (Split-Path $image.Source -Leaf)) -Force }
    $PowerShell = Join-Path $copy 'pwsh.dll'
}
# The pwsh this script runs in (or -PowerShell), started as a user's shell would start it.
if ($PowerShell) {
    $PowerShell = (Resolve-Path $PowerShell).Path
    $pwshHost = $PowerShell
    $pwshArgs = @()
    if ($PowerShell -like '*.dll') { $pwshHost = 'dotnet'; $pwshArgs = @($PowerShell) }
}
else {
    $pwshHost = Join-Path $PSHOME 'pwsh'
    $pwshArgs = @()
    if (-not (Test-Path $pwshHost)) { $pwshHost = 'dotnet'; $pwshArgs = @(Join-Path $PSHOME 'pwsh.dll') }
}
$psqlPath = (Get-Command psql -CommandType Application | Select-Object -First 1).Source

$loadAtStart = Get-Load
New-Item -ItemType Directory -Force -Path $work | Out-Null
try {
    $root = Join-Path $work 'repository'
    $all = Join-Path $work 'all.sql'
    & dotnet $dll generate $root 50 20 $all | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "MigrateBench generate failed (exit $LASTEXITCODE)." }
    $files = 1000
    $migrate = "Import-Module '$ModuleManifest'; `$r = Invoke-NorthMigration -Path '$root' -ConnectionString `$env:NORTH_BENCH_CONNECTION; " +
               "if (@(`$r | Where-Object { `$_.Action -eq 'Apply' -and `$_.Status -eq 'Succeeded' }).Count -ne $files) { exit 3 }"
    $status = "Import-Module '$ModuleManifest'; Get-NorthStatus -Path '$root' -ConnectionString `$env:NORTH_BENCH_CONNECTION"
    $statusOutput = Join-Path $work 'status.txt'
    $table = "foreach (`$i in 1..$files) { [pscustomobject]@{ Name = ""`$i-00-create-t-1-0-ddl.sql""; Kind = 'Ddl'; Manual = ''; " +
             "Applied = 'yes'; Pending = ''; Mode = 'applied'; Modified = ''; AppliedAt = '2026-12-02 05:47:04' } }"

    $columns = [ordered]@{
        a = 'psql -X -q -v ON_ERROR_STOP=1 -f, 1,000 files in one session'
        c = 'pwsh -NoProfile -c "Import-Module North; Invoke-NorthMigration ..."'
        s = 'pwsh -NoProfile -c "Import-Module North; Get-NorthStatus ...", 1,000 files, table printed'
        p = 'pwsh -NoProfile -c exit (PowerShell alone)'
        n = 'NpgsqlFloor: Npgsql alone, one command per file, one session (.NET, ReadyToRun)'
        f = 'pwsh -NoProfile -c printing 1,000 objects of eight strings as a table (PowerShell alone)'
    }
    $samples = @{}
    foreach ($k in $columns.Keys) { $samples[$k] = [System.Collections.Generic.List[object]]::new() }
    $spanSamples = @{ Status = [System.Collections.Generic.List[object]]::new(); Migrate = [System.Collections.Generic.List[object]]::new() }

    for ($round = 0; $round -le $Rounds; $round++) {
        $label = if ($round) { "round $round/$Rounds" } else { 'warm-up' }
        $measured = @{}
        # (s) needs the database (c) migrated: the two travel together in the rotation.
        $order = @('a', 'cs', 'p', 'n', 'f')
        $shift = $round % $order.Count
        $order = $order[$shift..($order.Count - 1)] + $(if ($shift) { $order[0..($shift - 1)] } else { @() })
        foreach ($column in $order) {
            switch ($column) {
                'a' {
                    $name = "north_bench_p_a$round"
                    New-BenchDatabase $name | Out-Null
                    $measured.a = Measure-Process $psqlPath ($psqlArgs + @('-d', $name, '-f', $all))
                    Remove-BenchDatabase $name
                }
                'cs' {
                    $name = "north_bench_p_c$round"
                    $env:NORTH_BENCH_CONNECTION = New-BenchDatabase $name
                    $measured.c = Measure-Process $pwshHost ($pwshArgs + @('-NoProfile', '-NonInteractive', '-c', $migrate))
                    $measured.s = Measure-Process $pwshHost ($pwshArgs + @('-NoProfile', '-NonInteractive', '-c', $status)) $statusOutput
                    if (-not $NoSpans) {
                        $json = & $pwshHost @pwshArgs -NoProfile -NonInteractive -File $spansScript -ModuleManifest $ModuleManifest -Path $root -Mode Status -Expected $files
                        if ($LASTEXITCODE -ne 0) { throw "Measure-ColdSpans (status) failed: $json" }
                        if ($round) { $spanSamples.Status.Add(($json | Select-Object -Last 1 | ConvertFrom-Json)) }
                    }
                    Remove-BenchDatabase $name
                    if (-not $NoSpans) {
                        $env:NORTH_BENCH_CONNECTION = New-BenchDatabase $name
                        $json = & $pwshHost @pwshArgs -NoProfile -NonInteractive -File $spansScript -ModuleManifest $ModuleManifest -Path $root -Mode Migrate -Expected $files
                        if ($LASTEXITCODE -ne 0) { throw "Measure-ColdSpans (migrate) failed: $json" }
                        if ($round) { $spanSamples.Migrate.Add(($json | Select-Object -Last 1 | ConvertFrom-Json)) }
                        Remove-BenchDatabase $name
                    }
                    Remove-Item Env:NORTH_BENCH_CONNECTION
                }
                'p' { $measured.p = Measure-Process $pwshHost ($pwshArgs + @('-NoProfile', '-NonInteractive', '-c', 'exit')) }
                'f' { $measured.f = Measure-Process $pwshHost ($pwshArgs + @('-NoProfile', '-NonInteractive', '-c', $table)) (Join-Path $work 'table.txt') }
                'n' {
                    $name = "north_bench_p_n$round"
                    $connection = New-BenchDatabase $name
                    $floorOutput = Join-Path $work 'floor.txt'
                    $measured.n = Measure-Process 'dotnet' @((Join-Path $floor 'NpgsqlFloor.dll'), $connection, $root) $floorOutput
                    if ((Get-Content $floorOutput -Raw) -notmatch "^$files files applied") { throw "NpgsqlFloor: $(Get-Content $floorOutput -Raw)" }
                    Remove-BenchDatabase $name
                }
            }
        }
        Write-Host ("{0} (load {1}): (a) {2:0.00} s, (c) {3:0.00} s, (s) {4:0.00} s, (p) {5:0.00} s, (n) {6:0.00} s, (f) {7:0.00} s" -f $label, (Get-Load), $measured.a.Wall, $measured.c.Wall, $measured.s.Wall, $measured.p.Wall, $measured.n.Wall, $measured.f.Wall)
        if ($round) { foreach ($k in $columns.Keys) { $samples[$k].Add($measured[$k]) } }
    }
    $statusLines = @(Get-Content $statusOutput | Where-Object { $_ -match '\S' }).Count
    if ($statusLines -lt $files) { throw "Get-NorthStatus printed $statusLines line(s) for $files files." }
    $tableLines = @(Get-Content (Join-Path $work 'table.txt') | Where-Object { $_ -match '\S' }).Count
    if ($tableLines -lt $files) { throw "Column (f) printed $tableLines line(s) for $files objects." }

    $median = @{}
    foreach ($k in $columns.Keys) {
        $median[$k] = [pscustomobject]@{
            Wall  = Get-Median @($samples[$k] | ForEach-Object Wall)
            Cpu   = Get-Median @($samples[$k] | ForEach-Object Cpu)
            RssMB = Get-Median @($samples[$k] | ForEach-Object RssMB)
        }
    }
    $verdict = { param($ok) if ($ok) { 'yes' } else { 'NO' } }
    $a = $median.a.Wall
    Write-Host ''
    Write-Host "Repository: $files files in 50 versions, each BEGIN; ... COMMIT;; median of $Rounds rounds after a warm-up, each on a fresh database; load average $loadAtStart at the start, $(Get-Load) at the end"
    $which = if ($ReadyToRunPowerShell) { 'a copy of the one running this script, its own assemblies ReadyToRun' } elseif ($PowerShell) { "-PowerShell $PowerShell" } else { 'the one running this script, as installed' }
    Write-Host "PowerShell $($PSVersionTable.PSVersion): $which"
    Write-Host ''
    Write-Host '| column | what, as a whole process | wall s | x psql | client CPU s | peak RSS MB | target | met |'
    Write-Host '| --- | --- | ---: | ---: | ---: | ---: | --- | --- |'
    $targets = @{
        a = @('the limit', '')
        c = @('<= 1.5 x psql, RSS <= 120 MB', (& $verdict (($median.c.Wall / $a) -le 1.5 -and $median.c.RssMB -le 120)))
        s = @('<= 0.75 s, RSS <= 120 MB', (& $verdict ($median.s.Wall -le 0.75 -and $median.s.RssMB -le 120)))
        p = @('', '')
        n = @('the floor of a .NET client', '')
        f = @('the floor of a printed status', '')
    }
    foreach ($k in $columns.Keys) {
        $m = $median[$k]
        Write-Host ('| ({0}) | {1} | {2:0.00} | {3:0.00} | {4:0.00} | {5:0} | {6} | {7} |' -f $k, $columns[$k], $m.Wall, ($m.Wall / $a), $m.Cpu, $m.RssMB, $targets[$k][0], $targets[$k][1])
    }
    Write-Host ''
    foreach ($k in $columns.Keys) {
        Write-Host "samples ($k) wall/CPU/RSS: $(($samples[$k] | ForEach-Object { '{0:0.00}/{1:0.00}/{2:0}' -f $_.Wall, $_.Cpu, $_.RssMB }) -join ', ')"
    }

    foreach ($mode in 'Status', 'Migrate') {
        $list = $spanSamples[$mode]
        if (-not $list.Count) { continue }
        Write-Host ''
        Write-Host "Cold $($mode.ToLowerInvariant()) process, spans (Measure-ColdSpans.ps1), median of $($list.Count):"
        Write-Host ''
        Write-Host '| span | wall ms | CPU ms | methods compiled by the JIT |'
        Write-Host '| --- | ---: | ---: | ---: |'
        foreach ($span in $list[0].Spans.PSObject.Properties.Name) {
            $ms = Get-Median @($list | ForEach-Object { $_.Spans.$span })
            $cpuMs = Get-Median @($list | ForEach-Object { $_.Cpu.$span })
            $methods = if ($span -eq 'pwsh') { '' } else { '{0:0}' -f (Get-Median @($list | ForEach-Object { $_.Jit.$span })) }
            Write-Host ('| {0} | {1:0} | {2:0} | {3} |' -f $span, $ms, $cpuMs, $methods)
        }
        Write-Host ('| whole process, JIT total | | {0:0} |' -f (Get-Median @($list | ForEach-Object JitTotal)))
    }
}
finally {
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
    Remove-Item Env:PGPASSWORD -ErrorAction SilentlyContinue
    Remove-Item Env:NORTH_BENCH_CONNECTION -ErrorAction SilentlyContinue
}
