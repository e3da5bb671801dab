# Loads a generated 1 GB COPY fixtures file through the script engine; prints time and peak working set.
# Run by build.ps1 Bench, which passes a throwaway server.
param(
    [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $ServerConnectionString,
    [int] $SizeMB = 1024
)
$ErrorActionPreference = 'Stop'
$env:NORTH_TEST_CONNECTION = $ServerConnectionString
& dotnet run -c Release --project (Join-Path $PSScriptRoot 'North.Bench.Memory.csproj') -- $SizeMB
if ($LASTEXITCODE -ne 0) { throw "The memory benchmark failed ($LASTEXITCODE)" }
