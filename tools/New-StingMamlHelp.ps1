#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Generates the MAML help file (StingOps.dll-Help.xml) of the binary cmdlets from module/help/*.help.psd1.
.DESCRIPTION
    The prose (synopsis, description, parameter descriptions, inputs, outputs, notes, examples, related links)
    comes from one data file per cmdlet, module/help/<Verb-Noun>.help.psd1; the shared project parameters
    (-ComposeFile, -ProjectDirectory, -ProjectName, -Profile, -ConfigPath, and the generic -WhatIf/-Confirm)
    are described once in module/help/_CommonParameters.help.psd1 and merged in (a cmdlet's own file wins).

    Everything that can drift from the code is read from the BUILT module, in a child pwsh, through
    Get-Command: the parameter sets (syntax), and for each parameter its type, position, whether it is
    mandatory, pipeline input, aliases, wildcard support and valid values, and the declared output types.

    The script fails, listing every problem at once, when an exported cmdlet has no help file, when a
    parameter (common parameters excepted) has no description, when an output type the cmdlet declares is
    not described, or when a help file lacks its synopsis, description or three examples. Help files of
    cmdlets the module does not export (yet) are reported and skipped; descriptions of parameters a cmdlet
    does not have are warnings.

    Help data file format (Import-PowerShellDataFile; here-strings welcome):
        Synopsis     = 'One sentence.'
        Description  = @('Paragraph.', 'Paragraph.')      # blank lines split paragraphs; '- ' lines are list items
        Parameters   = @{ Name = 'Text.'; TimeoutSec = @{ Description = 'Text.'; DefaultValue = '30' } }
        Inputs       = @(@{ Type = 'System.String'; Description = 'Text.' })
        Outputs      = @(@{ Type = 'StingOps.ServiceInfo'; Description = 'Text.' })
        Notes        = @('Paragraph.')
        Examples     = @(@{ Title = 'Short title'; Code = 'Get-StingService'; Remarks = @('Paragraph.') })
        RelatedLinks = @('Get-StingService', @{ Text = 'Online'; Uri = 'https://...' })
.EXAMPLE
    ./tools/New-StingMamlHelp.ps1 -SourceDirectory module/help -OutputPath module/StingOps/en-US/StingOps.dll-Help.xml -ModuleManifest module/StingOps/StingOps.psd1
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $SourceDirectory,
    [Parameter(Mandatory)] [string] $OutputPath,
    # The manifest of the BUILT module: its cmdlets and their metadata are what the help describes.
    [Parameter(Mandatory)] [string] $ModuleManifest
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$SourceDirectory = (Resolve-Path -LiteralPath $SourceDirectory).ProviderPath
$ModuleManifest = (Resolve-Path -LiteralPath $ModuleManifest).ProviderPath
$OutputPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath)

# ------------------------------------------------------------------------------------------ metadata

