# Views: every object North writes renders as a table that fits 120 columns with the headers a DBA
# expects; the status groups by version; Format-List shows the useful properties first.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Bookshop = Join-Path (Get-TestRepositoryRoot) 'examples/bookshop'
    $script:Database = New-TestDatabase
    $cs = $Database.ConnectionString

    # Real objects of every output type: a run to 1.1, then what is left, the history, a drifted schema.
    $script:Results = @(Invoke-NorthMigration -Path $Bookshop -ConnectionString $cs -TargetVersion 1.1)
    $script:Status = @(Get-NorthStatus -Path $Bookshop -ConnectionString $cs)
    $script:Version = @(Get-NorthVersion -Path $Bookshop -ConnectionString $cs)
    $script:Plan = @(Get-NorthPlan -Path $Bookshop -ConnectionString $cs)
    $script:History = @(Get-NorthHistory -Path $Bookshop -ConnectionString $cs)

    $script:Drifted = New-TestDatabase
    Invoke-NorthMigration -Path $Bookshop -ConnectionString $Drifted.ConnectionString | Out-Null
    Invoke-TestSql -Database $Drifted.Name -Sql 'CREATE TABLE public.not_in_the_snapshot (id int); ALTER TABLE public.author ADD COLUMN nickname text;' | Out-Null
    $script:Differences = @(Test-NorthSchema -Path $Bookshop -ConnectionString $Drifted.ConnectionString)

    $repo = Join-Path $TestDrive 'flawed'
    Copy-Item $Bookshop $repo -Recurse
    Set-Content (Join-Path $repo '1.1/1.1-misnamed-dl.sql') 'SELECT 1;'
    Set-Content (Join-Path $repo '1.2/1.2-lowercase-DDL.SQL') 'SELECT 1;'
    $script:Diagnostics = @(Test-NorthRepository -Path $repo)

    function Get-Table($Objects) {
        # The default table as a 120-column console shows it, as lines.
        ($Objects | Format-Table | Out-String -Width 120) -split "`r?`n"
    }

    function Get-HeaderLine([string[]] $Lines, [string] $First) {
        $Lines | Where-Object { $_ -match "^\s*$First\s" } | Select-Object -First 1
    }

    function Assert-Table($Objects, [string[]] $Headers) {
        $Objects.Count | Should -BeGreaterThan 0
        $lines = Get-Table $Objects
        foreach ($line in $lines) { $line.TrimEnd().Length | Should -BeLessOrEqual 120 -Because "'$line' must fit 120 columns" }
        $header = Get-HeaderLine $lines $Headers[0]
        $header | Should -Not -BeNullOrEmpty -Because ($lines -join "`n")
        ($header.Trim() -split '\s+') | Should -Be $Headers
        # The line under the header is dashes, one run per column.
        $dashes = $lines[[array]::IndexOf($lines, $header) + 1]
        ($dashes.Trim() -split '\s+').Count | Should -Be $Headers.Count
        $lines
    }
}
AfterAll {
    Remove-TestDatabase $Database
    Remove-TestDatabase $Drifted
}

