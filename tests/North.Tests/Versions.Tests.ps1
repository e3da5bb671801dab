# Supported PostgreSQL versions: a server older than 13 is refused by every cmdlet that connects,
# with an error naming the version found. The old server is a throwaway cluster of PostgreSQL 12
# binaries that build.ps1 Test -PostgresVersion fetches (NORTH_TEST_OLD_POSTGRES_BIN); without them
# this file is excluded by name (tests/PostgresServers.psd1), never skipped.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Bookshop = Join-Path (Get-TestRepositoryRoot) 'examples/bookshop'

    function Start-OldServer {
        if (-not $env:NORTH_TEST_OLD_POSTGRES_BIN) {
            throw 'NORTH_TEST_OLD_POSTGRES_BIN is not set: run through build.ps1 Test -PostgresVersion <major>, which fetches PostgreSQL 12.'
        }
        Start-TestCluster -Binaries $env:NORTH_TEST_OLD_POSTGRES_BIN
    }

    function Get-NorthError([scriptblock] $Command) {
        try { & $Command | Out-Null } catch { return $_ }
        throw 'The command did not fail.'
    }

    $script:Old = Start-OldServer
}
AfterAll { Stop-TestCluster $Old }

Describe 'A server older than PostgreSQL 13' {
    It 'is PostgreSQL 12' {
        $Old.Version | Should -Match '^12\.'
    }

    It 'is refused by <Cmdlet> with NorthServerUnsupported naming the version found' -ForEach @(
        @{ Cmdlet = 'Get-NorthVersion' }
        @{ Cmdlet = 'Invoke-NorthMigration' }
    ) {
        $e = Get-NorthError { & $Cmdlet -Path $Bookshop -ConnectionString $Old.ConnectionString -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'NorthServerUnsupported,*'
        $e.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $e.Exception.Message | Should -Match "PostgreSQL $([regex]::Escape($Old.Version)) at .* is not supported: North needs PostgreSQL 13 or newer"
    }

    It 'is refused by Test-NorthSchema against a schema file' {
        $e = Get-NorthError {
            Test-NorthSchema -Path $Bookshop -ConnectionString $Old.ConnectionString -SchemaFile (Join-Path $Bookshop 'schemas/schema_1.0.sql') -ErrorAction Stop
        }
        $e.FullyQualifiedErrorId | Should -BeLike 'NorthServerUnsupported,*'
        $e.Exception.Message | Should -Match "PostgreSQL $([regex]::Escape($Old.Version))"
        # Refused before a scratch database was made on it (PostgreSQL 12 could not drop it WITH (FORCE)).
        $server = ConvertFrom-NpgsqlConnectionString $Old.ConnectionString
        $env:PGPASSWORD = $server['password']
        try {
            $scratch = & psql -X -A -t -h $server['host'] -p $server['port'] -U $server['username'] -d postgres -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'north\_scratch\_%'"
        }
        finally { Remove-Item Env:PGPASSWORD -ErrorAction SilentlyContinue }
        $scratch | Should -Be '0'
    }

    It 'leaves the database untouched: Invoke-NorthMigration created no history table' {
        $server = ConvertFrom-NpgsqlConnectionString $Old.ConnectionString
        $env:PGPASSWORD = $server['password']
        try {
            $tables = & psql -X -A -t -h $server['host'] -p $server['port'] -U postgres -d postgres -c "SELECT count(*) FROM pg_tables WHERE tablename = 'north_migrations'"
        }
        finally { Remove-Item Env:PGPASSWORD -ErrorAction SilentlyContinue }
        $tables | Should -Be '0'
    }
}
