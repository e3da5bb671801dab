<#
.SYNOPSIS
    Generates the module's MAML help (en-US/North.PowerShell.dll-Help.xml) from the code itself,
    and fails when any exported cmdlet's help is incomplete.
.DESCRIPTION
    Called by build.ps1 once the module is laid out. Help cannot drift from the code because it is
    made from it:
      - a child pwsh imports the built module and describes every exported cmdlet (parameter sets,
        types, positions, mandatory, pipeline input, aliases, output types): Export-CommandMetadata.ps1;
      - the C# XML doc comments give the words: the cmdlet class's <summary> (synopsis), <remarks>
        (description), <example>s and <seealso>s, each parameter property's <summary>, declared on
        the cmdlet or on a base class: XmlDocumentation.psm1;
      - both are checked (synopsis, description, two examples of which one has a pipeline, every
        non-common parameter described, a related link; examples parse, call the cmdlet, and call
        only real cmdlets and parameters), then written as MAML (MamlWriter.psm1);
      - a second child pwsh runs Get-Help on every cmdlet to prove PowerShell reads what was
        written (Export-LoadedHelp.ps1).
    Any problem throws, naming the cmdlet, the parameter and the doc comment to write.
.PARAMETER ModuleDir
    The laid-out module (out/North/<version>), holding North.psd1 and North.PowerShell.dll.
.PARAMETER XmlDoc
    The compiler's documentation file for North.PowerShell (publish/North.PowerShell.xml). Other
    documentation files beside it (North.Core.xml) describe output types.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleDir,
    [Parameter(Mandatory)] [string] $XmlDoc
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'XmlDocumentation.psm1') -Force
Import-Module (Join-Path $PSScriptRoot 'MamlWriter.psm1') -Force

$ModuleDir = (Resolve-Path $ModuleDir).Path
$manifest = Join-Path $ModuleDir 'North.psd1'
if (-not (Test-Path $manifest)) { throw "Build-Help: no module manifest at '$manifest'; lay the module out first." }
if (-not (Test-Path $XmlDoc)) {
    throw "Build-Help: no XML documentation at '$XmlDoc'; North.PowerShell must build with GenerateDocumentationFile."
}
$rootModule = (Import-PowerShellDataFile $manifest).RootModule
$helpFile = Join-Path $ModuleDir "en-US/$rootModule-Help.xml"

# Parameters every cmdlet gets from PowerShell; they are described by PowerShell itself
# (about_CommonParameters), except -WhatIf and -Confirm, which help lists with the cmdlet's own.
$optionalCommonDescriptions = @{
    WhatIf  = 'Shows what would happen if the cmdlet runs. The cmdlet is not run.'
    Confirm = 'Prompts you for confirmation before running the cmdlet.'
}

function Invoke-ChildPwsh {
    <# Runs a script in a fresh pwsh -NoProfile (the same PowerShell as this one) and reads the JSON it writes. #>
    param([string] $Script, [string] $Manifest)
    $outFile = [System.IO.Path]::GetTempFileName()
    try {
        # Under `dotnet pwsh` the process is dotnet and PowerShell is pwsh.dll in $PSHOME.
        $exe = [Environment]::ProcessPath
        $prefix = @()
        if ([System.IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $prefix = @(Join-Path $PSHOME 'pwsh.dll') }
        & $exe @prefix -NoProfile -NonInteractive -File $Script -Manifest $Manifest -OutFile $outFile
        if ($LASTEXITCODE -ne 0) { throw "Build-Help: $(Split-Path $Script -Leaf) failed in a child pwsh (exit $LASTEXITCODE); see the error above." }
        Get-Content $outFile -Raw | ConvertFrom-Json
    }
    finally {
        Remove-Item $outFile -ErrorAction SilentlyContinue
    }
}

function Get-PipelineInput($Entries) {
    # "True (ByValue, ByPropertyName)", as Get-Help prints it, from one or more parameter set entries.
    $kinds = @()
    if (@($Entries | Where-Object ValueFromPipeline)) { $kinds += 'ByValue' }
    if (@($Entries | Where-Object ValueFromPipelineByPropertyName)) { $kinds += 'ByPropertyName' }
    if ($kinds) { "True ($($kinds -join ', '))" } else { 'False' }
}

function New-ParameterHelp($Parameter, $Entries, [string[]] $Description) {
    $positioned = @($Entries | Where-Object { $_.Position -ge 0 })
    [pscustomobject]@{
        Name           = $Parameter.Name
        Description    = $Description
        # Required when no parameter set that has it lets it be left out.
        Required       = -not @($Entries | Where-Object { -not $_.IsMandatory })
        Position       = if ($positioned) { "$($positioned[0].Position)" } else { 'named' }
        PipelineInput  = Get-PipelineInput $Entries
        Aliases        = @($Parameter.Aliases)
        Globbing       = [bool]$Parameter.Globbing
        TypeName       = $Parameter.TypeName
        IsSwitch       = [bool]$Parameter.IsSwitch
        VariableLength = $Parameter.TypeName.EndsWith('[]')
        ValidValues    = @($Parameter.ValidValues)
        DefaultValue   = $Parameter.DefaultValue
        IsOptionalCommon = [bool]$Parameter.IsOptionalCommon
    }
}

function Test-ExampleCode {
    <# Problems with one example's code: it must parse, and call only exported cmdlets with their real parameters. #>
    param([string] $CommandName, $Example, [hashtable] $ParameterNamesByCommand)
    $tokens = $null; $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseInput($Example.Code, [ref] $tokens, [ref] $errors)
    if ($errors) {
        return "${CommandName}: $($Example.Title) does not parse as PowerShell: $($errors[0].Message)"
    }
    $calls = @($ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true))
    if (-not @($calls | Where-Object { $_.GetCommandName() -eq $CommandName })) {
        "${CommandName}: $($Example.Title) does not call $CommandName"
    }
    foreach ($call in $calls) {
        $called = $call.GetCommandName()
        if (-not $called -or $called -notmatch '^\w+-North') { continue }
        $known = $ParameterNamesByCommand[$called]
        if (-not $known) {
            "${CommandName}: $($Example.Title) calls $called, which the module does not export"
            continue
        }
        foreach ($element in $call.CommandElements) {
            if ($element -is [System.Management.Automation.Language.CommandParameterAst] -and $element.ParameterName -notin $known) {
                "${CommandName}: $($Example.Title) uses -$($element.ParameterName), which $called does not have"
            }
        }
    }
}

