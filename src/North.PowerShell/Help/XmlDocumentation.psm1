# Reads the C# compiler's XML documentation (North.PowerShell.xml, North.Core.xml) and turns doc
# comments into help text: paragraphs, example code, related links. Used by Build-Help.ps1.
#
# The convention cmdlet classes follow:
#   /// <summary>One-line synopsis.</summary>
#   /// <remarks><para>Description paragraph.</para><para>Another.</para></remarks>
#   /// <example><code>Get-NorthStatus -Path ./sql | Where-Object Pending</code><para>What it does.</para></example>
#   /// <seealso cref="InvokeNorthMigrationCommand"/>
#   /// <seealso href="about_North">about_North</seealso>

Set-StrictMode -Version Latest

function Import-XmlDocumentation {
    <# Loads documentation files into one table: member id ("T:Ns.Type", "P:Ns.Type.Prop") -> <member> element. #>
    param([Parameter(Mandatory)] [string[]] $Path)
    $members = @{}
    foreach ($file in $Path) {
        $document = [System.Xml.XmlDocument]::new()
        $document.PreserveWhitespace = $true
        $document.Load($file)
        foreach ($member in $document.SelectNodes('/doc/members/member')) {
            $members[$member.GetAttribute('name')] = $member
        }
    }
    $members
}

function Get-CrefText {
    <# What a cref reads as in help: an exported cmdlet's name, else the member's short name. #>
    param([string] $Cref, [hashtable] $CmdletNames)
    if ($Cref -match '^T:' -and $CmdletNames.ContainsKey($Cref.Substring(2))) { return $CmdletNames[$Cref.Substring(2)] }
    $name = $Cref -replace '^[A-Z!]:', '' -replace '\(.*$', '' -replace '`\d+', ''
    ($name -split '\.')[-1]
}

function ConvertTo-InlineText {
    <# Flattens a node's inline content (<c>, <see>, <paramref>, text) into plain text. #>
    param([System.Xml.XmlNode] $Node, [hashtable] $CmdletNames)
    $text = [System.Text.StringBuilder]::new()
    foreach ($child in $Node.ChildNodes) {
        switch ($child.NodeType) {
            { $_ -in 'Text', 'CDATA', 'Whitespace', 'SignificantWhitespace' } { [void]$text.Append($child.Value) }
            'Element' {
                $inner = ConvertTo-InlineText $child $CmdletNames
                switch ($child.LocalName) {
                    'see' {
                        if ($child.HasAttribute('langword')) {
                            $word = $child.GetAttribute('langword')
                            [void]$text.Append($(if ($word -in 'true', 'false', 'null') { "`$$word" } else { $word }))
                        }
                        elseif ($inner.Trim()) { [void]$text.Append($inner) }
                        elseif ($child.HasAttribute('cref')) { [void]$text.Append((Get-CrefText $child.GetAttribute('cref') $CmdletNames)) }
                        else { [void]$text.Append($child.GetAttribute('href')) }
                    }
                    { $_ -in 'paramref', 'typeparamref' } { [void]$text.Append($child.GetAttribute('name')) }
                    default { [void]$text.Append($inner) }
                }
            }
        }
    }
    $text.ToString()
}

function Format-Code {
    <# Example code as written: the comment's indentation removed, first and last blank lines dropped. #>
    param([string] $Text)
    $lines = @(($Text -replace "`r`n", "`n") -split "`n")
    while ($lines.Count -and -not $lines[0].Trim()) { $lines = @($lines | Select-Object -Skip 1) }
    while ($lines.Count -and -not $lines[-1].Trim()) { $lines = @($lines | Select-Object -SkipLast 1) }
    $indents = @($lines | Where-Object { $_.Trim() } | ForEach-Object { $_.Length - $_.TrimStart().Length })
    $indent = if ($indents.Count) { ($indents | Measure-Object -Minimum).Minimum } else { 0 }
    ($lines | ForEach-Object { if ($_.Length -ge $indent) { $_.Substring($indent).TrimEnd() } else { $_.Trim() } }) -join "`n"
}

function ConvertTo-HelpParagraphs {
    <#
    Block content of a doc element as paragraphs: each <para> is one, loose text between them is
    one, each list item is one ("- item"), <code> keeps its lines. Whitespace inside prose is
    collapsed, since the compiler keeps the source's line breaks and indentation.
    #>
    param([System.Xml.XmlNode] $Element, [hashtable] $CmdletNames)
    $paragraphs = [System.Collections.Generic.List[string]]::new()
    $loose = [System.Xml.XmlDocument]::new().CreateElement('loose')
    $flush = {
        $text = ((ConvertTo-InlineText $loose $CmdletNames) -replace '\s+', ' ').Trim()
        if ($text) { $paragraphs.Add($text) }
        $loose.RemoveAll()
    }
    foreach ($child in $Element.ChildNodes) {
        $block = $child.NodeType -eq 'Element' -and $child.LocalName -in 'para', 'list', 'code'
        if (-not $block) {
            [void]$loose.AppendChild($loose.OwnerDocument.ImportNode($child, $true))
            continue
        }
        & $flush
        switch ($child.LocalName) {
            'para' { foreach ($p in ConvertTo-HelpParagraphs $child $CmdletNames) { $paragraphs.Add($p) } }
            'code' { $code = Format-Code $child.InnerText; if ($code) { $paragraphs.Add($code) } }
            'list' {
                foreach ($item in $child.SelectNodes('item')) {
                    $parts = foreach ($part in $item.SelectNodes('term|description')) { ((ConvertTo-InlineText $part $CmdletNames) -replace '\s+', ' ').Trim() }
                    if (-not $parts) { $parts = ((ConvertTo-InlineText $item $CmdletNames) -replace '\s+', ' ').Trim() }
                    $paragraphs.Add('- ' + (@($parts | Where-Object { $_ }) -join ': '))
                }
            }
        }
    }
    & $flush
    $paragraphs.ToArray()
}

