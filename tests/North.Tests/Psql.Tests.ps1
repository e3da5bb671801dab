# Files written for psql, run through the cmdlets: -Variable and the Variables setting, psql's
# automatic variables, \if and \gset, and the refusals a DBA meets, with their ids and lines.
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
