# Clear-NorthDatabase: django-north's flush. Each test migrates a real database, adds rows, clears it
# and checks the database itself with psql: the fixtures' rows only, history and version tables
# untouched, sequences restarted; the guard refuses a name it was not told about.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Bookshop = Join-Path (Get-TestRepositoryRoot) 'examples/bookshop'
    $script:Septentrion = Get-CorpusPath 'septentrion/example_migrations'
    $script:DjangoExample = Get-CorpusPath 'django-north/tests/north_project/sql'

    function Invoke-Caught([scriptblock] $Script) {
        try { & $Script; $null } catch { $_ }
    }

    function New-BookshopAt12 {
        <# The bookshop at 1.2, with rows beyond its fixtures in every table. #>
        $db = New-TestDatabase
        Invoke-NorthMigration -Path $Bookshop -ConnectionString $db.ConnectionString | Out-Null
        Invoke-TestSql -Database $db.Name -Sql @"
INSERT INTO author (name) VALUES ('Added One'), ('Added Two');
INSERT INTO book (author_id, title) SELECT 1, 'Extra ' || n FROM generate_series(1, 20) AS n;
INSERT INTO review (book_id, stars) SELECT id, 5 FROM book ORDER BY id DESC LIMIT 7;
"@ | Out-Null
        $db
    }

    function Get-Counts([string] $Database) {
        Invoke-TestSql -Database $Database -Sql "SELECT (SELECT count(*) FROM author) || '/' || (SELECT count(*) FROM book) || '/' || (SELECT count(*) FROM review)"
    }

    function Get-Kept([string] $Database, [string] $History = 'north_migrations') {
        Invoke-TestSql -Database $Database -Sql "SELECT query_to_xml('SELECT * FROM $History ORDER BY id', false, false, '')::text || query_to_xml('SELECT * FROM sql_version ORDER BY 1', false, false, '')::text"
    }
}

Describe 'Clear-NorthDatabase on the bookshop at 1.2' {
    BeforeAll {
        $script:Db = New-BookshopAt12
        $script:Before = Get-Kept $Db.Name
        $script:Results = @(Clear-NorthDatabase -Path $Bookshop -ConnectionString $Db.ConnectionString -Force)
    }
    AfterAll { Remove-TestDatabase $Db }

    It 'leaves exactly the fixtures'' rows and an empty review' {
        Get-Counts $Db.Name | Should -Be '3/3500/0'
        Invoke-TestSql -Database $Db.Name -Sql 'SELECT string_agg(name, ''|'' ORDER BY id) FROM author' | Should -Be 'Ursula K. Le Guin|Italo Calvino|Jorge Luis Borges'
    }

    It 'leaves north_migrations and sql_version untouched' {
        Get-Kept $Db.Name | Should -Be $Before
        # Initialized from schema_1.2, the fixtures' own row is the only one; reloading them added none.
        Invoke-TestSql -Database $Db.Name -Sql 'SELECT string_agg(version_num, '','' ORDER BY version_num) FROM sql_version' | Should -Be '1.0'
    }

    It 'restarts the sequences' {
        # review had 7 rows; its identity starts again at 1. book's restarted, then the fixtures' 3,500 rows took 1..3500.
        Invoke-TestSql -Database $Db.Name -Sql "INSERT INTO review (book_id, stars) VALUES (1, 4) RETURNING id; INSERT INTO book (author_id, title) VALUES (1, 'Next') RETURNING id; INSERT INTO author (name) VALUES ('Next') RETURNING id" |
            Should -Be @('1', '3501', '4')
    }

    It 'returns one result per step, naming what it emptied and what it kept' {
        $Results.Action | Should -Be @('EmptyTables', 'LoadFixtures')
        $Results[0].Tables | Should -Be @('"public"."author"', '"public"."book"', '"public"."review"')
        $Results[0].Kept | Should -Be @('"public"."north_migrations" (the North history table)', '"public"."sql_version" (the version table)')
        $Results[0].Database | Should -Be $Db.Name
        $Results[0].Version.ToString() | Should -Be '1.2'
        Split-Path -Leaf $Results[1].Path | Should -Be 'fixtures_1.0.sql'
        # 3 authors copied, 3,500 books inserted; sql_version's row was there (ON CONFLICT DO NOTHING).
        $Results[1].RowsAffected | Should -Be 3503
    }

    It 'shows its results in a table that fits 120 columns' {
        $lines = ($Results | Format-Table | Out-String -Width 120) -split "`r?`n"
        $lines | Where-Object { $_.TrimEnd().Length -gt 120 } | Should -BeNullOrEmpty
        ($lines | Where-Object { $_ -match '^\s*Database\s' }) -split '\s+' | Where-Object { $_ } |
            Should -Be @('Database', 'Action', 'Version', 'Tables', 'Rows', 'Duration', 'Detail')
    }
}

