# A password never shows: the cmdlets run with a password against a closed port, with a wrong
# password and against a working server, with -Verbose and -Debug; every stream, $Error, and every
# object serialized to JSON are searched for the password string.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Bookshop = Join-Path (Get-TestRepositoryRoot) 'examples/bookshop'
    $script:Server = Get-TestServer
    $script:Database = New-TestDatabase
    # A role of its own, so the working case really authenticates with the secret.
    $script:Secret = 'Pw-' + [guid]::NewGuid().ToString('N').Substring(0, 20)
    $script:Role = 'north_pw_' + [guid]::NewGuid().ToString('N').Substring(0, 12)
    Invoke-TestSql -Database postgres -Sql "CREATE ROLE $Role LOGIN PASSWORD '$Secret'; ALTER DATABASE $($Database.Name) OWNER TO $Role;" | Out-Null
    Invoke-TestSql -Database $Database.Name -Sql "ALTER SCHEMA public OWNER TO $Role;" | Out-Null

    function ConvertTo-SearchableText($Item) {
        # Everything a user or a log could see of one item: its text, its JSON, its exception chain.
        $text = [System.Collections.Generic.List[string]]::new()
        $text.Add(($Item | Out-String -Width 400))
        $record = if ($Item -is [System.Management.Automation.ErrorRecord]) { $Item }
                  elseif ($Item -is [System.Management.Automation.IContainsErrorRecord]) { $Item.ErrorRecord }
        if ($record) {
            # Npgsql's exceptions do not serialize (two BatchCommand properties): the record without
            # them, then every exception of the chain with all its properties.
            $text.Add(($record | Select-Object * -ExcludeProperty Exception | ConvertTo-Json -Depth 5 -WarningAction SilentlyContinue))
            $text.Add($record.Exception.ToString())
            for ($ex = $record.Exception; $ex; $ex = $ex.InnerException) { $text.Add(($ex | Format-List * -Force | Out-String -Width 400)) }
            $text.Add("$($record.ErrorDetails) $($record.ErrorDetails.RecommendedAction) $($record.TargetObject)")
        }
        else {
            $text.Add(($Item | ConvertTo-Json -Depth 5 -WarningAction SilentlyContinue))
        }
        if ($Item -is [System.Management.Automation.InformationRecord]) { $text.Add("$($Item.MessageData)") }
        $text -join "`n"
    }

    function Invoke-Captured([scriptblock] $Command) {
        # Runs $Command with all six streams merged; returns what came out, terminating error included.
        $Error.Clear()
        $items = [System.Collections.Generic.List[object]]::new()
        try {
            & $Command *>&1 | ForEach-Object { $items.Add($_) }
        }
        catch { $items.Add($_) }
        foreach ($e in $Error) { $items.Add($e) }
        $items
    }

    function Assert-NoSecret($Items) {
        $Items.Count | Should -BeGreaterThan 0
        foreach ($item in $Items) {
            $text = ConvertTo-SearchableText $item
            $text | Should -Not -Match ([regex]::Escape($Secret)) -Because "a $($item.GetType().Name) must not show the password"
        }
    }

    $script:Host_ = $Server['host']
    $script:Port = $Server['port']
}
AfterAll {
    Remove-TestDatabase $Database
    Invoke-TestSql -Database postgres -Sql "DROP ROLE IF EXISTS $Role" | Out-Null
}

Describe 'The password stays hidden' {
    It 'with a closed port, in every stream and in $Error' {
        $cs = "Host=$Host_;Port=1;Username=$Role;Password=$Secret;Database=$($Database.Name)"
        $items = Invoke-Captured { Get-NorthStatus -Path $Bookshop -ConnectionString $cs -Verbose -Debug }
        $items | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | Should -Not -BeNullOrEmpty
        Assert-NoSecret $items
    }

    It 'with a wrong password, in a libpq keyword string, in every stream and in $Error' {
        $cs = "host=$Host_ port=$Port user=postgres password=$Secret dbname=$($Database.Name)"
        $items = Invoke-Captured { Get-NorthVersion -Path $Bookshop -ConnectionString $cs -Verbose -Debug }
        ($items | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })[0].FullyQualifiedErrorId |
            Should -BeLike 'NorthConnectionFailed,*'
        Assert-NoSecret $items
    }

    It 'with a wrong password in a postgresql:// URI given to Invoke-NorthMigration' {
        $cs = "postgresql://postgres:$Secret@${Host_}:$Port/$($Database.Name)"
        $items = Invoke-Captured { Invoke-NorthMigration -Path $Bookshop -ConnectionString $cs -Verbose -Debug }
        ($items | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) | Should -Not -BeNullOrEmpty
        Assert-NoSecret $items
    }

    It 'with a wrong password through -Credential' {
        $credential = [pscredential]::new('postgres', (ConvertTo-SecureString $Secret -AsPlainText -Force))
        $items = Invoke-Captured {
            Get-NorthPlan -Path $Bookshop -HostName $Host_ -Port $Port -Database $Database.Name -Credential $credential -Verbose -Debug
        }
        ($items | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })[0].FullyQualifiedErrorId |
            Should -BeLike 'NorthConnectionFailed,*'
        Assert-NoSecret $items
    }

    It 'on a working server: a full run, status, history and plan with -Verbose -Debug' {
        $cs = "Host=$Host_;Port=$Port;Username=$Role;Password=$Secret;Database=$($Database.Name)"
        $items = Invoke-Captured {
            Invoke-NorthMigration -Path $Bookshop -ConnectionString $cs -Verbose -Debug
            Get-NorthStatus -Path $Bookshop -ConnectionString $cs -Verbose -Debug
            Get-NorthVersion -Path $Bookshop -ConnectionString $cs -Verbose -Debug
            Get-NorthHistory -Path $Bookshop -ConnectionString $cs -Verbose -Debug
            Get-NorthPlan -Path $Bookshop -ConnectionString $cs -Verbose -Debug
        }
        $items | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | Should -BeNullOrEmpty
        # The run really happened and really talked: results, verbose and debug lines.
        ($items | Where-Object { $_.GetType().Name -eq 'StepResult' }).Count | Should -BeGreaterThan 0
        ($items | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -BeGreaterThan 0
        ($items | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }).Count | Should -BeGreaterThan 0
        Assert-NoSecret $items
    }

    It 'on a working server through -Credential, the version script seeing no password' {
        $credential = [pscredential]::new($Role, (ConvertTo-SecureString $Secret -AsPlainText -Force))
        $script:Seen = $null
        $items = Invoke-Captured {
            Get-NorthVersion -Path $Bookshop -HostName $Host_ -Port $Port -Database $Database.Name -Credential $credential `
                -VersionScript { param($info) $script:Seen = $info; '1.2' } -Verbose -Debug
        }
        $Seen.Username | Should -Be $Role
        ($Seen | ConvertTo-Json) | Should -Not -Match ([regex]::Escape($Secret))
        Assert-NoSecret $items
    }
}