function Get-BuiltCmdletMetadata {
    param([string] $Manifest)
    # A child pwsh: this session may already hold another copy of the module, and the metadata must be the
    # built assembly's, exactly as users import it.
    $child = @'
$ErrorActionPreference = 'Stop'
$module = Import-Module -Name '__MANIFEST__' -PassThru -WarningAction SilentlyContinue
$common = [System.Management.Automation.Cmdlet]::CommonParameters
function TypeName([type] $t) {
    $u = [Nullable]::GetUnderlyingType($t); if ($u) { $t = $u }
    if ($t.IsArray) { return (TypeName $t.GetElementType()) + '[]' }
    $t.Name
}
function ValidValues($p) {
    $t = $p.ParameterType; $u = [Nullable]::GetUnderlyingType($t); if ($u) { $t = $u }
    if ($t.IsArray) { $t = $t.GetElementType() }
    $set = $p.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | Select-Object -First 1
    if ($set) { return @($set.ValidValues) }
    if ($t.IsEnum) { return @([enum]::GetNames($t)) }
    @()
}
$result = foreach ($c in @($module.ExportedCmdlets.Values | Sort-Object Name)) {
    [pscustomobject]@{
        Name                = $c.Name
        Verb                = $c.Verb
        Noun                = $c.Noun
        DefaultParameterSet = $c.DefaultParameterSet
        OutputTypes         = @($c.OutputType | ForEach-Object Name | Select-Object -Unique)
        Parameters          = @(foreach ($p in $c.Parameters.Values | Where-Object { $_.Name -notin $common }) {
            [pscustomobject]@{
                Name        = $p.Name
                Type        = TypeName $p.ParameterType
                FullType    = $p.ParameterType.FullName
                IsSwitch    = $p.SwitchParameter
                Aliases     = @($p.Aliases)
                Wildcards   = [bool]@($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count
                ValidValues = @(ValidValues $p)
            }
        })
        ParameterSets       = @(foreach ($s in $c.ParameterSets) {
            [pscustomobject]@{
                Name       = $s.Name
                IsDefault  = $s.IsDefault
                Parameters = @(foreach ($p in $s.Parameters | Where-Object { $_.Name -notin $common }) {
                    [pscustomobject]@{
                        Name           = $p.Name
                        Mandatory      = $p.IsMandatory
                        Position       = $p.Position
                        ByValue        = $p.ValueFromPipeline
                        ByPropertyName = $p.ValueFromPipelineByPropertyName
                    }
                })
            }
        })
    }
}
'METADATA:' + (ConvertTo-Json -InputObject @($result) -Depth 8 -Compress)
'@
    $child = $child.Replace('__MANIFEST__', $Manifest.Replace("'", "''"))

    $process = Get-Process -Id $PID
    $exe = $process.Path
    # Under 'dotnet pwsh' (the local tool) this process is dotnet itself: run pwsh.dll with it.
    [string[]] $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($child))
    $output = & $exe @prefix -NoProfile -NonInteractive -EncodedCommand $encoded 2>&1
    $line = @($output | Where-Object { $_ -is [string] -and $_.StartsWith('METADATA:') }) | Select-Object -Last 1
    if ($LASTEXITCODE -ne 0 -or -not $line) {
        throw "Reading the cmdlet metadata of '$Manifest' in a child pwsh failed (exit $LASTEXITCODE):`n$($output -join "`n")"
    }
    @($line.Substring('METADATA:'.Length) | ConvertFrom-Json)
}

# ------------------------------------------------------------------------------------------ help data

function ConvertTo-Paragraph {
    <# Text (a string or strings) as paragraphs: blank lines split them, '- ' / '* ' lines are list items of
       their own, other line breaks inside a paragraph are source wrapping and become spaces. #>
    param([object] $Text)
    $paragraphs = [Collections.Generic.List[string]]::new()
    foreach ($block in @($Text)) {
        if ($null -eq $block) { continue }
        $current = $null
        foreach ($raw in ([string]$block -split '\r?\n')) {
            $line = $raw.Trim()
            if ($line -eq '') {
                if ($current) { $paragraphs.Add($current) }
                $current = $null
            }
            elseif ($line -match '^[-*] ') {
                if ($current) { $paragraphs.Add($current) }
                $current = $line
            }
            else {
                $current = if ($current) { "$current $line" } else { $line }
            }
        }
        if ($current) { $paragraphs.Add($current) }
    }
    , $paragraphs.ToArray()
}

function Format-Code {
    <# Code verbatim, minus the indentation common to all lines and leading/trailing blank lines. #>
    param([string] $Code)
    $lines = @($Code -split '\r?\n')
    while ($lines.Count -gt 0 -and $lines[0].Trim() -eq '') { $lines = @($lines | Select-Object -Skip 1) }
    while ($lines.Count -gt 0 -and $lines[-1].Trim() -eq '') { $lines = @($lines | Select-Object -SkipLast 1) }
    $indents = @($lines | Where-Object { $_.Trim() } | ForEach-Object { $_.Length - $_.TrimStart().Length })
    $cut = if ($indents.Count) { ($indents | Measure-Object -Minimum).Minimum } else { 0 }
    ($lines | ForEach-Object { if ($_.Length -ge $cut) { $_.Substring($cut).TrimEnd() } else { $_.TrimEnd() } }) -join "`n"
}

function Get-ParameterHelp {
    <# A parameter entry: a string (the description) or @{ Description = ...; DefaultValue = ... }. #>
    param([object] $Entry)
    if ($null -eq $Entry) { return $null }
    if ($Entry -is [hashtable]) {
        return [pscustomobject]@{
            Description  = ConvertTo-Paragraph $Entry['Description']
            DefaultValue = $Entry['DefaultValue']
        }
    }
    [pscustomobject]@{ Description = ConvertTo-Paragraph $Entry; DefaultValue = $null }
}

function Test-Text([object] $Value) {
    @(ConvertTo-Paragraph $Value).Count -gt 0
}

# ------------------------------------------------------------------------------------------ MAML

$ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
    MSHelp  = 'http://msdn.microsoft.com/mshelp'
}

