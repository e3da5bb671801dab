<#
.SYNOPSIS
    Runs the Pester suite against a built module; called by build.ps1 in a fresh child pwsh.
    Writes a JSON summary (Suite, Passed, Failed, Skipped) for build.ps1 to add up.
    With -Queue, several of these processes share the files: each takes the next file nobody has
    claimed (a file created in the queue folder), so they end together whatever the files cost.
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $ResultFile,
    # Which *.Tests.ps1 to run (wildcards); build.ps1 passes it in NORTH_PESTER_FILTER.
    [string] $Filter = $(if ($env:NORTH_PESTER_FILTER) { $env:NORTH_PESTER_FILTER } else { '*' }),
    [string] $Configuration = 'Release',
    # A folder shared by the workers of one run (empty: this process runs every file).
    [string] $Queue = '',
    # Worker 1 also counts the tests of the files left to another run.
    [int] $Worker = 1
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

$files = @(Get-ChildItem $PSScriptRoot -Filter "$Filter.Tests.ps1")
# Whole files left to another run (build.ps1 passes their names, from tests/PostgresServers.psd1),
# counted by a discovery-only pass.
$excludedFiles = @("$env:NORTH_PESTER_EXCLUDE_FILES" -split "`n" | Where-Object { $_ })
$leftOut = 0
if ($excludedFiles) {
    $skippedFiles = @($files | Where-Object Name -In $excludedFiles)
    $files = @($files | Where-Object Name -NotIn $excludedFiles)
    if ($skippedFiles -and $Worker -eq 1) {
        $count = New-PesterConfiguration
        $count.Run.Path = @($skippedFiles | ForEach-Object FullName)
        $count.Run.SkipRun = $true
        $count.Run.PassThru = $true
        $count.Output.Verbosity = 'None'
        $leftOut = @((Invoke-Pester -Configuration $count).Tests).Count
    }
}
$summary = [ordered]@{ Suite = 'Pester'; Passed = 0; Failed = 0; Skipped = 0; Excluded = 0; LeftOut = $leftOut; Files = @() }
if (-not $files) {
    # Pester would run the current folder when given no path.
    [pscustomobject]$summary | ConvertTo-Json | Set-Content -Path $ResultFile
    return
}

# Tests that cannot run on this server (build.ps1 passes their full names from
# tests/PostgresServers.psd1): found by a discovery-only pass, left out by their line.
$excluded = @("$env:NORTH_PESTER_EXCLUDE" -split "`n" | Where-Object { $_ })
$excludedLines = @()
if ($excluded) {
    $discovery = New-PesterConfiguration
    $discovery.Run.Path = @($files | ForEach-Object FullName)
    $discovery.Run.SkipRun = $true
    $discovery.Run.PassThru = $true
    $discovery.Output.Verbosity = 'None'
    # A name ending in * excludes every test under it.
    $excludedLines = @((Invoke-Pester -Configuration $discovery).Tests | Where-Object {
            $path = $_.ExpandedPath
            $excluded | Where-Object { if ($_.EndsWith('*')) { $path -like $_ } else { $path -eq $_ } }
        } | ForEach-Object { "$($_.ScriptBlock.File):$($_.StartLine)" })
}

if ($Queue) {
    # The files that start clusters of their own take longest: taken first, so the workers end together.
    $files = @($files | Sort-Object @{ Expression = { [bool](Select-String -Path $_.FullName -Pattern 'Start-TestCluster' -Quiet) }; Descending = $true },
        @{ Expression = { $_.Length }; Descending = $true })
}
foreach ($file in $files) {
    if ($Queue) {
        try { [IO.File]::Open((Join-Path $Queue $file.Name), [IO.FileMode]::CreateNew).Dispose() }
        catch [System.IO.IOException] { continue } # another worker took it
    }
    $config = New-PesterConfiguration
    $config.Run.Path = $file.FullName
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    $mine = @($excludedLines | Where-Object { $_.StartsWith("$($file.FullName):") })
    if ($mine) { $config.Filter.ExcludeLine = $mine }
    $result = Invoke-Pester -Configuration $config
    $summary.Passed += $result.PassedCount
    $summary.Failed += $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    $summary.Skipped += $result.SkippedCount + $result.NotRunCount - $mine.Count
    $summary.Excluded += $mine.Count
    $summary.Files += $file.Name
}
[pscustomobject]$summary | ConvertTo-Json | Set-Content -Path $ResultFile
