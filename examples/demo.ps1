<#
.SYNOPSIS
    Shows StingOps on the fixture STING stack: list, plan, a real health-gated restart, a failure that is
    contained, and the recorded metrics. Leaves nothing behind.
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 Demo
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
Import-Module (Join-Path $PSScriptRoot '../tests/pester/TestHelpers.psm1') -Force

function Step([string] $title) { Write-Host "`n=== $title" -ForegroundColor Cyan }

Remove-StingFixtureLeftover | Out-Null
Initialize-StingFixtureImage | Out-Null
$project = New-StingFixtureProject
$env:XDG_STATE_HOME = Join-Path $project.Directory 'state'
$env:STING_LOG_DIR = Join-Path $project.Directory 'metrics'
$at = @{ ProjectDirectory = $project.Directory }
try {
    Step "Bringing up the fixture STING stack ($($project.ProjectName), docker-compose up)"
    Start-StingFixture -Project $project -TimeoutSec 180 | Out-Null

    Step 'Get-StingService: the compose model joined with the live containers'
    Get-StingService @at | Format-Table -AutoSize | Out-Host

    Step 'Get-StingRestartPlan -Name db -IncludeDependents: what restarting the database takes with it'
    Get-StingRestartPlan db -IncludeDependents @at | Format-Table -AutoSize | Out-Host

    Step 'Restart-StingService -WhatIf: the whole plan, touching nothing'
    Restart-StingService @at -WhatIf

    Step 'Restart-StingService: the whole project, dependents stopped first, each service started the moment its dependencies are ready'
    $clock = [Diagnostics.Stopwatch]::StartNew()
    Restart-StingService @at -Confirm:$false | Format-Table -AutoSize | Out-Host
    Write-Host ("Whole restart: {0:n1} s; db start counter (data kept in its volume): {1}" -f $clock.Elapsed.TotalSeconds, (Get-StingFixtureDbStarts -Project $project))

    Step 'A service that never becomes healthy: it fails, its dependents are not started on top of it, other branches finish'
    Set-StingFixtureKnob -Project $project -Service knowledge -NeverHealthy
    Restart-StingService chroma, knowledge, redis -IncludeDependents -TimeoutSec 5 @at -Confirm:$false -ErrorAction SilentlyContinue |
        Format-Table Service, Status, FailureReason, Message -AutoSize -Wrap | Out-Host
    Clear-StingFixtureKnob -Project $project

    Step 'Healing: restart knowledge and its dependents'
    Restart-StingService knowledge -IncludeDependents @at -Confirm:$false | Format-Table -AutoSize | Out-Host

    if (Get-Command Get-StingRestartMetric -ErrorAction SilentlyContinue) {
        Step 'Get-StingRestartMetric -Summary: what the runs above recorded'
        Get-StingRestartMetric -Summary | Format-Table -AutoSize | Out-Host
    }
}
finally {
    Step 'Removing the fixture project (containers and volumes)'
    Remove-StingFixture -Project $project
    Remove-Item Env:XDG_STATE_HOME, Env:STING_LOG_DIR -ErrorAction SilentlyContinue
}
