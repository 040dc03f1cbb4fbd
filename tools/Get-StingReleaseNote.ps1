<#
.SYNOPSIS
    The newest entry of README.md's "## Changelog" section as plain text: the manifest's PSData.ReleaseNotes.
.DESCRIPTION
    The entry is the section's first top-level bullet and its sub-bullets. Each bullet becomes one line (its wrapped
    continuation lines joined); the sub-bullets keep a leading "- ". Markdown marks are dropped: `code` quotes,
    **bold**/*emphasis*, and [text](address) links keep their text. build.ps1 writes the result into the built
    manifest; Package.Tests.ps1 compares the package's manifest with it.
#>
[CmdletBinding()]
[OutputType([string])]
param(
    [string] $ReadmePath = (Join-Path $PSScriptRoot '../README.md')
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$lines = Get-Content -LiteralPath $ReadmePath
$start = [Array]::FindIndex([string[]]$lines, [Predicate[string]] { param($l) $l -match '^## Changelog\s*$' })
if ($start -lt 0) { throw "$ReadmePath has no '## Changelog' section." }

$items = [System.Collections.Generic.List[string]]::new()
$inEntry = $false
for ($i = $start + 1; $i -lt $lines.Count; $i++) {
    $line = $lines[$i]
    if ($line -match '^#{1,2} ') { break }                    # the next section
    if ($line -match '^- (.*)$') {                             # a top-level bullet: the entry's start, or the next entry
        if ($inEntry) { break }
        $inEntry = $true
        $items.Add($Matches[1].Trim())
    }
    elseif (-not $inEntry) { continue }
    elseif ($line -match '^\s+[-*] (.*)$') { $items.Add('- ' + $Matches[1].Trim()) }   # a sub-bullet
    elseif ($line.Trim()) { $items[$items.Count - 1] += ' ' + $line.Trim() }           # a wrapped line
}
if ($items.Count -eq 0) { throw "The '## Changelog' section of $ReadmePath has no entry (a top-level '- ' bullet)." }

$text = $items -join "`n"
$text = $text -replace '\[([^\]]+)\]\([^)]*\)', '$1'          # links keep their text
$text = $text -replace '\*\*([^*]+)\*\*', '$1' -replace '(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])', '$1'
$text -replace '`', ''
