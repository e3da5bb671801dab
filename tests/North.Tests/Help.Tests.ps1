# Help for every exported cmdlet is complete and true to the code (the model is dbatools'
# InModule.Help.Tests.ps1), the about topics are there, and the generator refuses incomplete help.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $module = Import-Module (Get-TestModuleManifest) -PassThru -ErrorAction Stop
    $common = [System.Management.Automation.Cmdlet]::CommonParameters
    $script:Commands = foreach ($command in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
        @{
            Name       = $command.Name
            Parameters = @($command.Parameters.Keys | Where-Object { $_ -notin $common } | Sort-Object | ForEach-Object { @{ CommandName = $command.Name; Name = $_ } })
        }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $Manifest = Get-TestModuleManifest
    $Module = Import-Module $Manifest -PassThru -ErrorAction Stop
    $ModuleDir = Split-Path $Manifest
    $HelpFile = Join-Path $ModuleDir 'en-US/North.PowerShell.dll-Help.xml'
    $BuildHelp = Join-Path (Get-TestRepositoryRoot) 'src/North.PowerShell/Help/Build-Help.ps1'
    # build.ps1 publishes to out/publish and lays the module out in out/North/<version>.
    $XmlDoc = Join-Path $ModuleDir '../../publish/North.PowerShell.xml'

    function Test-HasPipeline([string] $Code) {
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $null, [ref] $null)
        [bool]$ast.Find({ $args[0] -is [System.Management.Automation.Language.PipelineAst] -and $args[0].PipelineElements.Count -gt 1 }, $true)
    }

    function Get-DisplayTypeName([type] $Type) {
        $underlying = [Nullable]::GetUnderlyingType($Type)
        if ($underlying) { return Get-DisplayTypeName $underlying }
        if ($Type.IsArray) { return (Get-DisplayTypeName $Type.GetElementType()) + '[]' }
        $Type.Name
    }
}

Describe 'Help for <Name>' -ForEach $Commands {
    BeforeAll {
        $Help = Get-Help $Name -Full
        $Command = Get-Command $Name
    }

    It 'has a written synopsis, not the generated syntax stub' {
        $Help.Synopsis | Should -Not -BeNullOrEmpty
        $Help.Synopsis | Should -Not -BeLike '*`[`<CommonParameters`>`]*'
        $Help.Synopsis.Trim() | Should -Not -BeLike "$Name *"
    }

    It 'has a description' {
        ($Help.description.Text -join '').Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has at least two examples, each with code and an explanation' {
        $examples = @($Help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) {
            $example.code | Should -Not -BeNullOrEmpty
            ($example.remarks.Text -join '').Trim() | Should -Not -BeNullOrEmpty -Because "$($example.title) must say what it does"
            $example.code | Should -Match $Name -Because "$($example.title) should show $Name"
        }
    }

    It 'has an example that uses the pipeline' {
        @($Help.examples.example | Where-Object { Test-HasPipeline $_.code }) | Should -Not -BeNullOrEmpty
    }

    It 'has related links' {
        @($Help.relatedLinks.navigationLink | Where-Object { $_.linkText -or $_.uri }) | Should -Not -BeNullOrEmpty
    }

    It 'documents no parameter the cmdlet does not have' {
        $documented = @($Help.parameters.parameter.name)
        $documented | Where-Object { -not $Command.Parameters.ContainsKey($_) } | Should -BeNullOrEmpty
    }

    It 'names the types [OutputType] declares as its outputs' {
        $declared = @($Command.OutputType.Name | Select-Object -Unique)
        $shown = @($Help.returnValues.returnValue.type.name)
        if ($declared) { $shown | Should -Be $declared } else { $shown | Should -Be @('None') }
    }

    It 'names the types of its pipeline-bound parameters as its inputs' {
        $bound = @($Command.Parameters.Values | Where-Object {
                $_.ParameterSets.Values | Where-Object { $_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName }
            } | ForEach-Object { $_.ParameterType.FullName } | Sort-Object -Unique)
        $shown = @($Help.inputTypes.inputType.type.name | Sort-Object -Unique)
        if ($bound) { $shown | Should -Be $bound } else { $shown | Should -Be @('None') }
    }

    Context 'parameter -<Name>' -ForEach $Parameters {
        BeforeAll {
            $ParameterHelp = $Help.parameters.parameter | Where-Object name -EQ $Name
            $Parameter = $Command.Parameters[$Name]
            $Sets = @($Parameter.ParameterSets.Values)
        }

        It 'is described' {
            $ParameterHelp | Should -Not -BeNullOrEmpty
            ($ParameterHelp.description.Text -join '').Trim() | Should -Not -BeNullOrEmpty
        }

        It 'shows whether it is required, its type, position, pipeline input and aliases as the code has them' {
            $required = -not @($Sets | Where-Object { -not $_.IsMandatory })
            $ParameterHelp.required | Should -Be $required.ToString().ToLowerInvariant()
            $ParameterHelp.type.name | Should -Be (Get-DisplayTypeName $Parameter.ParameterType)
            $positioned = @($Sets | Where-Object { $_.Position -ge 0 })
            $ParameterHelp.position | Should -Be $(if ($positioned) { "$($positioned[0].Position)" } else { 'named' })
            $kinds = @()
            if ($Sets | Where-Object ValueFromPipeline) { $kinds += 'ByValue' }
            if ($Sets | Where-Object ValueFromPipelineByPropertyName) { $kinds += 'ByPropertyName' }
            $ParameterHelp.pipelineInput | Should -Be $(if ($kinds) { "True ($($kinds -join ', '))" } else { 'False' })
            $aliases = if ($Parameter.Aliases.Count) { $Parameter.Aliases -join ', ' } else { 'none' }
            $ParameterHelp.aliases | Should -Be $aliases
        }
    }
}

