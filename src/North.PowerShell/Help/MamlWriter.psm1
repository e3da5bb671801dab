# Writes help in MAML, the XML that Get-Help reads for binary cmdlets (<module dll>-Help.xml):
# helpItems/command:command with the maml:, command: and dev: namespaces, laid out as PowerShell's
# own modules ship it. Takes the command help model Build-Help.ps1 assembles.

Set-StrictMode -Version Latest

$script:Msh = 'http://msh'
$script:Maml = 'http://schemas.microsoft.com/maml/2004/10'
$script:Command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$script:Dev = 'http://schemas.microsoft.com/maml/dev/2004/10'
$script:MSHelp = 'http://msdn.microsoft.com/mshelp'

function Write-Paragraphs([System.Xml.XmlWriter] $Writer, [string[]] $Paragraphs) {
    $Writer.WriteStartElement('maml', 'description', $script:Maml)
    foreach ($p in @($Paragraphs)) { $Writer.WriteElementString('maml', 'para', $script:Maml, $p) }
    if (-not @($Paragraphs).Count) { $Writer.WriteElementString('maml', 'para', $script:Maml, '') }
    $Writer.WriteEndElement()
}

function Write-Type([System.Xml.XmlWriter] $Writer, [string] $Name) {
    $Writer.WriteStartElement('dev', 'type', $script:Dev)
    $Writer.WriteElementString('maml', 'name', $script:Maml, $Name)
    $Writer.WriteEndElement()
}

