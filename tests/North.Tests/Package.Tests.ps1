# The .nupkg that build.ps1 Package makes installs from a local folder repository and runs.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $script:Feed = Join-Path (Get-TestRepositoryRoot) 'out/feed'
}

Describe 'The package' {
    It 'installs from a local PSResource repository into a fresh module path, and its cmdlets run' {
        Get-ChildItem $Feed -Filter 'North.*.nupkg' | Should -Not -BeNullOrEmpty
        $modules = Join-Path $TestDrive 'modules'
        New-Item -ItemType Directory -Path $modules | Out-Null
        $example = Join-Path (Get-TestRepositoryRoot) 'examples/bookshop'
        $script = @"
`$ErrorActionPreference = 'Stop'
`$name = 'NorthTest' + `$PID
Register-PSResourceRepository -Name `$name -Uri '$Feed' -Trusted
try { Save-PSResource -Name North -Repository `$name -Path '$modules' -TrustRepository -Quiet }
finally { Unregister-PSResourceRepository -Name `$name }
`$env:PSModulePath = '$modules'
Import-Module North
'{0}|{1}|{2}' -f (Get-Module North).ModuleBase.StartsWith('$modules'), (Get-Command -Module North).Count, (Test-NorthRepository -Path '$example' -Quiet)
"@
        $result = Invoke-FreshPwsh $script
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $line = ($result.Output -split "`n" | Where-Object { $_ -match '^\w+\|\d+\|\w+' } | Select-Object -Last 1).Trim()
        $expected = (Import-PowerShellDataFile (Get-TestModuleManifest)).CmdletsToExport.Count
        $line | Should -Be "True|$expected|True"
    }
}