Describe 'The help file' {
    It 'is MAML with one command per exported cmdlet' {
        Test-Path $HelpFile | Should -BeTrue
        [xml] $xml = Get-Content $HelpFile -Raw
        $xml.helpItems.schema | Should -Be 'maml'
        $xml.DocumentElement.NamespaceURI | Should -Be 'http://msh'
        $ns = [System.Xml.XmlNamespaceManager]::new($xml.NameTable)
        $ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
        $names = @($xml.SelectNodes('/*/command:command/command:details/command:name', $ns) | ForEach-Object InnerText)
        $names | Sort-Object | Should -Be @((Get-Command -Module $Module.Name -CommandType Cmdlet).Name | Sort-Object)
    }
}

Describe 'About topic <Topic>' -ForEach @(
    @{ Topic = 'about_North' }
    @{ Topic = 'about_North_Settings' }
) {
    BeforeAll {
        $Text = (Get-Help $Topic | Out-String)
        $File = Join-Path $ModuleDir "en-US/$Topic.help.txt"
    }

    It 'is found by Get-Help' {
        $Text | Should -Match "TOPIC\s+$Topic\b"
    }

    It 'follows the about-topic layout, in lines of at most 80 characters' {
        $lines = Get-Content $File
        $lines[0] | Should -BeExactly 'TOPIC'
        $lines[1] | Should -BeExactly "    $Topic"
        $lines | Should -Contain 'SHORT DESCRIPTION'
        $lines | Should -Contain 'LONG DESCRIPTION'
        $lines | Should -Contain 'SEE ALSO'
        $lines | Where-Object { $_.Length -gt 80 } | Should -BeNullOrEmpty
    }
}

Describe 'about_North' {
    It 'names every exported cmdlet' {
        $text = Get-Content (Join-Path $ModuleDir 'en-US/about_North.help.txt') -Raw
        (Get-Command -Module $Module.Name -CommandType Cmdlet).Name | Where-Object { $text -notmatch "\b$_\b" } | Should -BeNullOrEmpty
    }

    It 'names the history styles and version detectors' {
        $text = Get-Content (Join-Path $ModuleDir 'en-US/about_North.help.txt') -Raw
        foreach ($word in 'North', 'Septentrion', 'DjangoNorth', 'History', 'VersionTable', 'TableComment', '--meta-psql:do-until-0', '--meta-psql:done') {
            $text | Should -Match ([regex]::Escape($word))
        }
    }
}

Describe 'about_North_Settings' {
    BeforeAll {
        $text = Get-Content (Join-Path $ModuleDir 'en-US/about_North_Settings.help.txt') -Raw
        # The settings as North.Core defines them, read in a throwaway load context.
        $context = [System.Runtime.Loader.AssemblyLoadContext]::new('NorthHelpTests', $true)
        try {
            $core = $context.LoadFromAssemblyPath((Join-Path $ModuleDir 'Dependencies/North.Core.dll'))
            $settingNames = @($core.GetType('North.Core.Settings.NorthSettings', $true).GetProperties().Name | Where-Object { $_ -ne 'Sources' })
            $styles = [string[]]$core.GetType('North.Core.Settings.HistoryStyle', $true).GetEnumNames()
            $detectors = [string[]]$core.GetType('North.Core.Settings.VersionDetector', $true).GetEnumNames()
        }
        finally { $context.Unload() }
    }

    It 'documents every setting with its north.json key and NORTH_ variable' {
        $settingNames.Count | Should -BeGreaterThan 20
        foreach ($name in $settingNames) {
            $variable = 'NORTH_' + ($name -creplace '(?<=.)([A-Z])', '_$1').ToUpperInvariant()
            $text | Should -Match "\b$name\b" -Because "$name is a setting"
            $text | Should -Match "\b$variable\b" -Because "$variable sets $name"
        }
    }

    It 'names every history style and version detector' {
        foreach ($name in $styles + $detectors) { $text | Should -Match "\b$name\b" }
    }

    It 'says where a password may come from and that it is never shown' {
        foreach ($word in 'PGPASSWORD', 'pgpass', '-Credential', 'NORTH_PASSWORD') { $text | Should -Match ([regex]::Escape($word)) }
        $text | Should -Match 'A password never appears'
    }
}