function Write-Element([Xml.XmlWriter] $W, [string] $Prefix, [string] $Name, [string] $Text) {
    $W.WriteStartElement($Prefix, $Name, $ns[$Prefix])
    if ($null -ne $Text) { $W.WriteString($Text) }
    $W.WriteEndElement()
}

function Write-Paragraphs([Xml.XmlWriter] $W, [string[]] $Paragraphs) {
    foreach ($p in @($Paragraphs)) { Write-Element $W maml para $p }
    if (@($Paragraphs).Count -eq 0) { Write-Element $W maml para '' }
}

function Write-Description([Xml.XmlWriter] $W, [string[]] $Paragraphs) {
    $W.WriteStartElement('maml', 'description', $ns.maml)
    Write-Paragraphs $W $Paragraphs
    $W.WriteEndElement()
}

function Get-PipelineText([bool] $ByValue, [bool] $ByPropertyName) {
    $how = @(if ($ByValue) { 'ByValue' }; if ($ByPropertyName) { 'ByPropertyName' })
    if ($how.Count) { "True ($($how -join ', '))" } else { 'False' }
}

function Write-Parameter {
    param([Xml.XmlWriter] $W, [object] $Meta, [object] $Usage, [object] $Help, [bool] $InSyntax)
    $W.WriteStartElement('command', 'parameter', $ns.command)
    $W.WriteAttributeString('required', ([string][bool]$Usage.Mandatory).ToLowerInvariant())
    $W.WriteAttributeString('variableLength', ([string]$Meta.Type.EndsWith('[]')).ToLowerInvariant())
    $W.WriteAttributeString('globbing', ([string][bool]$Meta.Wildcards).ToLowerInvariant())
    $W.WriteAttributeString('pipelineInput', (Get-PipelineText $Usage.ByValue $Usage.ByPropertyName))
    $W.WriteAttributeString('position', $(if ($Usage.Position -ge 0) { [string]$Usage.Position } else { 'named' }))
    $W.WriteAttributeString('aliases', $(if (@($Meta.Aliases).Count) { @($Meta.Aliases) -join ', ' } else { 'none' }))
    Write-Element $W maml name $Meta.Name
    Write-Description $W $Help.Description
    if (@($Meta.ValidValues).Count) {
        $W.WriteStartElement('command', 'parameterValueGroup', $ns.command)
        foreach ($v in $Meta.ValidValues) {
            $W.WriteStartElement('command', 'parameterValue', $ns.command)
            $W.WriteAttributeString('required', 'false')
            $W.WriteAttributeString('variableLength', 'false')
            $W.WriteString($v)
            $W.WriteEndElement()
        }
        $W.WriteEndElement()
    }
    # A switch takes no value: in the syntax it shows as [-Name], not [-Name <SwitchParameter>].
    if (-not ($Meta.IsSwitch -and $InSyntax)) {
        $W.WriteStartElement('command', 'parameterValue', $ns.command)
        $W.WriteAttributeString('required', ([string](-not $Meta.IsSwitch)).ToLowerInvariant())
        $W.WriteAttributeString('variableLength', ([string]$Meta.Type.EndsWith('[]')).ToLowerInvariant())
        $W.WriteString($Meta.Type)
        $W.WriteEndElement()
    }
    $W.WriteStartElement('dev', 'type', $ns.dev)
    Write-Element $W maml name $Meta.Type
    Write-Element $W maml uri ''
    $W.WriteEndElement()
    $default = if ($null -ne $Help.DefaultValue) { [string]$Help.DefaultValue } elseif ($Meta.IsSwitch) { 'False' } else { 'None' }
    Write-Element $W dev defaultValue $default
    $W.WriteEndElement()
}

