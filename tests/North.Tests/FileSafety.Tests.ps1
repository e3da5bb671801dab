# The smaller items of issue 10 (item 9): what a repository can hold that must not hang, leak or
# confuse a run: a FIFO named like a migration, a NUL byte, includes and templates that leave the
# migrations root, an unreadable ddl.sql file, a file that ends in its own ROLLBACK.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force

    function Invoke-Bounded([string] $Script, [hashtable] $Arguments, [int] $Seconds = 60) {
        # Runs a command in a runspace of its own and gives up after $Seconds: a hang fails the test, never the suite.
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("param(`$Manifest, `$A) Import-Module `$Manifest; $Script").AddArgument((Get-TestModuleManifest)).AddArgument($Arguments)
            $async = $ps.BeginInvoke()
            if (-not $async.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds($Seconds))) {
                $null = $ps.BeginStop($null, $null)
                throw "still running after $Seconds s: it hangs"
            }
            [pscustomobject]@{ Output = @($ps.EndInvoke($async)); Errors = @($ps.Streams.Error) }
        }
        finally { $ps.Dispose() }
    }
    function Get-Count([string] $Database, [string] $Name) {
        Invoke-TestSql -Database $Database -Sql "SELECT count(*) FROM north_migrations WHERE name = '$Name'"
    }
}

Describe 'A FIFO named like a migration' {
    BeforeAll {
        $script:Repo = New-TestRepository 'fifo' @{ '1.0-1-fine-ddl.sql' = 'CREATE TABLE fine (id int);' }
        & mkfifo "$Repo/1.0/1.0-2-pipe-ddl.sql"
        $LASTEXITCODE | Should -Be 0
    }

    It 'is reported by Test-NorthRepository (NORTH022), which does not hang' {
        $r = Invoke-Bounded 'Test-NorthRepository -Path $A.Path' @{ Path = $Repo }
        $d = $r.Output | Where-Object Code -eq 'NORTH022'
        $d.Severity | Should -Be 'Error'
        $d.Path | Should -Be '1.0/1.0-2-pipe-ddl.sql'
        $d.Message | Should -Match 'FIFO'
    }

    It 'is refused by a run, which does not hang and applies nothing' {
        $db = New-TestDatabase
        try {
            $r = Invoke-Bounded 'Invoke-NorthMigration -Path $A.Path -ConnectionString $A.Cs' @{ Path = $Repo; Cs = $db.ConnectionString }
            $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'NorthFileNotRegular*'
            $r.Errors[0].Exception.Message | Should -Match '1\.0-2-pipe-ddl\.sql.*FIFO'
            Invoke-TestSql -Database $db.Name -Sql "SELECT to_regclass('north_migrations') IS NULL" | Should -Be 't'
        }
        finally { Remove-TestDatabase $db }
    }
}

Describe 'A NUL byte' {
    BeforeAll {
        $script:Repo = New-TestRepository 'nul'
        [System.IO.File]::WriteAllBytes("$Repo/1.0/1.0-1-nul-ddl.sql", [System.Text.Encoding]::UTF8.GetBytes("CREATE TABLE before_nul (id int);`nSELECT 'a`0b';`n"))
    }

    It 'is located by Test-NorthRepository (NORTH021)' {
        $d = Test-NorthRepository -Path $Repo | Where-Object Code -eq 'NORTH021'
        $d.Severity | Should -Be 'Error'
        $d.Path | Should -Be '1.0/1.0-1-nul-ddl.sql'
        $d.Line | Should -Be 2
    }

    It 'stops a run with file:line:column before anything of the file is sent' {
        $db = New-TestDatabase
        try {
            $e = Get-CommandFailure { Invoke-NorthMigration -Path $Repo -ConnectionString $db.ConnectionString -ErrorAction Stop }
            $e.FullyQualifiedErrorId | Should -BeLike 'NorthNulByte,*'
            $e.Exception.Message | Should -BeLike "*1.0-1-nul-ddl.sql:2:10: NUL byte*"
            # Found when the plan is made: nothing ran, not even the initialization.
            Invoke-TestSql -Database $db.Name -Sql "SELECT to_regclass('before_nul') IS NULL, to_regclass('north_migrations') IS NULL" | Should -Be 't|t'
        }
        finally { Remove-TestDatabase $db }
    }
}

