<#
.SYNOPSIS
    The test-database benchmark: how long New-NorthTestDatabase takes once its template exists.
.DESCRIPTION
    Called by `build.ps1 Bench`. On a copy of examples/bookshop (3,500 books), in one warm pwsh
    session: the first New-NorthTestDatabase (which migrates the template), then -Rounds more calls
    (each a CREATE DATABASE ... TEMPLATE), timed with Measure-Command. Prints the first call, the
    second call (the figure the target is about: under 1.5 s), the median and the slowest of the
    later calls, and the load average at start and end (the machine's load moves these figures).
    Drops every database it made, its templates included.
.PARAMETER ModuleManifest
    The built North.psd1 (build.ps1 Build lays it out in out/North/<version>/).
.PARAMETER ServerConnectionString
    A role with CREATEDB on the maintenance database (postgres).
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $ServerConnectionString,
    [int] $Rounds = 5
)
$ErrorActionPreference = 'Stop'
Import-Module $ModuleManifest

function Get-Load { if (Test-Path /proc/loadavg) { ((Get-Content /proc/loadavg) -split ' ')[0..2] -join ' ' } else { 'n/a' } }

$work = Join-Path ([IO.Path]::GetTempPath()) ('north-bench-tdb-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
Copy-Item (Join-Path $PSScriptRoot '../../examples/bookshop') $work -Recurse
$prefix = 'north_bench_tdb_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
$made = [System.Collections.Generic.List[object]]::new()
$loadStart = Get-Load
try {
    $times = foreach ($i in 0..$Rounds) {
        $db = $null
        $elapsed = Measure-Command { $db = New-NorthTestDatabase -Path $work -Name "${prefix}_$i" -ConnectionString $ServerConnectionString }
        $made.Add($db)
        [pscustomobject]@{ Call = $i + 1; TemplateBuilt = $db.TemplateBuilt; Milliseconds = [math]::Round($elapsed.TotalMilliseconds) }
    }
    $later = @($times | Select-Object -Skip 1 | Sort-Object Milliseconds)
    $median = $later[[int][math]::Floor(($later.Count - 1) / 2)].Milliseconds
    $second = $times[1].Milliseconds
    $times | Format-Table -AutoSize | Out-Host
    [pscustomobject]@{
        'First call (builds the template) ms' = $times[0].Milliseconds
        'Second call ms'                      = $second
        'Median of later calls ms'            = $median
        'Slowest later call ms'               = $later[-1].Milliseconds
        'Target for the second call'          = '< 1500 ms'
        'Met'                                 = $second -lt 1500
        'Load average start / end'            = "$loadStart / $(Get-Load)"
    } | Format-List | Out-Host
}
finally {
    if ($made.Count -gt 0) {
        $made | Remove-NorthTestDatabase -ConnectionString $ServerConnectionString -Confirm:$false
        # A template carries no test-database comment: -Force drops it.
        $made.Template | Sort-Object -Unique | ForEach-Object { Remove-NorthTestDatabase -Name $_ -Force -ConnectionString $ServerConnectionString -Confirm:$false }
    }
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
