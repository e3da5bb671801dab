<#
.SYNOPSIS
    Fault benchmark: SIGKILL a migration run at random points, run again, compare with a clean run.
.DESCRIPTION
    Builds a repository of -Files atomic migrations (tables and rows) over a schema whose COMMIT is
    slowed by a deferred trigger, migrates a reference database cleanly, then for each kill: starts
    Invoke-NorthMigration in a child pwsh, kills it (SIGKILL) once the history holds a random number
    of rows, runs it again to the end (in this session) and compares schema, data and history with the reference
    (every file recorded once, nothing unfinished). -AtSchemaCommit adds one kill during the
    initialization's COMMIT. Prints one line per kill and 'N/M passed'; -PassThru returns the objects.
.EXAMPLE
    dotnet pwsh bench/faults/Invoke-KillSeries.ps1 -ModuleManifest out/North/0.1.0/North.psd1 -Kills 20
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    # Npgsql keyword form, to a maintenance database on a superuser; default NORTH_TEST_CONNECTION.
    [string] $ConnectionString = $env:NORTH_TEST_CONNECTION,
    [int] $Kills = 10,
    [int] $Files = 200,
    [int] $Seed = (Get-Random),
    [switch] $AtSchemaCommit,
    [switch] $PassThru
)
$ErrorActionPreference = 'Stop'
if (-not $ConnectionString) { throw 'Give -ConnectionString (or set NORTH_TEST_CONNECTION).' }
$ModuleManifest = (Resolve-Path $ModuleManifest).Path
$server = @{}
foreach ($pair in $ConnectionString -split ';') { if ($pair -match '^\s*([^=]+?)\s*=\s*(.*)$') { $server[$Matches[1].ToLowerInvariant()] = $Matches[2] } }
$random = [Random]::new($Seed)

function Invoke-Sql([string] $Database, [string] $Sql) {
    $env:PGHOST = $server['host']; $env:PGPORT = $server['port']; $env:PGUSER = $server['username']; $env:PGPASSWORD = $server['password']
    try {
        $output = $Sql | & psql -X -q -At -v ON_ERROR_STOP=1 -d $Database -f - 2>&1
        if ($LASTEXITCODE -ne 0) { throw "psql failed on $Database`: $output" }
        $output
    }
    finally { Remove-Item Env:PGHOST, Env:PGPORT, Env:PGUSER, Env:PGPASSWORD -ErrorAction SilentlyContinue }
}

function New-Database {
    $name = 'north_fault_' + [guid]::NewGuid().ToString('N').Substring(0, 16)
    Invoke-Sql postgres "CREATE DATABASE $name" | Out-Null
    $name
}

function Remove-Database([string] $Name) { Invoke-Sql postgres "DROP DATABASE IF EXISTS $Name WITH (FORCE)" | Out-Null }

function New-Repository([string] $Root) {
    New-Item -ItemType Directory -Force "$Root/schemas", "$Root/fixtures", "$Root/1.0" | Out-Null
    # The deferred trigger sleeps at COMMIT: a kill can land inside the initialization's COMMIT.
    Set-Content "$Root/schemas/schema_1.0.sql" @'
CREATE TABLE items (id int PRIMARY KEY, label text NOT NULL);
CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.5); RETURN NULL; END $$;
CREATE TABLE commit_gate (id int);
CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON commit_gate DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit();
'@
    Set-Content "$Root/fixtures/fixtures_1.0.sql" "INSERT INTO items VALUES (0, 'fixture');`nINSERT INTO commit_gate VALUES (1);"
    Set-Content "$Root/1.0/1.0-0-version-dml.sql" 'SELECT 1;'
    for ($i = 1; $i -le $Files; $i++) {
        $version = '1.{0}' -f ([math]::Floor(($i - 1) / 50) + 1)
        New-Item -ItemType Directory -Force "$Root/$version" | Out-Null
        if ($i % 2) {
            Set-Content "$Root/$version/$version-$('{0:000}' -f $i)-ddl.sql" "CREATE TABLE t_$i (id int PRIMARY KEY, note text);`nCREATE INDEX t_${i}_note ON t_$i (note);"
        }
        else {
            Set-Content "$Root/$version/$version-$('{0:000}' -f $i)-dml.sql" "BEGIN;`nINSERT INTO items VALUES ($i, 'file $i');`nUPDATE items SET label = label || '+' WHERE id = 0;`nCOMMIT;"
        }
    }
}