function Write-Parameter([System.Xml.XmlWriter] $Writer, $Parameter, [switch] $InSyntax) {
    $Writer.WriteStartElement('command', 'parameter', $script:Command)
    $Writer.WriteAttributeString('required', $Parameter.Required.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('variableLength', $Parameter.VariableLength.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('globbing', $Parameter.Globbing.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('pipelineInput', $Parameter.PipelineInput)
    $Writer.WriteAttributeString('position', $Parameter.Position)
    $Writer.WriteAttributeString('aliases', $(if (@($Parameter.Aliases).Count) { $Parameter.Aliases -join ', ' } else { 'none' }))
    $Writer.WriteElementString('maml', 'name', $script:Maml, $Parameter.Name)
    Write-Paragraphs $Writer $Parameter.Description
    if (@($Parameter.ValidValues).Count) {
        $Writer.WriteStartElement('command', 'parameterValueGroup', $script:Command)
        foreach ($value in $Parameter.ValidValues) {
            $Writer.WriteStartElement('command', 'parameterValue', $script:Command)
            $Writer.WriteAttributeString('required', 'false')
            $Writer.WriteAttributeString('command', 'variableLength', $script:Command, 'false')
            $Writer.WriteString($value)
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }
    # A switch takes no value: the syntax shows it bare, the parameter list still names its type.
    if (-not ($InSyntax -and $Parameter.IsSwitch)) {
        $Writer.WriteStartElement('command', 'parameterValue', $script:Command)
        $Writer.WriteAttributeString('required', $(if ($Parameter.IsSwitch) { 'false' } else { 'true' }))
        $Writer.WriteAttributeString('variableLength', 'false')
        $Writer.WriteString($Parameter.TypeName)
        $Writer.WriteEndElement()
    }
    Write-Type $Writer $Parameter.TypeName
    $Writer.WriteElementString('dev', 'defaultValue', $script:Dev, $(if ($null -ne $Parameter.DefaultValue) { $Parameter.DefaultValue } else { 'None' }))
    $Writer.WriteEndElement()
}

function Write-TypeList([System.Xml.XmlWriter] $Writer, [string] $ListName, [string] $ItemName, $Items) {
    $Writer.WriteStartElement('command', $ListName, $script:Command)
    foreach ($item in @($Items)) {
        $Writer.WriteStartElement('command', $ItemName, $script:Command)
        Write-Type $Writer $item.Name
        Write-Paragraphs $Writer $item.Description
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()
}

function Write-Command([System.Xml.XmlWriter] $Writer, $Help) {
    $Writer.WriteStartElement('command', 'command', $script:Command)
    $Writer.WriteAttributeString('xmlns', 'maml', $null, $script:Maml)
    $Writer.WriteAttributeString('xmlns', 'command', $null, $script:Command)
    $Writer.WriteAttributeString('xmlns', 'dev', $null, $script:Dev)
    $Writer.WriteAttributeString('xmlns', 'MSHelp', $null, $script:MSHelp)

    $Writer.WriteStartElement('command', 'details', $script:Command)
    $Writer.WriteElementString('command', 'name', $script:Command, $Help.Name)
    $Writer.WriteElementString('command', 'verb', $script:Command, $Help.Verb)
    $Writer.WriteElementString('command', 'noun', $script:Command, $Help.Noun)
    Write-Paragraphs $Writer @($Help.Synopsis)
    $Writer.WriteEndElement()

    Write-Paragraphs $Writer $Help.Description

    $Writer.WriteStartElement('command', 'syntax', $script:Command)
    foreach ($item in $Help.SyntaxItems) {
        $Writer.WriteStartElement('command', 'syntaxItem', $script:Command)
        $Writer.WriteElementString('maml', 'name', $script:Maml, $Help.Name)
        foreach ($parameter in $item.Parameters) { Write-Parameter $Writer $parameter -InSyntax }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'parameters', $script:Command)
    foreach ($parameter in $Help.Parameters) { Write-Parameter $Writer $parameter }
    $Writer.WriteEndElement()

    Write-TypeList $Writer 'inputTypes' 'inputType' $Help.InputTypes
    Write-TypeList $Writer 'returnValues' 'returnValue' $Help.ReturnValues

    if (@($Help.Notes).Count) {
        $Writer.WriteStartElement('maml', 'alertSet', $script:Maml)
        $Writer.WriteStartElement('maml', 'alert', $script:Maml)
        foreach ($note in $Help.Notes) { $Writer.WriteElementString('maml', 'para', $script:Maml, $note) }
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }

    $Writer.WriteStartElement('command', 'examples', $script:Command)
    foreach ($example in $Help.Examples) {
        $Writer.WriteStartElement('command', 'example', $script:Command)
        $Writer.WriteElementString('maml', 'title', $script:Maml, $example.Title)
        $Writer.WriteElementString('dev', 'code', $script:Dev, $example.Code)
        $Writer.WriteStartElement('dev', 'remarks', $script:Dev)
        foreach ($p in $example.Remarks) { $Writer.WriteElementString('maml', 'para', $script:Maml, $p) }
        # An empty last paragraph: Get-Help prints the next example's title right under this one's text otherwise.
        $Writer.WriteElementString('maml', 'para', $script:Maml, '')
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'relatedLinks', $script:Command)
    foreach ($link in $Help.Links) {
        $Writer.WriteStartElement('maml', 'navigationLink', $script:Maml)
        $Writer.WriteElementString('maml', 'linkText', $script:Maml, $link.Text)
        $Writer.WriteElementString('maml', 'uri', $script:Maml, $link.Uri)
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteEndElement()
}

function Write-MamlHelp {
    <# Writes every command's help into one MAML file (UTF-8 with a BOM, as PowerShell's own). #>
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [object[]] $Commands)
    $settings = [System.Xml.XmlWriterSettings]::new()
    $settings.Indent = $true
    $settings.Encoding = [System.Text.UTF8Encoding]::new($true)
    $settings.NewLineChars = "`n"
    $writer = [System.Xml.XmlWriter]::Create($Path, $settings)
    try {
        $writer.WriteStartDocument()
        $writer.WriteStartElement('helpItems', $script:Msh)
        $writer.WriteAttributeString('schema', 'maml')
        foreach ($help in $Commands) { Write-Command $writer $help }
        $writer.WriteEndElement()
        $writer.WriteEndDocument()
    }
    finally {
        $writer.Dispose()
    }
}

Export-ModuleMember -Function Write-MamlHelp