Describe 'The guard against a database not meant to be cleared' {
    BeforeAll {
        $script:Db = New-BookshopAt12
        $script:Counts = Get-Counts $Db.Name
    }
    AfterAll {
        Remove-TestDatabase $Db
        Remove-Item Env:NORTH_CLEARABLE_DATABASES -ErrorAction SilentlyContinue
    }

    It 'refuses without -Force, says how to allow it, and changes nothing' {
        $record = Invoke-Caught { Clear-NorthDatabase -Path $Bookshop -ConnectionString $Db.ConnectionString -Confirm:$false }
        $record | Should -Not -BeNullOrEmpty
        $record.FullyQualifiedErrorId | Should -BeLike 'NorthClearRefused,*'
        $record.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $record.Exception.Message | Should -BeLike "*`"$($Db.Name)`"*no ClearableDatabases pattern*"
        $record.ErrorDetails.RecommendedAction | Should -BeLike '*-Force*ClearableDatabases*NORTH_CLEARABLE_DATABASES*'
        Get-Counts $Db.Name | Should -Be $Counts
    }

    It 'refuses a name that matches none of the patterns' {
        $env:NORTH_CLEARABLE_DATABASES = '*_test,dev_*'
        try {
            $record = Invoke-Caught { Clear-NorthDatabase -Path $Bookshop -ConnectionString $Db.ConnectionString -Confirm:$false }
            $record.FullyQualifiedErrorId | Should -BeLike 'NorthClearRefused,*'
            $record.Exception.Message | Should -BeLike '*matches none of the ClearableDatabases patterns (*_test, dev_*, from *NORTH_CLEARABLE_DATABASES*'
        }
        finally { Remove-Item Env:NORTH_CLEARABLE_DATABASES }
        Get-Counts $Db.Name | Should -Be $Counts
    }

    It '-WhatIf lists every table and the fixtures, warns of the refusal, and changes nothing' {
        $env:NORTH_PESTER_CONNECTION = $Db.ConnectionString
        try {
            $run = Invoke-FreshPwsh "Import-Module '$(Get-TestModuleManifest)'; Clear-NorthDatabase -Path '$Bookshop' -ConnectionString `$env:NORTH_PESTER_CONNECTION -WhatIf"
        }
        finally { Remove-Item Env:NORTH_PESTER_CONNECTION }
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $lines = ($run.Output -replace '\s*\r?\n\s*', ' ') -split 'What if: ' | Select-Object -Skip 1
        $lines.Count | Should -Be 4 -Because $run.Output
        $lines[0] | Should -BeLike '*"Empty (TRUNCATE ... RESTART IDENTITY)"*"public"."author"*'
        $lines[1] | Should -BeLike '*"public"."book"*'
        $lines[2] | Should -BeLike '*"public"."review"*'
        $lines[3] | Should -BeLike '*Load the fixtures*fixtures_1.0.sql*'
        $run.Output | Should -BeLike '*Refused to empty*'
        Get-Counts $Db.Name | Should -Be $Counts
    }

    It 'clears a name matching ClearableDatabases in north.json' {
        $repo = Join-Path $TestDrive 'clearable'
        Copy-Item $Bookshop $repo -Recurse
        Set-Content (Join-Path $repo 'north.json') '{ "ClearableDatabases": ["dev_*", "north_pester_*"] }'
        $results = @(Clear-NorthDatabase -Path $repo -ConnectionString $Db.ConnectionString -Confirm:$false)
        $results.Action | Should -Be @('EmptyTables', 'LoadFixtures')
        Get-Counts $Db.Name | Should -Be '3/3500/0'
    }

    It 'clears a name matching NORTH_CLEARABLE_DATABASES' {
        Invoke-TestSql -Database $Db.Name -Sql "INSERT INTO review (book_id, stars) VALUES (1, 3)" | Out-Null
        $env:NORTH_CLEARABLE_DATABASES = "$($Db.Name.Substring(0, 15))*"
        try { Clear-NorthDatabase -Path $Bookshop -ConnectionString $Db.ConnectionString -Confirm:$false | Out-Null }
        finally { Remove-Item Env:NORTH_CLEARABLE_DATABASES }
        Get-Counts $Db.Name | Should -Be '3/3500/0'
    }
}

