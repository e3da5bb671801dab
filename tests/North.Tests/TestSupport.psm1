# Shared by the Pester files: the module under test, fresh databases, SQL through psql.
# The server comes from NORTH_TEST_CONNECTION (set by build.ps1 Test); no server means failing tests.

$script:RepositoryRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
# The corpus beside the work tree, or the folder in NORTH_CORPUS (as for the xunit suite).
$script:Corpus = if ($env:NORTH_CORPUS) { $env:NORTH_CORPUS } else { Join-Path $script:RepositoryRoot '../shared/corpus' }

function Get-TestRepositoryRoot { $script:RepositoryRoot }
function Get-CorpusPath([string] $Relative) { Join-Path $script:Corpus $Relative }
function Get-TestModuleManifest { $env:NORTH_MODULE_MANIFEST }

function New-DjangoNorthTestData([Parameter(Mandatory)] [string] $Destination, [switch] $PlainFiles) {
    # django-north's tests/test_data/sql built from the corpus with 17.1 and 17.2 as django-north
    # shipped them (symbolic links to 17.01 and 17.02) or, with -PlainFiles, as some checkouts
    # materialize them (files holding the target's name), whatever the corpus itself holds.
    $source = Get-CorpusPath 'django-north/tests/test_data/sql'
    New-Item -ItemType Directory -Force -Path $Destination | Out-Null
    foreach ($entry in Get-ChildItem -LiteralPath $source -Force | Where-Object Name -NotIn '17.1', '17.2') {
        Copy-Item -LiteralPath $entry.FullName -Destination $Destination -Recurse
    }
    foreach ($link in @(@('17.1', '17.01'), @('17.2', '17.02'))) {
        $path = Join-Path $Destination $link[0]
        if ($PlainFiles) { Set-Content -LiteralPath $path -Value $link[1] -NoNewline }
        else { New-Item -ItemType SymbolicLink -Path $path -Target $link[1] | Out-Null }
    }
    $Destination
}

function ConvertFrom-NpgsqlConnectionString([string] $ConnectionString) {
    $values = @{}
    foreach ($pair in $ConnectionString -split ';') {
        if ($pair -match '^\s*([^=]+?)\s*=\s*(.*)$') { $values[$Matches[1].ToLowerInvariant()] = $Matches[2] }
    }
    $values
}

function Get-TestServer {
    if (-not $env:NORTH_TEST_CONNECTION) { throw 'NORTH_TEST_CONNECTION is not set: run through build.ps1 Test.' }
    ConvertFrom-NpgsqlConnectionString $env:NORTH_TEST_CONNECTION
}

function Invoke-TestSql {
    <# Runs SQL with psql against a test database of the shared test server, or with -Cluster of a
       Start-TestCluster's server; returns unaligned rows as strings. #>
    param([Parameter(Mandatory)] [string] $Database, [Parameter(Mandatory)] [string] $Sql, $Cluster)
    $server = if ($Cluster) { $Cluster.Values } else { Get-TestServer }
    $env:PGHOST = $server['host']; $env:PGPORT = $server['port']; $env:PGUSER = $server['username']
    $env:PGPASSWORD = $server['password']
    try {
        $output = $Sql | & psql -X -q -At -v ON_ERROR_STOP=1 -d $Database -f - 2>&1
        if ($LASTEXITCODE -ne 0) { throw "psql failed on $Database`: $output" }
        $output
    }
    finally {
        Remove-Item Env:PGHOST, Env:PGPORT, Env:PGUSER, Env:PGPASSWORD -ErrorAction SilentlyContinue
    }
}

function New-TestDatabase {
    <# Creates a fresh database; returns an object with Name and ConnectionString (Npgsql form). #>
    $name = 'north_pester_' + [guid]::NewGuid().ToString('N').Substring(0, 16)
    Invoke-TestSql -Database postgres -Sql "CREATE DATABASE $name" | Out-Null
    $server = Get-TestServer
    $parts = @("Host=$($server['host'])", "Port=$($server['port'])", "Username=$($server['username'])", "Database=$name")
    if ($server['password']) { $parts += "Password=$($server['password'])" }
    [pscustomobject]@{ Name = $name; ConnectionString = $parts -join ';' }
}