function Get-OrderedUsage {
    <# The parameters of a set in syntax order: positional by position, then mandatory, then optional, then
       -WhatIf/-Confirm, each group in declaration order. #>
    param([object[]] $Usages, [string[]] $DeclarationOrder)
    $rank = @{}; for ($i = 0; $i -lt $DeclarationOrder.Count; $i++) { $rank[$DeclarationOrder[$i]] = $i }
    $Usages | Sort-Object `
        @{ Expression = { if ($_.Name -in 'WhatIf', 'Confirm') { 3 } elseif ($_.Position -ge 0) { 0 } elseif ($_.Mandatory) { 1 } else { 2 } } },
        @{ Expression = { if ($_.Position -ge 0) { $_.Position } else { 0 } } },
        @{ Expression = { $rank[$_.Name] } }
}

function Write-Command {
    param([Xml.XmlWriter] $W, [object] $Meta, [hashtable] $Help, [hashtable] $ParameterHelp)

    $W.WriteStartElement('command', 'command', $ns.command)
    foreach ($prefix in 'maml', 'command', 'dev', 'MSHelp') {
        $W.WriteAttributeString('xmlns', $prefix, 'http://www.w3.org/2000/xmlns/', $ns[$prefix])
    }

    $W.WriteStartElement('command', 'details', $ns.command)
    Write-Element $W command name $Meta.Name
    Write-Element $W command verb $Meta.Verb
    Write-Element $W command noun $Meta.Noun
    Write-Description $W (ConvertTo-Paragraph $Help.Synopsis)
    $W.WriteEndElement()

    Write-Description $W (ConvertTo-Paragraph $Help.Description)

    $byName = @{}; foreach ($p in $Meta.Parameters) { $byName[$p.Name] = $p }
    $order = @($Meta.Parameters | ForEach-Object Name)

    # Syntax: one item per parameter set, the default set first.
    $W.WriteStartElement('command', 'syntax', $ns.command)
    foreach ($set in @($Meta.ParameterSets | Sort-Object @{ Expression = { -not $_.IsDefault } }, Name)) {
        $W.WriteStartElement('command', 'syntaxItem', $ns.command)
        Write-Element $W maml name $Meta.Name
        foreach ($usage in Get-OrderedUsage @($set.Parameters) $order) {
            Write-Parameter $W $byName[$usage.Name] $usage $ParameterHelp[$usage.Name] -InSyntax $true
        }
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    # Parameters: each once; its usage merged over the sets it belongs to.
    $W.WriteStartElement('command', 'parameters', $ns.command)
    $usages = foreach ($p in $Meta.Parameters) {
        $inSets = @($Meta.ParameterSets | ForEach-Object { $_.Parameters | Where-Object Name -eq $p.Name })
        $positions = @($inSets | Where-Object Position -ge 0 | ForEach-Object Position)
        [pscustomobject]@{
            Name           = $p.Name
            Mandatory      = @($inSets | Where-Object { -not $_.Mandatory }).Count -eq 0
            Position       = if ($positions.Count) { $positions[0] } else { -1 }
            ByValue        = @($inSets | Where-Object ByValue).Count -gt 0
            ByPropertyName = @($inSets | Where-Object ByPropertyName).Count -gt 0
        }
    }
    foreach ($usage in Get-OrderedUsage @($usages) $order) {
        Write-Parameter $W $byName[$usage.Name] $usage $ParameterHelp[$usage.Name] -InSyntax $false
    }
    $W.WriteEndElement()

    $W.WriteStartElement('command', 'inputTypes', $ns.command)
    $inputs = @($Help['Inputs'])
    if ($inputs.Count -eq 0 -or $null -eq $inputs[0]) { $inputs = @(@{ Type = 'None'; Description = 'This cmdlet does not take pipeline input.' }) }
    foreach ($i in $inputs) {
        $W.WriteStartElement('command', 'inputType', $ns.command)
        $W.WriteStartElement('dev', 'type', $ns.dev)
        Write-Element $W maml name $i.Type
        $W.WriteEndElement()
        Write-Description $W (ConvertTo-Paragraph $i.Description)
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteStartElement('command', 'returnValues', $ns.command)
    foreach ($o in @($Help['Outputs'])) {
        $W.WriteStartElement('command', 'returnValue', $ns.command)
        $W.WriteStartElement('dev', 'type', $ns.dev)
        Write-Element $W maml name $o.Type
        $W.WriteEndElement()
        Write-Description $W (ConvertTo-Paragraph $o.Description)
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteStartElement('maml', 'alertSet', $ns.maml)
    $W.WriteStartElement('maml', 'alert', $ns.maml)
    Write-Paragraphs $W (ConvertTo-Paragraph $Help['Notes'])
    $W.WriteEndElement()
    $W.WriteEndElement()

    $W.WriteStartElement('command', 'examples', $ns.command)
    $n = 0
    foreach ($e in @($Help.Examples)) {
        $n++
        $W.WriteStartElement('command', 'example', $ns.command)
        Write-Element $W maml title ("--------- Example {0}: {1} ---------" -f $n, $e.Title)
        Write-Element $W dev code (Format-Code $e.Code)
        $W.WriteStartElement('dev', 'remarks', $ns.dev)
        Write-Paragraphs $W (ConvertTo-Paragraph $e['Remarks'])
        Write-Element $W maml para ''   # a blank line before the next example
        $W.WriteEndElement()
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteStartElement('command', 'relatedLinks', $ns.command)
    foreach ($link in @($Help['RelatedLinks'])) {
        if ($null -eq $link) { continue }
        $W.WriteStartElement('maml', 'navigationLink', $ns.maml)
        if ($link -is [hashtable]) {
            Write-Element $W maml linkText $link.Text
            Write-Element $W maml uri $link['Uri']
        }
        else {
            Write-Element $W maml linkText ([string]$link)
            Write-Element $W maml uri ''
        }
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteEndElement()
}

# ------------------------------------------------------------------------------------------ main

$metadata = Get-BuiltCmdletMetadata $ModuleManifest
$commonFile = Join-Path $SourceDirectory '_CommonParameters.help.psd1'
$commonParameters = if (Test-Path -LiteralPath $commonFile) { (Import-PowerShellDataFile -LiteralPath $commonFile)['Parameters'] } else { @{} }

$helpFiles = @{}
foreach ($file in Get-ChildItem -LiteralPath $SourceDirectory -Filter '*.help.psd1' -File | Where-Object Name -notlike '_*') {
    $helpFiles[$file.Name -replace '\.help\.psd1$'] = $file
}

$problems = [Collections.Generic.List[string]]::new()
$commands = [Collections.Generic.List[object]]::new()
foreach ($meta in $metadata) {
    $file = $helpFiles[$meta.Name]
    if (-not $file) {
        $problems.Add("$($meta.Name): no help file; write $(Join-Path $SourceDirectory "$($meta.Name).help.psd1").")
        continue
    }
    try {
        $help = Import-PowerShellDataFile -LiteralPath $file.FullName
    }
    catch {
        $problems.Add("$($meta.Name): $($file.Name) cannot be read: $($_.Exception.Message)")
        continue
    }
    foreach ($key in 'Synopsis', 'Description') {
        if (-not (Test-Text $help[$key])) { $problems.Add("$($meta.Name): $($file.Name) has no $key.") }
    }
    $examples = @($help['Examples'] | Where-Object { $_ -is [hashtable] })
    if ($examples.Count -lt 3) { $problems.Add("$($meta.Name): $($file.Name) has $($examples.Count) example(s); at least 3 are needed.") }
    for ($i = 0; $i -lt $examples.Count; $i++) {
        if (-not $examples[$i]['Title'] -or -not $examples[$i]['Code'] -or -not (Test-Text $examples[$i]['Remarks'])) {
            $problems.Add("$($meta.Name): example $($i + 1) in $($file.Name) needs a Title, Code and Remarks.")
        }
    }

    $own = if ($help['Parameters']) { $help['Parameters'] } else { @{} }
    $parameterHelp = @{}
    foreach ($p in $meta.Parameters) {
        $entry = if ($own.ContainsKey($p.Name)) { $own[$p.Name] } elseif ($commonParameters.ContainsKey($p.Name)) { $commonParameters[$p.Name] } else { $null }
        $parsed = Get-ParameterHelp $entry
        if (-not $parsed -or @($parsed.Description).Count -eq 0) {
            $problems.Add("$($meta.Name): parameter -$($p.Name) has no description in $($file.Name) or _CommonParameters.help.psd1.")
            continue
        }
        $parameterHelp[$p.Name] = $parsed
    }
    foreach ($name in $own.Keys) {
        if ($name -notin @($meta.Parameters | ForEach-Object Name)) {
            Write-Warning "$($meta.Name): $($file.Name) describes -$name, which the cmdlet does not have."
        }
    }

    $described = @($help['Outputs'] | Where-Object { $_ -is [hashtable] } | ForEach-Object { $_.Type })
    foreach ($type in $meta.OutputTypes) {
        if ($type -notin $described) { $problems.Add("$($meta.Name): output type $type is not described under Outputs in $($file.Name).") }
    }
    $commands.Add([pscustomobject]@{ Meta = $meta; Help = $help; ParameterHelp = $parameterHelp })
}

$exported = @($metadata | ForEach-Object Name)
foreach ($name in $helpFiles.Keys | Sort-Object) {
    if ($name -notin $exported) { Write-Verbose "$name.help.psd1: the module does not export $name (yet); not used." }
}

if ($problems.Count) {
    throw "Help for $(Split-Path $ModuleManifest -Leaf) is incomplete ($($problems.Count) problem(s)):`n  " + ($problems -join "`n  ")
}

$directory = Split-Path $OutputPath
if (-not (Test-Path -LiteralPath $directory)) { New-Item -ItemType Directory -Path $directory -Force | Out-Null }
$settings = [Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.Encoding = [Text.UTF8Encoding]::new($false)
$writer = [Xml.XmlWriter]::Create($OutputPath, $settings)
try {
    $writer.WriteStartDocument()
    $writer.WriteStartElement('helpItems', 'http://msh')
    $writer.WriteAttributeString('schema', 'maml')
    foreach ($c in $commands) { Write-Command $writer $c.Meta $c.Help $c.ParameterHelp }
    $writer.WriteEndElement()
    $writer.WriteEndDocument()
}
finally {
    $writer.Dispose()
}
[void][xml](Get-Content -LiteralPath $OutputPath -Raw)
Write-Host "Help: $($commands.Count) cmdlet(s) -> $OutputPath"