Describe 'Default table views at 120 columns' {
    It 'MigrationStatus: grouped by version, Applied and Pending in words' {
        $lines = Assert-Table $Status @('Name', 'Kind', 'Manual', 'Applied', 'Pending', 'Mode', 'Modified', 'AppliedAt')
        ($lines | Where-Object { $_ -match '^\s*Version: (\S+)' } | ForEach-Object { ($_ -split ':\s*')[1].Trim() }) |
            Should -Be @('1.0', '1.1', '1.2')
        $applied = $lines | Where-Object { $_ -match '^1\.1-book-slug-1-ddl\.sql' }
        $applied | Should -Match '\byes\b.*\bapplied\b'
        $pending = $lines | Where-Object { $_ -match '^1\.2-review-ddl\.sql' }
        $pending | Should -Match '\bno\s+yes\b'
        $lines | Where-Object { $_ -match '^1\.2-book-slug-backfill-dml\.sql' } | Should -Match '\bmanual\b'
    }

    It 'VersionInfo' {
        $lines = Assert-Table $Version @('CurrentVersion', 'TargetVersion', 'LatestVersion', 'InitVersion', 'Initialized', 'PendingCount')
        $lines | Where-Object { $_ -match '^1\.1\s' } | Should -Match '^1\.1\s+1\.2\s+1\.2\s+1\.0\s+True\s+3$'
    }

    It 'PlanStep' {
        $lines = Assert-Table $Plan @('Order', 'Action', 'Version', 'Name', 'Manual', 'Transaction')
        $lines | Where-Object { $_ -match '1\.2-review-ddl\.sql' } | Should -Match '^\s*\d+\s+Apply\s+1\.2\s+1\.2-review-ddl\.sql\s+Atomic'
    }

    It 'StepResult' {
        $lines = Assert-Table $Results @('Order', 'Version', 'Name', 'Action', 'Status', 'Duration', 'RowsAffected', 'Iterations')
        $lines | Where-Object { $_ -match '1\.1-author-country-dml\.sql' } | Should -Match 'Apply\s+Succeeded\s+\d[\d,]* ms\s+\d+\s+\d+$'
    }

    It 'HistoryRow' {
        $lines = Assert-Table $History @('Id', 'Version', 'Name', 'AppliedAt', 'Mode', 'Duration', 'AppliedBy')
        $lines | Where-Object { $_ -match '1\.0-author-country-ddl\.sql' } | Should -Match '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+faked'
        $lines | Where-Object { $_ -match '1\.1-author-country-dml\.sql' } | Should -Match 'applied\s+\d+ ms\s+postgres'
    }

    It 'RepositoryDiagnostic: the message wraps instead of widening the table' {
        $lines = Assert-Table $Diagnostics @('Severity', 'Code', 'Path', 'Line', 'Message')
        ($lines -join "`n") | Should -Match '1\.1-misnamed-dl\.sql'
    }

    It 'SchemaDifference' {
        $lines = Assert-Table $Differences @('ObjectType', 'Name', 'Difference', 'Property', 'Expected', 'Actual')
        $lines | Where-Object { $_ -match 'public\.not_in_the_snapshot' } | Should -Match '^Table\s+public\.not_in_the_snapshot\s+Unexpected'
        $lines | Where-Object { $_ -match 'public\.author\.nickname' } | Should -Match '^Column\s+public\.author\.nickname\s+Unexpected'
    }

    It 'cuts a long file name rather than widening the table' {
        $repo = Join-Path $TestDrive 'long'
        Copy-Item $Bookshop $repo -Recurse
        $name = '1.2-' + ('a-very-long-migration-name-' * 4) + 'ddl.sql'
        Set-Content (Join-Path $repo "1.2/$name") 'SELECT 1;'
        $objects = @(Get-NorthPlan -Path $repo -ConnectionString $Database.ConnectionString) +
            @(Get-NorthStatus -Path $repo -ConnectionString $Database.ConnectionString)
        $lines = Get-Table $objects
        ($lines -join "`n") | Should -Match '1\.2-a-very-long-migration-name-'
        foreach ($line in $lines) { $line.TrimEnd().Length | Should -BeLessOrEqual 120 }
    }
}

