# Files written for psql, run through the cmdlets: -Variable and the Variables setting, psql's
# automatic variables, \if and \gset, \copy and \;, and the refusals a DBA meets, with their ids and lines.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force

    function Invoke-Caught([scriptblock] $Script) {
        try { & $Script; $null } catch { $_ }
    }

    function New-PsqlRepository([string] $Name, [hashtable] $Files) {
        $root = Join-Path $TestDrive $Name
        $all = @{ 'schemas/schema_1.0.sql' = "CREATE TABLE base (id int);`n"; '1.0/1.0-start-ddl.sql' = "SELECT 1;`n" } + $Files
        foreach ($file in $all.Keys) {
            $path = Join-Path $root $file
            New-Item -ItemType Directory -Force -Path (Split-Path $path) | Out-Null
            Set-Content -LiteralPath $path -Value $all[$file] -NoNewline
        }
        $root
    }
}

Describe 'psql variables through Invoke-NorthMigration' {
    BeforeAll {
        $script:Repo = New-PsqlRepository 'variables' @{
            '1.1/1.1-app-ddl.sql' = @'
\if :{?app_schema}
CREATE SCHEMA :"app_schema";
CREATE TABLE :"app_schema".owner_of (db text, who text);
INSERT INTO :"app_schema".owner_of VALUES (:'DBNAME', :'owner');
\else
CREATE TABLE no_schema_given (id int);
\endif
SELECT count(*) AS tables FROM pg_tables WHERE schemaname = :'app_schema' \gset
ALTER DATABASE :"DBNAME" SET search_path TO public, :app_schema;
CREATE TABLE counted (n int DEFAULT :tables);
'@
        }
        Set-Content -LiteralPath (Join-Path $Repo 'north.json') -Value '{ "Variables": { "owner": "from_json", "app_schema": "ignored" } }'
        $script:Db = New-TestDatabase
    }
    AfterAll { Remove-TestDatabase $Db }

    It 'gives -Variable to the file as psql -v does, with DBNAME, \if and \gset as psql' {
        $results = @(Invoke-NorthMigration -Path $Repo -ConnectionString $Db.ConnectionString -Variable @{ app_schema = 'app'; owner = 'dba' })
        $results[-1].Name | Should -Be '1.1-app-ddl.sql'
        $results[-1].Status | Should -Be 'Succeeded'
        Invoke-TestSql -Database $Db.Name -Sql 'SELECT db, who FROM app.owner_of' | Should -Be "$($Db.Name)|dba"
        Invoke-TestSql -Database $Db.Name -Sql "SELECT to_regclass('no_schema_given') IS NULL, pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'counted'::regclass" | Should -Be 't|1'
        Invoke-TestSql -Database $Db.Name -Sql "SELECT array_to_string(setconfig, ',') FROM pg_db_role_setting WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())" |
            Should -Be 'search_path=public, app'
    }

    It 'takes the Variables of north.json when no -Variable is given' {
        $db = New-TestDatabase
        try {
            $plan = @(Get-NorthPlan -Path $Repo -ConnectionString $db.ConnectionString)
            ($plan | Where-Object Name -eq '1.1-app-ddl.sql').Transaction | Should -Be 'Atomic'
            Invoke-NorthMigration -Path $Repo -ConnectionString $db.ConnectionString | Out-Null
            Invoke-TestSql -Database $db.Name -Sql 'SELECT who FROM ignored.owner_of' | Should -Be 'from_json'
        }
        finally { Remove-TestDatabase $db }
    }

    It 'refuses a variable name psql would refuse, naming the parameter' {
        $failure = Invoke-Caught { Get-NorthPlan -Path $Repo -ConnectionString $Db.ConnectionString -Variable @{ 'not-a-name' = 'x' } -ErrorAction Stop }
        $failure.FullyQualifiedErrorId | Should -BeLike 'NorthSettingsInvalid*'
        $failure.Exception.Message | Should -Match '-Variable'
    }
}

