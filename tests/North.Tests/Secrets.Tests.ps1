# Secrets handled by field (issue 10, item 7): messages name the user and port whatever the
# password is; a password file libpq would refuse is refused for good (Npgsql does not read it
# behind North's back); sslmode=verify-* needs a root certificate; role passwords in migrations
# are masked in -Verbose, -Debug and errors; the server's DETAIL is shown, with passwords masked.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Server = Get-TestServer
    $script:Database = New-TestDatabase
    $script:Secret = 'Rp-' + [guid]::NewGuid().ToString('N').Substring(0, 16)

    $script:Empty = New-TestRepository 'empty'
    # The test server without its password, for the password-file cases.
    $script:NoPassword = "Host=$($Server['host']);Port=$($Server['port']);Username=$($Server['username']);Database=$($Database.Name)"
}
AfterAll {
    Remove-TestDatabase $Database
}

Describe 'Connection errors name the user, host and port whatever the password is' {
    It 'user and password both postgres: as user "postgres"' {
        $e = Get-CommandFailure { Get-NorthVersion -Path $Empty -ConnectionString 'Host=127.0.0.1;Port=1;Username=postgres;Password=postgres;Database=postgres' -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'NorthConnectionFailed,*'
        $e.Exception.Message | Should -BeLike 'Cannot connect to PostgreSQL at 127.0.0.1:1/postgres as user "postgres":*'
        $e.Exception.Message | Should -Not -Match '\*\*\*'
    }

    It 'a password equal to the port does not mask the port' {
        $e = Get-CommandFailure { Get-NorthVersion -Path $Empty -ConnectionString 'postgresql://dba:1@127.0.0.1:1/app' -ErrorAction Stop }
        $e.Exception.Message | Should -BeLike 'Cannot connect to PostgreSQL at 127.0.0.1:1/app as user "dba":*'
        $e.TargetObject | Should -Be '127.0.0.1:1/app'
    }

    It 'a one-letter password does not mask that letter' {
        $e = Get-CommandFailure { Get-NorthVersion -Path $Empty -ConnectionString 'host=127.0.0.1 port=1 user=dba password=o dbname=app' -ErrorAction Stop }
        $e.Exception.Message | Should -BeLike 'Cannot connect to PostgreSQL at 127.0.0.1:1/app as user "dba":*'
        $e.Exception.Message | Should -Not -Match '\*\*\*'
    }
}

Describe 'A password file libpq would ignore is ignored' {
    BeforeAll {
        $script:PassFile = Join-Path $TestDrive 'pgpass'
        Set-Content $PassFile "*:*:*:$($Server['username']):$($Server['password'])"
    }
    AfterEach { Remove-Item Env:PGPASSFILE -ErrorAction SilentlyContinue }

    It 'world-readable: announced as ignored, and really not used' {
        chmod 0644 $PassFile
        $env:PGPASSFILE = $PassFile
        $warnings = [System.Collections.Generic.List[object]]::new()
        $e = Get-CommandFailure { Get-NorthVersion -Path $Empty -ConnectionString $NoPassword -ErrorAction Stop 3>&1 | ForEach-Object { $warnings.Add($_) } }
        "$warnings" | Should -Match ([regex]::Escape("Password file ""$PassFile"" has group or world access and is ignored"))
        $e.FullyQualifiedErrorId | Should -BeLike 'NorthConnectionFailed,*'
    }

    It 'owner-only: used' {
        chmod 0600 $PassFile
        $env:PGPASSFILE = $PassFile
        (Get-NorthVersion -Path $Empty -ConnectionString $NoPassword -ErrorAction Stop).Initialized | Should -BeFalse
    }
}

Describe 'sslmode means what libpq says' {
    It 'verify-ca without ~/.postgresql/root.crt is a clear error, before any connection' {
        $home_ = Join-Path $TestDrive 'home'
        New-Item -ItemType Directory $home_ | Out-Null
        $saved = $env:HOME
        try {
            $env:HOME = $home_
            $e = Get-CommandFailure { Get-NorthVersion -Path $Empty -ConnectionString $Database.ConnectionString -SslMode verify-ca -ErrorAction Stop }
        }
        finally { $env:HOME = $saved }
        $e.FullyQualifiedErrorId | Should -BeLike 'NorthSslRootCertificateMissing,*'
        $e.Exception.Message | Should -BeLike "*sslmode=verify-ca*$([System.IO.Path]::Combine($home_, '.postgresql', 'root.crt'))*"
        $e.ErrorDetails.RecommendedAction | Should -Match 'sslrootcert'
    }

    It 'verify-full with an sslrootcert that does not exist names that file' {
        $missing = Join-Path $TestDrive 'no-such-root.crt'
        $e = Get-CommandFailure { Get-NorthVersion -Path $Empty -ConnectionString "host=$($Server['host']) port=$($Server['port']) dbname=x sslmode=verify-full sslrootcert=$missing" -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'NorthSslRootCertificateMissing,*'
        $e.Exception.Message | Should -BeLike "*$missing*"
    }
}

Describe 'Role passwords in migrations are masked' {
    BeforeAll {
        $script:Role = 'north_secret_' + [guid]::NewGuid().ToString('N').Substring(0, 10)
        $script:Repo = New-TestRepository 'roles' @{
            '1.0-1-role-ddl.sql' = "CREATE ROLE $Role LOGIN PASSWORD '$Secret';`nALTER ROLE $Role`n    WITH ENCRYPTED PASSWORD '$Secret';"
        }
    }
    AfterAll { Invoke-TestSql -Database postgres -Sql "DROP ROLE IF EXISTS $Role" | Out-Null }

    It 'in -Verbose and -Debug of a run' {
        $records = Invoke-NorthMigration -Path $Repo -ConnectionString $Database.ConnectionString -Verbose -Debug -ErrorAction Stop 4>&1 5>&1
        $text = ($records | ForEach-Object { "$_" }) -join "`n"
        $text | Should -Match ([regex]::Escape("PASSWORD '***'"))
        $text | Should -Not -Match $Secret
        Invoke-TestSql -Database postgres -Sql "SELECT count(*) FROM pg_roles WHERE rolname = '$Role'" | Should -Be '1'
    }

    It 'in the error of a failed statement' {
        Set-Content "$Repo/1.0/1.0-2-again-ddl.sql" "ALTER ROLE no_such_role_$Role PASSWORD '$Secret';"
        $e = Get-CommandFailure { Invoke-NorthMigration -Path $Repo -ConnectionString $Database.ConnectionString -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'NorthScriptFailed,*'
        $e.Exception.Message | Should -BeLike "*1.0-2-again-ddl.sql:1:*in: ALTER ROLE no_such_role_$Role PASSWORD '``*``*``*';*"
        "$($e.Exception.Message) $($e.ErrorDetails)" | Should -Not -Match $Secret
    }
}

Describe 'The server DETAIL is shown' {
    It 'in the error of a failed statement, with a quoted connection password masked' {
        $repo = New-TestRepository 'detail' @{
            '1.0-1-dup-ddl.sql' = "CREATE TABLE dup (id int PRIMARY KEY);`nINSERT INTO dup VALUES (1), (1);"
        }
        $db = New-TestDatabase
        try {
            $e = Get-CommandFailure { Invoke-NorthMigration -Path $repo -ConnectionString $db.ConnectionString -ErrorAction Stop }
            $e.Exception.Message | Should -Match ([regex]::Escape('DETAIL: Key (id)=(1) already exists.'))
            Set-Content "$repo/1.0/1.0-1-dup-ddl.sql" "DO `$`$ BEGIN RAISE EXCEPTION 'no link' USING DETAIL = 'dblink host=db password=$Secret failed'; END `$`$;"
            $e = Get-CommandFailure { Invoke-NorthMigration -Path $repo -ConnectionString $db.ConnectionString -ErrorAction Stop }
            $e.Exception.Message | Should -Match ([regex]::Escape('DETAIL: dblink host=db password=*** failed'))
            $e.Exception.Message | Should -Not -Match $Secret
        }
        finally { Remove-TestDatabase $db }
    }
}
