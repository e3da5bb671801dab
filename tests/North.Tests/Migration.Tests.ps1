# The migration cmdlets end to end: the built module in a real pwsh against a real PostgreSQL.
# Every test asserts on the database itself (psql), not only on what the cmdlets return.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force

    $script:Example = Get-CorpusPath 'septentrion/example_migrations'
    $script:DjangoExample = Get-CorpusPath 'django-north/tests/north_project/sql'

    # The files of the example, version by version, as both tools order them (ordinal).
    $script:ExampleFiles = [ordered]@{
        '1.0' = '1.0-0-version-dml.sql', '1.0-author-1-ddl.sql', '1.0-author-2-dml.sql', '1.0-book-1-ddl.sql', '1.0-book-2-dml.sql'
        '1.1' = '1.1-0-version-dml.sql', '1.1-add-num-pages-1-ddl.sql', '1.1-add-num-pages-2-dml.sql', '1.1-index-ddl.sql'
        '1.2' = '1.2-0-version-dml.sql', '1.2-remove-author-dob-ddl.sql', '1.2-rename-num-pages-ddl.sql'
        '1.3' = '1.3-0-version-dml.sql', '1.3-add-readers-ddl.sql', '1.3-add-readers-dml.sql', '1.3-remove-author-dob-ddl.sql', '1.3-rename-num-pages-ddl.sql'
    }

    function Get-ExampleFile([string[]] $Version) {
        foreach ($v in $Version) { foreach ($name in $ExampleFiles[$v]) { [pscustomobject]@{ Version = $v; Name = $name } } }
    }

    function Copy-Repository([string] $From, [string] $Name) {
        $to = Join-Path $TestDrive $Name
        Copy-Item -Path $From -Destination $to -Recurse
        (Resolve-Path $to).Path
    }

    function Initialize-ByHand {
        <# Brings a database to a version the way the original tools left it: schema, fixtures, then each file with psql (\i, one session). #>
        param([string] $Database, [string] $Repository, [string[]] $Versions)
        $files = @('schemas/schema_0.1.sql', 'fixtures/fixtures_0.1.sql') + @(Get-ExampleFile $Versions | ForEach-Object { "$($_.Version)/$($_.Name)" })
        Invoke-TestSql -Database $Database -Sql (($files | ForEach-Object { "\i '$(Join-Path $Repository $_)'" }) -join "`n") | Out-Null
    }

    function Get-Snapshot([string] $Database, [string] $HistoryTable = 'north_migrations') {
        <# Every relation and column outside the system schemas, plus the history and sql_version rows. #>
        $catalog = Invoke-TestSql -Database $Database -Sql @"
SELECT n.nspname || '.' || c.relname || ':' || c.relkind::text || '.' || coalesce(a.attname, '')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
ORDER BY 1;
"@
        $rows = Invoke-TestSql -Database $Database -Sql @"
SELECT CASE WHEN to_regclass('$HistoryTable') IS NULL THEN 'no history'
            ELSE query_to_xml('SELECT * FROM $HistoryTable ORDER BY id', false, false, '')::text END;
SELECT CASE WHEN to_regclass('sql_version') IS NULL THEN 'no sql_version'
            ELSE query_to_xml('SELECT * FROM sql_version ORDER BY 1', false, false, '')::text END;
"@
        ($catalog + $rows) -join "`n"
    }

    function Get-HistoryRow([string] $Database, [string] $Sql = 'SELECT version, name, mode FROM north_migrations ORDER BY id') {
        @(Invoke-TestSql -Database $Database -Sql $Sql)
    }

    function Wait-Until([scriptblock] $Condition, [string] $What, [int] $Seconds = 60) {
        $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
        while (-not (& $Condition)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "Gave up after $Seconds s waiting for $What." }
            Start-Sleep -Milliseconds 100
        }
    }

    function Invoke-Caught([scriptblock] $Script) {
        <# Runs a command that must fail; returns its ErrorRecord (and fails the test if it did not fail). #>
        try { & $Script; $null } catch { $_ }
    }

    # A child pwsh that imports the module, says it is ready, waits for the go file (when given),
    # runs Invoke-NorthMigration with -Verbose and writes what it did as JSON. The connection comes
    # from the environment, so no password appears on a command line.
    $script:ChildScript = @'
