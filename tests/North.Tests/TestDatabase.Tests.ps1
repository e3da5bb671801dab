# New-NorthTestDatabase / Remove-NorthTestDatabase: the first call builds a template for the
# repository's content, the next ones clone it; an edit makes a new template and drops the old;
# two concurrent calls build one template. Checked on the server itself (pg_database, psql).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force

    $server = Get-TestServer
    $parts = @("Host=$($server['host'])", "Port=$($server['port'])", "Username=$($server['username'])", 'Database=postgres')
    if ($server['password']) { $parts += "Password=$($server['password'])" }
    $script:ServerConnection = $parts -join ';'
    $script:Password = $server['password']

    $script:Repo = Join-Path $TestDrive 'bookshop'
    Copy-Item (Join-Path (Get-TestRepositoryRoot) 'examples/bookshop') $Repo -Recurse
    $script:Prefix = 'north_pester_tdb_' + [guid]::NewGuid().ToString('N').Substring(0, 8)

    function Invoke-Caught([scriptblock] $Script) {
        try { & $Script; $null } catch { $_ }
    }
}
AfterAll {
    $names = Invoke-TestSql -Database postgres -Sql "SELECT datname FROM pg_database WHERE datname LIKE '$Prefix%'"
    foreach ($name in $names) { Invoke-TestSql -Database postgres -Sql "DROP DATABASE IF EXISTS $name WITH (FORCE)" | Out-Null }
    # This repository's templates: the ones New-NorthTestDatabase named after its folder.
    $repositoryPrefix = $Created[0].Template.Substring(0, 23)
    $templates = Invoke-TestSql -Database postgres -Sql "SELECT datname FROM pg_database WHERE starts_with(datname, '$repositoryPrefix')"
    foreach ($template in $templates) {
        Invoke-TestSql -Database postgres -Sql "ALTER DATABASE $template WITH IS_TEMPLATE false; DROP DATABASE IF EXISTS $template" | Out-Null
    }
}