function Start-North([string] $Database, [string] $Root) {
    $start = [System.Diagnostics.ProcessStartInfo]::new([System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName)
    $self = [Environment]::GetCommandLineArgs()[0]
    if ($self -like '*.dll') { $start.ArgumentList.Add($self) }
    $cs = "Host=$($server['host']);Port=$($server['port']);Username=$($server['username']);Password=$($server['password']);Database=$Database"
    foreach ($a in '-NoProfile', '-NonInteractive', '-Command',
        "Import-Module '$ModuleManifest'; Invoke-NorthMigration -Path '$Root' -ConnectionString '$cs' -Confirm:`$false -ErrorAction Stop | Out-Null") { $start.ArgumentList.Add($a) }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    [System.Diagnostics.Process]::Start($start)
}

function Start-Watch([string] $Database) {
    # A psql session kept open: each query written to it returns one line.
    $start = [System.Diagnostics.ProcessStartInfo]::new('psql')
    foreach ($a in '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', $Database) { $start.ArgumentList.Add($a) }
    $start.Environment['PGHOST'] = $server['host']; $start.Environment['PGPORT'] = $server['port']
    $start.Environment['PGUSER'] = $server['username']; $start.Environment['PGPASSWORD'] = $server['password']
    $start.RedirectStandardInput = $true
    $start.RedirectStandardOutput = $true
    [System.Diagnostics.Process]::Start($start)
}

function Read-Watch($Watch, [string] $Sql) {
    $Watch.StandardInput.WriteLine("$Sql;")
    $Watch.StandardInput.Flush()
    $line = $Watch.StandardOutput.ReadLine()
    if ($null -eq $line) { throw "The polling psql session ended (exit $($Watch.ExitCode))." }
    $line
}

function Stop-Watch($Watch) {
    $Watch.StandardInput.Close()
    if (-not $Watch.WaitForExit(10000)) { $Watch.Kill() }
}

# The clean run and each run after a kill go in this session (a DBA running it again): only the
# runs that are killed need a process of their own.
Import-Module $ModuleManifest
function Invoke-North([string] $Database, [string] $Root) {
    $cs = "Host=$($server['host']);Port=$($server['port']);Username=$($server['username']);Password=$($server['password']);Database=$Database"
    try {
        Invoke-NorthMigration -Path $Root -ConnectionString $cs -Confirm:$false -ErrorAction Stop | Out-Null
        [pscustomobject]@{ ExitCode = 0; Error = '' }
    }
    catch { [pscustomobject]@{ ExitCode = 1; Error = "$($_.FullyQualifiedErrorId): $($_.Exception.Message)" } }
}

function Wait-North($Process) {
    $stderr = $Process.StandardError.ReadToEndAsync()
    $null = $Process.StandardOutput.ReadToEnd()
    $Process.WaitForExit()
    [pscustomobject]@{ ExitCode = $Process.ExitCode; Error = $stderr.Result.Trim() }
}

# Schema, data and history, one sorted text: equal texts mean equal databases.
$snapshot = @'
SELECT string_agg(x, E'\n' ORDER BY x) FROM (
  SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type FROM information_schema.columns
   WHERE table_schema = 'public' AND table_name NOT LIKE '%\_unfinished'
  UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE '%\_unfinished'
  UNION ALL SELECT 'item ' || id || ' ' || label FROM items
  UNION ALL SELECT 'history ' || version || ' ' || name || ' ' || mode || ' x' || count(*) FROM north_migrations GROUP BY version, name, mode
  UNION ALL SELECT 'unfinished ' || count(*) FROM (SELECT 1 FROM pg_class WHERE relname = 'north_migrations_unfinished') u
) s(x)
'@

$root = Join-Path ([IO.Path]::GetTempPath()) ('north-faults-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Repository $root
$results = [System.Collections.Generic.List[object]]::new()
$reference = New-Database
try {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $clean = Invoke-North $reference $root
    if ($clean.ExitCode -ne 0) { throw "The clean run failed: $($clean.Error)" }
    $expected = (Invoke-Sql $reference $snapshot) -join "`n"
    Write-Host ("Clean run of {0} files: {1:0.0} s (seed {2})" -f $Files, $clock.Elapsed.TotalSeconds, $Seed)

    $points = @(for ($i = 1; $i -le $Kills; $i++) { $random.Next(0, $Files + 2) })
    if ($AtSchemaCommit) { $points += 'schema COMMIT' }
    $n = 0
    foreach ($point in $points) {
        $n++
        $db = New-Database
        try {
            $run = Start-North $db $root
            # One psql session polls (a psql process per poll would compete with the run for the CPU).
            $watch = Start-Watch $db
            try {
                $deadline = [DateTime]::UtcNow.AddSeconds(120)
                while (-not $run.HasExited -and [DateTime]::UtcNow -lt $deadline) {
                    if ($point -is [int]) {
                        $count = Read-Watch $watch "SELECT CASE WHEN to_regclass('north_migrations') IS NULL THEN 0 ELSE (xpath('/row/c/text()', query_to_xml('SELECT count(*) AS c FROM north_migrations', false, true, '')))[1]::text::int END"
                        if ([int]$count -ge $point) { break }
                    }
                    else {
                        $commit = Read-Watch $watch "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query = 'COMMIT'"
                        if ([int]$commit -gt 0) { break }
                    }
                    Start-Sleep -Milliseconds 20
                }
            }
            finally { Stop-Watch $watch }
            $killed = -not $run.HasExited
            if ($killed) { $run.Kill() }
            $null = Wait-North $run
            $again = Invoke-North $db $root
            $actual = (Invoke-Sql $db $snapshot) -join "`n"
            $passed = $again.ExitCode -eq 0 -and $actual -eq $expected
            $detail = if ($again.ExitCode -ne 0) { $again.Error } elseif (-not $passed) {
                (Compare-Object ($expected -split "`n") ($actual -split "`n") | Select-Object -First 5 | ForEach-Object { "$($_.SideIndicator) $($_.InputObject)" }) -join '; '
            } else { '' }
            $result = [pscustomobject]@{ Kill = $n; Point = $point; Killed = $killed; Passed = $passed; Detail = $detail }
            $results.Add($result)
            Write-Host ("kill {0,2} at {1,-13} {2} {3}" -f $n, $point, $(if ($passed) { 'passed' } else { 'FAILED' }), $detail)
        }
        finally { Remove-Database $db }
    }
}
finally {
    Remove-Database $reference
    Remove-Item $root -Recurse -Force -ErrorAction SilentlyContinue
}
$passedCount = @($results | Where-Object Passed).Count
Write-Host "$passedCount/$($results.Count) passed"
if ($PassThru) { $results }