Describe 'Includes and templates stay under the migrations root' {
    BeforeEach { $script:Db = New-TestDatabase }
    AfterEach { Remove-TestDatabase $Db }

    It '\ir ../../../etc/passwd is refused with a clear error, and nothing of it is shown' {
        $repo = New-TestRepository 'escape' @{ '1.0-1-include-ddl.sql' = '\ir ../../../../../../../../etc/passwd' }
        $e = Get-CommandFailure { Invoke-NorthMigration -Path $repo -ConnectionString $Db.ConnectionString -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'NorthPathOutsideRoot,*'
        $e.Exception.Message | Should -BeLike "*1.0-1-include-ddl.sql:1:1: \ir '../../../../../../../../etc/passwd' resolves to '/etc/passwd', outside the migrations root '$repo'*"
        $e.Exception.Message | Should -Not -Match 'root:'
        $e.ErrorDetails.RecommendedAction | Should -Match 'AllowedFolders'
        $d = Test-NorthRepository -Path $repo | Where-Object Code -eq 'NORTH023'
        $d.Severity | Should -Be 'Error'
        $d.Line | Should -Be 1
    }

    It 'a shared folder listed in AllowedFolders may be included' {
        $repo = New-TestRepository 'shared/sql' @{ '1.0-1-include-ddl.sql' = '\ir ../../common/tables.sql' }
        New-Item -ItemType Directory "$TestDrive/shared/common" | Out-Null
        Set-Content "$TestDrive/shared/common/tables.sql" 'CREATE TABLE from_common (id int);'
        (Get-CommandFailure { Invoke-NorthMigration -Path $repo -ConnectionString $Db.ConnectionString -ErrorAction Stop }).FullyQualifiedErrorId |
            Should -BeLike 'NorthPathOutsideRoot,*'
        Set-Content "$repo/north.json" '{ "AllowedFolders": ["../common"] }'
        Invoke-NorthMigration -Path $repo -ConnectionString $Db.ConnectionString -ErrorAction Stop | Out-Null
        Invoke-TestSql -Database $Db.Name -Sql "SELECT to_regclass('from_common') IS NOT NULL" | Should -Be 't'
    }

    It 'a SchemaTemplate that leaves the root is refused' {
        $repo = New-TestRepository 'template'
        $env:NORTH_SCHEMA_TEMPLATE = '../../../../../../../../etc/hostname'
        try { $e = Get-CommandFailure { Invoke-NorthMigration -Path $repo -ConnectionString $Db.ConnectionString -ErrorAction Stop } }
        finally { Remove-Item Env:NORTH_SCHEMA_TEMPLATE }
        $e.FullyQualifiedErrorId | Should -BeLike 'NorthPathOutsideRoot,*'
        $e.Exception.Message | Should -BeLike "*'/etc/hostname', outside the migrations root*"
        Invoke-TestSql -Database $Db.Name -Sql "SELECT to_regclass('north_migrations') IS NULL" | Should -Be 't'
        Set-Content "$repo/north.json" '{ "SchemaTemplate": "../../../../../../../../etc/hostname" }'
        $d = Test-NorthRepository -Path $repo | Where-Object Code -eq 'NORTH023'
        $d.Severity | Should -Be 'Error'
        $d.Message | Should -Match 'outside the migrations root'
    }
}

Describe 'An unreadable ddl.sql file' {
    It 'gives NorthFileUnreadable naming the file, as a dml.sql file does' {
        $repo = New-TestRepository 'unreadable' @{ '1.0-1-fine-ddl.sql' = 'SELECT 1;' }
        foreach ($name in '1.0-2-gone-ddl.sql', '1.0-3-gone-dml.sql') {
            New-Item -ItemType SymbolicLink -Path "$repo/1.0/$name" -Target "$TestDrive/no-such-file.sql" | Out-Null
        }
        $db = New-TestDatabase
        try {
            $e = Get-CommandFailure { Invoke-NorthMigration -Path $repo -ConnectionString $db.ConnectionString -ErrorAction Stop }
            $e.FullyQualifiedErrorId | Should -BeLike 'NorthFileUnreadable,*'
            Remove-Item "$repo/1.0/1.0-3-gone-dml.sql"
            $e = Get-CommandFailure { Invoke-NorthMigration -Path $repo -ConnectionString $db.ConnectionString -ErrorAction Stop }
            $e.FullyQualifiedErrorId | Should -BeLike 'NorthFileUnreadable,*'
            $e.Exception.Message | Should -Match '1\.0-2-gone-ddl\.sql'
            $e = Get-CommandFailure { Get-NorthStatus -Path $repo -ConnectionString $db.ConnectionString -ErrorAction Stop }
            $e.FullyQualifiedErrorId | Should -BeLike 'NorthFileUnreadable,*'
        }
        finally { Remove-TestDatabase $db }
    }
}

Describe 'A file that ends in its own ROLLBACK' {
    It 'is applied with a warning naming its line' {
        $repo = New-TestRepository 'rollback' @{ '1.0-1-undone-ddl.sql' = "BEGIN;`nCREATE TABLE undone (id int);`nROLLBACK;" }
        $db = New-TestDatabase
        try {
            $warnings = [System.Collections.Generic.List[object]]::new()
            Invoke-NorthMigration -Path $repo -ConnectionString $db.ConnectionString -ErrorAction Stop 3>&1 |
                Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | ForEach-Object { $warnings.Add($_) }
            ($warnings | Where-Object Message -Like '*1.0-1-undone-ddl.sql:3:1: the file ends with its own ROLLBACK*') | Should -Not -BeNullOrEmpty
            Get-Count $db.Name '1.0-1-undone-ddl.sql' | Should -Be '1'
        }
        finally { Remove-TestDatabase $db }
    }
}