Describe 'The help generator' {
    BeforeAll {
        # A copy of the built module and its documentation, so a broken doc cannot touch the real one.
        function New-ModuleCopy {
            $root = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
            $moduleCopy = Join-Path $root 'North'
            Copy-Item $ModuleDir $moduleCopy -Recurse
            $docs = Join-Path $root 'publish'
            New-Item -ItemType Directory -Path $docs | Out-Null
            Copy-Item (Join-Path (Split-Path $XmlDoc) 'North.*.xml') $docs
            [pscustomobject]@{ ModuleDir = $moduleCopy; XmlDoc = Join-Path $docs 'North.PowerShell.xml' }
        }

        $First = Get-Command -Module $Module.Name -CommandType Cmdlet | Sort-Object Name | Select-Object -First 1
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        $FirstParameter = $First.Parameters.Keys | Where-Object { $_ -notin $common } | Sort-Object | Select-Object -First 1
        Test-Path $XmlDoc | Should -BeTrue -Because 'build.ps1 publishes North.PowerShell.xml beside the module'
    }

    It 'makes exactly the shipped help file from the code' {
        $copy = New-ModuleCopy
        Remove-Item (Join-Path $copy.ModuleDir 'en-US/North.PowerShell.dll-Help.xml')
        & $BuildHelp -ModuleDir $copy.ModuleDir -XmlDoc $copy.XmlDoc 6>$null
        Get-Content (Join-Path $copy.ModuleDir 'en-US/North.PowerShell.dll-Help.xml') -Raw | Should -BeExactly (Get-Content $HelpFile -Raw)
    }

    It 'fails, naming the cmdlet, the parameter and what to write, when help is incomplete or wrong' {
        $copy = New-ModuleCopy
        $typeIds = @()
        for ($t = $First.ImplementingType; $t -and $t -ne [object]; $t = $t.BaseType) { $typeIds += $t.FullName -replace '\+', '.' }
        $doc = [xml](Get-Content $copy.XmlDoc -Raw)
        $members = @($doc.doc.members.member)
        # No parameter description, wherever the parameter is declared.
        $parameterMembers = @($members | Where-Object name -In @($typeIds | ForEach-Object { "P:$_.$FirstParameter" }))
        $parameterMembers | Should -Not -BeNullOrEmpty
        foreach ($m in $parameterMembers) { [void]$m.ParentNode.RemoveChild($m) }
        # No synopsis, description or link; one example, without a pipeline, using a parameter that does not exist.
        $class = $members | Where-Object name -EQ "T:$($typeIds[0])"
        foreach ($node in @($class.SelectNodes('summary|remarks|seealso|example'))) { [void]$class.RemoveChild($node) }
        $example = $doc.CreateElement('example')
        $example.InnerXml = "<code>$($First.Name) -NoSuchParameter 1</code><para>Broken on purpose.</para>"
        [void]$class.AppendChild($example)
        $doc.Save($copy.XmlDoc)

        $thrown = { & $BuildHelp -ModuleDir $copy.ModuleDir -XmlDoc $copy.XmlDoc 6>$null } | Should -Throw -PassThru
        $message = $thrown.Exception.Message
        $message | Should -BeLike "*$($First.Name): parameter -$FirstParameter has no description; write a <summary> on P:*"
        $message | Should -BeLike "*$($First.Name): no synopsis; write a <summary> on T:$($typeIds[0])*"
        $message | Should -BeLike "*$($First.Name): no description*"
        $message | Should -BeLike "*$($First.Name): 1 example(s), at least 2 are needed*"
        $message | Should -BeLike "*$($First.Name): no example uses a pipeline*"
        $message | Should -BeLike "*$($First.Name): Example 1 uses -NoSuchParameter, which $($First.Name) does not have*"
        $message | Should -BeLike "*$($First.Name): no related link*"
        Test-Path (Join-Path $copy.ModuleDir 'en-US/North.PowerShell.dll-Help.xml') | Should -BeTrue -Because 'a failed run leaves the previous file alone'
    }
}