function Test-HasPipeline([string] $Code) {
    $tokens = $null; $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $tokens, [ref] $errors)
    [bool]$ast.Find({ $args[0] -is [System.Management.Automation.Language.PipelineAst] -and $args[0].PipelineElements.Count -gt 1 }, $true)
}

# 1. What the code says.
$commands = @(Invoke-ChildPwsh (Join-Path $PSScriptRoot 'Export-CommandMetadata.ps1') $manifest)
if (-not $commands) { throw "Build-Help: the module at '$ModuleDir' exports no cmdlet." }
$cmdletNames = @{}
$parameterNamesByCommand = @{}
foreach ($command in $commands) {
    $cmdletNames[$command.TypeId] = $command.Name
    $parameterNamesByCommand[$command.Name] = @($command.Parameters | ForEach-Object { $_.Name; $_.Aliases })
}

# 2. What the doc comments say.
$docFiles = @((Resolve-Path $XmlDoc).Path) + @(Get-ChildItem (Split-Path $XmlDoc) -Filter 'North.*.xml' |
        Where-Object FullName -NE (Resolve-Path $XmlDoc).Path | ForEach-Object FullName)
$members = Import-XmlDocumentation -Path $docFiles

# 3. Join, check, assemble the help model.
$problems = [System.Collections.Generic.List[string]]::new()
$helps = foreach ($command in $commands) {
    $name = $command.Name
    $typeId = "T:$($command.TypeId)"
    $doc = Get-CommandDocumentation -Command $command -Members $members -CmdletNames $cmdletNames
    foreach ($w in $doc.Warnings) { Write-Warning "Build-Help: ${name}: $w (in the doc comment of $typeId)." }
    if (-not $doc.Synopsis) { $problems.Add("${name}: no synopsis; write a <summary> on $typeId") }
    if (-not $doc.Description) { $problems.Add("${name}: no description; write <remarks><para>...</para></remarks> on $typeId") }
    if ($doc.Examples.Count -lt 2) {
        $problems.Add("${name}: $($doc.Examples.Count) example(s), at least 2 are needed; write <example><code>...</code><para>...</para></example> on $typeId")
    }
    foreach ($example in $doc.Examples) {
        if (-not $example.Code) { $problems.Add("${name}: $($example.Title) has no <code>"); continue }
        if (-not $example.Remarks) { $problems.Add("${name}: $($example.Title) has no <para> saying what it does") }
        foreach ($p in Test-ExampleCode $name $example $parameterNamesByCommand) { $problems.Add($p) }
    }
    if ($doc.Examples.Count -and -not @($doc.Examples | Where-Object { $_.Code -and (Test-HasPipeline $_.Code) })) {
        $problems.Add("${name}: no example uses a pipeline (|); show how its output or input flows")
    }
    if (-not $doc.Links) { $problems.Add("${name}: no related link; write <seealso cref=""...""/> or <seealso href=""about_North"">about_North</seealso> on $typeId") }

    $parameterHelp = @{}
    foreach ($parameter in $command.Parameters | Where-Object { -not $_.IsCommon }) {
        $description = if ($parameter.IsOptionalCommon) { @($optionalCommonDescriptions[$parameter.Name]) } else { $doc.Parameters[$parameter.Name] }
        if (-not $description) {
            $where = @($parameter.DeclaringTypeIds | ForEach-Object { "P:$_.$($parameter.Name)" }) -join ' or '
            $problems.Add("${name}: parameter -$($parameter.Name) has no description; write a <summary> on $where")
        }
        $entries = @($command.ParameterSets | ForEach-Object { $_.Parameters } | Where-Object Name -EQ $parameter.Name)
        $parameterHelp[$parameter.Name] = @{ Parameter = $parameter; Entries = $entries; Description = @($description) }
    }

    # Syntax: the default set first; positional parameters by position, then mandatory ones, then
    # the rest as declared; -WhatIf and -Confirm last, as PowerShell prints them.
    $sets = @($command.ParameterSets | Sort-Object { -not $_.IsDefault })
    $syntaxItems = foreach ($set in $sets) {
        $index = 0
        $ordered = $set.Parameters | Where-Object { $parameterHelp.ContainsKey($_.Name) } | ForEach-Object {
            [pscustomobject]@{ Entry = $_; Index = $index++; Optional = $parameterHelp[$_.Name].Parameter.IsOptionalCommon }
        } | Sort-Object Optional, { if ($_.Entry.Position -ge 0) { $_.Entry.Position } else { [int]::MaxValue } }, { -not $_.Entry.IsMandatory }, Index
        [pscustomobject]@{
            Parameters = @(foreach ($o in $ordered) {
                    $h = $parameterHelp[$o.Entry.Name]
                    New-ParameterHelp $h.Parameter @($o.Entry) $h.Description
                })
        }
    }
    $parameters = foreach ($key in $parameterHelp.Keys | Sort-Object { $parameterHelp[$_].Parameter.IsOptionalCommon }, { $_ }) {
        $h = $parameterHelp[$key]
        New-ParameterHelp $h.Parameter $h.Entries $h.Description
    }

    # Input: what the pipeline can bind; output: [OutputType], described by the type's own <summary>.
    $inputTypes = foreach ($h in $parameterHelp.Values | Sort-Object { $_.Parameter.Name }) {
        $byValue = @($h.Entries | Where-Object ValueFromPipeline)
        $byName = @($h.Entries | Where-Object ValueFromPipelineByPropertyName)
        if ($byValue) {
            [pscustomobject]@{ Name = $h.Parameter.TypeFullName; Description = @("You can pipe a $($h.Parameter.TypeName) to the $($h.Parameter.Name) parameter.") }
        }
        if ($byName) {
            $names = (@($h.Parameter.Name) + @($h.Parameter.Aliases)) -join ' or '
            [pscustomobject]@{ Name = $h.Parameter.TypeFullName; Description = @("An input object's $names property binds to the $($h.Parameter.Name) parameter.") }
        }
    }
    if (-not $inputTypes) { $inputTypes = @([pscustomobject]@{ Name = 'None'; Description = @('This cmdlet takes no pipeline input.') }) }
    $returnValues = foreach ($type in $command.OutputTypes) {
        $summary = Get-TypeSummary -TypeName $type -Members $members -CmdletNames $cmdletNames
        [pscustomobject]@{ Name = $type; Description = @($summary) }
    }
    if (-not $returnValues) {
        Write-Warning "Build-Help: ${name} declares no [OutputType]; its help says it returns nothing."
        $returnValues = @([pscustomobject]@{ Name = 'None'; Description = @('This cmdlet returns no output.') })
    }

    [pscustomobject]@{
        Name         = $name
        Verb         = $command.Verb
        Noun         = $command.Noun
        Synopsis     = $doc.Synopsis
        Description  = $doc.Description
        SyntaxItems  = @($syntaxItems)
        Parameters   = @($parameters)
        InputTypes   = @($inputTypes)
        ReturnValues = @($returnValues)
        Notes        = @()
        Examples     = $doc.Examples
        Links        = $doc.Links
    }
}