function Remove-TestDatabase([Parameter(Mandatory)] $Database) {
    Invoke-TestSql -Database postgres -Sql "DROP DATABASE IF EXISTS $($Database.Name) WITH (FORCE)" | Out-Null
}

function Start-TestCluster {
    <# A throwaway PostgreSQL of its own, made by the harness (tests/North.TestServer), for tests that
       crash, reconfigure or fill a server: never the shared one. -Options: postgres -c options;
       -Binaries: another version's bin folder. Returns Process, ConnectionString, Values (its
       keywords) and Version; end it with Stop-TestCluster. #>
    param([string] $Options, [string] $Binaries)
    $dll = Join-Path $script:RepositoryRoot "tests/North.TestServer/bin/$env:NORTH_BUILD_CONFIGURATION/net10.0/North.TestServer.dll"
    $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    $info.ArgumentList.Add($dll)
    $info.ArgumentList.Add('serve')
    $info.Environment.Remove('NORTH_TEST_CONNECTION') | Out-Null
    if ($Options) { $info.Environment['NORTH_TEST_POSTGRES_OPTIONS'] = $Options }
    if ($Binaries) { $info.Environment['NORTH_TEST_POSTGRES_BIN'] = $Binaries }
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($info)
    $line = $process.StandardOutput.ReadLine()
    if (-not "$line".StartsWith('NORTH_TEST_CONNECTION=')) { throw "The throwaway cluster did not start (exit $($process.ExitCode))." }
    $connectionString = $line.Substring('NORTH_TEST_CONNECTION='.Length)
    [pscustomobject]@{
        Process          = $process
        ConnectionString = $connectionString
        Values           = ConvertFrom-NpgsqlConnectionString $connectionString
        Version          = ($process.StandardOutput.ReadLine() -replace '^NORTH_TEST_SERVER_VERSION=', '') -replace ' .*$', ''
    }
}

function Stop-TestCluster($Cluster) {
    if (-not $Cluster) { return }
    $Cluster.Process.StandardInput.Close()
    if (-not $Cluster.Process.WaitForExit(60000)) { $Cluster.Process.Kill($true) }
}

function Restart-TestCluster($Cluster) {
    <# Restarts a Start-TestCluster's server as a DBA would (pg_ctl restart -m fast): every session
       ends, and the server answers again on the same port when this returns. #>
    $dataDir = Invoke-TestSql -Cluster $Cluster -Database postgres -Sql 'SHOW data_directory'
    $bin = Invoke-TestSql -Cluster $Cluster -Database postgres -Sql "SELECT setting FROM pg_config WHERE name = 'BINDIR'"
    # As the harness runs it: as the postgres user when root, with the libraries of a binaries folder.
    $command = @('env', "LD_LIBRARY_PATH=$(Join-Path $bin '../lib')", (Join-Path $bin 'pg_ctl'), '-D', $dataDir, '-m', 'fast', '-w', '-t', '60',
        '-l', (Join-Path (Split-Path $dataDir) 'server.log'), 'restart')
    if ((& id -u) -eq '0') { $command = @('runuser', '-u', 'postgres', '--') + $command }
    $output = & $command[0] $command[1..($command.Count - 1)] 2>&1
    if ($LASTEXITCODE -ne 0) { throw "pg_ctl restart failed: $output" }
}