param([string] $Manifest, [string] $Path, [string] $Out, [string] $Go = '')
$ErrorActionPreference = 'Stop'
Set-Content -LiteralPath "$Out.pid" -Value $PID
Import-Module $Manifest
Set-Content -LiteralPath "$Out.ready" -Value 'ready'
while ($Go -and -not (Test-Path -LiteralPath $Go)) { Start-Sleep -Milliseconds 20 }
$records = @(Invoke-NorthMigration -Path $Path -ConnectionString $env:NORTH_PESTER_CONNECTION -LockTimeout 00:02:00 -Verbose 4>&1)
[pscustomobject]@{
    Pid     = $PID
    Applied = @($records | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] } | ForEach-Object Name)
    Waited  = [bool]($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Waiting for the migration lock*' })
} | ConvertTo-Json | Set-Content -LiteralPath $Out
'@
    $script:ChildPath = Join-Path $TestDrive 'Invoke-Child.ps1'
    Set-Content -LiteralPath $ChildPath -Value $ChildScript

    function Start-Child([string] $Path, [string] $Out, [string] $Go = '') {
        $arguments = @('pwsh', '-NoProfile', '-NonInteractive', '-File', $ChildPath, '-Manifest', (Get-TestModuleManifest), '-Path', $Path, '-Out', $Out)
        if ($Go) { $arguments += @('-Go', $Go) }
        Start-Process -FilePath dotnet -ArgumentList $arguments -WorkingDirectory (Get-TestRepositoryRoot) `
            -RedirectStandardOutput "$Out.stdout" -RedirectStandardError "$Out.stderr" -PassThru
    }

    function New-SlowRepository([string] $Name, [hashtable] $Files) {
        <# A generated repository: schema 0.1 with an executions table; 1.0 with the given files. #>
        $root = Join-Path $TestDrive $Name
        New-Item -ItemType Directory -Path "$root/schemas", "$root/0.1", "$root/1.0" | Out-Null
        Set-Content "$root/schemas/schema_0.1.sql" @'
CREATE TABLE executions (name text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp());
CREATE TABLE pause (seconds double precision NOT NULL);
INSERT INTO pause VALUES (0);
'@
        Set-Content "$root/0.1/0.1-0-base-ddl.sql" "SELECT 1;"
        foreach ($name in $Files.Keys) { Set-Content "$root/1.0/$name" $Files[$name] }
        (Resolve-Path $root).Path
    }

}

Describe 'Invoke-NorthMigration on septentrion''s example, from an empty database to 1.3' {
    BeforeAll {
        $script:Db = New-TestDatabase
        $script:North = @{ Path = $Example; ConnectionString = $Db.ConnectionString }
        $script:Plan = @(Get-NorthPlan @North)
        $script:First = @(Invoke-NorthMigration @North -TargetVersion 1.0)
        # Books before 1.1, so that its manual do-until-0 migration (batches of 5000) has to loop.
        Invoke-TestSql -Database $Db.Name -Sql @"
INSERT INTO north_app_author(name, date_of_birth) VALUES ('Ursula', '1929-10-21');
INSERT INTO north_app_book(author_id, title) SELECT 1, 'book ' || g FROM generate_series(1, 12000) g;
"@ | Out-Null
        $script:Second = @(Invoke-NorthMigration @North)
    }
    AfterAll { Remove-TestDatabase $Db }

    It 'plans the schema, its init marker, the fixtures, then every file of 1.0 to 1.3 in order' {
        # 0.1 has no migration to record as faked: the schema file itself is recorded, so the
        # database counts as initialized afterwards.
        $expected = @('LoadSchema schema_0.1.sql', 'RecordFaked schema_0.1.sql', 'LoadFixtures fixtures_0.1.sql') +
            @(Get-ExampleFile '1.0', '1.1', '1.2', '1.3' | ForEach-Object { "Apply $($_.Name)" })
        $Plan | ForEach-Object { "$($_.Action) $($_.Name)" } | Should -Be $expected
        $Plan.Order | Should -Be (1..20)
        $Plan[0].Version.ToString() | Should -Be '0.1'
        ($Plan | Where-Object Name -eq '1.1-index-ddl.sql').Transaction | Should -Be 'None'
        ($Plan | Where-Object Name -eq '1.1-add-num-pages-2-dml.sql').Manual | Should -BeTrue
        ($Plan | Where-Object Name -eq '1.0-author-1-ddl.sql').Transaction | Should -Be 'Atomic'
    }

    It 'returns one succeeded result per step' {
        $First.Count + $Second.Count | Should -Be 20
        $First.Name | Should -Be (@('schema_0.1.sql', 'schema_0.1.sql', 'fixtures_0.1.sql') + $ExampleFiles['1.0'])
        $Second.Name | Should -Be (Get-ExampleFile '1.1', '1.2', '1.3').Name
        ($First + $Second).Status | Sort-Object -Unique | Should -Be 'Succeeded'
    }

    It 'ran the manual migration''s loop until it changed no row' {
        $manual = $Second | Where-Object Name -eq '1.1-add-num-pages-2-dml.sql'
        $manual.Iterations | Should -Be 4   # 5000, 5000, 2000, then 0 rows
        $manual.RowsAffected | Should -Be 12000
        Invoke-TestSql -Database $Db.Name -Sql 'SELECT count(*) FILTER (WHERE pages = 42), count(*) FROM north_app_book' | Should -Be '12000|12000'
    }

    It 'leaves nothing pending and the database at 1.3' {
        Get-NorthStatus @North | Where-Object Pending | Should -BeNullOrEmpty
        $version = Get-NorthVersion @North
        $version.CurrentVersion.ToString() | Should -Be '1.3'
        $version.PendingCount | Should -Be 0
        $version.Initialized | Should -BeTrue
    }

    It 'holds in the database what the files did' {
        Invoke-TestSql -Database $Db.Name -Sql 'SELECT version_num FROM sql_version ORDER BY 1' | Should -Be @('0.1', '1.0', '1.1', '1.2', '1.3')
        Invoke-TestSql -Database $Db.Name -Sql "SELECT relkind FROM pg_class WHERE relname IN ('north_app_book', 'north_app_book_wip', 'north_app_reader', 'north_app_book_readers', 'north_app_author_idx') ORDER BY relname" |
            Should -Be @('i', 'r', 'r', 'r')
        Invoke-TestSql -Database $Db.Name -Sql "SELECT count(*) FROM information_schema.columns WHERE table_name = 'north_app_author' AND column_name = 'date_of_birth'" | Should -Be '0'
        Invoke-TestSql -Database $Db.Name -Sql "SELECT count(*) FROM auth_permission WHERE codename LIKE '%_reader'" | Should -Be '3'
    }

    It 'recorded the init marker as faked, then every file once, as applied, with its SHA-256' {
        Get-HistoryRow $Db.Name 'SELECT version, name, mode FROM north_migrations ORDER BY id LIMIT 1' | Should -Be '0.1|schema_0.1.sql|faked'
        $rows = Get-HistoryRow $Db.Name "SELECT version, name, mode, checksum FROM north_migrations WHERE version <> '0.1' ORDER BY id"
        $rows | ForEach-Object { ($_ -split '\|')[0..1] -join '/' } | Should -Be (Get-ExampleFile '1.0', '1.1', '1.2', '1.3' | ForEach-Object { "$($_.Version)/$($_.Name)" })
        $rows | ForEach-Object { ($_ -split '\|')[2] } | Sort-Object -Unique | Should -Be 'applied'
        $expected = (Get-FileHash -Algorithm SHA256 (Join-Path $Example '1.3/1.3-remove-author-dob-ddl.sql')).Hash.ToLowerInvariant()
        ($rows | Where-Object { $_ -like '1.3|1.3-remove-author-dob-ddl.sql|*' }) -split '\|' | Select-Object -Last 1 | Should -Be $expected
    }

    It 'finds nothing to do on a second run' {
        @(Invoke-NorthMigration @North) | Should -BeNullOrEmpty
        (Get-HistoryRow $Db.Name 'SELECT count(*) FROM north_migrations') | Should -Be '18'
    }
}

Describe 'Before- and after-schema files named by north.json' {
    BeforeAll {
        $script:Repo = Copy-Repository $Example 'with-settings'
        Set-Content "$Repo/north.json" '{ "BeforeSchemaFiles": ["before_file.sql"], "AfterSchemaFiles": ["after_file.sql", "extra_file.sql"] }'
        Set-Content "$Repo/schemas/before_file.sql" 'CREATE SCHEMA before_marker;'
        Set-Content "$Repo/schemas/after_file.sql" "CREATE TABLE after_marker AS SELECT to_regclass('sql_version') IS NOT NULL AS schema_loaded;"
        Set-Content "$Repo/schemas/extra_file.sql" 'CREATE TABLE extra_marker (id int);'
        $script:Db = New-TestDatabase
        $script:North = @{ Path = $Repo; ConnectionString = $Db.ConnectionString }
    }
    AfterAll { Remove-TestDatabase $Db }

    It 'plans them around the schema and runs them in that order' {
        $plan = @(Get-NorthPlan @North -TargetVersion 1.0)
        $plan | Select-Object -First 6 | ForEach-Object { "$($_.Action) $($_.Name)" } | Should -Be @(
            'RunSchemaFile before_file.sql', 'LoadSchema schema_0.1.sql', 'RecordFaked schema_0.1.sql', 'RunSchemaFile after_file.sql',
            'RunSchemaFile extra_file.sql', 'LoadFixtures fixtures_0.1.sql')
        $results = @(Invoke-NorthMigration @North -TargetVersion 1.0)
        $results.Count | Should -Be $plan.Count
        Invoke-TestSql -Database $Db.Name -Sql "SELECT schema_loaded FROM after_marker; SELECT count(*) FROM pg_namespace WHERE nspname = 'before_marker'; SELECT to_regclass('extra_marker') IS NOT NULL" |
            Should -Be @('t', '1', 't')
    }
}

Describe 'Adopting a database the original tools migrated' {
    It 'carries on a septentrion database: 1.2 by its history, then only 1.3 is applied' {
        $db = New-TestDatabase
        try {
            Initialize-ByHand $db.Name $Example '1.0', '1.1', '1.2'
            $values = (Get-ExampleFile '1.0', '1.1', '1.2' | ForEach-Object { "('$($_.Version)', '$($_.Name)', now() - interval '1 day')" }) -join ', '
            Invoke-TestSql -Database $db.Name -Sql @"
CREATE TABLE septentrion_migrations (id serial PRIMARY KEY, version text, name text, applied_at timestamptz);
INSERT INTO septentrion_migrations (version, name, applied_at) VALUES $values;
"@ | Out-Null
            $north = @{ Path = $Example; ConnectionString = $db.ConnectionString; HistoryStyle = 'Septentrion' }

            (Get-NorthVersion @north).CurrentVersion.ToString() | Should -Be '1.2'
            $results = @(Invoke-NorthMigration @north)

            $results.Name | Should -Be $ExampleFiles['1.3']
            $results.Status | Sort-Object -Unique | Should -Be 'Succeeded'
            Get-HistoryRow $db.Name "SELECT version || '/' || name FROM septentrion_migrations WHERE id > 12 ORDER BY id" |
                Should -Be ($ExampleFiles['1.3'] | ForEach-Object { "1.3/$_" })
            Get-HistoryRow $db.Name 'SELECT count(*), count(DISTINCT (version, name)), count(applied_at) FROM septentrion_migrations' | Should -Be '17|17|17'
            Invoke-TestSql -Database $db.Name -Sql "SELECT to_regclass('north_migrations') IS NULL" | Should -Be 't'
            Invoke-TestSql -Database $db.Name -Sql 'SELECT version_num FROM sql_version ORDER BY 1' | Should -Be @('0.1', '1.0', '1.1', '1.2', '1.3')
            (Get-NorthVersion @north).CurrentVersion.ToString() | Should -Be '1.3'
        }
        finally { Remove-TestDatabase $db }
    }

    It 'carries on a django-north database: 1.2 by sql_version, django''s own rows left alone' {
        $db = New-TestDatabase
        try {
            Initialize-ByHand $db.Name $DjangoExample '1.0', '1.1', '1.2'
            # django-north recorded its files in django_migrations with the version in app, next to Django's own apps.
            $values = (Get-ExampleFile '1.0', '1.1', '1.2' | ForEach-Object { "('$($_.Version)', '$($_.Name)', now())" }) -join ', '
            Invoke-TestSql -Database $db.Name -Sql @"
INSERT INTO django_migrations (app, name, applied) VALUES ('contenttypes', '0001_initial', now()), ('auth', '0001_initial', now());
INSERT INTO django_migrations (app, name, applied) VALUES $values;
"@ | Out-Null
            $north = @{ Path = $DjangoExample; ConnectionString = $db.ConnectionString; HistoryStyle = 'DjangoNorth'; VersionDetector = 'VersionTable' }

            (Get-NorthVersion @north).CurrentVersion.ToString() | Should -Be '1.2'
            $results = @(Invoke-NorthMigration @north)

            $results.Name | Should -Be $ExampleFiles['1.3']
            Get-HistoryRow $db.Name "SELECT app || '/' || name FROM django_migrations WHERE app LIKE '1.3' ORDER BY id" |
                Should -Be ($ExampleFiles['1.3'] | ForEach-Object { "1.3/$_" })
            Get-HistoryRow $db.Name 'SELECT count(*), count(DISTINCT (app, name)) FROM django_migrations' | Should -Be '19|19'
            Get-HistoryRow $db.Name "SELECT app FROM django_migrations WHERE name = '0001_initial' ORDER BY id" | Should -Be @('contenttypes', 'auth')
            Invoke-TestSql -Database $db.Name -Sql "SELECT to_regclass('north_migrations') IS NULL" | Should -Be 't'
            Invoke-TestSql -Database $db.Name -Sql "SELECT count(*) FROM auth_permission WHERE codename LIKE '%_reader'" | Should -Be '4'
        }
        finally { Remove-TestDatabase $db }
    }
}

Describe '-WhatIf' {
    It 'changes nothing in an empty database, nor in one half-way' {
        $db = New-TestDatabase
        try {
            $north = @{ Path = $Example; ConnectionString = $db.ConnectionString }
            $before = Get-Snapshot $db.Name
            @(Invoke-NorthMigration @north -WhatIf) | Should -BeNullOrEmpty
            @(Initialize-NorthDatabase @north -WhatIf) | Should -BeNullOrEmpty
            Get-Snapshot $db.Name | Should -Be $before
            $before | Should -Match 'no history'

            Invoke-NorthMigration @north -TargetVersion 1.1 | Out-Null
            $before = Get-Snapshot $db.Name
            @(Invoke-NorthMigration @north -WhatIf) | Should -BeNullOrEmpty
            @(Unregister-NorthMigration @north -Version 1.1 -WhatIf) | Should -BeNullOrEmpty
            @(Register-NorthMigration @north -Version 1.3 -WhatIf) | Should -BeNullOrEmpty
            Get-Snapshot $db.Name | Should -Be $before
            $before | Should -Match '1\.1-index-ddl\.sql'
        }
        finally { Remove-TestDatabase $db }
    }
}

Describe '-WhatIf output' {
    It 'lists every step of the plan, not only the first' {
        # What-if messages go to the host only: a fresh pwsh, whose host output is its stdout.
        $db = New-TestDatabase
        $env:NORTH_PESTER_CONNECTION = $db.ConnectionString
        try {
            $result = Invoke-FreshPwsh "Import-Module '$(Get-TestModuleManifest)'; Invoke-NorthMigration -Path '$Example' -ConnectionString `$env:NORTH_PESTER_CONNECTION -WhatIf"
            $result.ExitCode | Should -Be 0
            $lines = @($result.Output -split "`n" | Where-Object { $_ -match 'What if:' })
            $lines[0] | Should -Match 'LoadSchema'
            $lines[-1] | Should -Match ([regex]::Escape('1.3/1.3-rename-num-pages-ddl.sql'))
            $lines.Count | Should -Be 20
            Invoke-TestSql -Database $db.Name -Sql "SELECT to_regclass('sql_version') IS NULL" | Should -Be 't'
        }
        finally {
            Remove-Item Env:NORTH_PESTER_CONNECTION -ErrorAction SilentlyContinue
            Remove-TestDatabase $db
        }
    }
}

