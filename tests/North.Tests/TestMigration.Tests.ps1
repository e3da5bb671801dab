# Test-NorthMigration end to end: pending files rehearsed on a scratch copy, measured against
# ground truth. Expected modes are PostgreSQL's documentation, "Explicit Locking", section
# "Table-Level Lock Modes": ALTER TABLE (ADD COLUMN, ALTER COLUMN TYPE, RENAME, DROP COLUMN, DROP NOT
# NULL) takes ACCESS EXCLUSIVE; CREATE INDEX takes SHARE; CREATE INDEX CONCURRENTLY and VALIDATE
# CONSTRAINT take SHARE UPDATE EXCLUSIVE; ADD FOREIGN KEY takes SHARE ROW EXCLUSIVE (on both tables);
# UPDATE/INSERT/DELETE take ROW EXCLUSIVE; SELECT (and a view's query) takes ACCESS SHARE.
# pg_locks names them AccessExclusiveLock, ShareLock, ShareUpdateExclusiveLock...
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Documented = 'AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock',
        'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'

    function Get-Catalog([string] $Database) {
        # What a rehearsal must not change on the target: relations and their storage, columns, constraints, history.
        Invoke-TestSql -Database $Database -Sql @'
SELECT format('%s %s %s', c.relname, c.relkind, c.relfilenode) FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace ORDER BY 1;
SELECT format('%s.%s %s', a.attrelid::regclass, a.attname, format_type(a.atttypid, a.atttypmod)) FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1;
SELECT format('%s %s', conname, convalidated) FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1;
SELECT format('%s %s', version, name) FROM north_migrations ORDER BY id;
'@
    }

    function Get-StatementLine([string] $File) {
        # The line each SQL statement starts on, by psql's rules for these files: -- comments,
        # quotes and $$ bodies hide their semicolons; --meta-psql: lines are comments, \timing a
        # meta-command. An outer BEGIN; ... COMMIT; of a file that is not manual is left out: North
        # runs its body in a transaction of its own (atomic); a manual file runs as written.
        $manual = $File -match '[\\/]manual[\\/]' -or (Select-String -Quiet -Path $File -Pattern '^--meta-psql:')
        $starts = [System.Collections.Generic.List[int]]::new(); $line = 1; $inStatement = $false; $text = Get-Content -Raw $File; $from = 0
        $i = 0; $dollar = $false; $quote = $false
        while ($i -lt $text.Length) {
            $c = $text[$i]
            if ($c -eq "`n") { $line++; $i++; continue }
            if (-not $quote -and -not $dollar -and $c -eq '-' -and $i + 1 -lt $text.Length -and $text[$i + 1] -eq '-') {
                while ($i -lt $text.Length -and $text[$i] -ne "`n") { $i++ }
                continue
            }
            if (-not $inStatement -and $c -eq '\') {
                while ($i -lt $text.Length -and $text[$i] -ne "`n") { $i++ }
                continue
            }
            if (-not $inStatement -and -not [char]::IsWhiteSpace($c)) { $starts.Add($line); $inStatement = $true; $from = $i }
            if (-not $dollar -and $c -eq "'") { $quote = -not $quote }
            elseif (-not $quote -and $c -eq '$' -and $i + 1 -lt $text.Length -and $text[$i + 1] -eq '$') { $dollar = -not $dollar; $i++ }
            elseif (-not $quote -and -not $dollar -and $c -eq ';') {
                $inStatement = $false
                if (-not $manual -and $text.Substring($from, $i - $from).Trim() -match '^(BEGIN|COMMIT)$') { $starts.RemoveAt($starts.Count - 1) }
            }
            $i++
        }
        , $starts.ToArray()
    }

    function Assert-Complete($Report, [string] $Root, [string[]] $Versions) {
        # Every statement of every pending file is in the report, and every lock mode is one PostgreSQL documents.
        foreach ($file in Get-ChildItem -Recurse -File -Path ($Versions | ForEach-Object { Join-Path $Root $_ }) -Include '*ddl.sql', '*dml.sql') {
            $lines = @($Report | Where-Object Name -eq $file.Name | ForEach-Object Line | Sort-Object -Unique)
            $lines | Should -Be (Get-StatementLine $file.FullName) -Because "every statement of $($file.Name) is rehearsed"
        }
        $Report | Where-Object LockMode | ForEach-Object { $_.LockMode | Should -BeIn $Documented }
    }

    function Get-ScratchName($Verbose) {
        @($Verbose | ForEach-Object { "$_" } | Select-String 'Created scratch database (\S+)\.' | ForEach-Object { $_.Matches[0].Groups[1].Value })
    }
}