Describe 'Partitioned tables, foreign keys, several schemas, extension-owned tables' {
    BeforeAll {
        $script:Db = New-BookshopAt12
        Invoke-TestSql -Database $Db.Name -Sql @"
CREATE SCHEMA audit;
CREATE TABLE audit.book_log (id bigserial PRIMARY KEY, book_id integer NOT NULL REFERENCES public.book (id), at timestamptz DEFAULT now());
INSERT INTO audit.book_log (book_id) SELECT id FROM book LIMIT 5;
CREATE TABLE public.sale (sold_on date NOT NULL, author_id integer REFERENCES public.author (id)) PARTITION BY RANGE (sold_on);
CREATE TABLE public.sale_2025 PARTITION OF public.sale FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE public.sale_2026 PARTITION OF public.sale FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO public.sale VALUES ('2025-03-01', 1), ('2026-03-01', 2);
CREATE TABLE public.extension_data (k text);
INSERT INTO public.extension_data VALUES ('kept');
ALTER EXTENSION plpgsql ADD TABLE public.extension_data;
"@ | Out-Null
        $script:Results = @(Clear-NorthDatabase -Path $Bookshop -ConnectionString $Db.ConnectionString -Force)
    }
    AfterAll {
        Invoke-TestSql -Database $Db.Name -Sql 'ALTER EXTENSION plpgsql DROP TABLE public.extension_data' | Out-Null
        Remove-TestDatabase $Db
    }

    It 'empties the other schema, the partitioned table and both partitions, whatever the foreign keys' {
        Invoke-TestSql -Database $Db.Name -Sql 'SELECT concat((SELECT count(*) FROM audit.book_log), (SELECT count(*) FROM sale), (SELECT count(*) FROM sale_2025), (SELECT count(*) FROM sale_2026))' |
            Should -Be '0000'
        Get-Counts $Db.Name | Should -Be '3/3500/0'
        $Results[0].Tables | Should -Be @('"audit"."book_log"', '"public"."author"', '"public"."book"', '"public"."review"', '"public"."sale"')
    }

    It 'keeps the table an extension owns, and says why' {
        Invoke-TestSql -Database $Db.Name -Sql 'SELECT k FROM public.extension_data' | Should -Be 'kept'
        $Results[0].Kept | Should -Contain '"public"."extension_data" (owned by extension plpgsql)'
    }

    It 'restarts the sequence of the other schema''s table' {
        Invoke-TestSql -Database $Db.Name -Sql 'INSERT INTO audit.book_log (book_id) VALUES (1) RETURNING id' | Should -Be '1'
    }
}

