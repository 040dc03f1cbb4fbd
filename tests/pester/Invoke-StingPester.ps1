<#
.SYNOPSIS
    Runs the Pester suite against the built module in this (fresh) pwsh and writes a pass/fail summary.
#>
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SummaryPath,
    [string] $Tag,
    [string] $ExcludeTag
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -MinimumVersion 5.0 -Force
# The tests import the module from here: the built module folder, never the source tree.
$env:STINGOPS_MODULE_PATH = $ModulePath

$config = New-PesterConfiguration
$config.Run.Path = $PSScriptRoot
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.TestResult.Enabled = $true
$config.TestResult.OutputPath = Join-Path (Split-Path $SummaryPath) 'pester.xml'
if ($Tag) { $config.Filter.Tag = $Tag -split ',' }
if ($ExcludeTag) { $config.Filter.ExcludeTag = $ExcludeTag -split ',' }

$result = Invoke-Pester -Configuration $config

# A test is an integration test when it or any block around it carries the Integration tag: those need the
# engine, and build.ps1 fails a CI run in which any of them was skipped.
function Get-InheritedTag($Test) {
    $tags = @($Test.Tag)
    for ($block = $Test.Block; $block -and -not $block.IsRoot; $block = $block.Parent) { $tags += @($block.Tag) }
    @($tags | Where-Object { $_ })
}
$skipped = @($result.Skipped)
# Failures are named in the summary because CI shows only the end of its output.
function Get-FailureLine($Item) {
    $message = @($Item.ErrorRecord | ForEach-Object { "$($_.Exception.Message)" }) -join ' '
    $firstLine = ($message -split "`n" | Where-Object { $_.Trim() } | Select-Object -First 1)
    '{0}: {1}' -f $Item.ExpandedPath, "$firstLine".Trim()
}
$failures = @(@($result.Failed) + @($result.FailedBlocks) + @($result.FailedContainers) | Where-Object { $_ } | ForEach-Object {
    if ($_.PSObject.Properties['ExpandedPath']) { Get-FailureLine $_ } else { '{0}: {1}' -f $_.Name, (@($_.ErrorRecord)[0].Exception.Message -split "`n")[0] }
})
[pscustomobject]@{
    Passed = $result.PassedCount
    Failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Skipped = $result.SkippedCount
    SkippedNames = @($skipped | ForEach-Object ExpandedPath)
    FailedNames = $failures
    SkippedIntegration = @($skipped | Where-Object { (Get-InheritedTag $_) -contains 'Integration' } | ForEach-Object ExpandedPath)
} | ConvertTo-Json | Set-Content $SummaryPath
