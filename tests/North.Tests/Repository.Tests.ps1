# Test-NorthRepository on the corpus repositories: the findings DBAs need, as objects with a view.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
}

Describe 'Test-NorthRepository' {
    Context 'septentrion tests/test_data' {
        BeforeAll { $script:Found = @(Test-NorthRepository -Path (Get-CorpusPath 'septentrion/tests/test_data/sql')) }

        It 'reports the look-alike files that will never run' {
            $lookAlikes = $Found | Where-Object Code -eq 'NORTH005' | ForEach-Object Path | Sort-Object
            $lookAlikes | Should -Be @(
                '17.01/17.01-feature_c-ddl.foo',
                '17.01/17.01-feature_d-dl.sql',
                '17.01/manual/17.01-feature_a-060-dml.foo',
                '17.01/manual/17.01-feature_a-070-dl.sql')
            $Found | Where-Object Code -eq 'NORTH005' | ForEach-Object Severity | Sort-Object -Unique | Should -Be 'Warning'
        }

        It 'reports 17.01 next to 17.1 as equal versions, an error' {
            $equal = $Found | Where-Object Code -eq 'NORTH003'
            $equal.Severity | Should -Contain 'Error'
            ($equal.Message -join ' ') | Should -Match "'17\.01' and '17\.1'"
        }

        It 'says that a --meta-psql: line in a ddl.sql file does not make it manual, with the line' {
            $ddl = $Found | Where-Object Code -eq 'NORTH006'
            $ddl.Path | Should -Be '17.02/17.02-feature_c_fakemanual-ddl.sql'
            $ddl.Line | Should -Be 1
        }

        It 'reports empty version folders as information' {
            ($Found | Where-Object Code -eq 'NORTH011').Path | Sort-Object | Should -Be @('16.11', '16.9', '17.3')
            ($Found | Where-Object Code -eq 'NORTH011').Severity | Sort-Object -Unique | Should -Be 'Information'
        }

        It '-Quiet returns a single $false because of the errors' {
            $quiet = Test-NorthRepository -Path (Get-CorpusPath 'septentrion/tests/test_data/sql') -Quiet
            $quiet | Should -BeOfType [bool]
            $quiet | Should -BeFalse
        }
    }

    Context 'django-north tests/test_data, 17.1 and 17.2 symbolic links as django-north shipped them' {
        BeforeAll {
            $script:Data = New-DjangoNorthTestData (Join-Path $TestDrive 'django-links')
            $script:Found = @(Test-NorthRepository -Path $Data)
        }

        It 'ignores the symlinked version folders 17.1 and 17.2, as django-north did, and says so' {
            ($Found | Where-Object Code -eq 'NORTH014').Path | Sort-Object | Should -Be @('17.1', '17.2')
            $Found | Where-Object Code -eq 'NORTH003' | Should -BeNullOrEmpty
        }

        It 'has no error, so -Quiet is $true' {
            $Found | Where-Object Severity -eq 'Error' | Should -BeNullOrEmpty
            Test-NorthRepository -Path $Data -Quiet | Should -BeTrue
        }
    }

    Context 'django-north tests/test_data, 17.1 and 17.2 plain files holding the link target' {
        BeforeAll {
            $script:Data = New-DjangoNorthTestData (Join-Path $TestDrive 'django-files') -PlainFiles
            $script:Found = @(Test-NorthRepository -Path $Data)
        }

        It 'ignores 17.1 and 17.2, which are not version folders, and says so' {
            ($Found | Where-Object Code -eq 'NORTH016').Path | Sort-Object | Should -Be @('17.1', '17.2')
            $Found | Where-Object Code -eq 'NORTH003' | Should -BeNullOrEmpty
            Test-NorthRepository -Path $Data -Quiet | Should -BeTrue
        }
    }

    It 'passes septentrion''s example repository and the project''s example' {
        Test-NorthRepository -Path (Get-CorpusPath 'septentrion/example_migrations') -Quiet | Should -BeTrue
        Test-NorthRepository -Path (Join-Path (Get-TestRepositoryRoot) 'examples/bookshop') -Quiet | Should -BeTrue
    }

    It 'takes the path by position and from the current folder' {
        Push-Location (Get-CorpusPath 'septentrion/tests/test_data/sql')
        try { $here = @(Test-NorthRepository) } finally { Pop-Location }
        $positional = @(Test-NorthRepository (Get-CorpusPath 'septentrion/tests/test_data/sql'))
        $here.Count | Should -Be $positional.Count
        $here.Count | Should -BeGreaterThan 5
    }

    It 'writes typed diagnostics whose default table view fits 120 columns' {
        $found = Test-NorthRepository -Path (Get-CorpusPath 'septentrion/tests/test_data/sql')
        $found[0].GetType().FullName | Should -Be 'North.Core.Repository.RepositoryDiagnostic'
        $text = $found | Format-Table | Out-String -Width 120
        $text | Should -Match 'Severity\s+Code\s+Path\s+Line\s+Message'
        ($text -split "`n" | Where-Object { $_.TrimEnd().Length -gt 120 }) | Should -BeNullOrEmpty
    }

    It 'fails with a clear error record for a missing folder' {
        $missing = Join-Path $TestDrive 'no-such-repository'
        $err = $null
        try { Test-NorthRepository -Path $missing -ErrorAction Stop } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'North*'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.Exception.Message | Should -Match 'no-such-repository'
    }
}