function Start-Holder([Parameter(Mandatory)] [string] $Database, [Parameter(Mandatory)] [string] $Sql, [Parameter(Mandatory)] [string] $Name, [string] $Table) {
    <# psql in the background as application $Name, running $Sql (e.g. BEGIN; LOCK ...; \! sleep 3);
       returns once its session shows as $Name idle in transaction, or with -Table once it holds a
       granted lock on that table (whatever it runs next). Stop it with Stop-Holder. #>
    $file = Join-Path ([IO.Path]::GetTempPath()) ("north-holder-$Name-" + [guid]::NewGuid().ToString('N').Substring(0, 8) + '.sql')
    Set-Content $file $Sql
    $server = Get-TestServer
    $env:PGHOST = $server['host']; $env:PGPORT = $server['port']; $env:PGUSER = $server['username']
    $env:PGPASSWORD = $server['password']; $env:PGAPPNAME = $Name
    try {
        $process = Start-Process -FilePath psql -ArgumentList '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $Database, '-f', $file -PassThru `
            -RedirectStandardOutput "$file.out" -RedirectStandardError "$file.err"
    }
    finally { Remove-Item Env:PGHOST, Env:PGPORT, Env:PGUSER, Env:PGPASSWORD, Env:PGAPPNAME -ErrorAction SilentlyContinue }
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    do {
        Start-Sleep -Milliseconds 50
        $holderPid = if ($Table) {
            Invoke-TestSql -Database $Database -Sql "SELECT a.pid FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid WHERE a.application_name = '$Name' AND l.granted AND l.relation = '$Table'::regclass LIMIT 1"
        }
        else { Invoke-TestSql -Database $Database -Sql "SELECT pid FROM pg_stat_activity WHERE application_name = '$Name' AND state = 'idle in transaction'" }
        if ([DateTime]::UtcNow -gt $deadline) { throw "psql $Name did not take its lock: $(Get-Content -Raw "$file.err")" }
    } until ($holderPid)
    [pscustomobject]@{ Process = $process; Pid = [int]$holderPid; Name = $Name; File = $file }
}

function Stop-Holder($Holder) {
    if (-not $Holder) { return }
    if (-not $Holder.Process.HasExited) { Stop-Process -Id $Holder.Process.Id -Force -ErrorAction SilentlyContinue }
    # Not WaitForExit(): the shell of a \! sleep may outlive psql and keep its output open.
    $null = $Holder.Process.WaitForExit(5000)
    Remove-Item $Holder.File, "$($Holder.File).out", "$($Holder.File).err" -ErrorAction SilentlyContinue
}

function Invoke-FreshPwsh {
    <# Runs a script in a new pwsh -NoProfile -NonInteractive; returns its exit code and output. #>
    param([Parameter(Mandatory)] [string] $Script)
    Push-Location $script:RepositoryRoot
    try {
        $output = & dotnet pwsh -NoProfile -NonInteractive -Command $Script 2>&1
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output | Out-String) }
    }
    finally { Pop-Location }
}

function New-TestRepository {
    <# A repository in Pester's TestDrive: schema 0.1 (table base), an empty 0.1 file and the given
       1.0 files (name -> content). Returns its full path. #>
    param([Parameter(Mandatory)] [string] $Name, [hashtable] $Files = @{})
    $root = Join-Path (Get-PSDrive TestDrive).Root $Name
    New-Item -ItemType Directory -Path "$root/schemas", "$root/0.1", "$root/1.0" | Out-Null
    Set-Content "$root/schemas/schema_0.1.sql" 'CREATE TABLE base (id int);'
    Set-Content "$root/0.1/0.1-0-base-ddl.sql" 'SELECT 1;'
    foreach ($file in $Files.Keys) { Set-Content "$root/1.0/$file" $Files[$file] }
    (Resolve-Path $root).Path
}

function Get-CommandFailure([Parameter(Mandatory)] [scriptblock] $Command) {
    <# The error record a command ends with; a failure of its own when the command does not fail. #>
    try { & $Command; throw 'expected the command to fail' } catch { $_ }
}

function Get-NorthRunLockKey([string] $HistoryTable = '"public"."north_migrations"') {
    <# North's run lock key (AdvisoryLock.KeyFor): the first 8 bytes, little-endian, of SHA-256 of
       'north:' + the history table's resolved name, quoted and schema-qualified. #>
    $hash = [System.Security.Cryptography.SHA256]::HashData([System.Text.Encoding]::UTF8.GetBytes("north:$HistoryTable"))
    [BitConverter]::ToInt64($hash, 0)
}

Export-ModuleMember -Function *