Describe 'The status and history views print what their script-block columns printed' {
    # The columns were script blocks until issue 18 made them hidden C# code properties; these are
    # the script blocks verbatim, as the reference.
    BeforeAll {
        $script:StatusReference = [ordered]@{
            ManualText    = { if ($_.Manual) { "manual" } }
            AppliedText   = { if ($_.MissingOnDisk) { "gone" } elseif ($_.Applied) { "yes" } else { "no" } }
            PendingText   = { if ($_.Interrupted) { "STOPPED" } elseif ($_.OutOfOrder) { "late" } elseif ($_.Pending) { "yes" } else { "" } }
            ModeText      = { if ($null -ne $_.Mode) { $_.Mode.ToString().ToLowerInvariant() } }
            ModifiedText  = { if ($_.Modified) { "MODIFIED" } }
            AppliedAtText = { if ($_.AppliedAt) { $_.AppliedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss") } }
        }
        $script:HistoryReference = [ordered]@{
            AppliedAtText = { $_.AppliedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss") }
            ModeText      = { if ($null -ne $_.Mode) { $_.Mode.ToString().ToLowerInvariant() } }
            DurationText  = { if ($null -ne $_.DurationMs) { "{0} ms" -f $_.DurationMs } }
        }
        function Assert-SameCells($Objects, $Reference) {
            foreach ($object in $Objects) {
                foreach ($column in $Reference.Keys) {
                    $expected = "$($object | ForEach-Object $Reference[$column])"
                    "$($object.$column)" | Should -BeExactly $expected -Because "$column of $($object.Name)"
                }
            }
        }
        # Every state a status can be in, made directly (a real run reaches few of them at once).
        $type = $Status[0].GetType()
        $modeType = [Nullable]::GetUnderlyingType($type.GetProperty('Mode').PropertyType)
        $template = $Status[0]
        function New-Status([hashtable] $Values) {
            $object = [Activator]::CreateInstance($type)
            foreach ($name in 'Version', 'Name', 'Kind') { $type.GetProperty($name).SetValue($object, $template.$name) }
            foreach ($name in $Values.Keys) { $type.GetProperty($name).SetValue($object, $Values[$name]) }
            $object
        }
        $at = [DateTimeOffset]::new(2026, 1, 2, 3, 4, 5, [TimeSpan]::Zero)
        $script:States = @(
            New-Status @{ Manual = $true; Applied = $true; Mode = [Enum]::Parse($modeType, 'Applied'); AppliedAt = $at; Modified = $true }
            New-Status @{ MissingOnDisk = $true; Applied = $true; Mode = [Enum]::Parse($modeType, 'Faked'); AppliedAt = $at }
            New-Status @{ Interrupted = $true; Pending = $true; OutOfOrder = $true }
            New-Status @{ OutOfOrder = $true; Pending = $true }
            New-Status @{ Pending = $true }
            New-Status @{ Applied = $true }
            New-Status @{}
        )
        $historyType = $History[0].GetType()
        $script:HistoryStates = @(
            [Activator]::CreateInstance($historyType, [object[]]@([long]1, '1.0', 'a.sql', $at, $null, [long]1234, 'dba', [Enum]::Parse($modeType, 'Faked')))
            [Activator]::CreateInstance($historyType, [object[]]@([long]2, '1.0', 'b.sql', $at, $null, $null, $null, $null))
        )
    }

    It 'MigrationStatus, in every state and from a real call' {
        Assert-SameCells ($States + $Status) $StatusReference
    }

    It 'HistoryRow, with and without the optional columns, and from a real call' {
        Assert-SameCells ($HistoryStates + $History) $HistoryReference
    }

    It 'the view''s words are hidden: the objects'' members and JSON are as before' {
        @($Status[0] | Get-Member -Name *Text) | Should -BeNullOrEmpty
        @($History[0] | Get-Member -Name *Text) | Should -BeNullOrEmpty
        ($Status[0] | Select-Object -Property * -ExcludeProperty File | ConvertTo-Json -Depth 2 -WarningAction SilentlyContinue) | Should -Not -Match 'AppliedText'
        $lines = ($States | Format-Table | Out-String -Width 120) -split "`r?`n"
        $lines | Where-Object { $_ -match '\bgone\b' } | Should -Match '\bfaked\b'
        $lines | Where-Object { $_ -match '\bSTOPPED\b' } | Should -Not -BeNullOrEmpty
    }
}

Describe 'Format-List and the default display sets' {
    It 'shows a status''s state and file first' {
        $text = $Status | Where-Object Name -eq '1.2-review-ddl.sql' | Format-List | Out-String -Width 120
        $names = ($text -split "`r?`n" | Where-Object { $_ -match '^\w+\s*:' } | ForEach-Object { ($_ -split '\s*:')[0] })
        $names | Should -Be @('Version', 'Name', 'Kind', 'Manual', 'Applied', 'Pending', 'OutOfOrder', 'AppliedAt', 'Mode', 'Modified', 'Path')
    }

    It 'gives every output type a default display set' {
        foreach ($object in @($Status[0], $Version[0], $Plan[0], $Results[0], $History[0], $Diagnostics[0], $Differences[0])) {
            $set = $object.PSStandardMembers.DefaultDisplayPropertySet
            $set | Should -Not -BeNullOrEmpty -Because "$($object.GetType().FullName) needs a default display set"
            $set.ReferencedPropertyNames.Count | Should -BeGreaterThan 3
        }
    }

    It 'Format-List of a plan step names the file path' {
        $text = $Plan[0] | Format-List | Out-String -Width 120
        $text | Should -Match 'Path\s+:\s+\S+\.sql'
    }
}

Describe 'The views of a multi-database call' {
    It 'show the columns of the single-database view of the same type, grouped by database, or one row per database' {
        # The shipped format file, as the module loads it.
        $format = [xml](Get-Content (Join-Path (Split-Path (Get-TestModuleManifest)) 'North.Format.ps1xml') -Raw)
        $views = @($format.Configuration.ViewDefinitions.View)
        $fleet = @($views | Where-Object Name -like 'North.Fleet.*')
        $fleet.Count | Should -BeGreaterThan 4
        foreach ($view in $fleet) {
            $typeName = $view.Name -replace '^North\.Fleet\.', ''
            $single = @($views | Where-Object { $_.Name -eq "North.$typeName" -and $_.TableControl })
            $single.Count | Should -Be 1 -Because "$($view.Name) needs the table view North.$typeName to follow"
            $columns = { param($v) @($v.TableControl.TableHeaders.TableColumnHeader | ForEach-Object { "$($_.Label)|$($_.Width)" }) +
                @($v.TableControl.TableRowEntries.TableRowEntry.TableColumnItems.TableColumnItem | ForEach-Object { $_.InnerXml }) }
            if ($view.GroupBy) {
                (& $columns $view) | Should -Be (& $columns $single[0]) -Because "$($view.Name) shows what North.$typeName shows"
                $view.GroupBy.ScriptBlock | Should -Match 'Server.*Database'
            }
            else {
                # One row per database (a version, say): the target first, then columns of the single view.
                $headers = @($view.TableControl.TableHeaders.TableColumnHeader.Label)
                $headers[0..1] | Should -Be @('Server', 'Database')
                $headers[2..($headers.Count - 1)] | Should -BeIn @($single[0].TableControl.TableHeaders.TableColumnHeader.Label)
            }
        }
    }
}
