# The foundation: the built module imports in a fresh pwsh, exports only real cmdlets, keeps its
# Npgsql apart from other modules', and the test harness fails loudly without a server.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $script:Manifest = Get-TestModuleManifest
    $script:Root = Get-TestRepositoryRoot
}

Describe 'The built module' {
    It 'imports in a fresh pwsh -NoProfile and exports exactly the manifest''s cmdlets' {
        $result = Invoke-FreshPwsh "Import-Module '$Manifest'; (Get-Command -Module North | Sort-Object Name).Name -join ','"
        $result.ExitCode | Should -Be 0
        $expected = (Import-PowerShellDataFile $Manifest).CmdletsToExport | Sort-Object
        $result.Output.Trim() | Should -Be ($expected -join ',')
        $expected.Count | Should -BeGreaterThan 0
    }

    It 'imports through the module folder name as well' {
        $folder = Split-Path (Split-Path $Manifest)
        $result = Invoke-FreshPwsh "Import-Module '$folder'; (Get-Module North).Version.ToString()"
        $result.ExitCode | Should -Be 0
        $result.Output.Trim() | Should -Be (Import-PowerShellDataFile $Manifest).ModuleVersion
    }

    It 'declares what a gallery needs and no wildcard exports' {
        $data = Import-PowerShellDataFile $Manifest
        $data.CompatiblePSEditions | Should -Be @('Core')
        $data.PowerShellVersion | Should -Be '7.4'
        $data.CmdletsToExport | Should -Not -Contain '*'
        $data.PrivateData.PSData.Tags | Should -Contain 'PostgreSQL'
        $data.PrivateData.PSData.ProjectUri | Should -Not -BeNullOrEmpty
        $data.PrivateData.PSData.LicenseUri | Should -Not -BeNullOrEmpty
    }

    It 'ships its dependencies apart and never System.Management.Automation' {
        $dir = Split-Path $Manifest
        Test-Path (Join-Path $dir 'North.PowerShell.dll') | Should -BeTrue
        Test-Path (Join-Path $dir 'North.Core.dll') | Should -BeFalse
        Test-Path (Join-Path $dir 'Dependencies/North.Core.dll') | Should -BeTrue
        Test-Path (Join-Path $dir 'Dependencies/Npgsql.dll') | Should -BeTrue
        Get-ChildItem $dir -Recurse -Filter 'System.Management.Automation.dll' | Should -BeNullOrEmpty
    }
}