Describe 'A migration failing in the middle of 1.2' {
    BeforeAll {
        $script:Repo = Copy-Repository $Example 'broken'
        $script:Broken = Join-Path $Repo '1.2/1.2-rename-num-pages-ddl.sql'
        $script:Original = Get-Content -Raw $Broken
        # Line 5 fails (no such column) after lines 3 and 4 did something: all of it must roll back.
        Set-Content -LiteralPath $Broken -Value @'
BEGIN;

CREATE TABLE broken_marker (id int);
ALTER TABLE north_app_book RENAME COLUMN num_pages TO pages;
ALTER TABLE north_app_book RENAME COLUMN no_such_column TO anything;

COMMIT;
'@
        $script:Db = New-TestDatabase
        $script:North = @{ Path = $Repo; ConnectionString = $Db.ConnectionString }
        $script:Output = [System.Collections.Generic.List[object]]::new()
        $script:Failure = Invoke-Caught { Invoke-NorthMigration @North -ErrorAction Stop | ForEach-Object { $Output.Add($_) } }
    }
    AfterAll { Remove-TestDatabase $Db }

    It 'fails with a NorthScriptFailed error naming file:line and the SQLSTATE, the file as target' {
        $Failure | Should -Not -BeNullOrEmpty
        $Failure.FullyQualifiedErrorId | Should -BeLike 'NorthScriptFailed*'
        $Failure.TargetObject | Should -Be $Broken
        $Failure.Exception.Message | Should -Match ([regex]::Escape('1.2-rename-num-pages-ddl.sql:5:'))
        $Failure.Exception.Message | Should -Match '42703'
        $Failure.Exception.Message | Should -Match 'no_such_column'
    }

    It 'reports the failed step last, after the ones that succeeded' {
        $Output[-1].Name | Should -Be '1.2-rename-num-pages-ddl.sql'
        $Output[-1].Status | Should -Be 'Failed'
        @($Output | Where-Object Status -eq 'Succeeded').Count | Should -Be ($Output.Count - 1)
    }

    It 'keeps the files before it recorded, and leaves no trace of the failed one' {
        Get-HistoryRow $Db.Name "SELECT name FROM north_migrations WHERE version = '1.2' ORDER BY id" |
            Should -Be @('1.2-0-version-dml.sql', '1.2-remove-author-dob-ddl.sql')
        Get-HistoryRow $Db.Name "SELECT count(*) FROM north_migrations WHERE version = '1.3'" | Should -Be '0'
        Invoke-TestSql -Database $Db.Name -Sql "SELECT to_regclass('broken_marker') IS NULL, to_regclass('north_app_book_wip') IS NULL" | Should -Be 't|t'
        Invoke-TestSql -Database $Db.Name -Sql "SELECT attname FROM pg_attribute WHERE attrelid = 'north_app_book'::regclass AND attname IN ('num_pages', 'pages')" | Should -Be 'num_pages'
        (Get-NorthStatus @North | Where-Object Pending | Select-Object -First 1).Name | Should -Be '1.2-rename-num-pages-ddl.sql'
    }

    It 'continues from the failed file once it is fixed' {
        Set-Content -LiteralPath $Broken -Value $Original -NoNewline
        $results = @(Invoke-NorthMigration @North)
        $results.Name | Should -Be (@('1.2-rename-num-pages-ddl.sql') + $ExampleFiles['1.3'])
        Get-HistoryRow $Db.Name 'SELECT count(*), count(DISTINCT (version, name)) FROM north_migrations' | Should -Be '18|18'
    }
}

