<#
.SYNOPSIS
    Compiles IL assemblies into ReadyToRun images for the running runtime and platform.
.DESCRIPTION
    Restores build/ReadyToRun/ReadyToRun.csproj (never built), so that NuGet brings the crossgen2
    package and the runtime pack the SDK picks for net10.0 and this machine's runtime identifier,
    as for any `dotnet publish -p:PublishReadyToRun=true`. Each assembly is compiled against that
    runtime pack and -Reference; images are kept in -Cache by the SHA-256 of their input, so an
    unchanged assembly is compiled once. Used by build.ps1 (the module's Dependencies) and by
    bench/process (a ReadyToRun copy of the PowerShell that runs the bench).
    Writes one object per assembly: Source (the IL), Image (its ReadyToRun image), Compiled (whether
    this call compiled it); and the crossgen2 package's version in the Crossgen property of each.
.PARAMETER Assembly
    The IL assemblies to compile.
.PARAMETER Reference
    Paths or wildcards of the assemblies they reference beyond the framework.
.PARAMETER Cache
    The folder of images; made under it: <runtime identifier>/<crossgen2 version>/.
#>
param(
    [Parameter(Mandatory)] [string[]] $Assembly,
    [string[]] $Reference = @(),
    [Parameter(Mandatory)] [string] $Cache
)
$ErrorActionPreference = 'Stop'

function Invoke-Native([string] $Command, [string[]] $Arguments) {
    # Its output goes to the host, never into the script's output.
    & $Command @Arguments | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "$Command $($Arguments -join ' ') exited with $LASTEXITCODE" }
}

$rid = [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier
$project = Join-Path $PSScriptRoot 'ReadyToRun.csproj'
Invoke-Native dotnet @('restore', $project, "-p:RuntimeIdentifier=$rid", '--nologo', '-v', 'q')
$assets = Get-Content (Join-Path $PSScriptRoot 'obj/project.assets.json') -Raw | ConvertFrom-Json
$packages = @($assets.packageFolders.PSObject.Properties.Name)[0]
$framework = @($assets.project.frameworks.PSObject.Properties)[0]
function Get-Pack([string] $Name) {
    $entry = $framework.Value.downloadDependencies | Where-Object name -EQ $Name
    if (-not $entry) { throw "build/ReadyToRun restored no $Name." }
    Join-Path $packages "$($Name.ToLowerInvariant())/$($entry.version.Trim('[]').Split(',')[0].Trim())"
}
$crossgenPack = Get-Pack "Microsoft.NETCore.App.Crossgen2.$rid"
$runtimePack = Get-Pack "Microsoft.NETCore.App.Runtime.$rid"
$crossgen = Join-Path $crossgenPack "tools/crossgen2$(if ($IsWindows) { '.exe' })"
$os, $arch = $rid.Split('-')
if ($os -eq 'win') { $os = 'windows' }
$crossgenArgs = @()
if (Test-Path "$crossgen.dll") { $crossgenArgs = @("$crossgen.dll"); $crossgen = 'dotnet' }
$frameworkRefs = Join-Path $runtimePack "runtimes/$rid/lib/$($framework.Name)/*.dll"
$version = Split-Path $crossgenPack -Leaf
$folder = Join-Path $Cache "$rid/$version"
New-Item -ItemType Directory -Force -Path $folder | Out-Null

foreach ($path in $Assembly) {
    $file = Get-Item $path
    $hash = (Get-FileHash $file.FullName -Algorithm SHA256).Hash
    $image = Join-Path $folder "$($file.BaseName).$hash.dll"
    $compiled = $false
    if (-not (Test-Path $image)) {
        # A response file: PowerShell would expand the references' wildcards on Unix.
        $rsp = "$image.rsp"
        $references = @($Reference | ForEach-Object { '-r'; $_ })
        Set-Content $rsp (@($file.FullName, '-o', "$image.partial", '--targetos', $os, '--targetarch', $arch, '-O', '-r', $frameworkRefs) + $references)
        Invoke-Native $crossgen ($crossgenArgs + @("@$rsp"))
        Remove-Item $rsp
        Move-Item "$image.partial" $image -Force
        $compiled = $true
    }
    [pscustomobject]@{ Source = $file.FullName; Image = $image; Compiled = $compiled; Crossgen = $version; Framework = $framework.Name; RuntimeIdentifier = $rid }
}
