<#
.SYNOPSIS
    The main job, end to end: migrates the bookshop example into a fresh database on a throwaway
    PostgreSQL and shows where it stands. Called by `build.ps1 Demo`, which provides the server.
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $ServerConnectionString
)
$ErrorActionPreference = 'Stop'
Import-Module $ModuleManifest

# A fresh database for the demo, on the throwaway server.
$database = 'north_demo'
$connection = @{
    Path             = Join-Path $PSScriptRoot 'bookshop'
    ConnectionString = ($ServerConnectionString -replace 'Database=[^;]*', "Database=$database")
}
& {
    # The server's maintenance database makes the demo's own: North never creates databases.
    $parts = @{}
    foreach ($pair in $ServerConnectionString -split ';') { $k, $v = $pair -split '=', 2; $parts[$k.ToLowerInvariant()] = $v }
    $env:PGHOST = $parts['host']; $env:PGPORT = $parts['port']; $env:PGUSER = $parts['username']; $env:PGPASSWORD = $parts['password']
    & psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" -c "CREATE DATABASE $database" | Out-Null
    if ($LASTEXITCODE -ne 0) { throw 'Could not create the demo database.' }
}

function Show { param([Parameter(ValueFromPipeline)] $InputObject) end { $input | Format-Table | Out-String -Width 120 | Write-Host } }

Write-Host "`n== Test-NorthRepository: static checks, no database" -ForegroundColor Cyan
$findings = @(Test-NorthRepository -Path $connection.Path)
if ($findings) { $findings | Show } else { Write-Host 'No findings.' }

Write-Host "== Invoke-NorthMigration -TargetVersion 1.0: an empty database starts from schemas/schema_1.0.sql" -ForegroundColor Cyan
Invoke-NorthMigration @connection -TargetVersion 1.0 | Show

Write-Host "== Get-NorthPlan: what a run to the latest version would do now" -ForegroundColor Cyan
Get-NorthPlan @connection | Show

Write-Host "== Invoke-NorthMigration: applies 1.1 and 1.2 (a CONCURRENTLY index, a do-until-0 backfill)" -ForegroundColor Cyan
Invoke-NorthMigration @connection | Show

Write-Host "== Get-NorthStatus" -ForegroundColor Cyan
Get-NorthStatus @connection | Show

Write-Host "== Get-NorthVersion" -ForegroundColor Cyan
Get-NorthVersion @connection | Format-List | Out-String -Width 120 | Write-Host

Write-Host "== Get-NorthStatus | Where-Object Pending (nothing left)" -ForegroundColor Cyan
$pending = @(Get-NorthStatus @connection | Where-Object Pending)
Write-Host "$($pending.Count) pending migration(s)."
if ($pending.Count -ne 0) { throw 'The demo left pending migrations.' }

Write-Host "== Test-NorthSchema: the database against schemas/schema_1.2.sql" -ForegroundColor Cyan
$differences = @(Test-NorthSchema @connection)
if ($differences) { $differences | Show; throw 'The migrated database differs from its snapshot.' }
Write-Host 'No difference: the database is exactly what schema_1.2.sql says.'

Write-Host "== Test-NorthSchema -Replay -Version 1.2: schema 1.0 + the migrations agree with schema 1.2" -ForegroundColor Cyan
Write-Host "Agree: $(Test-NorthSchema @connection -Replay -Version 1.2 -Quiet)"