if ($problems.Count) {
    foreach ($p in $problems) { Write-Host "Help incomplete: $p" -ForegroundColor Red }
    throw ("Build-Help: the help of $($problems.Count) thing(s) is incomplete; fix the doc comments in src/North.PowerShell:`n  " + ($problems -join "`n  "))
}

# 4. Write, then read back through Get-Help.
New-Item -ItemType Directory -Force -Path (Split-Path $helpFile) | Out-Null
Write-MamlHelp -Path $helpFile -Commands @($helps)

$loaded = @(Invoke-ChildPwsh (Join-Path $PSScriptRoot 'Export-LoadedHelp.ps1') $manifest)
foreach ($help in $helps) {
    $shown = $loaded | Where-Object Name -EQ $help.Name
    if (-not $shown -or $shown.Synopsis -ne $help.Synopsis -or $shown.Examples -ne $help.Examples.Count) {
        throw "Build-Help: Get-Help $($help.Name) does not show the generated help (synopsis '$($shown.Synopsis)'); '$helpFile' is not readable MAML."
    }
    $undescribed = @($shown.Parameters | Where-Object { -not $_.Described } | ForEach-Object Name)
    if ($undescribed) { throw "Build-Help: Get-Help $($help.Name) shows no description for -$($undescribed -join ', -')." }
}
Write-Host "Help: $($helps.Count) cmdlet(s) documented in en-US/$(Split-Path $helpFile -Leaf)"