Describe 'What North refuses in a psql file' {
    BeforeAll { $script:Db = New-TestDatabase }
    AfterAll { Remove-TestDatabase $Db }

    It 'refuses <Command> with NorthMetaCommandRefused at its line, before anything runs' -ForEach @(
        @{ Command = '\! rm -f x'; Why = 'shell' }
        @{ Command = '\set ON_ERROR_STOP off'; Why = 'stops at the first error' }
    ) {
        $repo = New-PsqlRepository ("refused" + [guid]::NewGuid().ToString('N').Substring(0, 6)) @{ '1.1/1.1-x-ddl.sql' = "CREATE TABLE never_made (id int);`n$Command`n" }
        $db = New-TestDatabase
        try {
            $failure = Invoke-Caught { Invoke-NorthMigration -Path $repo -ConnectionString $db.ConnectionString -ErrorAction Stop }
            $failure.FullyQualifiedErrorId | Should -BeLike 'NorthMetaCommandRefused*'
            $failure.Exception.Message | Should -Match ([regex]::Escape('1.1-x-ddl.sql:2:'))
            $failure.Exception.Message | Should -Match $Why
            Invoke-TestSql -Database $db.Name -Sql "SELECT to_regclass('base') IS NULL, to_regclass('never_made') IS NULL" | Should -Be 't|t'
        }
        finally { Remove-TestDatabase $db }
    }

    It 'stops an atomic file whose CALL commits with NorthAutocommitRequired, and runs it once CALL is a keyword' {
        $repo = New-PsqlRepository 'call' @{ '1.1/1.1-backfill-dml.sql' = @'
CREATE TABLE filled (n int);
CREATE PROCEDURE fill() LANGUAGE plpgsql AS $$ BEGIN INSERT INTO filled VALUES (1); COMMIT; INSERT INTO filled VALUES (2); END $$;
CALL fill();
'@ }
        $failure = Invoke-Caught { Invoke-NorthMigration -Path $repo -ConnectionString $Db.ConnectionString -ErrorAction Stop }
        $failure.FullyQualifiedErrorId | Should -BeLike 'NorthAutocommitRequired*'
        $failure.Exception.Message | Should -Match ([regex]::Escape('1.1-backfill-dml.sql:3:'))
        Invoke-TestSql -Database $Db.Name -Sql "SELECT to_regclass('filled') IS NULL" | Should -Be 't'
        $results = @(Invoke-NorthMigration -Path $repo -ConnectionString $Db.ConnectionString -NonTransactionalKeywords CONCURRENTLY, 'ALTER TYPE', VACUUM, CALL)
        $results[-1].Status | Should -Be 'Succeeded'
        Invoke-TestSql -Database $Db.Name -Sql 'SELECT count(*) FROM filled' | Should -Be '2'
    }
}

Describe 'psql''s \copy and \; through the cmdlets' {
    BeforeAll { $script:Db = New-TestDatabase }
    AfterAll { Remove-TestDatabase $Db }

    It 'loads a data file beside the migration, named from the location as psql names it from its folder, and sends \; as one query' {
        $repo = New-PsqlRepository 'copy' @{
            '1.1/1.1-1-load-ddl.sql' = "CREATE TABLE loaded (id int, name text);`n\copy loaded from '1.1/loaded.csv' with (format csv, header)`n\copy loaded (id, name) from stdin`n3`tthree`n\.`n"
            '1.1/loaded.csv' = "id,name`n1,one`n2,two`n"
            '1.1/1.1-2-joined-dml.sql' = "INSERT INTO loaded VALUES (4, 'four')\; UPDATE loaded SET name = upper(name);`n"
        }
        Push-Location $repo
        try {
            @(Test-NorthRepository -Path . | Where-Object Severity -ne 'Information') | Should -BeNullOrEmpty
            (Get-NorthPlan -Path . -ConnectionString $Db.ConnectionString | Where-Object Name -eq '1.1-1-load-ddl.sql').Transaction | Should -Be 'Atomic'
            $results = @(Invoke-NorthMigration -Path . -ConnectionString $Db.ConnectionString)
        }
        finally { Pop-Location }
        ($results | Where-Object Name -like '1.1-*').Status | Should -Be 'Succeeded', 'Succeeded'
        Invoke-TestSql -Database $Db.Name -Sql "SELECT string_agg(id || name, ',' ORDER BY id) FROM loaded" | Should -Be '1ONE,2TWO,3THREE,4FOUR'
    }

    It 'stops on a missing data file, a \copy to a file and a joined VACUUM at their lines, before anything runs' -ForEach @(
        @{ Line = "\copy t from 'gone.csv'"; Id = 'NorthScriptInvalid'; Why = "data file 'gone.csv' not found" }
        @{ Line = "\copy t to 'out.csv'"; Id = 'NorthMetaCommandRefused'; Why = 'writes a file' }
        @{ Line = 'SELECT 1\; VACUUM t;'; Id = 'NorthScriptInvalid'; Why = 'VACUUM cannot run inside a transaction block' }
    ) {
        $repo = New-PsqlRepository ('copyfail' + [guid]::NewGuid().ToString('N').Substring(0, 6)) @{ '1.1/1.1-x-dml.sql' = "CREATE TABLE t (a int);`n$Line`n" }
        $db = New-TestDatabase
        try {
            Push-Location $repo
            try { $failure = Invoke-Caught { Invoke-NorthMigration -Path . -ConnectionString $db.ConnectionString -ErrorAction Stop } }
            finally { Pop-Location }
            $failure.FullyQualifiedErrorId | Should -BeLike "$Id*"
            $failure.Exception.Message | Should -Match ([regex]::Escape('1.1-x-dml.sql:2:'))
            $failure.Exception.Message | Should -Match ([regex]::Escape($Why))
            Invoke-TestSql -Database $db.Name -Sql "SELECT to_regclass('base') IS NULL, to_regclass('t') IS NULL" | Should -Be 't|t'
        }
        finally { Remove-TestDatabase $db }
    }
}

Describe 'The session psql has, through Invoke-NorthMigration' {
    BeforeAll { $script:Db = New-TestDatabase }
    AfterAll { Remove-TestDatabase $Db }

    It 'reads the rest of a file with the standard_conforming_strings set_config left, and a SQL_ASCII dump with a LATIN1 header as psql' {
        $repo = New-PsqlRepository 'session' @{
            '1.1/1.1-quotes-ddl.sql' = "SELECT set_config('standard_conforming_strings', 'off', false);`nCREATE TABLE quoted (v text);`nINSERT INTO quoted VALUES ('it\'s; one string');`n"
        }
        $dump = [Text.Encoding]::Latin1.GetBytes("-- Legacy dump by Jos$([char]0xE9)`n") +
            [Text.UTF8Encoding]::new($false).GetBytes("SET client_encoding = 'SQL_ASCII';`nCREATE TABLE dumped (v text);`nINSERT INTO dumped VALUES ('caf$([char]0xE9)');`n")
        [IO.File]::WriteAllBytes((Join-Path $repo '1.1/1.1-legacy-dml.sql'), $dump)
        $results = @(Invoke-NorthMigration -Path $repo -ConnectionString $Db.ConnectionString -WarningAction SilentlyContinue)
        $results.Status | Should -Not -Contain 'Failed'
        Invoke-TestSql -Database $Db.Name -Sql 'SELECT v FROM quoted' | Should -Be "it's; one string"
        Invoke-TestSql -Database $Db.Name -Sql "SELECT encode(convert_to(v, 'UTF8'), 'hex') FROM dumped" | Should -Be '636166c3a9'
    }

    It 'stores a LATIN1-declared file''s bytes in a SQL_ASCII database as psql does, and keeps North''s own rows in UTF-8' {
        $repo = New-PsqlRepository 'sqlascii' @{ '1.1/1.1-crème-ddl.sql' = "CREATE TABLE creme (v text);`n" }
        $latin1 = [Text.Encoding]::Latin1.GetBytes("SET client_encoding = 'LATIN1';`nINSERT INTO creme VALUES ('caf$([char]0xE9)');`nCOPY creme (v) FROM stdin;`nna$([char]0xEF)ve`n\.`n")
        [IO.File]::WriteAllBytes((Join-Path $repo '1.1/1.1-legacy-dml.sql'), $latin1)
        $db = New-TestDatabase
        try {
            Invoke-TestSql -Database postgres -Sql "DROP DATABASE $($db.Name);`nCREATE DATABASE $($db.Name) ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;" | Out-Null
            $results = @(Invoke-NorthMigration -Path $repo -ConnectionString $db.ConnectionString)
            $results.Status | Should -Not -Contain 'Failed'
            Invoke-TestSql -Database $db.Name -Sql "SELECT string_agg(encode(convert_to(v, 'SQL_ASCII'), 'hex'), ',' ORDER BY v) FROM creme" | Should -Be '636166e9,6e61ef7665'
            Invoke-TestSql -Database $db.Name -Sql "SELECT encode(convert_to(name, 'SQL_ASCII'), 'hex') FROM north_migrations WHERE name LIKE '1.1-cr%'" |
                Should -Be ([Convert]::ToHexString([Text.Encoding]::UTF8.GetBytes('1.1-crème-ddl.sql')).ToLowerInvariant())
            $status = @(Get-NorthStatus -Path $repo -ConnectionString $db.ConnectionString)
            ($status | Where-Object Name -EQ '1.1-crème-ddl.sql').Applied | Should -BeTrue
            $status | Where-Object { $_.Pending -or $_.Modified } | Should -BeNullOrEmpty
        }
        finally { Remove-TestDatabase $db }
    }

    It 'refuses a \connect after the first statement of an atomic file with NorthNewSessionInTransaction, and skips SET LOCAL outside a block with a warning' {
        $repo = New-PsqlRepository 'connect' @{ '1.1/1.1-connect-ddl.sql' = "CREATE TABLE before_connect (id int);`n\connect`nCREATE TABLE after_connect (id int);`n" }
        $db = New-TestDatabase
        try {
            $failure = Invoke-Caught { Invoke-NorthMigration -Path $repo -ConnectionString $db.ConnectionString -ErrorAction Stop }
            $failure.FullyQualifiedErrorId | Should -BeLike 'NorthNewSessionInTransaction*'
            $failure.Exception.Message | Should -Match ([regex]::Escape('1.1-connect-ddl.sql:2:'))
            Invoke-TestSql -Database $db.Name -Sql "SELECT to_regclass('before_connect') IS NULL" | Should -Be 't'
        }
        finally { Remove-TestDatabase $db }

        $local = New-PsqlRepository 'local' @{ '1.1/1.1-local-ddl.sql' = "CREATE SCHEMA elsewhere;`nSET LOCAL search_path = elsewhere;`nCREATE TABLE where_am_i (id int);`n" }
        $db = New-TestDatabase
        try {
            Invoke-NorthMigration -Path $local -ConnectionString $db.ConnectionString -WarningVariable warned -WarningAction SilentlyContinue | Out-Null
            ($warned -join "`n") | Should -Match ([regex]::Escape('1.1-local-ddl.sql:2:1: WARNING: SET LOCAL can only be used in transaction blocks'))
            Invoke-TestSql -Database $db.Name -Sql "SELECT to_regclass('public.where_am_i') IS NOT NULL" | Should -Be 't'
        }
        finally { Remove-TestDatabase $db }
    }
}
