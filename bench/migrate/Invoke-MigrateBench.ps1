<#
.SYNOPSIS
    The migrate benchmark: 50 versions x 20 files, psql against North, on fresh databases.
.DESCRIPTION
    Called by `build.ps1 Bench`. Builds and runs MigrateBench (Release), which generates the
    repository, then measures, each round on a fresh database, rounds interleaved, median of
    -Rounds after a warm-up: (a) psql -f on the concatenation in one session; (b0) North's core
    Migrator in a warm process; (d0) North's core status read on 1,000 and 10,000 files.
    The cmdlet columns (b) in-session, (c) whole process and (d) Get-NorthStatus are added here
    once the cmdlets exist, reusing `MigrateBench generate` for the repository.
#>
param(
    [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $ServerConnectionString,
    [int] $Rounds = 5
)
$ErrorActionPreference = 'Stop'
$project = Join-Path $PSScriptRoot 'MigrateBench/MigrateBench.csproj'
& dotnet build $project -c Release --nologo -v q
if ($LASTEXITCODE -ne 0) { throw "MigrateBench did not build (exit $LASTEXITCODE)." }
$dll = Join-Path $PSScriptRoot 'MigrateBench/bin/Release/net10.0/MigrateBench.dll'
$work = Join-Path ([System.IO.Path]::GetTempPath()) "north-bench-migrate-$PID"
try {
    & dotnet $dll run $ServerConnectionString --rounds $Rounds --work $work
    if ($LASTEXITCODE -ne 0) { throw "MigrateBench failed (exit $LASTEXITCODE)." }
}
finally {
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
