# Streams: -Verbose shows each statement's first line with its rows and time, -Debug the full SQL,
# server notices reach the information or warning stream by severity, a run writes progress.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Repo = Join-Path $TestDrive 'talkative'
    # An empty 0.9 with a schema snapshot to start from, then the files under test in 1.0.
    foreach ($folder in '0.9', '1.0', 'schemas') { New-Item -ItemType Directory (Join-Path $Repo $folder) | Out-Null }
    Set-Content (Join-Path $Repo 'schemas/schema_0.9.sql') '-- nothing yet'
    Set-Content (Join-Path $Repo '1.0/1.0-a-table-ddl.sql') @'
CREATE TABLE book (id int PRIMARY KEY,
                   title text NOT NULL);
'@
    Set-Content (Join-Path $Repo '1.0/1.0-b-rows-dml.sql') @'
INSERT INTO book VALUES (1, 'Dune'), (2, 'Emma'), (3, 'Ulysses');
UPDATE book
   SET title = upper(title)
 WHERE id < 3;
DO $$ BEGIN RAISE NOTICE 'books loaded: %', (SELECT count(*) FROM book); END $$;
DO $$ BEGIN RAISE WARNING 'titles are upper case now'; END $$;
'@
    $script:Database = New-TestDatabase

    # -Debug alone makes PowerShell ask before each verbose or warning line of a compiled cmdlet
    # (its Inquire rule): say Continue for those, as a DBA running non-interactively would.
    $items = Invoke-NorthMigration -Path $Repo -ConnectionString $Database.ConnectionString -Verbose -Debug -WarningAction Continue *>&1
    $script:Verbose = @($items | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
    $script:Debug = @($items | Where-Object { $_ -is [System.Management.Automation.DebugRecord] } | ForEach-Object Message)
    $script:Information = @($items | Where-Object { $_ -is [System.Management.Automation.InformationRecord] } | ForEach-Object { "$($_.MessageData)" })
    $script:Warnings = @($items | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | ForEach-Object Message)
    $script:Results = @($items | Where-Object { $_.GetType().Name -eq 'StepResult' -and "$($_.Action)" -eq 'Apply' })
}
AfterAll {
    Remove-TestDatabase $Database
}

Describe 'Streams of a run' {
    It 'applies both files' {
        $Results.Name | Should -Be @('1.0-a-table-ddl.sql', '1.0-b-rows-dml.sql')
        $Results[1].RowsAffected | Should -Be 5
    }

    It '-Verbose shows each statement''s first line, its rows and its duration' {
        $Verbose | Should -Contain ($Verbose | Where-Object { $_ -match '1\.0-a-table-ddl\.sql:1:1: CREATE TABLE book \(id int PRIMARY KEY, \(done, \d+ ms\)$' })
        $Verbose | Where-Object { $_ -match '1\.0-b-rows-dml\.sql:1:1: INSERT INTO book VALUES .* \(3 rows, \d+ ms\)$' } | Should -Not -BeNullOrEmpty
        $Verbose | Where-Object { $_ -match '1\.0-b-rows-dml\.sql:2:1: UPDATE book \(2 rows, \d+ ms\)$' } | Should -Not -BeNullOrEmpty
    }

    It '-Verbose names the connection without a password' {
        $Verbose | Where-Object { $_ -match '^Connecting to postgres@.+ \(sslmode=\w+, application_name=North\)\.$' } | Should -Not -BeNullOrEmpty
    }

    It '-Debug shows each statement''s full SQL' {
        $update = $Debug | Where-Object { $_ -match '1\.0-b-rows-dml\.sql:2:1' }
        $update | Should -Not -BeNullOrEmpty
        $update | Should -Match 'UPDATE book\r?\n\s+SET title = upper\(title\)\r?\n\s+WHERE id < 3'
    }

    It 'a NOTICE goes to the information stream, with the file and line' {
        $Information | Where-Object { $_ -match '1\.0-b-rows-dml\.sql:5:\d+: NOTICE: books loaded: 3' } | Should -Not -BeNullOrEmpty
    }

    It 'a WARNING goes to the warning stream, with the file and line' {
        $Warnings | Where-Object { $_ -match '1\.0-b-rows-dml\.sql:6:\d+: WARNING: titles are upper case now' } | Should -Not -BeNullOrEmpty
        $Information | Where-Object { $_ -match 'titles are upper case' } | Should -BeNullOrEmpty
    }

    It 'without -Verbose and -Debug, neither stream is written' {
        $db = New-TestDatabase
        try {
            $quiet = Invoke-NorthMigration -Path $Repo -ConnectionString $db.ConnectionString *>&1
            $quiet | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -or $_ -is [System.Management.Automation.DebugRecord] } |
                Should -BeNullOrEmpty
            # Warnings and notices still come: a DBA must see them.
            $quiet | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | Should -Not -BeNullOrEmpty
        }
        finally { Remove-TestDatabase $db }
    }

    It 'the preference variables alone write verbose and debug lines, as the common parameters do' {
        # Without -Verbose or -Debug the messages are dropped before they reach the pipeline thread
        # only when the preferences would drop them: here they would not.
        $db = New-TestDatabase
        try {
            $VerbosePreference = 'Continue'
            $DebugPreference = 'Continue'
            $talk = Invoke-NorthMigration -Path $Repo -ConnectionString $db.ConnectionString -WarningAction Continue *>&1
            $talk | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match '1\.0-b-rows-dml\.sql:2:1: UPDATE book \(2 rows, \d+ ms\)$' } |
                Should -Not -BeNullOrEmpty
            $talk | Where-Object { $_ -is [System.Management.Automation.DebugRecord] -and $_.Message -match 'SET title = upper\(title\)' } |
                Should -Not -BeNullOrEmpty
            $VerbosePreference = 'SilentlyContinue'
            $DebugPreference = 'SilentlyContinue'
            $quiet = Invoke-NorthMigration -Path $Repo -ConnectionString $db.ConnectionString -Verbose *>&1
            $quiet | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match 'Nothing to do|up to date|0 step|Connecting to' } |
                Should -Not -BeNullOrEmpty
        }
        finally { Remove-TestDatabase $db }
    }

    It 'writes progress records for the run, and completes them' {
        $db = New-TestDatabase
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript('param($Manifest, $Repo, $Cs) Import-Module $Manifest; $ProgressPreference = "Continue"; Invoke-NorthMigration -Path $Repo -ConnectionString $Cs').
                AddArgument((Get-TestModuleManifest)).AddArgument($Repo).AddArgument($db.ConnectionString)
            $output = $ps.Invoke()
            $ps.HadErrors | Should -BeFalse -Because ($ps.Streams.Error | Out-String)
            @($output | Where-Object { "$($_.Action)" -eq 'Apply' }).Count | Should -Be 2
            $progress = @($ps.Streams.Progress)
            $progress.Count | Should -BeGreaterThan 0
            ($progress | Where-Object { $_.StatusDescription -match '1\.0-b-rows-dml\.sql' }) | Should -Not -BeNullOrEmpty
            $progress[-1].RecordType | Should -Be 'Completed'
        }
        finally {
            $ps.Dispose()
            Remove-TestDatabase $db
        }
    }
}
