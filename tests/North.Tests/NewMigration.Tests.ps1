# New-NorthMigration on copies of septentrion's example and the bookshop: the names follow each
# repository's own pattern, the files are pending for a migrated database, the repository check
# finds no error, and the templates run as they are.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force

    function Copy-Repository([string] $From, [string] $Name) {
        $to = Join-Path $TestDrive $Name
        Copy-Item -Path $From -Destination $to -Recurse
        # The corpus may be read-only; the copy must be writable.
        Get-ChildItem $to -Recurse -Force | ForEach-Object { $_.Attributes = $_.Attributes -band -bnot [IO.FileAttributes]::ReadOnly }
        if ($IsLinux -or $IsMacOS) { & chmod -R u+w $to }
        (Resolve-Path $to).Path
    }

    function Invoke-Caught([scriptblock] $Script) {
        try { & $Script; $null } catch { $_ }
    }

    function Get-Relative([string] $Root, $File) {
        [IO.Path]::GetRelativePath($Root, $File.FullName).Replace('\', '/')
    }
}

Describe 'New-NorthMigration on septentrion''s example' {
    BeforeAll {
        $script:Repo = Copy-Repository (Get-CorpusPath 'septentrion/example_migrations') 'septentrion'
        $script:Db = New-TestDatabase
        $script:North = @{ Path = $Repo; ConnectionString = $Db.ConnectionString }
        Invoke-NorthMigration @North | Out-Null
    }
    AfterAll { Remove-TestDatabase $Db }

    It 'writes a DDL file in the latest version, without an order number as 1.3 has none' {
        $file = New-NorthMigration -Path $Repo -Name add-isbn
        $file | Should -BeOfType [IO.FileInfo]
        Get-Relative $Repo $file | Should -Be '1.3/1.3-add-isbn-ddl.sql'
        $text = Get-Content -Raw $file.FullName
        $text | Should -BeLike '*lock_timeout*'
        $text | Should -BeLike '*DdlLockTimeout*'
    }

    It 'numbers by topic in a version whose files carry order numbers' {
        Get-Relative $Repo (New-NorthMigration -Path $Repo -Name author -Kind Dml -Version 1.0) | Should -Be '1.0/1.0-author-3-dml.sql'
        Get-Relative $Repo (New-NorthMigration -Path $Repo -Name publisher -Version 1.0) | Should -Be '1.0/1.0-publisher-1-ddl.sql'
        Remove-Item "$Repo/1.0/1.0-author-3-dml.sql", "$Repo/1.0/1.0-publisher-1-ddl.sql"
    }

    It 'refuses to overwrite, and leaves the file as it was' {
        Set-Content "$Repo/1.3/1.3-add-isbn-ddl.sql" 'ALTER TABLE north_app_book ADD COLUMN isbn text;'
        $record = Invoke-Caught { New-NorthMigration -Path $Repo -Name add-isbn }
        $record.FullyQualifiedErrorId | Should -BeLike 'NorthMigrationExists,*'
        $record.TargetObject | Should -BeLike '*1.3-add-isbn-ddl.sql'
        Get-Content "$Repo/1.3/1.3-add-isbn-ddl.sql" | Should -Be 'ALTER TABLE north_app_book ADD COLUMN isbn text;'
    }

    It 'refuses a topic that cannot be a file name' {
        (Invoke-Caught { New-NorthMigration -Path $Repo -Name 'add isbn/x' }).FullyQualifiedErrorId | Should -BeLike 'NorthMigrationNameInvalid,*'
        (Invoke-Caught { New-NorthMigration -Path $Repo -Name fill -Manual -Kind Ddl }).FullyQualifiedErrorId | Should -BeLike 'NorthMigrationNameInvalid,*'
    }

    It '-WhatIf writes nothing' {
        New-NorthMigration -Path $Repo -Name later -NewVersion -WhatIf | Should -BeNullOrEmpty
        Test-Path "$Repo/1.4" | Should -BeFalse
    }

    It '-NewVersion creates 1.4 with a copy of the 0-version file, and an index file in the CONCURRENTLY form' {
        $files = @(New-NorthMigration -Path $Repo -Name book-isbn-index -NewVersion)
        $files | ForEach-Object { Get-Relative $Repo $_ } | Should -Be @('1.4/1.4-0-version-dml.sql', '1.4/1.4-book-isbn-index-ddl.sql')
        $version = Get-Content -Raw "$Repo/1.4/1.4-0-version-dml.sql"
        $version | Should -BeLike "*INSERT INTO sql_version(version_num) VALUES ('1.4');*"
        $version | Should -Not -BeLike '*1.3*'
        Get-Content -Raw "$Repo/1.4/1.4-book-isbn-index-ddl.sql" | Should -BeLike '*CREATE INDEX CONCURRENTLY IF NOT EXISTS*'
    }

    It '-Manual writes a dml.sql in manual/ with a bounded do-until-0 block' {
        $file = New-NorthMigration -Path $Repo -Name fill-isbn -Manual
        Get-Relative $Repo $file | Should -Be '1.4/manual/1.4-fill-isbn-dml.sql'
        $lines = Get-Content $file.FullName
        $lines | Should -Contain '--meta-psql:do-until-0'
        $lines | Should -Contain '--meta-psql:done'
        ($lines -join "`n") | Should -BeLike '*LIMIT 1000*'
    }

    It 'passes Test-NorthRepository' {
        @(Test-NorthRepository -Path $Repo | Where-Object Severity -eq 'Error') | Should -BeNullOrEmpty
    }

    It 'shows the new files as pending, and they run as written' {
        $pending = @(Get-NorthStatus @North | Where-Object Pending)
        $pending | ForEach-Object { "$($_.Version)/$($_.Name)" } |
            Should -Be @('1.3/1.3-add-isbn-ddl.sql', '1.4/1.4-0-version-dml.sql', '1.4/1.4-book-isbn-index-ddl.sql', '1.4/1.4-fill-isbn-dml.sql')
        $results = @(Invoke-NorthMigration @North)
        $results.Status | Sort-Object -Unique | Should -Be 'Succeeded'
        Invoke-TestSql -Database $Db.Name -Sql "SELECT max(version_num) FROM sql_version" | Should -Be '1.4'
    }
}

