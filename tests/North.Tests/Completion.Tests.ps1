# Completion: versions and migration names come from the repository the command line names with
# -Path (absolute or relative to the current location), or from the current folder.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Septentrion = Get-CorpusPath 'septentrion/example_migrations'

    function Get-Completion([string] $Line) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText
    }
}

Describe 'Tab completion' {
    It '-TargetVersion lists the versions of -Path in version order' {
        Get-Completion "Invoke-NorthMigration -Path '$Septentrion' -TargetVersion " | Should -Be @('0.1', '1.0', '1.1', '1.2', '1.3')
    }

    It '-TargetVersion narrows to what is typed' {
        Get-Completion "Get-NorthPlan -Path '$Septentrion' -TargetVersion 1." | Should -Be @('1.0', '1.1', '1.2', '1.3')
    }

    It 'orders versions numerically, not as text' {
        $repo = Join-Path $TestDrive 'numeric'
        foreach ($v in '1.10', '1.2', '1.9', '2.0', '1.0.1') { New-Item -ItemType Directory (Join-Path $repo $v) | Out-Null }
        Get-Completion "Get-NorthStatus -Path '$repo' -TargetVersion " | Should -Be @('1.0.1', '1.2', '1.9', '1.10', '2.0')
    }

    It 'takes -Path relative to the current location' {
        Push-Location (Split-Path $Septentrion)
        try { Get-Completion 'Get-NorthStatus -Path ./example_migrations -TargetVersion ' | Should -Be @('0.1', '1.0', '1.1', '1.2', '1.3') }
        finally { Pop-Location }
    }

    It 'uses the current folder without -Path' {
        Push-Location $Septentrion
        try { Get-Completion 'Get-NorthVersion -TargetVersion ' | Should -Be @('0.1', '1.0', '1.1', '1.2', '1.3') }
        finally { Pop-Location }
    }

    It '-Version on Register-NorthMigration and Unregister-NorthMigration lists versions' {
        Get-Completion "Register-NorthMigration -Path '$Septentrion' -Version " | Should -Be @('0.1', '1.0', '1.1', '1.2', '1.3')
        Get-Completion "Unregister-NorthMigration -Path '$Septentrion' -Version 1.3" | Should -Be @('1.3')
    }

    It '-Name lists the migration names of -Version, in run order' {
        Get-Completion "Register-NorthMigration -Path '$Septentrion' -Version 1.1 -Name " |
            Should -Be @('1.1-0-version-dml.sql', '1.1-add-num-pages-1-ddl.sql', '1.1-add-num-pages-2-dml.sql', '1.1-index-ddl.sql')
        Get-Completion "Unregister-NorthMigration -Path '$Septentrion' -Version 1.3 -Name 1.3-add" |
            Should -Be @('1.3-add-readers-ddl.sql', '1.3-add-readers-dml.sql')
    }

    It 'completes nothing, and says nothing, for a folder that is not a repository' {
        Get-Completion "Get-NorthStatus -Path '$TestDrive/absent' -TargetVersion " | Should -BeNullOrEmpty
    }
}