Describe 'Concurrent runs' {
    BeforeAll {
        # Each file takes a little time and counts its executions in a side table.
        $files = @{}
        foreach ($n in 1..3) {
            $name = "1.0-$n-step-ddl.sql"
            $files[$name] = "CREATE TABLE step_$n (id int);`nINSERT INTO executions (name) VALUES ('$name');`nSELECT pg_sleep(1);"
        }
        $script:Repo = New-SlowRepository 'slow' $files
        $script:Db = New-TestDatabase
        $env:NORTH_PESTER_CONNECTION = $Db.ConnectionString
        $script:Children = @()
    }
    AfterAll {
        foreach ($child in $Children) { if (-not $child.HasExited) { Stop-Process -Id $child.Id -Force -ErrorAction Ignore } }
        Remove-Item Env:NORTH_PESTER_CONNECTION -ErrorAction SilentlyContinue
        Remove-TestDatabase $Db
    }

    It 'applies every migration exactly once when four processes run at the same time' {
        $go = Join-Path $TestDrive 'go'
        $outs = 1..4 | ForEach-Object { Join-Path $TestDrive "child-$_.json" }
        $script:Children = @($outs | ForEach-Object { Start-Child -Path $Repo -Out $_ -Go $go })
        Wait-Until { @($outs | Where-Object { Test-Path "$_.ready" }).Count -eq 4 } 'four children to import the module' 120
        Set-Content $go 'go'
        $Children | Wait-Process -Timeout 120
        foreach ($out in $outs) {
            Test-Path $out | Should -BeTrue -Because "child $out failed: $(Get-Content -Raw "$out.stderr" -ErrorAction SilentlyContinue)"
        }
        $reports = $outs | ForEach-Object { Get-Content -Raw $_ | ConvertFrom-Json }

        # One run did everything (schema included); the three others waited for it and found nothing to do.
        $winners = @($reports | Where-Object { $_.Applied.Count -gt 0 })
        $winners.Count | Should -Be 1
        $winners[0].Applied | Should -Be @('schema_0.1.sql', '0.1-0-base-ddl.sql', '1.0-1-step-ddl.sql', '1.0-2-step-ddl.sql', '1.0-3-step-ddl.sql')
        $losers = @($reports | Where-Object { $_.Applied.Count -eq 0 })
        $losers.Count | Should -Be 3
        $losers.Waited | Should -Be @($true, $true, $true)

        Invoke-TestSql -Database $Db.Name -Sql 'SELECT name, count(*) FROM executions GROUP BY name ORDER BY name' |
            Should -Be @('1.0-1-step-ddl.sql|1', '1.0-2-step-ddl.sql|1', '1.0-3-step-ddl.sql|1')
        Get-HistoryRow $Db.Name 'SELECT count(*), count(DISTINCT (version, name)) FROM north_migrations' | Should -Be '4|4'
    }
}