Describe 'Clear-NorthDatabase on the originals'' repositories' {
    It 'clears septentrion''s example at 1.3 and reloads its 1.0 fixtures over its foreign keys' {
        $db = New-TestDatabase
        try {
            $north = @{ Path = $Septentrion; ConnectionString = $db.ConnectionString }
            Invoke-NorthMigration @north | Out-Null
            Invoke-TestSql -Database $db.Name -Sql @"
INSERT INTO north_app_reader (name) VALUES ('Ann'), ('Bob');
INSERT INTO north_app_author (name) VALUES ('Someone');
INSERT INTO north_app_book (author_id, title, pages) SELECT id, 'A book', 10 FROM north_app_author;
INSERT INTO north_app_book_readers (book_id, reader_id) SELECT b.id, r.id FROM north_app_book b, north_app_reader r;
"@ | Out-Null
            $before = Get-Kept $db.Name

            $results = @(Clear-NorthDatabase @north -Force)

            $results.Action | Should -Be @('EmptyTables', 'LoadFixtures')
            Split-Path -Leaf $results[1].Path | Should -Be 'fixtures_1.0.sql'
            Get-Kept $db.Name | Should -Be $before
            Invoke-TestSql -Database $db.Name -Sql @"
SELECT (SELECT count(*) FROM north_app_reader) || '/' || (SELECT count(*) FROM north_app_book_readers) || '/' || (SELECT count(*) FROM north_app_book) || '/' || (SELECT count(*) FROM north_app_author);
SELECT count(*) || '/' || min(id) FROM django_content_type;
SELECT count(*) FROM django_site;
SELECT count(*) FROM auth_permission WHERE codename LIKE '%_reader';
"@ | Should -Be @('0/0/0/0', '7/1', '1', '0')
        }
        finally { Remove-TestDatabase $db }
    }

    It 'keeps django_migrations and sql_version with the DjangoNorth history style' {
        $db = New-TestDatabase
        try {
            $north = @{ Path = $DjangoExample; ConnectionString = $db.ConnectionString; HistoryStyle = 'DjangoNorth'; VersionDetector = 'VersionTable' }
            Invoke-NorthMigration @north | Out-Null
            Invoke-TestSql -Database $db.Name -Sql "INSERT INTO django_migrations (app, name, applied) VALUES ('auth', '0001_initial', now()); INSERT INTO north_app_reader (name) VALUES ('Ann');" | Out-Null
            $before = Get-Kept $db.Name 'django_migrations'

            $results = @(Clear-NorthDatabase @north -Force)

            $results[0].Kept | Should -Be @('"public"."django_migrations" (the DjangoNorth history table)', '"public"."django_migrations_unfinished" (North''s unfinished-work table)', '"public"."sql_version" (the version table)')
            $results[0].Tables | Should -Not -Contain '"public"."django_migrations"'
            Get-Kept $db.Name 'django_migrations' | Should -Be $before
            Invoke-TestSql -Database $db.Name -Sql "SELECT count(*) FROM north_app_reader; SELECT count(*) FROM django_migrations WHERE app = 'auth'" | Should -Be @('0', '1')
            (Get-NorthVersion @north).CurrentVersion.ToString() | Should -Be '1.3'
        }
        finally { Remove-TestDatabase $db }
    }
}

