<#
.SYNOPSIS
    The fleet benchmark: one call on 100 databases, serial (-ThrottleLimit 1) against parallel (8).
.DESCRIPTION
    Called by `build.ps1 Bench`. Makes 100 empty databases on the server, then in one warm pwsh
    session (each figure is the best of -Rounds calls, after a warm-up call):
      - migrating the 100 empty databases to examples/bookshop's latest version, -ThrottleLimit 1
        and 8 (the databases are re-created between the two);
      - Get-NorthVersion over the 100 up-to-date databases, -ThrottleLimit 1 and 8;
      - a no-op Invoke-NorthMigration over them, -ThrottleLimit 1 and 8.
    Every parallel call sets -ServerThrottleLimit 8 (the databases share one server, where a
    migration's default cap is 1). Prints the seconds, the parallel/serial ratio against the
    targets (parallel status of 100 databases under 2 s warm; parallel at most 0.6 of serial) and
    the load average at start and end (the machine's load moves these figures). Drops its databases.
.PARAMETER ModuleManifest
    The built North.psd1 (build.ps1 Build lays it out in out/North/<version>/).
.PARAMETER ServerConnectionString
    A role with CREATEDB, on the maintenance database (postgres), in Npgsql's form.
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $ServerConnectionString,
    [int] $Count = 100,
    [int] $Rounds = 3
)
$ErrorActionPreference = 'Stop'
Import-Module $ModuleManifest

function Get-Load { if (Test-Path /proc/loadavg) { ((Get-Content /proc/loadavg) -split ' ')[0..2] -join ' ' } else { 'n/a' } }

$bookshop = Join-Path $PSScriptRoot '../../examples/bookshop'
$prefix = 'north_bench_fleet_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
$names = 0..($Count - 1) | ForEach-Object { '{0}_{1:000}' -f $prefix, $_ }
$targets = $names | ForEach-Object { ($ServerConnectionString -replace '(?i)(^|;)\s*Database\s*=[^;]*', '') + ";Database=$_" }

# The databases are made and dropped with psql, in one session per batch.
$server = @{}
foreach ($pair in $ServerConnectionString -split ';') {
    if ($pair -match '^\s*([^=]+?)\s*=\s*(.*)$') { $server[$Matches[1].ToLowerInvariant()] = $Matches[2] }
}
function Invoke-ServerSql([string] $Sql) {
    $env:PGPASSWORD = $server['password']
    try {
        $port = if ($server['port']) { $server['port'] } else { '5432' }
        $Sql | & psql -X -q -h $server['host'] -p $port -U $server['username'] -d postgres -v ON_ERROR_STOP=1 -f - | Out-Null
        if ($LASTEXITCODE -ne 0) { throw 'psql failed' }
    }
    finally { Remove-Item Env:PGPASSWORD -ErrorAction SilentlyContinue }
}
function New-Databases { Invoke-ServerSql (($names | ForEach-Object { "CREATE DATABASE $_;" }) -join "`n") }
function Remove-Databases { Invoke-ServerSql (($names | ForEach-Object { "DROP DATABASE IF EXISTS $_ WITH (FORCE);" }) -join "`n") }

function Measure-Best([scriptblock] $Call) {
    & $Call | Out-Null                                   # warm-up
    $best = [double]::MaxValue
    for ($i = 0; $i -lt $Rounds; $i++) { $best = [math]::Min($best, (Measure-Command { & $Call | Out-Null }).TotalSeconds) }
    [math]::Round($best, 2)
}

$loadStart = Get-Load
try {
    New-Databases
    $migrateSerial = [math]::Round((Measure-Command { $targets | Invoke-NorthMigration -Path $bookshop -ThrottleLimit 1 | Out-Null }).TotalSeconds, 2)
    Remove-Databases; New-Databases
    $migrateParallel = [math]::Round((Measure-Command { $targets | Invoke-NorthMigration -Path $bookshop -ThrottleLimit 8 -ServerThrottleLimit 8 | Out-Null }).TotalSeconds, 2)

    $versionSerial = Measure-Best { $targets | Get-NorthVersion -Path $bookshop -ThrottleLimit 1 }
    $versionParallel = Measure-Best { $targets | Get-NorthVersion -Path $bookshop -ThrottleLimit 8 }
    $noopSerial = Measure-Best { $targets | Invoke-NorthMigration -Path $bookshop -ThrottleLimit 1 }
    $noopParallel = Measure-Best { $targets | Invoke-NorthMigration -Path $bookshop -ThrottleLimit 8 -ServerThrottleLimit 8 }

    $rows = @(
        [pscustomobject]@{ Figure = "Migrate $Count empty databases to the latest"; Serial = $migrateSerial; Parallel = $migrateParallel }
        [pscustomobject]@{ Figure = "Get-NorthVersion, $Count up to date (warm)"; Serial = $versionSerial; Parallel = $versionParallel }
        [pscustomobject]@{ Figure = "No-op Invoke-NorthMigration, $Count (warm)"; Serial = $noopSerial; Parallel = $noopParallel }
    )
    foreach ($row in $rows) { $row | Add-Member Ratio ([math]::Round($row.Parallel / $row.Serial, 2)) }
    $rows | Format-Table Figure, @{ n = 'Serial s (-ThrottleLimit 1)'; e = 'Serial' }, @{ n = 'Parallel s (8)'; e = 'Parallel' }, Ratio -AutoSize | Out-String -Width 160 | Write-Host
    [pscustomobject]@{
        'Parallel status of 100 databases'  = "$versionParallel s (target < 2 s): $(if ($versionParallel -lt 2) { 'met' } else { 'not met' })"
        'Parallel / serial, status'         = "$($rows[1].Ratio) (target <= 0.6): $(if ($rows[1].Ratio -le 0.6) { 'met' } else { 'not met' })"
        'Parallel / serial, no-op migration' = "$($rows[2].Ratio) (target <= 0.6): $(if ($rows[2].Ratio -le 0.6) { 'met' } else { 'not met' })"
        'Load average start / end'          = "$loadStart / $(Get-Load)"
    } | Format-List | Out-Host
}
finally {
    Remove-Databases
}
