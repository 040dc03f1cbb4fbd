# Judging a restart from the engine's own event stream, not from what the cmdlet says about itself.
Set-StrictMode -Version 3.0

function Start-StingEventCapture {
    <#
    .SYNOPSIS
        Starts recording the container events of one compose project. The engine keeps only its last
        ~256 events, and healthchecks make many, so events must be followed live, not asked for later.
    #>
    param([Parameter(Mandatory)][string] $ProjectName)
    $file = [IO.Path]::GetTempFileName()
    $psi = [Diagnostics.ProcessStartInfo]::new('docker')
    foreach ($a in 'events', '--filter', "label=com.docker.compose.project=$ProjectName", '--filter', 'type=container', '--format', '{{json .}}') {
        $psi.ArgumentList.Add($a)
    }
    $psi.RedirectStandardOutput = $true
    $psi.UseShellExecute = $false
    $process = [Diagnostics.Process]::Start($psi)
    $writer = [IO.StreamWriter]::new($file)
    $copy = $process.StandardOutput.BaseStream.CopyToAsync($writer.BaseStream)
    # docker events answers once subscribed; a short pause makes sure the stream is live before acting.
    Start-Sleep -Milliseconds 500
    [pscustomobject]@{ Process = $process; File = $file; Writer = $writer; Copy = $copy }
}

function Stop-StingEventCapture {
    <#
    .SYNOPSIS
        Stops a capture and returns its events, oldest first: Time, Service, Action (without the
        health_status detail), Detail (the full action), ExitCode.
    #>
    param([Parameter(Mandatory)] $Capture)
    Start-Sleep -Milliseconds 500
    $Capture.Process.Kill()
    $Capture.Process.WaitForExit(5000) | Out-Null
    try { $Capture.Copy.Wait(5000) | Out-Null } catch { }
    $Capture.Writer.Dispose()
    $lines = Get-Content $Capture.File
    Remove-Item $Capture.File -Force
    foreach ($line in $lines) {
        if (-not $line) { continue }
        $e = $line | ConvertFrom-Json
        $attributes = $e.Actor.Attributes
        [pscustomobject]@{
            Time     = [DateTimeOffset]::FromUnixTimeMilliseconds([long]([decimal]$e.timeNano / 1000000))
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
        $starts = @($byService[$service] | Where-Object Action -eq 'start')
        if ($starts.Count) { $starts[-1].Time } else { $null }
    }
    function FirstStart($service) {
        if (-not $byService -or -not $byService.ContainsKey($service)) { return $null }
        $starts = @($byService[$service] | Where-Object Action -eq 'start')
        if ($starts.Count) { $starts[0].Time } else { $null }
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
            if ($null -eq (LastStart $dep)) {
                # Never started in the window: it was up all along, unless the window saw it go down.
                $down = $byService -and $byService.ContainsKey($dep) -and @($byService[$dep] | Where-Object Action -in 'die', 'stop', 'kill').Count
                if ($down) { [pscustomobject]@{ Service = $step.Service; Dependency = $dep; StartedAt = $start; DependencyReadyAt = $null } }
                continue
            }
            # service_started needs only a start of the dependency before it (a later retry of the dependency is fine).
            $depReady = if ($step.DependsOnCondition[$dep] -eq 'service_started') { FirstStart $dep } else { ReadyAt $steps[$dep] }
            if ($null -eq $depReady -or $start -lt $depReady) {
                [pscustomobject]@{ Service = $step.Service; Dependency = $dep; StartedAt = $start; DependencyReadyAt = $depReady }
            }
        }
    }
}

Export-ModuleMember -Function Start-StingEventCapture, Stop-StingEventCapture, Get-StingOrderViolation