Describe 'Clear-NorthDatabase and a table another session holds' {
    BeforeAll {
        $script:Db = New-BookshopAt12
        $env:NORTH_DDL_LOCK_TIMEOUT = '1s'
        $env:NORTH_LOCK_RETRY_MAX_DELAY = '300ms'

        function Get-HeldUntilWaitedOn([string] $Table) {
            <# psql holding ACCESS SHARE on $Table until North's session has waited on it, then 1.5 s more:
               longer than the 1 s DdlLockTimeout, so at least one attempt times out, however slow the start. #>
            "BEGIN;`nLOCK TABLE $Table IN ACCESS SHARE MODE;`n" + @'
DO $$ BEGIN
  FOR i IN 1..1500 LOOP
    EXIT WHEN EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'North' AND wait_event_type = 'Lock');
    PERFORM pg_stat_clear_snapshot();
    PERFORM pg_sleep(0.02);
  END LOOP;
  PERFORM pg_sleep(1.5);
END $$;
COMMIT;
'@
        }
    }
    AfterAll {
        Remove-TestDatabase $Db
        Remove-Item Env:NORTH_DDL_LOCK_TIMEOUT, Env:NORTH_LOCK_RETRY_MAX_DELAY, Env:NORTH_LOCK_RETRIES -ErrorAction SilentlyContinue
    }

    It 'waits no longer than DdlLockTimeout, rolls back and runs again until the lock is gone' {
        $holder = Start-Holder -Database $Db.Name -Name 'north_clear_reader' -Table book -Sql (Get-HeldUntilWaitedOn book)
        try {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $results = @(Clear-NorthDatabase -Path $Bookshop -ConnectionString $Db.ConnectionString -Force -Verbose -WarningVariable warnings 4>&1 3>$null)
            $clock.Elapsed.TotalSeconds | Should -BeGreaterThan 1.5
        }
        finally { Stop-Holder $holder }
        $verbose = @($results | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        ($verbose -join "`n") | Should -Match '55P03 \(a lock timeout or deadlock\): the clear was rolled back; attempt 2 of 6'
        "$warnings" | Should -Match 'the clear needed \d+ attempts'
        @($results | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Action | Should -Be @('EmptyTables', 'LoadFixtures')
        Get-Counts $Db.Name | Should -Be '3/3500/0'
    }

    It 'without fixtures, sets the lock timeout on its TRUNCATE too and runs again' {
        $db = New-TestDatabase
        try {
            $repo = New-TestRepository -Name 'clear-no-fixtures'
            Invoke-NorthMigration -Path $repo -ConnectionString $db.ConnectionString | Out-Null
            Invoke-TestSql -Database $db.Name -Sql 'INSERT INTO base VALUES (1), (2)' | Out-Null
            $holder = Start-Holder -Database $db.Name -Name 'north_clear_base' -Table base -Sql (Get-HeldUntilWaitedOn base)
            try { $results = @(Clear-NorthDatabase -Path $repo -ConnectionString $db.ConnectionString -Force -Verbose 4>&1 3>$null) }
            finally { Stop-Holder $holder }
            (@($results | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message) -join "`n") |
                Should -Match '55P03 \(a lock timeout or deadlock\): the clear was rolled back'
            @($results | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Action | Should -Be @('EmptyTables')
            Invoke-TestSql -Database $db.Name -Sql 'SELECT count(*) FROM base' | Should -Be '0'
        }
        finally { Remove-TestDatabase $db }
    }

    It 'gives up after LockRetries with NorthClearFailed, saying who to look for, and changes nothing' {
        Invoke-TestSql -Database $Db.Name -Sql "INSERT INTO author (name) VALUES ('Kept')" | Out-Null
        $counts = Get-Counts $Db.Name
        $env:NORTH_LOCK_RETRIES = '1'
        $holder = Start-Holder -Database $Db.Name -Name 'north_clear_holder' -Sql "BEGIN;`nLOCK TABLE author IN ACCESS SHARE MODE;`n\! sleep 60`nCOMMIT;"
        try {
            $record = Invoke-Caught { Clear-NorthDatabase -Path $Bookshop -ConnectionString $Db.ConnectionString -Force -ErrorAction Stop }
        }
        finally {
            Stop-Holder $holder
            Remove-Item Env:NORTH_LOCK_RETRIES
        }
        $record.FullyQualifiedErrorId | Should -BeLike 'NorthClearFailed,*'
        $record.Exception.Message | Should -Match 'lock timeout.*SQLSTATE 55P03'
        $record.ErrorDetails.RecommendedAction | Should -Match 'holds a lock.*LockRetries or DdlLockTimeout'
        Get-Counts $Db.Name | Should -Be $counts
    }
}

Describe 'Clear-NorthDatabase on several databases' {
    BeforeAll {
        $script:Good = @(New-BookshopAt12; New-BookshopAt12)
        $script:Empty = New-TestDatabase
        $targets = @($Good.ConnectionString) + $Empty.ConnectionString
        $script:Results = @($targets | Clear-NorthDatabase -Path $Bookshop -Force -ThrottleLimit 3 -ErrorVariable failures -ErrorAction SilentlyContinue -InformationVariable info)
        $script:Failures = @($failures)
        $script:Info = @($info)
    }
    AfterAll { $Good + $Empty | ForEach-Object { Remove-TestDatabase $_ } }

    It 'clears each database, every result naming its database' {
        foreach ($db in $Good) {
            Get-Counts $db.Name | Should -Be '3/3500/0'
            @($Results | Where-Object Database -EQ $db.Name).Action | Should -Be @('EmptyTables', 'LoadFixtures')
        }
        $Results | ForEach-Object { $_.Server | Should -Not -BeNullOrEmpty }
    }

    It 'makes the database it cannot clear an error naming it, and a summary ends the call' {
        $Failures.Count | Should -Be 1
        $Failures[0].FullyQualifiedErrorId | Should -BeLike 'NorthNotInitialized,*'
        "$($Failures[0].TargetObject) $($Failures[0].Exception.Message)" | Should -Match $Empty.Name
        @($Info | Where-Object { $_.Tags -contains 'NorthSummary' }).Count | Should -Be 1
        "$(($Info | Where-Object { $_.Tags -contains 'NorthSummary' }).MessageData)" | Should -Match '3 target\(s\): 2 succeeded, 0 no-op, 1 failed'
    }
}
