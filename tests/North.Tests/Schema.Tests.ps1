# Test-NorthSchema end to end: snapshot, file, reference database, replay of a release.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Example = Join-Path (Get-TestRepositoryRoot) 'examples/bookshop'

    function New-ReplayRepository([switch] $ForgetMigration) {
        # schema_1.0 + 1.1's migrations must give schema_1.1; -ForgetMigration drops one of them.
        $root = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path "$root/schemas", "$root/1.0", "$root/1.1" | Out-Null
        Set-Content "$root/schemas/schema_1.0.sql" "CREATE TABLE author (id int PRIMARY KEY, name text NOT NULL);"
        Set-Content "$root/schemas/schema_1.1.sql" @'
CREATE TABLE author (id int PRIMARY KEY, name text NOT NULL, born date);
CREATE TABLE book (id int PRIMARY KEY, author_id int NOT NULL REFERENCES author (id), title text);
CREATE INDEX book_title_idx ON book (title);
'@
        Set-Content "$root/1.0/1.0-0-version-dml.sql" "SELECT 1;"
        Set-Content "$root/1.1/1.1-book-ddl.sql" "CREATE TABLE book (id int PRIMARY KEY, author_id int NOT NULL REFERENCES author (id), title text);`nCREATE INDEX book_title_idx ON book (title);"
        if (-not $ForgetMigration) {
            Set-Content "$root/1.1/1.1-author-born-ddl.sql" "ALTER TABLE author ADD COLUMN born date;"
        }
        $root
    }
}

