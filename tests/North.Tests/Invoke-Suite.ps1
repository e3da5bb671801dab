<#
.SYNOPSIS
    Runs the Pester suite against a built module; called by build.ps1 in a fresh child pwsh.
    Writes a JSON summary (Suite, Passed, Failed, Skipped) for build.ps1 to add up.
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $ResultFile,
    # Which *.Tests.ps1 to run (wildcards); build.ps1 passes it in NORTH_PESTER_FILTER.
    [string] $Filter = $(if ($env:NORTH_PESTER_FILTER) { $env:NORTH_PESTER_FILTER } else { '*' }),
    [string] $Configuration = 'Release'
)
$ErrorActionPreference = 'Stop'

# Pester comes from its NuGet package (North.Tests.csproj's PackageDownload), not a gallery.
$packages = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
$pester = Join-Path $packages.Trim() 'pester/5.7.1/tools/Pester.psd1'
Import-Module $pester -Force

if (-not $env:NORTH_TEST_CONNECTION) {
    throw 'NORTH_TEST_CONNECTION is not set: run the suite through build.ps1 Test, which provides a PostgreSQL.'
}
$env:NORTH_MODULE_MANIFEST = (Resolve-Path $ModuleManifest).Path
$env:NORTH_BUILD_CONFIGURATION = $Configuration

$config = New-PesterConfiguration
$files = @(Get-ChildItem $PSScriptRoot -Filter "$Filter.Tests.ps1")
# Whole files left to another run (build.ps1 passes their names, from tests/PostgresServers.psd1),
# counted by a discovery-only pass.
$excludedFiles = @("$env:NORTH_PESTER_EXCLUDE_FILES" -split "`n" | Where-Object { $_ })
$leftOut = 0
if ($excludedFiles) {
    $skippedFiles = @($files | Where-Object Name -In $excludedFiles)
    $files = @($files | Where-Object Name -NotIn $excludedFiles)
    if ($skippedFiles) {
        $count = New-PesterConfiguration
        $count.Run.Path = @($skippedFiles | ForEach-Object FullName)
        $count.Run.SkipRun = $true
        $count.Run.PassThru = $true
        $count.Output.Verbosity = 'None'
        $leftOut = @((Invoke-Pester -Configuration $count).Tests).Count
    }
}
if (-not $files) {
    # Pester would run the current folder when given no path.
    [pscustomobject]@{ Suite = 'Pester'; Passed = 0; Failed = 0; Skipped = 0; Excluded = 0; LeftOut = $leftOut } | ConvertTo-Json | Set-Content -Path $ResultFile
    return
}
$config.Run.Path = @($files | ForEach-Object FullName)
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'

# Tests that cannot run on this server (build.ps1 passes their full names from
# tests/PostgresServers.psd1): found by a discovery-only pass, left out by their line.
$excluded = @("$env:NORTH_PESTER_EXCLUDE" -split "`n" | Where-Object { $_ })
if ($excluded) {
    $discovery = New-PesterConfiguration
    $discovery.Run.Path = $config.Run.Path.Value
    $discovery.Run.SkipRun = $true
    $discovery.Run.PassThru = $true
    $discovery.Output.Verbosity = 'None'
    # A name ending in * excludes every test under it.
    $found = @((Invoke-Pester -Configuration $discovery).Tests | Where-Object {
            $path = $_.ExpandedPath
            $excluded | Where-Object { if ($_.EndsWith('*')) { $path -like $_ } else { $path -eq $_ } }
        })
    $config.Filter.ExcludeLine = @($found | ForEach-Object { "$($_.ScriptBlock.File):$($_.StartLine)" })
}
$result = Invoke-Pester -Configuration $config

[pscustomobject]@{
    Suite   = 'Pester'
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Skipped = $result.SkippedCount + $result.NotRunCount - $(if ($excluded) { $found.Count } else { 0 })
    Excluded = $(if ($excluded) { $found.Count } else { 0 })
    # Tests of the files left to the machine's run (not excluded: they run there).
    LeftOut = $leftOut
} | ConvertTo-Json | Set-Content -Path $ResultFile