Describe 'The run lock' {
    BeforeAll {
        $script:Repo = New-SlowRepository 'locked' @{ '1.0-1-only-ddl.sql' = "CREATE TABLE only_one (id int);" }
        $script:Db = New-TestDatabase
        $script:Holder = $null
    }
    AfterAll {
        if ($Holder -and -not $Holder.HasExited) { Stop-Process -Id $Holder.Id -Force -ErrorAction Ignore }
        Remove-TestDatabase $Db
    }

    It 'times out with -LockTimeout while psql holds it, naming the holder''s pid' {
        $key = Get-NorthRunLockKey
        $sql = Join-Path $TestDrive 'hold-lock.sql'
        Set-Content $sql "SELECT pg_advisory_lock($key);`nSELECT pg_sleep(120);"
        $server = Get-TestServer
        $env:PGHOST = $server['host']; $env:PGPORT = $server['port']; $env:PGUSER = $server['username']
        $env:PGPASSWORD = $server['password']; $env:PGAPPNAME = 'north-pester-lock-holder'
        try {
            $script:Holder = Start-Process -FilePath psql -ArgumentList '-X', '-q', '-d', $Db.Name, '-f', $sql -PassThru `
                -RedirectStandardOutput "$sql.out" -RedirectStandardError "$sql.err"
        }
        finally { Remove-Item Env:PGHOST, Env:PGPORT, Env:PGUSER, Env:PGPASSWORD, Env:PGAPPNAME -ErrorAction SilentlyContinue }
        $lockedBy = { Invoke-TestSql -Database $Db.Name -Sql "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())" }
        Wait-Until { & $lockedBy } 'psql to take the advisory lock'
        $holderPid = & $lockedBy

        $clock = [Diagnostics.Stopwatch]::StartNew()
        $failure = Invoke-Caught { Invoke-NorthMigration -Path $Repo -ConnectionString $Db.ConnectionString -LockTimeout 00:00:02 -ErrorAction Stop }
        $clock.Stop()

        $failure | Should -Not -BeNullOrEmpty
        $failure.FullyQualifiedErrorId | Should -BeLike 'NorthLockTimeout*'
        $failure.CategoryInfo.Category | Should -Be 'ResourceBusy'
        $failure.Exception.Message | Should -Match "\bpid $holderPid\b"
        $failure.Exception.Message | Should -Match 'north-pester-lock-holder'
        $failure.Exception.Message | Should -Not -Match ([regex]::Escape((Get-TestServer)['password']))
        $clock.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 2
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 20
        Invoke-TestSql -Database $Db.Name -Sql "SELECT to_regclass('north_migrations') IS NULL, to_regclass('executions') IS NULL" | Should -Be 't|t'
    }

    It 'runs once the holder is gone' {
        Invoke-TestSql -Database $Db.Name -Sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'north-pester-lock-holder'" | Out-Null
        $Holder | Wait-Process -Timeout 30
        $results = @(Invoke-NorthMigration -Path $Repo -ConnectionString $Db.ConnectionString -LockTimeout 00:00:10)
        $results.Name | Should -Be @('schema_0.1.sql', '0.1-0-base-ddl.sql', '1.0-1-only-ddl.sql')
    }
}

Describe 'A run killed with SIGKILL in the middle of an atomic migration' {
    BeforeAll {
        $script:Repo = New-SlowRepository 'long' @{
            '1.0-1-quick-ddl.sql' = "CREATE TABLE quick (id int);`nINSERT INTO executions (name) VALUES ('1.0-1-quick-ddl.sql');"
            '1.0-2-long-ddl.sql'  = "BEGIN;`nCREATE TABLE long_one (id int);`nINSERT INTO executions (name) VALUES ('1.0-2-long-ddl.sql');`nSELECT pg_sleep((SELECT seconds FROM pause));`nCOMMIT;"
        }
        # The schema sets the pause; the killed run waits 30 s in the long file.
        Add-Content "$Repo/schemas/schema_0.1.sql" 'UPDATE pause SET seconds = 30;'
        $script:Db = New-TestDatabase
        # Lets the server notice the dead client during pg_sleep instead of at its end (PostgreSQL 14+).
        Invoke-TestSql -Database postgres -Sql "ALTER DATABASE $($Db.Name) SET client_connection_check_interval = '200ms'" | Out-Null
        $env:NORTH_PESTER_CONNECTION = $Db.ConnectionString
        $script:Child = $null
    }
    AfterAll {
        if ($Child -and -not $Child.HasExited) { Stop-Process -Id $Child.Id -Force -ErrorAction Ignore }
        Remove-Item Env:NORTH_PESTER_CONNECTION -ErrorAction SilentlyContinue
        Remove-TestDatabase $Db
    }

    It 'leaves the file unrecorded and its effects absent; the next run applies it' {
        $out = Join-Path $TestDrive 'killed.json'
        $script:Child = Start-Child -Path $Repo -Out $out
        $sleeping = { Invoke-TestSql -Database $Db.Name -Sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE '%pg_sleep((SELECT seconds%'" }
        Wait-Until { (& $sleeping) -eq '1' } 'the long migration to be running' 120

        # The pwsh that runs the migration (dotnet pwsh starts it as a child): SIGKILL, no chance to clean up.
        Stop-Process -Id ([int](Get-Content "$out.pid")) -Force
        $sessions = { Invoke-TestSql -Database $Db.Name -Sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" }
        Wait-Until { (& $sessions) -eq '0' } 'the server to end the killed sessions' 60
        $Child | Wait-Process -Timeout 30
        Test-Path $out | Should -BeFalse

        Get-HistoryRow $Db.Name 'SELECT version, name FROM north_migrations ORDER BY id' | Should -Be @('0.1|0.1-0-base-ddl.sql', '1.0|1.0-1-quick-ddl.sql')
        Invoke-TestSql -Database $Db.Name -Sql "SELECT to_regclass('long_one') IS NULL, to_regclass('quick') IS NULL" | Should -Be 't|f'
        Invoke-TestSql -Database $Db.Name -Sql 'SELECT name FROM executions ORDER BY at' | Should -Be '1.0-1-quick-ddl.sql'
        (Get-NorthStatus -Path $Repo -ConnectionString $Db.ConnectionString | Where-Object Pending).Name | Should -Be '1.0-2-long-ddl.sql'

        Invoke-TestSql -Database $Db.Name -Sql 'UPDATE pause SET seconds = 0' | Out-Null
        $results = @(Invoke-NorthMigration -Path $Repo -ConnectionString $Db.ConnectionString -LockTimeout 00:00:20)
        $results.Name | Should -Be '1.0-2-long-ddl.sql'
        Invoke-TestSql -Database $Db.Name -Sql "SELECT to_regclass('long_one') IS NOT NULL" | Should -Be 't'
        Invoke-TestSql -Database $Db.Name -Sql 'SELECT name FROM executions ORDER BY at' | Should -Be @('1.0-1-quick-ddl.sql', '1.0-2-long-ddl.sql')
    }
}

Describe 'A file edited after it was applied' {
    It 'shows Modified in Get-NorthStatus, and only for that file' {
        $repo = Copy-Repository $Example 'edited'
        $db = New-TestDatabase
        try {
            $north = @{ Path = $repo; ConnectionString = $db.ConnectionString }
            Invoke-NorthMigration @north -TargetVersion 1.1 | Out-Null
            @(Get-NorthStatus @north | Where-Object Modified) | Should -BeNullOrEmpty
            Add-Content (Join-Path $repo '1.0/1.0-author-1-ddl.sql') '-- reviewed by the DBA team'
            $modified = @(Get-NorthStatus @north | Where-Object Modified)
            $modified.Name | Should -Be '1.0-author-1-ddl.sql'
            $modified.Applied | Should -BeTrue
            $modified.Pending | Should -BeFalse
        }
        finally { Remove-TestDatabase $db }
    }
}

Describe 'DBA ergonomics: pipelines and splatting' {
    BeforeAll {
        $script:Db = New-TestDatabase
        $script:North = @{ Path = $Example; ConnectionString = $Db.ConnectionString }
    }
    AfterAll { Remove-TestDatabase $Db }

    It 'runs the steps piped from Get-NorthPlan' {
        $results = @(Get-NorthPlan @North -TargetVersion 1.0 | Invoke-NorthMigration @North)
        $results.Name | Should -Be (@('schema_0.1.sql', 'schema_0.1.sql', 'fixtures_0.1.sql') + $ExampleFiles['1.0'])
        Get-HistoryRow $Db.Name 'SELECT count(*) FROM north_migrations' | Should -Be '6'
    }

    It 'applies exactly two steps for Select-Object -First 2' {
        $results = @(Get-NorthPlan @North | Select-Object -First 2 | Invoke-NorthMigration @North)
        $results.Name | Should -Be @('1.1-0-version-dml.sql', '1.1-add-num-pages-1-ddl.sql')
        Get-HistoryRow $Db.Name "SELECT name FROM north_migrations WHERE version = '1.1' ORDER BY id" | Should -Be @('1.1-0-version-dml.sql', '1.1-add-num-pages-1-ddl.sql')
        Get-NorthStatus @North | Where-Object Pending | Select-Object -First 1 -ExpandProperty Name | Should -Be '1.1-add-num-pages-2-dml.sql'
    }

    It 'refuses steps that are not the start of the plan, and applies none of them' {
        $before = Get-Snapshot $Db.Name
        $failure = Invoke-Caught { Get-NorthPlan @North | Select-Object -Skip 1 | Invoke-NorthMigration @North -ErrorAction Stop }
        $failure | Should -Not -BeNullOrEmpty
        $failure.FullyQualifiedErrorId | Should -BeLike 'NorthPlanMismatch*'
        $failure.Exception.Message | Should -Match '1\.1-add-num-pages-2-dml\.sql'
        Get-Snapshot $Db.Name | Should -Be $before
    }

    It 'takes one splatted hashtable with every database cmdlet' {
        $north = @{ Path = $Example; ConnectionString = $Db.ConnectionString; TargetVersion = '1.1' }
        @(Invoke-NorthMigration @north).Name | Should -Be @('1.1-add-num-pages-2-dml.sql', '1.1-index-ddl.sql')
        (Get-NorthVersion @north).CurrentVersion.ToString() | Should -Be '1.1'
        @(Get-NorthPlan @north) | Should -BeNullOrEmpty
        @(Get-NorthStatus @north).Count | Should -Be 9
        @(Get-NorthStatus @north | Where-Object Pending) | Should -BeNullOrEmpty
        @(Get-NorthHistory @north).Count | Should -Be 10   # and the init marker
        @(Initialize-NorthDatabase @north -Confirm:$false) | Should -BeNullOrEmpty
        @(Register-NorthMigration @north -Version 1.1 -Confirm:$false) | Should -BeNullOrEmpty
        (Unregister-NorthMigration @north -Version 1.1 -Name 1.1-index-ddl.sql -Confirm:$false).Name | Should -Be '1.1-index-ddl.sql'
        (Register-NorthMigration @north -Version 1.1 -Name 1.1-index-ddl.sql -Confirm:$false).Mode | Should -Be 'Faked'
        Get-HistoryRow $Db.Name "SELECT mode FROM north_migrations WHERE name = '1.1-index-ddl.sql'" | Should -Be 'faked'
    }

    It 'connects with -Host -Port -Database -Credential as well' {
        $server = Get-TestServer
        $credential = [pscredential]::new($server['username'], (ConvertTo-SecureString $server['password'] -AsPlainText -Force))
        $north = @{ Path = $Example; Host = $server['host']; Port = [int]$server['port']; Database = $Db.Name; Credential = $credential }
        (Get-NorthVersion @north).CurrentVersion.ToString() | Should -Be '1.1'
    }

    It 'takes the same splatted hashtable with Test-NorthRepository (DESIGN section 5: all cmdlets share it)' {
        $north = @{ Path = $Example; ConnectionString = $Db.ConnectionString; TargetVersion = '1.1' }
        Test-NorthRepository @north -Quiet | Should -BeTrue
    }
}

Describe 'Register-NorthMigration and Unregister-NorthMigration' {
    BeforeAll {
        # A database brought to 1.1 by hand, with no history: Register adopts it.
        $script:Db = New-TestDatabase
        Initialize-ByHand $Db.Name $Example '1.0', '1.1'
        $script:North = @{ Path = $Example; ConnectionString = $Db.ConnectionString }
        $script:Registered = @(Register-NorthMigration @North -Version 1.1 -Confirm:$false)
    }
    AfterAll { Remove-TestDatabase $Db }

    It 'records every file up to 1.1 as faked, without running them' {
        $Registered.Name | Should -Be (Get-ExampleFile '1.0', '1.1').Name
        $Registered.Mode | Sort-Object -Unique | Should -Be 'Faked'
        Get-HistoryRow $Db.Name 'SELECT version, name, mode FROM north_migrations ORDER BY id' |
            Should -Be (Get-ExampleFile '1.0', '1.1' | ForEach-Object { "$($_.Version)|$($_.Name)|faked" })
        Invoke-TestSql -Database $Db.Name -Sql 'SELECT version_num FROM sql_version ORDER BY 1' | Should -Be @('0.1', '1.0', '1.1')
        (Get-NorthVersion @North).CurrentVersion.ToString() | Should -Be '1.1'
    }

    It 'makes a later run skip them' {
        $results = @(Invoke-NorthMigration @North)
        $results.Name | Should -Be (Get-ExampleFile '1.2', '1.3').Name
        Get-HistoryRow $Db.Name "SELECT mode, count(*) FROM north_migrations GROUP BY mode ORDER BY mode" | Should -Be @('applied|8', 'faked|9')
    }

    It 'unregisters one file: returns the removed row, and the file is pending again' {
        $removed = @(Unregister-NorthMigration @North -Version 1.3 -Name 1.3-add-readers-dml.sql -Confirm:$false)
        $removed.Count | Should -Be 1
        $removed[0].Name | Should -Be '1.3-add-readers-dml.sql'
        $removed[0].Version | Should -Be '1.3'
        Get-HistoryRow $Db.Name "SELECT count(*) FROM north_migrations WHERE name = '1.3-add-readers-dml.sql'" | Should -Be '0'
        $pending = @(Get-NorthStatus @North | Where-Object Pending)
        $pending.Name | Should -Be '1.3-add-readers-dml.sql'
        $pending.Applied | Should -BeFalse
    }
}

Describe 'A database initialized alone, from a schema version with no migrations' {
    It 'counts as initialized afterwards, so the next run does not load the schema again' {
        # septentrion's example initializes at 0.1, whose folder has no migration: nothing is recorded.
        $db = New-TestDatabase
        try {
            $north = @{ Path = $Example; ConnectionString = $db.ConnectionString }
            @(Initialize-NorthDatabase @north -Confirm:$false).Action | Should -Be @('LoadSchema', 'RecordFaked', 'LoadFixtures')
            (Get-NorthVersion @north).Initialized | Should -BeTrue
            @(Get-NorthPlan @north).Action | Should -Not -Contain 'LoadSchema'
            $results = @(Invoke-NorthMigration @north -TargetVersion 1.0)
            $results.Name | Should -Be $ExampleFiles['1.0']
        }
        finally { Remove-TestDatabase $db }
    }
}