Describe 'Test-NorthSchema' {
    BeforeAll {
        $script:Database = New-TestDatabase
        $script:North = @{ Path = $Example; ConnectionString = $Database.ConnectionString }
        Invoke-NorthMigration @North | Out-Null
    }
    AfterAll { Remove-TestDatabase $Database }

    It 'finds no difference between a migrated database and the snapshot of its version' {
        @(Test-NorthSchema @North) | Should -BeNullOrEmpty
        Test-NorthSchema @North -Quiet | Should -BeTrue
    }

    It 'reports a change made by hand, with a table view that fits 120 columns' {
        Invoke-TestSql -Database $Database.Name -Sql 'ALTER TABLE review ADD COLUMN mood text; DROP INDEX book_title_idx;' | Out-Null
        try {
            $differences = @(Test-NorthSchema @North)
            $column = $differences | Where-Object { $_.ObjectType -eq 'Column' -and $_.Name -eq 'public.review.mood' }
            $column.Difference | Should -Be 'Unexpected'
            $index = $differences | Where-Object { $_.ObjectType -eq 'Index' -and $_.Name -like '*book_title_idx' }
            $index.Difference | Should -Be 'Missing'
            Test-NorthSchema @North -Quiet | Should -BeFalse
            $text = $differences | Format-Table | Out-String -Width 120
            $text | Should -Match 'ObjectType\s+Name\s+Difference\s+Property\s+Expected\s+Actual'
            ($text -split "`n" | Where-Object { $_.TrimEnd().Length -gt 120 }) | Should -BeNullOrEmpty
            @(Test-NorthSchema @North -ExcludeTable review) | Where-Object Name -like '*review*' | Should -BeNullOrEmpty
        }
        finally {
            Invoke-TestSql -Database $Database.Name -Sql 'ALTER TABLE review DROP COLUMN mood; CREATE INDEX CONCURRENTLY book_title_idx ON book (title);' | Out-Null
        }
        Test-NorthSchema @North -Quiet | Should -BeTrue
    }

    It 'compares with a given schema file and with a reference database' {
        $older = Join-Path $Example 'schemas/schema_1.0.sql'
        $differences = @(Test-NorthSchema @North -SchemaFile $older)
        ($differences | Where-Object Name -eq 'public.review').Difference | Should -Be 'Unexpected'

        $reference = New-TestDatabase
        try {
            Invoke-NorthMigration -Path $Example -ConnectionString $reference.ConnectionString | Out-Null
            Test-NorthSchema @North -ReferenceConnectionString $reference.ConnectionString -Quiet | Should -BeTrue
        }
        finally { Remove-TestDatabase $reference }
    }

    It 'replays a release: schema 1.0 plus the migrations agree with schema 1.1' {
        $repository = New-ReplayRepository
        Test-NorthSchema -Path $repository -ConnectionString $Database.ConnectionString -Replay -Version 1.1 -Quiet | Should -BeTrue
    }

    It 'replays a release where a migration was forgotten, and reports the missing column' {
        $repository = New-ReplayRepository -ForgetMigration
        $differences = @(Test-NorthSchema -Path $repository -ConnectionString $Database.ConnectionString -Replay -Version 1.1)
        $differences.Count | Should -Be 1
        $differences[0].ObjectType | Should -Be 'Column'
        $differences[0].Name | Should -Be 'public.author.born'
        $differences[0].Difference | Should -Be 'Missing'
    }

    It 'drops its scratch databases, even after a failure' {
        $repository = New-ReplayRepository
        Set-Content (Join-Path $repository '1.1/1.1-zz-broken-ddl.sql') 'ALTER TABLE nowhere ADD COLUMN x int;'
        { Test-NorthSchema -Path $repository -ConnectionString $Database.ConnectionString -Replay -Version 1.1 -ErrorAction Stop } |
            Should -Throw -ErrorId 'NorthScriptFailed*'
        $left = Invoke-TestSql -Database postgres -Sql "SELECT count(*) FROM pg_database WHERE datname LIKE 'north_scratch_%'"
        $left | Should -Be '0'
    }

    It 'says clearly when the database is not initialized' {
        $empty = New-TestDatabase
        try {
            $err = $null
            try { Test-NorthSchema -Path $Example -ConnectionString $empty.ConnectionString -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'NorthNotInitialized*'
            $err.Exception.Message | Should -Match 'not initialized'
        }
        finally { Remove-TestDatabase $empty }
    }
}

# What PostgreSQL 18 added to the catalog, compared as a DBA meets it. Excluded by name on older
# servers (tests/PostgresServers.psd1: ServerOlderThan18).
Describe 'Test-NorthSchema on PostgreSQL 18' {
    BeforeAll {
        $script:Expected = New-TestDatabase
        $script:Actual = New-TestDatabase
        $schema = @'
CREATE TABLE item (id int CONSTRAINT id_required NOT NULL, price numeric NOT NULL,
                   with_tax numeric GENERATED ALWAYS AS (price * 1.2) VIRTUAL);
'@
        foreach ($database in $Expected, $Actual) { Invoke-TestSql -Database $database.Name -Sql $schema | Out-Null }
        $script:Compare = @{ Path = $Example; ConnectionString = $Actual.ConnectionString; ReferenceConnectionString = $Expected.ConnectionString }
    }
    AfterAll {
        Remove-TestDatabase $Expected
        Remove-TestDatabase $Actual
    }

    It 'finds a VIRTUAL generated column and a named NOT NULL constraint equal when equal' {
        @(Test-NorthSchema @Compare) | Should -BeNullOrEmpty
    }

    It 'reports one difference for a changed VIRTUAL expression' {
        Invoke-TestSql -Database $Actual.Name -Sql 'ALTER TABLE item ALTER COLUMN with_tax SET EXPRESSION AS (price * 1.25)' | Out-Null
        try {
            $difference = @(Test-NorthSchema @Compare)
            $difference.Count | Should -Be 1
            $difference[0].Name | Should -Be 'public.item.with_tax'
            $difference[0].Property | Should -Be 'Generated'
            $difference[0].Actual | Should -Match 'virtual$'
        }
        finally { Invoke-TestSql -Database $Actual.Name -Sql 'ALTER TABLE item ALTER COLUMN with_tax SET EXPRESSION AS (price * 1.2)' | Out-Null }
    }

    It 'reports one difference for a renamed NOT NULL constraint, naming both' {
        Invoke-TestSql -Database $Actual.Name -Sql 'ALTER TABLE item RENAME CONSTRAINT id_required TO id_needed' | Out-Null
        try {
            $difference = @(Test-NorthSchema @Compare)
            $difference.Count | Should -Be 1
            $difference[0].Name | Should -Be 'public.item.id'
            $difference[0].Property | Should -Be 'NotNull'
            $difference[0].Expected | Should -Be 'true, constraint id_required'
            $difference[0].Actual | Should -Be 'true, constraint id_needed'
        }
        finally { Invoke-TestSql -Database $Actual.Name -Sql 'ALTER TABLE item RENAME CONSTRAINT id_needed TO id_required' | Out-Null }
    }
}
