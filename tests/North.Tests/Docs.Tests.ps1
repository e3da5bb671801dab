# The help and docs name only what exists: every Verb-North* word of the about_ topics and the
# README is an exported cmdlet, and every -Parameter that about_North_Settings gives for a setting
# is a parameter (or alias) of an exported cmdlet (issue 11).
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
    $script:ParameterNames = @($Exported | ForEach-Object { $_.Parameters.Values } | ForEach-Object { $_.Name; $_.Aliases } | Sort-Object -Unique)
    $script:SettingsTopic = Join-Path (Get-TestRepositoryRoot) 'src/North.PowerShell/en-US/about_North_Settings.help.txt'

    function Get-NamedParameter([string] $Path) {
        # "Parameter: -TargetVersion." and "Parameters: -VersionColumn, -NameColumn, -AppliedAtColumn."
        [regex]::Matches((Get-Content -Raw $Path), '(?m)Parameters?:\s*([^.]*)\.') |
            ForEach-Object { [regex]::Matches($_.Groups[1].Value, '(?<![\w-])-([A-Za-z]+)\b') | ForEach-Object { $_.Groups[1].Value } } |
            Sort-Object -Unique
    }

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

Describe 'about_North_Settings names only parameters that exist' {
    It 'names parameters' {
        @(Get-NamedParameter $SettingsTopic).Count | Should -BeGreaterThan 20
    }

    It 'names no parameter that no cmdlet has' {
        @(Get-NamedParameter $SettingsTopic | Where-Object { $_ -notin $ParameterNames }) | Should -BeNullOrEmpty
    }
}

Describe 'The checker itself' {
    It 'catches a cmdlet name that does not exist' {
        $file = Join-Path $TestDrive 'about_Fake.help.txt'
        Set-Content $file 'Use Get-NorthStatus, then Repair-NorthEverything.'
        @(Get-NamedCmdlet $file | Where-Object { $_ -cnotin $CmdletNames }) | Should -Be @('Repair-NorthEverything')
    }

    It 'catches a parameter that does not exist' {
        $file = Join-Path $TestDrive 'about_FakeSettings.help.txt'
        Set-Content $file "    Speed`n        Parameter: -TargetVersion, -Warp. Variable: NORTH_SPEED."
        @(Get-NamedParameter $file | Where-Object { $_ -notin $ParameterNames }) | Should -Be @('Warp')
    }
}
