# Judging a restart from the engine's own event stream and the fixture's own account of its readiness,
# never from what the cmdlet (or its probes) says about itself.
Set-StrictMode -Version 3.0
Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1')

$script:SentinelLabel = 'com.stingops.capture-sentinel'
$script:FixtureImage = 'stingops-fixture:local'

function Send-CaptureSentinel {
    <# Creates (never starts) a container carrying the project's label and a unique sentinel label, so the
       capture has an event it must see; removed again as soon as it was seen. Returns the sentinel value. #>
    param([string] $ProjectName)
    $value = [guid]::NewGuid().ToString('N')
    $null = Invoke-StingFixtureDocker -ArgumentList 'create', '--name', "stingops-sentinel-$value", '--network', 'none', '--label', "com.docker.compose.project=$ProjectName",
        '--label', "$script:SentinelLabel=$value", '--label', "com.stingops.test-owner-pid=$PID", $script:FixtureImage -TimeoutSec 60
    $value
}

function Wait-CaptureSentinel {
    <# Waits (bounded) until the capture file holds the sentinel's create event; throws if it never does, or returns
       $false at the timeout with -NoThrow. #>
    param($Capture, [string] $Value, [int] $TimeoutSec = 60, [switch] $NoThrow)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while ([DateTime]::UtcNow -lt $deadline) {
        $text = [IO.File]::ReadAllText($Capture.File)
        if ($text.Contains($Value)) { return $true }
        if ($Capture.Process.HasExited) { throw "The docker events capture exited (code $($Capture.Process.ExitCode)) before its sentinel $Value arrived." }
        Start-Sleep -Milliseconds 50
    }
    if ($NoThrow) { return $false }
    throw "The docker events capture did not see its sentinel event $Value within ${TimeoutSec}s: it is not live."
}

function Start-StingEventCapture {
    <#
    .SYNOPSIS
        Starts recording the container events of one compose project, and proves the recording is live
        (a sentinel event must arrive) before returning. The engine keeps only its last ~256 events, and
        healthchecks make many, so events must be followed live, not asked for later.
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
    # Shared read, so the sentinel wait can read what the copy has written so far. Unbuffered (size 1), so that
    # only the copy's thread ever touches the stream: a flush from this thread beside the copy's writes once
    # garbled a line of the file.
    $stream = [IO.FileStream]::new($file, [IO.FileMode]::Create, [IO.FileAccess]::Write, [IO.FileShare]::ReadWrite, 1)
    $copy = $process.StandardOutput.BaseStream.CopyToAsync($stream)
    $capture = [pscustomobject]@{ Process = $process; File = $file; Stream = $stream; Copy = $copy; ProjectName = $ProjectName; Sentinels = [Collections.Generic.List[string]]::new() }
    try {
        # docker events follows from the moment it has subscribed, which a loaded machine may reach only after the
        # first sentinel was made: until one is seen, another is made every 5 s (within a minute).
        $live = $false
        for ($try = 0; $try -lt 12 -and -not $live; $try++) {
            $value = Send-CaptureSentinel -ProjectName $ProjectName
            $capture.Sentinels.Add($value)
            $live = Wait-CaptureSentinel -Capture $capture -Value $value -TimeoutSec 5 -NoThrow
        }
        if (-not $live) { throw "The docker events capture saw none of its $($capture.Sentinels.Count) sentinel events within a minute: it is not live." }
    }
    catch {
        Stop-CaptureProcess $capture
        throw
    }
    finally {
        # Gone before the run: a container of the project that no service owns must not be there for it to see.
        Remove-CaptureSentinel $capture
    }
    $capture
}

function Stop-CaptureProcess {
    param($Capture)
    if (-not $Capture.Process.HasExited) { $Capture.Process.Kill() }
    $Capture.Process.WaitForExit(5000) | Out-Null
    try { $Capture.Copy.Wait(5000) | Out-Null } catch { }
    $Capture.Stream.Dispose()
}

function Remove-CaptureSentinel {
    param($Capture)
    # By name: only this capture's sentinels (another capture may be running beside this one).
    $names = @($Capture.Sentinels | ForEach-Object { "stingops-sentinel-$_" })
    if ($names.Count) { $null = Invoke-StingFixtureDocker -ArgumentList (@('rm', '-f') + $names) -TimeoutSec 60 -AllowFailure }
    $Capture.Sentinels.Clear()
}

