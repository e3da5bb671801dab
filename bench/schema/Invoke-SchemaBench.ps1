# Times the schema comparison (what Test-NorthSchema -ReferenceConnectionString does) on 1,000 generated tables.
# Run by build.ps1 Bench, which passes a throwaway server.
param(
    [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $ServerConnectionString,
    [int] $Tables = 1000,
    [int] $Runs = 3
)
$ErrorActionPreference = 'Stop'
$env:NORTH_TEST_CONNECTION = $ServerConnectionString
& dotnet run -c Release --project (Join-Path $PSScriptRoot 'SchemaBench.csproj') -- $Tables $Runs
if ($LASTEXITCODE -ne 0) { throw "The schema benchmark failed ($LASTEXITCODE)" }
