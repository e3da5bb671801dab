# Repository discovery on 10,000 generated files: time, allocations, bytes read.
# Run by build.ps1 Bench (which passes the module and a server; discovery needs neither).
param(
    [string] $ModuleManifest,
    [string] $ServerConnectionString,
    [int] $Versions = 500
)
$ErrorActionPreference = 'Stop'
$project = Join-Path $PSScriptRoot 'DiscoveryBench/DiscoveryBench.csproj'
& dotnet run -c Release --project $project -- $Versions
if ($LASTEXITCODE -ne 0) { throw "DiscoveryBench failed ($LASTEXITCODE)" }