function Stop-StingEventCapture {
    <#
    .SYNOPSIS
        Stops a capture and returns its events, oldest first: Time, Project, Service, ContainerId, Action
        (without the health_status detail), Detail (the full action), ExitCode. Throws unless a second
        sentinel arrives first, which proves the capture stayed live to the end and holds every event
        the engine emitted before it. The sentinels themselves are not returned.
    #>
    param([Parameter(Mandatory)] $Capture)
    try {
        $value = Send-CaptureSentinel -ProjectName $Capture.ProjectName
        $Capture.Sentinels.Add($value)
        $null = Wait-CaptureSentinel -Capture $Capture -Value $value
    }
    finally {
        Stop-CaptureProcess $Capture
        Remove-CaptureSentinel $Capture
    }
    $text = [IO.File]::ReadAllText($Capture.File)
    Remove-Item $Capture.File -Force
    # The capture is killed once its sentinel arrived: an event it was writing just then (after the sentinel)
    # may be cut off, and is not one the check needs.
    $lines = @($text -split "`n")
    if (-not $text.EndsWith("`n")) { $lines = @($lines | Select-Object -SkipLast 1) }
    foreach ($line in $lines) {
        if (-not $line.Trim()) { continue }
        $e = $line | ConvertFrom-Json
        $attributes = $e.Actor.Attributes
        if ($attributes.PSObject.Properties[$script:SentinelLabel]) { continue }
        [pscustomobject]@{
            Time        = [DateTimeOffset]::FromUnixTimeMilliseconds([long]([decimal]$e.timeNano / 1000000))
            Project     = $attributes.'com.docker.compose.project'
            Service     = $attributes.'com.docker.compose.service'
            ContainerId = $e.Actor.ID
            Action      = ($e.Action -split ':')[0].Trim()
            Detail      = $e.Action
            ExitCode    = if ($attributes.PSObject.Properties['exitCode']) { [int]$attributes.exitCode } else { $null }
        }
    }
}

function Get-StingFixtureSignal {
    <#
    .SYNOPSIS
        What the fixture services say of themselves (image/sting-service.sh): one record per
        "sting-signal <unix time> started|ready|stopping" line in the logs of every container of the
        project: Service, ContainerId, Kind, Time. Oldest first.
    #>
    param([Parameter(Mandatory)][string] $ProjectName)
    $ps = Invoke-StingFixtureDocker -ArgumentList 'ps', '-a', '--no-trunc', '--filter', "label=com.docker.compose.project=$ProjectName",
        '--format', '{{.ID}} {{.Label "com.docker.compose.service"}}' -TimeoutSec 30
    $records = foreach ($line in ($ps.StdOut -split "`r?`n" | Where-Object { $_ })) {
        $id, $service = $line -split ' ', 2
        if (-not $service) { continue }
        # A container may be removed between ps and logs (a recreate); it then says nothing more.
        $logs = Invoke-StingFixtureDocker -ArgumentList 'logs', $id -TimeoutSec 30 -AllowFailure
        foreach ($l in ($logs.StdOut -split "`r?`n")) {
            if ($l -match '^sting-signal (\d+)\.(\d{6}) (started|ready|stopping)$') {
                $ms = [long]$Matches[1] * 1000 + [long]$Matches[2] / 1000
                [pscustomobject]@{ Service = $service; ContainerId = $id; Kind = $Matches[3]; Time = [DateTimeOffset]::FromUnixTimeMilliseconds([long][math]::Floor($ms)) }
            }
        }
    }
    @($records | Sort-Object Time)
}