Describe 'New-NorthMigration on the bookshop' {
    BeforeAll {
        $script:Repo = Copy-Repository (Join-Path (Get-TestRepositoryRoot) 'examples/bookshop') 'bookshop'
    }

    It 'follows each version''s convention' {
        Get-Relative $Repo (New-NorthMigration -Path $Repo -Name author-email) | Should -Be '1.2/1.2-author-email-ddl.sql'
        # 1.1 numbers its files by topic (1.1-book-slug-1-ddl.sql): the next book-slug file is 2.
        Get-Relative $Repo (New-NorthMigration -Path $Repo -Name book-slug -Kind Dml -Version 1.1) | Should -Be '1.1/1.1-book-slug-2-dml.sql'
    }

    It '-NewVersion copies the 0-version file''s pattern into 1.3' {
        $files = @(New-NorthMigration -Path $Repo -Name review-index -NewVersion)
        $files | ForEach-Object { Get-Relative $Repo $_ } | Should -Be @('1.3/1.3-0-version-dml.sql', '1.3/1.3-review-index-ddl.sql')
        Get-Content "$Repo/1.3/1.3-0-version-dml.sql" | Should -Be "INSERT INTO sql_version (version_num) VALUES ('1.3');"
    }

    It 'passes Test-NorthRepository and the new files are pending' {
        @(Test-NorthRepository -Path $Repo | Where-Object Severity -eq 'Error') | Should -BeNullOrEmpty
        $db = New-TestDatabase
        try {
            Invoke-NorthMigration -Path $Repo -ConnectionString $db.ConnectionString -TargetVersion 1.2 | Out-Null
            @(Get-NorthStatus -Path $Repo -ConnectionString $db.ConnectionString | Where-Object { $_.Pending -or $_.OutOfOrder } | ForEach-Object { "$($_.Version)/$($_.Name)" }) |
                Should -Be @('1.3/1.3-0-version-dml.sql', '1.3/1.3-review-index-ddl.sql')
        }
        finally { Remove-TestDatabase $db }
    }

    It '-Version tab-completes the versions on disk' {
        $line = "New-NorthMigration -Path '$Repo' -Name x -Version "
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('1.0', '1.1', '1.2', '1.3')
    }
}
