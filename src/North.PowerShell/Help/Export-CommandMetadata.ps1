<#
.SYNOPSIS
    Describes every cmdlet a module exports, as a JSON file, for Build-Help.ps1.
.DESCRIPTION
    Runs in a child pwsh started by Build-Help.ps1: a binary module cannot be unloaded, so it must
    never be imported into the build's own session. Everything help needs about the code comes from
    here (parameter sets, types, positions, pipeline input, aliases, output types, and the class that
    declares each parameter, whose XML doc comment describes it).
.PARAMETER Manifest
    The built module's manifest (out/North/<version>/North.psd1).
.PARAMETER OutFile
    Where to write the JSON (a file, not standard output, which also carries the host's warnings).
#>
param([Parameter(Mandatory)] [string] $Manifest, [Parameter(Mandatory)] [string] $OutFile)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

# The id the C# compiler gives a type in its XML documentation: dots for nesting, no type arguments.
function Get-DocTypeId([type] $Type) {
    if ($Type.IsGenericType -and -not $Type.IsGenericTypeDefinition) { $Type = $Type.GetGenericTypeDefinition() }
    $Type.FullName -replace '\+', '.'
}

# Types as help shows them: short names, [] for arrays, T? for nullable.
function Get-DisplayTypeName([type] $Type) {
    $nullable = [Nullable]::GetUnderlyingType($Type)
    if ($nullable) { return (Get-DisplayTypeName $nullable) }
    if ($Type.IsArray) { return (Get-DisplayTypeName $Type.GetElementType()) + '[]' }
    $Type.Name
}

function Get-EnumValues([type] $Type) {
    $element = if ($Type.IsArray) { $Type.GetElementType() } else { $Type }
    $underlying = [Nullable]::GetUnderlyingType($element)
    if ($underlying) { $element = $underlying }
    if ($element.IsEnum) { return @([Enum]::GetNames($element)) }
    @()
}

# Most derived property of that name (a `new` property hides its base's) and the chain of classes
# that declare it, most derived first, so a parameter without its own doc can take its base's.
function Get-DeclaringTypeIds([type] $Implementing, [string] $Name) {
    $ids = [System.Collections.Generic.List[string]]::new()
    for ($t = $Implementing; $null -ne $t -and $t -ne [object]; $t = $t.BaseType) {
        $flags = [System.Reflection.BindingFlags]'Public, NonPublic, Instance, DeclaredOnly'
        if ($t.GetProperties($flags) | Where-Object Name -EQ $Name) { $ids.Add((Get-DocTypeId $t)) }
    }
    , $ids.ToArray()
}

# A parameter's default: the value a fresh instance holds, when it is anything but the type's zero.
function Get-DefaultValue($Instance, [string] $Name) {
    if ($null -eq $Instance) { return $null }
    $property = $Instance.GetType().GetProperties() | Where-Object Name -EQ $Name | Select-Object -First 1
    if (-not $property -or -not $property.CanRead) { return $null }
    try { $value = $property.GetValue($Instance) } catch { return $null }
    if ($null -eq $value -or $value -is [System.Management.Automation.SwitchParameter]) { return $null }
    if ($value -is [string]) { if ($value) { return $value } else { return $null } }
    if ($value -is [System.Collections.IEnumerable]) {
        $items = @($value | ForEach-Object { "$_" })
        if ($items.Count) { return ($items -join ', ') } else { return $null }
    }
    if ($value.GetType().IsValueType -and $value -eq [Activator]::CreateInstance($value.GetType())) { return $null }
    "$value"
}

$commonNames = [System.Management.Automation.Cmdlet]::CommonParameters
$optionalCommonNames = [System.Management.Automation.Cmdlet]::OptionalCommonParameters

$module = Import-Module $Manifest -PassThru -Force
$commands = Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name
$result = foreach ($command in $commands) {
    $type = $command.ImplementingType
    $instance = try { [Activator]::CreateInstance($type) } catch { $null }
    $parameters = [ordered]@{}
    $sets = foreach ($set in $command.ParameterSets) {
        $members = foreach ($p in $set.Parameters) {
            $isCommon = $p.Name -in $commonNames
            $isOptionalCommon = $p.Name -in $optionalCommonNames
            if (-not $parameters.Contains($p.Name)) {
                $metadata = $command.Parameters[$p.Name]
                $validValues = @($metadata.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } |
                        ForEach-Object ValidValues)
                if (-not $validValues) { $validValues = Get-EnumValues $p.ParameterType }
                $parameters[$p.Name] = [ordered]@{
                    Name             = $p.Name
                    TypeName         = Get-DisplayTypeName $p.ParameterType
                    TypeFullName     = $p.ParameterType.FullName
                    IsSwitch         = $p.ParameterType -eq [System.Management.Automation.SwitchParameter]
                    Aliases          = @($p.Aliases)
                    Globbing         = [bool]($metadata.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
                    ValidValues      = @($validValues)
                    DefaultValue     = if ($isCommon -or $isOptionalCommon) { $null } else { Get-DefaultValue $instance $p.Name }
                    IsCommon         = $isCommon
                    IsOptionalCommon = $isOptionalCommon
                    DeclaringTypeIds = if ($isCommon -or $isOptionalCommon) { @() } else { Get-DeclaringTypeIds $type $p.Name }
                }
            }
            [ordered]@{
                Name                            = $p.Name
                IsMandatory                     = $p.IsMandatory
                Position                        = $p.Position
                ValueFromPipeline               = $p.ValueFromPipeline
                ValueFromPipelineByPropertyName = $p.ValueFromPipelineByPropertyName
                ValueFromRemainingArguments     = $p.ValueFromRemainingArguments
            }
        }
        [ordered]@{ Name = $set.Name; IsDefault = $set.IsDefault; Parameters = @($members) }
    }
    [ordered]@{
        Name           = $command.Name
        Verb           = $command.Verb
        Noun           = $command.Noun
        TypeId         = Get-DocTypeId $type
        DefaultSet     = $command.DefaultParameterSet
        OutputTypes    = @($command.OutputType | ForEach-Object Name | Select-Object -Unique)
        ParameterSets  = @($sets)
        Parameters     = @($parameters.Values)
    }
}
ConvertTo-Json -InputObject @($result) -Depth 8 | Set-Content -Path $OutFile -Encoding utf8
