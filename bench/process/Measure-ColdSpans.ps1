<#
.SYNOPSIS
    Run by Invoke-ProcessBench.ps1 as a fresh `pwsh -NoProfile -File`: where a cold process spends
    its time, as stopwatch spans, with the JIT's count of methods compiled in each span.
.DESCRIPTION
    Prints one JSON line: each span's wall time (Spans), CPU time of the process (Cpu) and methods
    the JIT compiled (Jit), in milliseconds and counts, and on Linux the CPU of each thread name at
    the end (Threads: '.NET TP Worker', 'Pipeline Execution Thread', '.NET Tiered Compilation Worker'...). Status spans: PowerShell's own start (process start to this script),
    Import-Module, the cmdlet up to its "Connecting" verbose line (binding, settings), repository
    discovery (up to the "Found ... migration(s)" line), then the connection, the history, the plan
    and the objects (to the end of the call), then formatting them as a user's console would
    (Out-String). Migrate spans: Import-Module, the cmdlet up to its first step result (settings,
    discovery, the run lock, the connection, the plan and the first file's statements, all cold),
    then the other files. The repository's empty initial schema is loaded before the first file.
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $Path,
    [Parameter(Mandatory)] [ValidateSet('Status', 'Migrate')] [string] $Mode,
    [Parameter(Mandatory)] [int] $Expected
)
$ErrorActionPreference = 'Stop'
$started = [System.Diagnostics.Process]::GetCurrentProcess().StartTime.ToUniversalTime()
$clock = [System.Diagnostics.Stopwatch]::StartNew()
$spans = [ordered]@{ pwsh = ([DateTime]::UtcNow - $started).TotalMilliseconds }
$jit = [ordered]@{}
$self = [System.Diagnostics.Process]::GetCurrentProcess()
# CPU (user + system, all threads) holds better than wall time on a shared machine.
$cpu = [ordered]@{ pwsh = $self.TotalProcessorTime.TotalMilliseconds }
$last = 0.0
$lastJit = [System.Runtime.JitInfo]::GetCompiledMethodCount($false)
$lastCpu = $cpu.pwsh
function Close-Span([string] $Name) {
    $now = $clock.Elapsed.TotalMilliseconds
    $count = [System.Runtime.JitInfo]::GetCompiledMethodCount($false)
    $self.Refresh()
    $used = $self.TotalProcessorTime.TotalMilliseconds
    $spans[$Name] = $now - $script:last
    $jit[$Name] = $count - $script:lastJit
    $cpu[$Name] = $used - $script:lastCpu
    $script:last = $now
    $script:lastJit = $count
    $script:lastCpu = $used
}

Import-Module $ModuleManifest
Close-Span 'import'
$connection = $env:NORTH_BENCH_CONNECTION
if ($Mode -eq 'Status') {
    $objects = [System.Collections.Generic.List[object]]::new()
    Get-NorthStatus -Path $Path -ConnectionString $connection -Verbose 4>&1 | ForEach-Object {
        if ($_ -is [System.Management.Automation.VerboseRecord]) {
            if ($_.Message -like 'Connecting to*') { Close-Span 'cmdlet' }
            elseif ($_.Message -like 'Found *') { Close-Span 'discovery' }
        }
        else { $objects.Add($_) }
    }
    Close-Span 'connection+history+plan'
    $text = $objects | Out-String -Width 120
    Close-Span 'format'
    if ($objects.Count -ne $Expected) { throw "Get-NorthStatus returned $($objects.Count) object(s), expected $Expected." }
}
else {
    $count = 0
    Invoke-NorthMigration -Path $Path -ConnectionString $connection | ForEach-Object {
        if ($_.Action -eq 'Apply' -and $_.Status -eq 'Succeeded') {
            if ($count -eq 0) { Close-Span 'first-file' }
            $count++
        }
    }
    Close-Span 'other-files'
    if ($count -ne $Expected) { throw "Invoke-NorthMigration applied $count file(s), expected $Expected." }
}
# CPU per thread name (Linux: /proc/self/task/*/stat, user + system ticks), e.g. '.NET TP Worker'.
$threads = [ordered]@{}
if (Test-Path /proc/self/task) {
    $tick = 10.0 # ms: the kernel's USER_HZ is 100 on Linux
    foreach ($stat in Get-ChildItem /proc/self/task -Directory -ErrorAction SilentlyContinue) {
        $text = Get-Content (Join-Path $stat.FullName 'stat') -Raw -ErrorAction SilentlyContinue
        if (-not $text) { continue }
        $open = $text.IndexOf('('); $close = $text.LastIndexOf(')')
        $name = $text.Substring($open + 1, $close - $open - 1)
        $fields = $text.Substring($close + 2).Split(' ')
        $threads[$name] = [double]$threads[$name] + ([double]$fields[11] + [double]$fields[12]) * $tick
    }
}
[pscustomobject]@{ Spans = $spans; Cpu = $cpu; Jit = $jit; JitTotal = [System.Runtime.JitInfo]::GetCompiledMethodCount($false); Threads = $threads } | ConvertTo-Json -Compress -Depth 3