Describe 'ReadyToRun images' {
    BeforeAll {
        # A repository of one file: the cmdlet below reads it with North.Core, no server needed.
        $script:Repo = Join-Path $TestDrive 'r2r-repo'
        New-Item -ItemType Directory -Force -Path (Join-Path $Repo '1.0') | Out-Null
        Set-Content (Join-Path $Repo '1.0/1.0-a-1-ddl.sql') 'BEGIN; CREATE TABLE t (id int); COMMIT;'
        # The same module without its images: what a runtime or platform they were not made for gets.
        $script:Plain = Join-Path $TestDrive 'plain/North'
        Copy-Item (Split-Path $Manifest) $Plain -Recurse
        $script:Images = @(Get-ChildItem (Join-Path $Plain 'Dependencies') -Directory)
        $Images | Remove-Item -Recurse -Force
        $script:Probe = "Import-Module `$env:NORTH_R2R_MANIFEST; `$null = Test-NorthRepository -Path `$env:NORTH_R2R_REPO; " +
            "([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'North.Core' }).Location"
        function Invoke-Probe([string] $ModuleManifest) {
            # The runtime lists every method its JIT compiles (a release runtime's own switch), in a
            # pwsh started directly so that no other process writes the list.
            $list = Join-Path $TestDrive "jit-$([guid]::NewGuid()).txt"
            $env:NORTH_R2R_MANIFEST = $ModuleManifest
            $env:NORTH_R2R_REPO = $Repo
            $env:DOTNET_JitStdOutFile = $list
            $env:DOTNET_JitDisasmSummary = '1'
            try { $output = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command $Probe 2>&1 | Out-String }
            finally { Remove-Item Env:NORTH_R2R_MANIFEST, Env:NORTH_R2R_REPO, Env:DOTNET_JitStdOutFile, Env:DOTNET_JitDisasmSummary }
            # The probe's last line, not its exit code: with the JIT's list switched on, the runtime
            # has been seen to crash while shutting down (exit 139), after the probe had finished.
            $core = $output -split "`n" | Where-Object { $_ -match 'North\.Core\.dll' } | Select-Object -Last 1
            $core | Should -Not -BeNullOrEmpty -Because $output
            [pscustomobject]@{
                Core = $core.Trim()
                CoreMethods = @(Get-Content $list | Where-Object { $_ -match 'JIT compiled North\.Core\.' }).Count
            }
        }
    }

    It 'loads North.Core from the images made for this runtime, whose methods the JIT then leaves alone' {
        $Images.Name | Should -Contain ("net{0}.0-{1}" -f [Environment]::Version.Major, [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier)
        $native = Invoke-Probe $Manifest
        $il = Invoke-Probe (Join-Path $Plain 'North.psd1')
        Split-Path (Split-Path $native.Core) -Leaf | Should -Be $Images[0].Name
        Split-Path (Split-Path $il.Core) -Leaf | Should -Be 'Dependencies'
        $il.CoreMethods | Should -BeGreaterThan 50
        $native.CoreMethods | Should -BeLessThan ($il.CoreMethods / 4) -Because "the JIT compiled $($native.CoreMethods) North.Core methods with the images, $($il.CoreMethods) without"
    }
}

Describe 'Dependency isolation' {
    BeforeAll {
        # Another DBA module built against Npgsql 8, loaded first into the default context.
        $script:ProbeDir = Join-Path $TestDrive 'probe'
        $build = & dotnet build (Join-Path $PSScriptRoot 'IsolationProbe/IsolationProbe.csproj') -c Release -o $ProbeDir --nologo -v q 2>&1
        if ($LASTEXITCODE -ne 0) { throw "The isolation probe did not build: $build" }
        $script:Database = New-TestDatabase
    }
    AfterAll { Remove-TestDatabase $Database }

    It 'lets a module on Npgsql 8 and North each run on their own Npgsql in one session' {
        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$ProbeDir/IsolationProbe.dll'
`$before = Get-IsolationProbe -ConnectionString '$($Database.ConnectionString)'
Import-Module '$Manifest'
`$north = Get-NorthVersion -ConnectionString '$($Database.ConnectionString)' -Path '$(Get-CorpusPath 'septentrion/example_migrations')'
`$after = Get-IsolationProbe -ConnectionString '$($Database.ConnectionString)'
`$npgsql = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'Npgsql' } | ForEach-Object {
    '{0}@{1}' -f `$_.GetName().Version, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$_).Name }
[pscustomobject]@{
    Before = `$before.NpgsqlVersion; BeforeServer = `$before.ServerVersion
    After = `$after.NpgsqlVersion; AfterContext = `$after.LoadContext
    NorthInitialized = `$north.Initialized; NorthLatest = "`$(`$north.LatestVersion)"
    Loaded = (`$npgsql | Sort-Object) -join ','
} | ConvertTo-Json -Compress
"@
        $result = Invoke-FreshPwsh $script
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $json = ($result.Output -split "`n" | Where-Object { $_.StartsWith('{') } | Select-Object -Last 1) | ConvertFrom-Json
        $json.Before | Should -BeLike '8.0.*'
        $json.After | Should -BeLike '8.0.*'
        $json.AfterContext | Should -Be 'Default'
        $json.BeforeServer | Should -Match '^\d+'
        $json.NorthInitialized | Should -BeFalse
        $json.NorthLatest | Should -Be '1.3'
        $json.Loaded | Should -Match '8\.0\.\d+\.\d+@Default'
        $json.Loaded | Should -Match '10\.0\.\d+\.\d+@North'
    }
}

Describe 'The session''s connection pools' {
    BeforeAll { $script:Database = New-TestDatabase }
    AfterAll { Remove-TestDatabase $Database }

    It 'reuse one session across calls and close it when the module is removed' {
        $app = 'north_pools_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$(Join-Path $PSScriptRoot 'TestSupport.psm1')'
Import-Module '$Manifest'
`$north = @{ ConnectionString = '$($Database.ConnectionString)'; Path = '$(Get-CorpusPath 'septentrion/example_migrations')'; ApplicationName = '$app' }
function Get-Sessions { [int](Invoke-TestSql -Database postgres -Sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$app'") }
Get-NorthVersion @north | Out-Null
`$first = Get-Sessions
1..3 | ForEach-Object { Get-NorthVersion @north | Out-Null }
`$warm = Get-Sessions
Remove-Module North
`$deadline = [DateTime]::UtcNow.AddSeconds(10)
do { Start-Sleep -Milliseconds 100; `$removed = Get-Sessions } until (`$removed -eq 0 -or [DateTime]::UtcNow -gt `$deadline)
"sessions `$first `$warm `$removed"
"@
        $result = Invoke-FreshPwsh $script
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output -match 'sessions (\d+) (\d+) (\d+)' | Should -BeTrue -Because $result.Output
        [int]$Matches[1] | Should -BeGreaterThan 0 -Because 'a pooled session stays open between calls'
        [int]$Matches[2] | Should -Be ([int]$Matches[1]) -Because 'later calls reuse it'
        [int]$Matches[3] | Should -Be 0 -Because 'Remove-Module closes the session''s pools'
    }
}

Describe 'The test harness' {
    It 'fails loudly when NORTH_TEST_CONNECTION points at a port where nothing listens' {
        $dll = Join-Path $Root "tests/North.TestServer/bin/$env:NORTH_BUILD_CONFIGURATION/net10.0/North.TestServer.dll"
        Test-Path $dll | Should -BeTrue
        $saved = $env:NORTH_TEST_CONNECTION
        try {
            $env:NORTH_TEST_CONNECTION = 'Host=127.0.0.1;Port=1;Username=postgres;Password=hunter2-secret;Database=postgres'
            $output = 'x' | & dotnet $dll serve 2>&1 | Out-String
            $exit = $LASTEXITCODE
        }
        finally { $env:NORTH_TEST_CONNECTION = $saved }
        $exit | Should -Not -Be 0
        $output | Should -Match 'NORTH_TEST_CONNECTION is set but its server does not answer'
        $output | Should -Match '127\.0\.0\.1:1'
        $output | Should -Not -Match 'hunter2-secret'
        $output | Should -Not -Match '^NORTH_TEST_CONNECTION='
    }
}
