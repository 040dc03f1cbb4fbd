<#
.SYNOPSIS
    Shows StingOps on the fixture STING stack: the services, a plan, -WhatIf, a real health-gated restart
    with progress, a failure that is contained, the recorded metrics and the alert rules.
.DESCRIPTION
    The first run brings the fixture stack up on the local engine (a private copy of
    tests/fixtures/sting-stack, its own project name and ports); later runs reuse it and bring back whatever
    is not running. The stack stays up afterwards so you can try the cmdlets on it; -Cleanup removes
    everything the demo created (containers, volumes, the copy with its metrics) and runs nothing else.
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 Demo
.EXAMPLE
    dotnet pwsh ./build.ps1 Demo -Cleanup
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [switch] $Cleanup
)
$ErrorActionPreference = 'Stop'
# Shown in a terminal, the demo keeps pwsh's colours; written to a log, plain text (pwsh colours warnings and table
# headers with ANSI escapes even then). NO_COLOR=1 in the environment does the same, pwsh itself honours it.
if ([Console]::IsOutputRedirected) { $PSStyle.OutputRendering = 'PlainText' }
Import-Module (Join-Path $PSScriptRoot '../tests/pester/TestHelpers.psm1') -Force

function Step([string] $Title, [string] $Command) {
    Write-Host "`n=== $Title" -ForegroundColor Cyan
    if ($Command) { Write-Host "PS> $Command" -ForegroundColor DarkGray }
}

# Which copy is the demo's, across runs. The copy itself lives where the test helpers put theirs.
$stateHome = if ($env:XDG_STATE_HOME) { $env:XDG_STATE_HOME } else { Join-Path $HOME '.local/state' }
$stateFile = Join-Path $stateHome 'stingops-demo/project.json'
$project = if (Test-Path -LiteralPath $stateFile) { Get-Content -LiteralPath $stateFile -Raw | ConvertFrom-Json } else { $null }
if ($project -and -not (Test-Path -LiteralPath $project.ComposeFile)) {
    # The copy is gone (a reboot cleared /tmp): remove what may be left of it on the engine, start afresh.
    Remove-StingFixture -Project $project -WarningAction SilentlyContinue
    $project = $null
}

if ($Cleanup) {
    if ($project) {
        Step "Removing the demo stack $($project.ProjectName): containers, volumes, $($project.Directory)"
        Remove-StingFixture -Project $project
        Write-Host 'Done.'
    }
    else { Write-Host 'No demo stack to remove.' }
    Remove-Item -LiteralPath (Split-Path $stateFile) -Recurse -Force -ErrorAction SilentlyContinue
    return
}

Import-Module $ModulePath -Force
Initialize-StingFixtureImage | Out-Null
if (-not $project) {
    # Another owner host than this machine's: the test suites' sweep of abandoned stingtest-* projects
    # (owned by a pid that is gone) leaves the demo's alone; only -Cleanup removes it.
    $project = New-StingFixtureProject -OwnerHost "$([Environment]::MachineName)/stingops-demo"
    New-Item -ItemType Directory -Path (Split-Path $stateFile) -Force | Out-Null
    $project | ConvertTo-Json | Set-Content -LiteralPath $stateFile
}

