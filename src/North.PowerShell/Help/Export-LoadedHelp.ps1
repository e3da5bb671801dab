<#
.SYNOPSIS
    Records what Get-Help actually shows for every cmdlet of a built module, as a JSON file.
.DESCRIPTION
    Runs in a child pwsh started by Build-Help.ps1 after it wrote the MAML file: when Get-Help cannot
    read a help file it silently falls back to a generated stub, so the build checks that what
    PowerShell reads is what was written.
#>
param([Parameter(Mandatory)] [string] $Manifest, [Parameter(Mandatory)] [string] $OutFile)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$module = Import-Module $Manifest -PassThru -Force
$result = foreach ($command in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
    $help = Get-Help $command.Name -Full
    [ordered]@{
        Name       = $command.Name
        Synopsis   = "$($help.Synopsis)".Trim()
        Examples   = @($help.PSObject.Properties['examples'] -and $help.examples ? $help.examples.example : @()).Count
        Parameters = @(if ($help.parameters) {
                foreach ($p in @($help.parameters.parameter)) {
                    [ordered]@{ Name = $p.name; Described = [bool]"$($p.PSObject.Properties['description'] ? $p.description.Text : '')".Trim() }
                }
            })
    }
}
ConvertTo-Json -InputObject @($result) -Depth 5 | Set-Content -Path $OutFile -Encoding utf8