Describe 'Test-NorthMigration against ground truth on 5,000 rows' {
    BeforeAll {
        $script:Root = Join-Path $TestDrive 'ground'
        New-Item -ItemType Directory -Path "$Root/schemas", "$Root/fixtures", "$Root/1.0", "$Root/1.1" | Out-Null
        Set-Content "$Root/schemas/schema_1.0.sql" @'
CREATE TABLE customers (id int PRIMARY KEY);
CREATE TABLE orders (id int PRIMARY KEY, amount int NOT NULL, customer_id int);
'@
        Set-Content "$Root/fixtures/fixtures_1.0.sql" @'
INSERT INTO customers SELECT g FROM generate_series(1, 100) g;
INSERT INTO orders SELECT g, g, 1 + g % 100 FROM generate_series(1, 5000) g;
ANALYZE customers, orders;
'@
        Set-Content "$Root/1.0/1.0-0-version-dml.sql" 'SELECT 1;'
        Set-Content "$Root/1.1/1.1-a-1-ddl.sql" 'ALTER TABLE orders ALTER COLUMN amount TYPE bigint;'
        Set-Content "$Root/1.1/1.1-a-2-ddl.sql" 'ALTER TABLE orders ADD COLUMN flag int;'
        Set-Content "$Root/1.1/1.1-a-3-ddl.sql" 'CREATE INDEX orders_customer ON orders (customer_id);'
        Set-Content "$Root/1.1/1.1-a-4-ddl.sql" 'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);'
        Set-Content "$Root/1.1/1.1-a-5-ddl.sql" 'ALTER TABLE orders ADD CONSTRAINT orders_customer_nv FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;'
        Set-Content "$Root/1.1/1.1-a-6-ddl.sql" 'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_amount ON orders (amount);'
        $script:Db = New-TestDatabase
        $script:North = @{ Path = $Root; ConnectionString = $Db.ConnectionString }
        Invoke-NorthMigration @North -TargetVersion 1.0 | Out-Null
        $script:Before = Get-Catalog $Db.Name
        $all = @(Test-NorthMigration @North -Verbose 4>&1)
        $script:Report = @($all | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
        $script:Verbose = @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        function On([string] $File) { $Report | Where-Object { $_.Name -eq $File -and $_.Relation -eq 'public.orders' } }
    }
    AfterAll { Remove-TestDatabase $Db }

    It 'measures what PostgreSQL does: rewrite, brief lock, index build, validating and NOT VALID foreign keys' {
        $Report[0].GetType().FullName | Should -Be 'North.Core.Rehearsal.LockObservation'
        $type = On '1.1-a-1-ddl.sql'
        $type.LockMode, $type.Rewrite | Should -Be 'AccessExclusiveLock', $true
        $add = On '1.1-a-2-ddl.sql'
        $add.LockMode, $add.Rewrite, $add.FullScan, $add.Risk.ToString() | Should -Be 'AccessExclusiveLock', $false, $false, 'Low'
        (On '1.1-a-3-ddl.sql').LockMode | Should -Be 'ShareLock'
        $fk = On '1.1-a-4-ddl.sql'
        $fk.LockMode, $fk.FullScan | Should -Be 'ShareRowExclusiveLock', $true
        $nv = On '1.1-a-5-ddl.sql'
        $nv.FullScan | Should -BeFalse
        $nv.Rewrite | Should -BeFalse
    }

    It 'rehearses a CONCURRENTLY file: the lock it holds while it runs, marked as not blocking writes' {
        $index = On '1.1-a-6-ddl.sql'
        $index.LockMode | Should -Be 'ShareUpdateExclusiveLock'
        $index.Risk.ToString() | Should -Be 'None'
        $index.Reason | Should -Match 'blocks neither reads nor writes'
    }

    It 'names the target and the size of each relation there' {
        $type = On '1.1-a-1-ddl.sql'
        $type.Database | Should -Be $Db.Name
        $type.Server | Should -Match ':\d+$'
        $type.Rows | Should -Be 5000
        $type.Size | Should -BeGreaterThan 0
        # 5,000 rows are not a small table: a rewrite under ACCESS EXCLUSIVE stays High.
        $type.Risk.ToString() | Should -Be 'High'
        $type.Duration | Should -BeOfType [timespan]
    }

    It 'leaves the target unchanged and no scratch database behind' {
        Get-Catalog $Db.Name | Should -Be $Before
        $scratch = Get-ScratchName $Verbose
        $scratch.Count | Should -Be 1
        Invoke-TestSql -Database postgres -Sql "SELECT count(*) FROM pg_database WHERE datname = '$($scratch[0])'" | Should -Be '0'
        (Get-NorthStatus @North | Where-Object Pending).Count | Should -Be 6
    }

    It 'grades a rewrite of a 50-row table Low' {
        $small = New-TestDatabase
        try {
            $north = @{ Path = $Root; ConnectionString = $small.ConnectionString }
            Invoke-NorthMigration @north -TargetVersion 1.0 | Out-Null
            Invoke-TestSql -Database $small.Name -Sql 'DELETE FROM orders WHERE id > 50; VACUUM ANALYZE orders;' | Out-Null
            $type = Test-NorthMigration @north -Version 1.1 | Where-Object { $_.Name -eq '1.1-a-1-ddl.sql' -and $_.Relation -eq 'public.orders' }
            $type.Rows | Should -Be 50
            $type.Rewrite | Should -BeTrue
            $type.Risk.ToString() | Should -Be 'Low'
            $type.Reason | Should -Match 'small on the target'
        }
        finally { Remove-TestDatabase $small }
    }

    It 'shows a table grouped by file that fits 120 columns' {
        $text = $Report | Out-String -Width 120
        $text | Should -Match 'File: 1\.1 1\.1-a-1-ddl\.sql'
        $text | Should -Match 'Line\s+Statement\s+Relation\s+LockMode\s+Rewrite\s+FullScan\s+Rows\s+Duration\s+Risk'
        ($text -split "`n" | Where-Object { $_.TrimEnd().Length -gt 120 }) | Should -BeNullOrEmpty
    }
}

Describe 'Test-NorthMigration over real repositories' {
    It 'rehearses septentrion''s example from 0.1 to 1.3 completely, with documented lock modes' {
        $root = Join-Path $TestDrive 'septentrion'
        Copy-Item -Recurse -Path (Get-CorpusPath 'septentrion/example_migrations') -Destination $root
        $db = New-TestDatabase
        try {
            $north = @{ Path = $root; ConnectionString = $db.ConnectionString }
            Invoke-NorthMigration @north -TargetVersion 0.1 | Out-Null
            $before = Get-Catalog $db.Name
            $report = @(Test-NorthMigration @north -TargetVersion 1.3)
            Assert-Complete $report $root '1.0', '1.1', '1.2', '1.3'
            # ALTER TABLE ... ADD COLUMN: ACCESS EXCLUSIVE on the book table that existed before 1.1.
            $report | Where-Object { $_.Name -eq '1.1-add-num-pages-1-ddl.sql' -and $_.Relation } | ForEach-Object LockMode | Should -Be 'AccessExclusiveLock'
            # Rows and Size come from the target: present for a relation it has, absent for one an earlier pending file creates.
            $onTarget = @(Invoke-TestSql -Database $db.Name -Sql "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'")
            foreach ($o in $report | Where-Object Relation) {
                ($null -ne $o.Size) | Should -Be ($o.Relation -in $onTarget) -Because "$($o.Relation) is$(if ($o.Relation -notin $onTarget) { ' not' }) on the target"
            }
            Get-Catalog $db.Name | Should -Be $before
        }
        finally { Remove-TestDatabase $db }
    }

    It 'rehearses the bookshop from 1.0: every statement, CONCURRENTLY included, the manual backfill too' {
        $root = Join-Path (Get-TestRepositoryRoot) 'examples/bookshop'
        $db = New-TestDatabase
        try {
            $north = @{ Path = $root; ConnectionString = $db.ConnectionString }
            Invoke-NorthMigration @north -TargetVersion 1.0 | Out-Null
            Invoke-TestSql -Database $db.Name -Sql 'ANALYZE' | Out-Null
            $before = Get-Catalog $db.Name
            $report = @(Test-NorthMigration @north)
            Assert-Complete $report $root '1.1', '1.2'
            $index = $report | Where-Object { $_.Name -eq '1.1-book-title-index-ddl.sql' -and $_.Relation -eq 'public.book' }
            $index.LockMode | Should -Be 'ShareUpdateExclusiveLock'
            $index.Risk.ToString() | Should -Be 'None'
            # UPDATE: ROW EXCLUSIVE.
            $report | Where-Object { $_.Name -eq '1.1-author-country-dml.sql' -and $_.Relation -eq 'public.author' } | ForEach-Object LockMode | Should -Be 'RowExclusiveLock'
            # ALTER TABLE ADD COLUMN inside the file's own BEGIN/COMMIT: ACCESS EXCLUSIVE.
            $report | Where-Object { $_.Name -eq '1.1-book-slug-1-ddl.sql' -and $_.Relation -eq 'public.book' } | Select-Object -First 1 | ForEach-Object LockMode | Should -Be 'AccessExclusiveLock'
            $report | Where-Object { $_.Relation -eq 'public.book' } | ForEach-Object { $_.Rows | Should -Not -BeNullOrEmpty; $_.Size | Should -BeGreaterThan 0 }
            Get-Catalog $db.Name | Should -Be $before
        }
        finally { Remove-TestDatabase $db }
    }
}

Describe 'Test-NorthMigration on several databases' {
    BeforeAll {
        $script:Root = Join-Path $TestDrive 'several'
        New-Item -ItemType Directory -Path "$Root/schemas", "$Root/1.0", "$Root/1.1" | Out-Null
        Set-Content "$Root/schemas/schema_1.0.sql" 'CREATE TABLE orders (id int PRIMARY KEY, amount int);'
        Set-Content "$Root/1.0/1.0-0-version-dml.sql" 'SELECT 1;'
        Set-Content "$Root/1.1/1.1-a-flag-ddl.sql" 'ALTER TABLE orders ADD COLUMN flag int;'
        $script:Good = @(New-TestDatabase; New-TestDatabase)
        foreach ($db in $Good) { Invoke-NorthMigration -Path $Root -ConnectionString $db.ConnectionString -TargetVersion 1.0 | Out-Null }
        # The third does not exist: it fails alone.
        $missing = $Good[0].ConnectionString -replace 'Database=[^;]+', 'Database=north_pester_missing_rehearsal'
        $targets = @($Good.ConnectionString) + $missing
        $script:Results = @($targets | Test-NorthMigration -Path $Root -ThrottleLimit 3 -ErrorVariable failures -ErrorAction SilentlyContinue -InformationVariable info)
        $script:Failures = @($failures)
        $script:Info = @($info)
    }
    AfterAll { $Good | ForEach-Object { Remove-TestDatabase $_ } }

    It 'rehearses each database, every observation naming its database and server; the targets are not changed' {
        foreach ($db in $Good) {
            $mine = @($Results | Where-Object Database -EQ $db.Name)
            $mine | Where-Object { $_.Name -eq '1.1-a-flag-ddl.sql' -and $_.Relation -eq 'public.orders' } | ForEach-Object LockMode | Should -Be 'AccessExclusiveLock'
            Invoke-TestSql -Database $db.Name -Sql "SELECT count(*) FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'flag'" | Should -Be '0'
        }
        $Results | ForEach-Object { $_.Server | Should -Not -BeNullOrEmpty }
    }

    It 'makes the database it cannot reach an error naming it, and a summary ends the call' {
        $Failures.Count | Should -Be 1
        $Failures[0].FullyQualifiedErrorId | Should -BeLike 'NorthConnectionFailed,*'
        "$($Failures[0].TargetObject) $($Failures[0].Exception.Message)" | Should -Match 'north_pester_missing_rehearsal'
        @($Info | Where-Object { $_.Tags -contains 'NorthSummary' }).Count | Should -Be 1
        "$(($Info | Where-Object { $_.Tags -contains 'NorthSummary' }).MessageData)" | Should -Match '3 target\(s\): 2 succeeded, 0 no-op, 1 failed'
    }
}
