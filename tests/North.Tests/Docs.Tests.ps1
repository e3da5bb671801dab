# The help and docs name only what exists: every Verb-North* word of the about_ topics and the
# README is an exported cmdlet (issue 11).
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $root = Get-TestRepositoryRoot
    $script:Documents = @(
        Get-ChildItem (Join-Path $root 'src/North.PowerShell/en-US') -Filter 'about_*.help.txt' | ForEach-Object { @{ Name = $_.Name; Path = $_.FullName } }
        @{ Name = 'README.md'; Path = Join-Path $root 'README.md' }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $module = Import-Module (Get-TestModuleManifest) -PassThru -Force
    $script:Exported = @(Get-Command -Module $module.Name -CommandType Cmdlet)
    $script:CmdletNames = $Exported.Name

    function Get-NamedCmdlet([string] $Path) {
        [regex]::Matches((Get-Content -Raw $Path), '\b[A-Z][a-z]+-North[A-Za-z]*\b').Value | Sort-Object -Unique
    }
}

Describe '<Name> names only cmdlets the module exports' -ForEach $Documents {
    It 'names cmdlets' {
        @(Get-NamedCmdlet $Path).Count | Should -BeGreaterThan 0 -Because 'each of these documents shows the cmdlets'
    }

    It 'names no cmdlet that does not exist' {
        $missing = @(Get-NamedCmdlet $Path | Where-Object { $_ -cnotin $CmdletNames })
        $missing | Should -BeNullOrEmpty -Because "$Name names them, but North exports only $($CmdletNames -join ', ')"
    }
}

Describe 'The checker itself' {
    It 'catches a cmdlet name that does not exist' {
        $file = Join-Path $TestDrive 'about_Fake.help.txt'
        Set-Content $file 'Use Get-NorthStatus, then Repair-NorthEverything.'
        @(Get-NamedCmdlet $file | Where-Object { $_ -cnotin $CmdletNames }) | Should -Be @('Repair-NorthEverything')
    }
}
