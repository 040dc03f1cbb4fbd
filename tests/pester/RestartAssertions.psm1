# Judging a restart from the engine's own event stream, not from what the cmdlet says about itself.
Set-StrictMode -Version 3.0

function Get-StingEngineEvent {
    <#
    .SYNOPSIS
        The container events of one compose project between two times, oldest first:
        Time (DateTimeOffset, ns precision kept as ticks), Service, Action, ExitCode.
    #>
    param(
        [Parameter(Mandatory)][string] $ProjectName,
        [Parameter(Mandatory)][DateTimeOffset] $Since,
        [DateTimeOffset] $Until = [DateTimeOffset]::UtcNow.AddSeconds(1)
    )
    $lines = & docker events --since $Since.ToUnixTimeSeconds() --until ($Until.ToUnixTimeSeconds() + 1) `
        --filter "label=com.docker.compose.project=$ProjectName" --filter 'type=container' --format '{{json .}}'
    if ($LASTEXITCODE -ne 0) { throw "docker events failed ($LASTEXITCODE)" }
    foreach ($line in $lines) {
        if (-not $line) { continue }
        $e = $line | ConvertFrom-Json
        $time = [DateTimeOffset]::FromUnixTimeMilliseconds([long]($e.timeNano / 1000000))
        if ($time -lt $Since) { continue }
        $attributes = $e.Actor.Attributes
        [pscustomobject]@{
            Time     = $time
            Service  = $attributes.'com.docker.compose.service'
            Action   = ($e.Action -split ':')[0].Trim()
            Detail   = $e.Action
            ExitCode = if ($attributes.PSObject.Properties['exitCode']) { [int]$attributes.exitCode } else { $null }
        }
    }
}

function Get-StingOrderViolation {
    <#
    .SYNOPSIS
        Each service that the engine started before one of its service_healthy dependencies was ready.
        Ready = the dependency's first passing probe (exec exit 0, or docker's health_status: healthy)
        after its last start in the window; for a "running" probe, its start.
    .PARAMETER Plan
        Get-StingRestartPlan output (gives DependsOn and the effective probe per service).
    #>
    param(
        [Parameter(Mandatory)] [object[]] $Events,
        [Parameter(Mandatory)] [object[]] $Plan
    )
    $byService = $Events | Group-Object Service -AsHashTable
    function LastStart($service) {
        if (-not $byService -or -not $byService.ContainsKey($service)) { return $null }
        @($byService[$service] | Where-Object Action -eq 'start')[-1].Time
    }
    function ReadyAt($step) {
        $start = LastStart $step.Service
        if ($null -eq $start) { return $null }
        if ($step.HealthCheck -eq 'running') { return $start }
        $passed = @($byService[$step.Service] | Where-Object {
                $_.Time -ge $start -and (($_.Action -eq 'exec_die' -and $_.ExitCode -eq 0) -or $_.Detail -eq 'health_status: healthy')
            })
        if ($passed.Count) { $passed[0].Time } else { $null }
    }
    $steps = @{}
    foreach ($s in $Plan) { $steps[$s.Service] = $s }
    foreach ($step in $Plan) {
        $start = LastStart $step.Service
        if ($null -eq $start) { continue }
        foreach ($dep in $step.DependsOn) {
            if (-not $steps.ContainsKey($dep)) { continue }
            $depReady = if ($step.DependsOnCondition[$dep] -eq 'service_started') { LastStart $dep } else { ReadyAt $steps[$dep] }
            if ($null -eq $depReady -or $start -lt $depReady) {
                [pscustomobject]@{ Service = $step.Service; Dependency = $dep; StartedAt = $start; DependencyReadyAt = $depReady }
            }
        }
    }
}

Export-ModuleMember -Function Get-StingEngineEvent, Get-StingOrderViolation