function Get-CommandDocumentation {
    <#
    The help a cmdlet's doc comments give: Synopsis, Description (paragraphs), Examples (Code,
    Remarks), Links (Text, Uri), Parameters (name -> paragraphs), and Warnings (links left out
    because their cref names no exported cmdlet).
    #>
    param(
        [Parameter(Mandatory)] $Command,
        [Parameter(Mandatory)] [hashtable] $Members,
        [Parameter(Mandatory)] [hashtable] $CmdletNames
    )
    $warnings = [System.Collections.Generic.List[string]]::new()
    $typeMember = $Members["T:$($Command.TypeId)"]
    $synopsis = ''
    $description = @()
    $examples = @()
    $links = @()
    if ($typeMember) {
        $summary = $typeMember.SelectSingleNode('summary')
        if ($summary) { $synopsis = @(ConvertTo-HelpParagraphs $summary $CmdletNames) -join ' ' }
        $remarks = $typeMember.SelectSingleNode('remarks')
        if ($remarks) { $description = @(ConvertTo-HelpParagraphs $remarks $CmdletNames) }
        $number = 0
        foreach ($example in $typeMember.SelectNodes('example')) {
            $number++
            $codeNode = $example.SelectSingleNode('code')
            $code = if ($codeNode) { Format-Code $codeNode.InnerText } else { '' }
            $rest = $example.CloneNode($true)
            foreach ($c in @($rest.SelectNodes('code'))) { [void]$rest.RemoveChild($c) }
            $examples += [pscustomobject]@{
                Title   = "Example $number"
                Code    = $code
                Remarks = @(ConvertTo-HelpParagraphs $rest $CmdletNames)
            }
        }
        foreach ($see in $typeMember.SelectNodes('seealso')) {
            $text = ((ConvertTo-InlineText $see $CmdletNames) -replace '\s+', ' ').Trim()
            if ($see.HasAttribute('cref')) {
                $cref = $see.GetAttribute('cref')
                # A link to a cmdlet not written yet (the compiler marks it !:) or to a class that
                # is no cmdlet is left out with a warning: it is a dangling link, not missing help.
                if ($cref -notmatch '^T:' -or -not $CmdletNames.ContainsKey($cref.Substring(2))) {
                    $warnings.Add("<seealso cref=""$cref""/> names no exported cmdlet; the link is left out")
                    continue
                }
                $links += [pscustomobject]@{ Text = $CmdletNames[$cref.Substring(2)]; Uri = '' }
            }
            elseif ($see.HasAttribute('href')) {
                $href = $see.GetAttribute('href')
                $isUri = $href -match '^[a-z]+://'
                $links += [pscustomobject]@{
                    Text = if ($text) { $text } else { $href }
                    Uri  = if ($isUri) { $href } else { '' }
                }
            }
        }
    }
    $parameters = @{}
    foreach ($parameter in $Command.Parameters) {
        # The most derived class that documents the property wins; a base class's doc serves
        # every cmdlet that inherits the parameter.
        foreach ($typeId in $parameter.DeclaringTypeIds) {
            $member = $Members["P:$typeId.$($parameter.Name)"]
            $summary = if ($member) { $member.SelectSingleNode('summary') }
            if (-not $summary) { continue }
            $paragraphs = @(ConvertTo-HelpParagraphs $summary $CmdletNames)
            $remarks = $member.SelectSingleNode('remarks')
            if ($remarks) { $paragraphs += @(ConvertTo-HelpParagraphs $remarks $CmdletNames) }
            if ($paragraphs) { $parameters[$parameter.Name] = $paragraphs; break }
        }
    }
    [pscustomobject]@{
        Synopsis    = $synopsis
        Description = @($description)
        Examples    = @($examples)
        Links       = @($links)
        Parameters  = $parameters
        Warnings    = $warnings.ToArray()
    }
}

function Get-TypeSummary {
    <# The <summary> of a type by full name, as one paragraph; empty when it has none. #>
    param([string] $TypeName, [hashtable] $Members, [hashtable] $CmdletNames)
    $member = $Members["T:$($TypeName -replace '\+', '.')"]
    $summary = if ($member) { $member.SelectSingleNode('summary') }
    if (-not $summary) { return '' }
    @(ConvertTo-HelpParagraphs $summary $CmdletNames) -join ' '
}

Export-ModuleMember -Function Import-XmlDocumentation, ConvertTo-HelpParagraphs, Get-CommandDocumentation, Get-TypeSummary, Format-Code
