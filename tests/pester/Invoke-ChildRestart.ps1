#Requires -Version 7.2
<#
.SYNOPSIS
    One Restart-StingService in a process of its own, so a soak or a test can kill it (SIGKILL) or give
    it another engine endpoint. Writes what the run said to -OutputPath as JSON when it ends: results,
    error ids, warnings and verbose lines (a killed run writes nothing: that is the point).
#>
param(
    [Parameter(Mandatory)][string] $ModulePath,
    [Parameter(Mandatory)][string] $ProjectDirectory,
    [Parameter(Mandatory)][string] $OutputPath,
    [int] $TimeoutSec = 0,
    # Services to restart (comma-separated); default: the whole project.
    [string] $Name,
    # A Swarm stack deployed from the project's files (-StackName).
    [string] $StackName
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$run = @{ ProjectDirectory = $ProjectDirectory; Confirm = $false; ErrorAction = 'SilentlyContinue'; ErrorVariable = 'failures'; WarningVariable = 'warnings'; Verbose = $true }
if ($TimeoutSec -gt 0) { $run.TimeoutSec = $TimeoutSec }
if ($Name) { $run.Name = $Name -split ',' }
if ($StackName) { $run.StackName = $StackName }
$failures = $null; $warnings = $null; $terminating = $null
# Verbose lines go to stream 4; collect them beside the results instead of printing them.
try { $all = @(Restart-StingService @run 4>&1) }
catch { $all = @(); $terminating = [ordered]@{ Id = $_.FullyQualifiedErrorId; Message = $_.Exception.Message } }
$verbose = @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
$results = @($all | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] } | ForEach-Object {
        [ordered]@{
            Service = $_.Service; Status = [string]$_.Status; FailureReason = [string]$_.FailureReason; Attempts = $_.Attempts
            ReadyAt = $(if ($_.ReadyAt) { $_.ReadyAt.ToString('o') }); Message = $_.Message
        }
    })
[ordered]@{
    Results  = $results
    Errors   = @(@($failures | ForEach-Object { [ordered]@{ Id = $_.FullyQualifiedErrorId; Message = $_.Exception.Message } }) + @($terminating | Where-Object { $_ }))
    Warnings = @($warnings | ForEach-Object Message)
    Verbose  = $verbose
} | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $OutputPath -Encoding utf8