function Get-StingOrderViolation {
    <#
    .SYNOPSIS
        Each start of a service (from the engine's events) at which one of its dependencies was not
        ready (service_healthy and short form) or not started (service_started).
    .DESCRIPTION
        A dependency's readiness comes from the fixture's own signals (Get-StingFixtureSignal): it is ready
        from a "ready" line until its next "started" or "stopping" line or the engine's next "die" of it.
        A dependency whose probe is "running" is ready from its start. A dependency with no such evidence
        before the start counts as not ready: a missing observation is a violation, never "up all along".
        One tolerance only: a dependency that was ready and died less than -DeathToleranceMs before the
        dependent's start event (the engine stamps "start" when the container runs: a few hundred ms after
        the start request alone, up to 1.9 s on the 2-core VM under a full restart's load) is not held
        against the dependent; the dependency itself is judged as usual.
    .PARAMETER Events
        Stop-StingEventCapture output of the run.
    .PARAMETER Plan
        Get-StingRestartPlan output (DependsOn, DependsOnCondition and the effective probe per service).
    .PARAMETER Signal
        Get-StingFixtureSignal output; read from the project of the events when not given.
    #>
    param(
        [Parameter(Mandatory)] [AllowEmptyCollection()] [object[]] $Events,
        [Parameter(Mandatory)] [object[]] $Plan,
        [object[]] $Signal,
        [string] $ProjectName,
        [int] $DeathToleranceMs = 2000
    )
    $starts = @($Events | Where-Object Action -eq 'start')
    if ($starts.Count -eq 0) { return }
    if (-not $PSBoundParameters.ContainsKey('Signal')) {
        if (-not $ProjectName) {
            $names = @($Events | ForEach-Object Project | Where-Object { $_ } | Sort-Object -Unique)
            if ($names.Count -ne 1) { throw "Get-StingOrderViolation: the events name $($names.Count) projects; pass -ProjectName." }
            $ProjectName = $names[0]
        }
        $Signal = Get-StingFixtureSignal -ProjectName $ProjectName
    }
    $steps = @{}
    foreach ($s in $Plan) { $steps[$s.Service] = $s }
    $dies = @($Events | Where-Object Action -eq 'die')

    # The moments a dependency became usable (ready, or started) and stopped being so, per service.
    function Interval([string] $service, [bool] $startedIsEnough) {
        $own = @($Signal | Where-Object Service -eq $service)
        $opens = @($own | Where-Object { $_.Kind -eq 'ready' -or ($startedIsEnough -and $_.Kind -eq 'started') })
        # service_started asks only that the engine started it: its own start event is that evidence, also for a
        # container killed before its entrypoint could write its "started" line (the soak's kill cycle).
        if ($startedIsEnough) { $opens += @($starts | Where-Object Service -eq $service | Select-Object Time, ContainerId) }
        foreach ($o in $opens) {
            $ends = @(@($own | Where-Object { $_.ContainerId -eq $o.ContainerId -and $_.Kind -in 'started', 'stopping' -and $_.Time -gt $o.Time } | ForEach-Object Time) +
                @($dies | Where-Object { $_.ContainerId -eq $o.ContainerId -and $_.Time -gt $o.Time } | ForEach-Object Time) | Sort-Object)
            [pscustomobject]@{ From = $o.Time; To = $(if ($ends.Count) { $ends[0] } else { $null }); EndedByDeath = $ends.Count -and @($dies | Where-Object { $_.ContainerId -eq $o.ContainerId -and $_.Time -eq $ends[0] }).Count -gt 0 }
        }
    }
    $tolerance = [TimeSpan]::FromMilliseconds($DeathToleranceMs)
    foreach ($start in $starts) {
        if (-not $steps.ContainsKey($start.Service)) { continue }
        $step = $steps[$start.Service]
        foreach ($dep in $step.DependsOn) {
            $condition = if ($step.DependsOnCondition) { [string]$step.DependsOnCondition[$dep] } else { '' }
            $depProbe = if ($steps.ContainsKey($dep)) { $steps[$dep].HealthCheck } else { '' }
            $startedIsEnough = $condition -eq 'service_started' -or $depProbe -eq 'running'
            $before = @(Interval $dep $startedIsEnough | Where-Object From -le $start.Time)
            $usable = @($before | Where-Object { $null -eq $_.To -or $_.To -ge $start.Time -or ($_.EndedByDeath -and $start.Time - $_.To -le $tolerance) })
            if ($usable.Count -eq 0) {
                $last = $before | Select-Object -Last 1
                [pscustomobject]@{
                    Service = $start.Service; Dependency = $dep; StartedAt = $start.Time
                    DependencyReadyAt = $(if ($last) { $last.From } else { $null }); DependencyUnreadyAt = $(if ($last) { $last.To } else { $null })
                }
            }
        }
    }
}

Export-ModuleMember -Function Start-StingEventCapture, Stop-StingEventCapture, Get-StingFixtureSignal, Get-StingOrderViolation
