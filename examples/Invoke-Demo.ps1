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
$admin = @{ ConnectionString = $ServerConnectionString }
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

Write-Host "`n== Test-NorthRepository: static checks, no database" -ForegroundColor Cyan
Test-NorthRepository -Path $connection.Path | Format-Table | Out-Host

Write-Host "== Get-NorthPlan: what a run would do" -ForegroundColor Cyan
Get-NorthPlan @connection | Format-Table | Out-Host

Write-Host "== Invoke-NorthMigration -Verbose" -ForegroundColor Cyan
Invoke-NorthMigration @connection | Format-Table | Out-Host

Write-Host "== Get-NorthStatus" -ForegroundColor Cyan
Get-NorthStatus @connection | Format-Table | Out-Host

Write-Host "== Get-NorthVersion" -ForegroundColor Cyan
Get-NorthVersion @connection | Format-List | Out-Host

Write-Host "== Get-NorthStatus | Where-Object Pending (nothing left)" -ForegroundColor Cyan
$pending = @(Get-NorthStatus @connection | Where-Object Pending)
Write-Host "$($pending.Count) pending migration(s)."
if ($pending.Count -ne 0) { throw 'The demo left pending migrations.' }