$saved = @{ XDG_STATE_HOME = $env:XDG_STATE_HOME; STING_LOG_DIR = $env:STING_LOG_DIR }
# Lock, snapshots and metrics of the demo stay in its copy, and go with -Cleanup.
$env:XDG_STATE_HOME = Join-Path $project.Directory 'state'
$env:STING_LOG_DIR = Join-Path $project.Directory 'metrics'
$at = @{ ProjectDirectory = $project.Directory }
try {
    $down = @(Get-StingService @at | Where-Object { $_.Enabled -and ($_.State -ne 'Running' -or $_.Health -notin 'Healthy', 'None') })
    if ($down.Count) {
        Step "Bringing up the fixture STING stack $($project.ProjectName) (docker-compose up -d; $($down.Count) service(s) not up)"
        Start-StingFixture -Project $project -TimeoutSec 300 | Out-Null
    }
    else { Step "The fixture STING stack $($project.ProjectName) is up (in $($project.Directory))" }

    Step 'The services: the compose model joined with the live containers' 'Get-StingService'
    Get-StingService @at | Out-Host

    Step 'What restarting the database takes with it, in order (no engine contact)' 'Get-StingRestartPlan db -IncludeDependents'
    Get-StingRestartPlan db -IncludeDependents @at | Out-Host

    Step 'The whole plan, touching nothing: piped services form one plan' 'Get-StingService | Where-Object Enabled | Restart-StingService -WhatIf'
    Get-StingService @at | Where-Object Enabled | Restart-StingService @at -WhatIf

    Step 'A real restart: dependents stop first, each service starts the moment its own dependencies are ready' 'Restart-StingService -Confirm:$false'
    $clock = [Diagnostics.Stopwatch]::StartNew()
    Restart-StingService @at -Confirm:$false | Out-Host
    Write-Host ('Whole restart: {0:n1} s. The db start counter (kept in its volume) is {1}: its data survived.' -f
        $clock.Elapsed.TotalSeconds, (Get-StingFixtureDbStarts -Project $project))

    Step 'A service that never becomes healthy: it fails, its dependents are not started on top of it, other branches finish' 'Restart-StingService chroma, knowledge, redis -IncludeDependents -TimeoutSec 5'
    Set-StingFixtureKnob -Project $project -Service knowledge -NeverHealthy | Out-Null
    try {
        $contained = @(Restart-StingService chroma, knowledge, redis -IncludeDependents -TimeoutSec 5 @at -Confirm:$false -ErrorAction SilentlyContinue)
        $contained | Out-Host
        Write-Host "PS> `$results | Where-Object Status -eq Failed | Format-List Service, Message, Diagnostics" -ForegroundColor DarkGray
        $contained | Where-Object Status -eq Failed | Format-List Service, Message, Diagnostics | Out-Host
    }
    finally { Clear-StingFixtureKnob -Project $project | Out-Null }

    $report = Join-Path $project.Directory 'restart-report.html'
    Step 'That run as a picture: the dependency graph and a timeline, one bar per service' "`$results | Export-StingRestartReport -Path $report"
    $contained | Export-StingRestartReport -Path $report @at
    Write-Host "Open $report in a browser (one self-contained file: nothing in it is fetched)."

    Step 'Healing: knowledge is fixed, restart it and what depends on it' 'Restart-StingService knowledge -IncludeDependents'
    Restart-StingService knowledge -IncludeDependents @at -Confirm:$false | Out-Host

    Step 'What the runs recorded (restart_metrics.csv in the seed format, and JSON lines)' 'Get-StingRestartMetric -Summary'
    Get-StingRestartMetric -Summary | Out-Host

    Step 'The alert rules over the recorded restarts' 'Test-StingRestartAlert'
    $alerts = @(Test-StingRestartAlert)
    $alerts | Out-Host
    Write-Host 'PS> Test-StingRestartAlert | Where-Object Triggered | Format-List Rule, Message' -ForegroundColor DarkGray
    $alerts | Where-Object Triggered | Format-List Rule, Message | Out-Host

    Write-Host "`nThe stack stays up. Try it:" -ForegroundColor Cyan
    Write-Host "  cd $($project.Directory); Import-Module $ModulePath"
    Write-Host '  Get-StingService; Restart-StingService app -Verbose; Get-Help Restart-StingService -Examples'
    Write-Host '  Get-StingRestartPlan | ConvertTo-StingGraph; Export-StingRestartReport -Path ./report.html'
    Write-Host 'Remove everything the demo created: dotnet pwsh ./build.ps1 Demo -Cleanup'
}
finally {
    foreach ($name in $saved.Keys) {
        if ($null -eq $saved[$name]) { Remove-Item "Env:$name" -ErrorAction SilentlyContinue }
        else { Set-Item "Env:$name" $saved[$name] }
    }
}