Describe 'New-NorthTestDatabase' {
    BeforeAll {
        $script:Created = [System.Collections.Generic.List[object]]::new()
        $script:First = New-NorthTestDatabase -Path $Repo -Name "${Prefix}_a" -ConnectionString $ServerConnection
        $Created.Add($First)
        $script:Second = New-NorthTestDatabase -Path $Repo -Name "${Prefix}_b" -ConnectionString $ServerConnection
        $Created.Add($Second)
    }

    It 'builds the template once, marked as a template and closed to connections, then clones it' {
        $First.TemplateBuilt | Should -BeTrue
        $Second.TemplateBuilt | Should -BeFalse
        $Second.Template | Should -Be $First.Template
        $First.Template | Should -Match '^north_tpl_[0-9a-f]{12}_[0-9a-f]{16}$'
        Invoke-TestSql -Database postgres -Sql "SELECT datistemplate || '|' || datallowconn FROM pg_database WHERE datname = '$($First.Template)'" | Should -Be 'true|false'
    }

    It 'gives a second database at the latest version, with the fixtures' {
        $version = Get-NorthVersion -Path $Repo -ConnectionString $Second.ConnectionString
        $version.CurrentVersion.ToString() | Should -Be '1.2'
        $version.PendingCount | Should -Be 0
        $Second.Version.ToString() | Should -Be '1.2'
        Invoke-TestSql -Database $Second.Name -Sql "SELECT count(*) FROM author; SELECT count(*) FROM book; SELECT count(*) FROM north_migrations" | Should -Be @('3', '3500', '9')
    }

    It 'masks the password wherever the object is displayed, and keeps it for connecting' {
        $shown = ($Second | Format-Table | Out-String -Width 200) + ($Second | Format-List | Out-String) + ($Second | Out-String) + "$Second"
        $shown | Should -BeLike '*Password=`*`*`**'
        if ($Password) {
            $shown | Should -Not -BeLike "*$Password*"
            $Second.ConnectionString | Should -BeLike "*Password=$Password*"
        }
        $Second.DisplayConnectionString | Should -BeLike "*Database=$($Second.Name)*"
    }

    It 'shows a table that fits 120 columns and a default display set' {
        $lines = ($Second | Format-Table | Out-String -Width 120) -split "`r?`n"
        $lines | Where-Object { $_.TrimEnd().Length -gt 120 } | Should -BeNullOrEmpty
        ($lines | Where-Object { $_ -match '^\s*Name\s' }) -split '\s+' | Where-Object { $_ } | Should -Be @('Name', 'Version', 'TemplateBuilt', 'Duration', 'ConnectionString')
        $Second.PSStandardMembers.DefaultDisplayPropertySet.ReferencedPropertyNames | Should -Not -Contain 'ConnectionString'
    }

    It 'refuses a name that exists' {
        $record = Invoke-Caught { New-NorthTestDatabase -Path $Repo -Name "${Prefix}_a" -ConnectionString $ServerConnection }
        $record.FullyQualifiedErrorId | Should -BeLike 'NorthTestDatabaseName,*'
        $record.ErrorDetails.RecommendedAction | Should -BeLike '*Remove-NorthTestDatabase*'
    }

    It 'builds a new template after a migration file is edited, and drops the older one' {
        # Initialized from schema_1.2, the database never runs this file: its content still names the template.
        Add-Content "$Repo/1.2/1.2-review-ddl.sql" '-- reviewed'
        $third = New-NorthTestDatabase -Path $Repo -Name "${Prefix}_c" -ConnectionString $ServerConnection
        $Created.Add($third)
        $third.TemplateBuilt | Should -BeTrue
        $third.Template | Should -Not -Be $First.Template
        $third.Template.Substring(0, 23) | Should -Be $First.Template.Substring(0, 23) -Because 'the same repository keeps its prefix'
        Invoke-TestSql -Database postgres -Sql "SELECT count(*) FROM pg_database WHERE datname = '$($First.Template)'" | Should -Be '0'
        Invoke-TestSql -Database postgres -Sql "SELECT datistemplate FROM pg_database WHERE datname = '$($third.Template)'" | Should -Be 't'
    }

    It 'builds one template when two calls race' {
        Add-Content "$Repo/schemas/schema_1.2.sql" 'CREATE TABLE public.review_race (id int);'
        $manifest = Get-TestModuleManifest
        $results = @('d', 'e') | ForEach-Object -ThrottleLimit 2 -Parallel {
            Import-Module $using:manifest
            New-NorthTestDatabase -Path $using:Repo -Name "$($using:Prefix)_$_" -ConnectionString $using:ServerConnection
        }
        $results | ForEach-Object { $Created.Add($_) }
        $results.Count | Should -Be 2
        @($results | Where-Object TemplateBuilt).Count | Should -Be 1
        ($results.Template | Sort-Object -Unique).Count | Should -Be 1
        foreach ($db in $results) { Invoke-TestSql -Database $db.Name -Sql "SELECT to_regclass('review_race') IS NOT NULL" | Should -Be 't' }
    }
}

Describe 'Remove-NorthTestDatabase' {
    It 'drops the databases piped from New-NorthTestDatabase, even with a session open' {
        $db = New-NorthTestDatabase -Path $Repo -Name "${Prefix}_r" -ConnectionString $ServerConnection
        $Created.Add($db)
        Get-NorthVersion -Path $Repo -ConnectionString $db.ConnectionString | Out-Null   # leaves a pooled session
        $db | Remove-NorthTestDatabase -ConnectionString $ServerConnection
        Invoke-TestSql -Database postgres -Sql "SELECT count(*) FROM pg_database WHERE datname = '$($db.Name)'" | Should -Be '0'
        { Remove-NorthTestDatabase -Name $db.Name -ConnectionString $ServerConnection } | Should -Not -Throw
    }

    It 'refuses a database New-NorthTestDatabase did not make, unless -Force' {
        $other = New-TestDatabase
        try {
            $record = Invoke-Caught { Remove-NorthTestDatabase -Name $other.Name -ConnectionString $ServerConnection }
            $record.FullyQualifiedErrorId | Should -BeLike 'NorthNotTestDatabase,*'
            Invoke-TestSql -Database postgres -Sql "SELECT count(*) FROM pg_database WHERE datname = '$($other.Name)'" | Should -Be '1'
            Remove-NorthTestDatabase -Name $other.Name -ConnectionString $ServerConnection -Force
            Invoke-TestSql -Database postgres -Sql "SELECT count(*) FROM pg_database WHERE datname = '$($other.Name)'" | Should -Be '0'
        }
        finally { Remove-TestDatabase $other }
    }
}
