#Requires -Version 7.2
<#
.SYNOPSIS
    StingOps benchmarks against baselines measured in the same run, interleaved and repeated.
.DESCRIPTION
    restart    full restart of the fixture stack: Restart-StingService vs (A) the leg's compose restart
               (docker compose v2, or docker-compose v1 on the legacy leg) + polling docker inspect every
               250 ms until all healthy, (B) wave-by-wave docker restart polling health once a second,
               (E, v2 only) docker compose stop + up -d --wait, compose's own ordered health-gated path,
               (C) the critical path from the start-up delays; plus the
               scheduler's reaction time (dependency ready -> dependent start) from live engine events.
    repair     from the stack up in the worst order (every container started by hand, dependents first: a reboot,
               made repeatable) to all ready and in order: Repair-StingService vs (E) docker compose stop +
               up -d --wait, compose's way to an ordered start, and (U) up -d --wait alone, which only waits;
               each with the order violations it leaves (from the fixture's own ready lines). v2 only.
    readiness  one service restarted by Restart-StingService: its ReadyAt - (start + delay) vs docker's
               own health_status: healthy event - (start + delay), both from the same restart.
    startup    fresh pwsh: Import-Module + first Get-StingService vs compose ps (and a bare pwsh);
               warm Get-StingService in one session vs the docker ps CLI.
    planning   Get-StingRestartPlan over a generated 2,000-service project (cold in a fresh pwsh, warm
               in-process) vs compose config -q on the same file.

    The machine may be loaded: every figure is a ratio against a baseline from the same run, orders
    are rotated each repetition, medians are reported. Nothing here asserts on a time.
.EXAMPLE
    dotnet pwsh ./build.ps1 Bench
.EXAMPLE
    dotnet pwsh bench/Invoke-Bench.ps1 -ModulePath module/StingOps/StingOps.psd1 -Repeat 5 -Only restart, readiness
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string] $ModulePath,
    [ValidateRange(1, 50)][int] $Repeat = 3,
    [ValidateSet('restart', 'repair', 'readiness', 'startup', 'planning')][string[]] $Only,
    [string] $ResultPath,
    # Services in the generated planning project.
    [ValidateRange(10, 100000)][int] $PlanningServices = 2000
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$ModulePath = (Resolve-Path $ModulePath).Path
$Root = Split-Path -Parent $PSScriptRoot
if (-not $ResultPath) { $ResultPath = Join-Path $PSScriptRoot ("results/bench-{0:yyyyMMddTHHmmssZ}.json" -f [DateTime]::UtcNow) }
Import-Module $ModulePath -Force
Import-Module (Join-Path $PSScriptRoot 'BenchCommon.psm1') -Force
Import-Module (Join-Path $Root 'tests/pester/TestHelpers.psm1') -Force
Import-Module (Join-Path $Root 'tests/pester/RestartAssertions.psm1') -Force
$Invariant = [System.Globalization.CultureInfo]::InvariantCulture
$selected = if ($Only) { $Only } else { @('restart', 'repair', 'readiness', 'startup', 'planning') }

$facts = Get-BenchMachineFacts -ModulePath $ModulePath
Write-Host ("Machine: {0} CPU(s), load {1}, engine {2}, compose {3}, pwsh {4}, StingOps {5} ({6})" -f $facts.Nproc,
    ($facts.LoadAverageBefore -join ' '), $facts.Engine, $facts.Compose, $facts.PowerShell, $facts.Module, $facts.Commit)

$rows = [System.Collections.Generic.List[object]]::new()
$benchmarks = [ordered]@{}

function Add-Row {
    param([string] $Benchmark, [string] $Measure, [double] $Median, [string] $Unit, [string] $Versus = '', $Ratio = $null, [string] $Goal = '', $Met = $null)
    $rows.Add([pscustomobject]@{
            Benchmark = $Benchmark; Measure = $Measure
            Median    = "$(Format-BenchNumber $Median $(if ($Unit -in 'ms', '%') { '0' } else { '0.00' })) $Unit"
            Versus    = $Versus
            Ratio     = if ($null -eq $Ratio) { '' } else { (Format-BenchNumber $Ratio '0.00') + 'x' }
            Goal      = $Goal
            Met       = if ($null -eq $Met) { '' } elseif ($Met) { 'yes' } else { 'NO' }
        })
}

function New-Measurement {
    param([string] $Name, [string] $Unit, [double[]] $Samples, [string] $Note = '')
    [ordered]@{ Name = $Name; Unit = $Unit; Samples = @($Samples | ForEach-Object { [math]::Round($_, 3) }); Median = [math]::Round((Get-BenchMedian $Samples), 3); Note = $Note }
}

function Get-Rotation {
    param([object[]] $Items, [int] $Round)
    $k = $Round % $Items.Count
    @($Items[$k..($Items.Count - 1)]) + @(if ($k -gt 0) { $Items[0..($k - 1)] })
}

function Invoke-Compose {
    <# The leg's compose CLI (docker compose v2, or docker-compose v1 on the legacy leg) on the fixture project. #>
    param($Project, [string[]] $Arguments, [int] $TimeoutSec = 300, [switch] $AllowFailure)
    $cli = Get-StingComposeCli
    Invoke-BenchProcess $cli[0] -ArgumentList (@($cli | Select-Object -Skip 1) + @('--project-directory', $Project.Directory, '-p', $Project.ProjectName, '-f', $Project.ComposeFile) + $Arguments) `
        -WorkingDirectory $Project.Directory -TimeoutSec $TimeoutSec -AllowFailure:$AllowFailure
}
# compose's own ordered, health-gated path (stop, then up --wait) exists only in v2.
$ComposeName = (Get-StingComposeCli) -join ' '
$ComposeHasWait = $ComposeName -eq 'docker compose'

#region restart: full restart of the fixture stack

function Invoke-WaveRestart {
    <# Baseline B: per wave, docker restart its containers in parallel, then poll health once a second. #>
    param([object[]] $Plan, [hashtable] $IdByService)
    foreach ($wave in ($Plan | Group-Object Wave | Sort-Object { [int]$_.Name })) {
        $ids = @($wave.Group | ForEach-Object { $IdByService[$_.Service] })
        $procs = foreach ($id in $ids) {
            $psi = [System.Diagnostics.ProcessStartInfo]::new('docker')
            foreach ($a in 'restart', '-t', '10', $id) { $psi.ArgumentList.Add($a) }
            $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true; $psi.UseShellExecute = $false
            [System.Diagnostics.Process]::Start($psi)
        }
        foreach ($p in $procs) {
            try {
                if (-not $p.WaitForExit(120000)) { $p.Kill($true); throw 'docker restart timed out after 120 s' }
                $p.WaitForExit()
                if ($p.ExitCode -ne 0) { throw "docker restart exited $($p.ExitCode): $($p.StandardError.ReadToEnd())" }
            }
            finally { $p.Dispose() }
        }
        $null = Wait-BenchHealthy -ContainerId $ids -PollMs 1000 -TimeoutSec 300
    }
}

function Invoke-RestartBenchmark {
    param($Project)
    $plan = @(Get-StingRestartPlan -ProjectDirectory $Project.Directory)
    $containers = @(Get-StingFixtureContainer -Project $Project)
    $idByService = @{}; $delay = @{}
    foreach ($c in $containers) {
        $idByService[$c.Service] = $c.Id
        foreach ($e in @($c.Inspect.Config.Env)) { if ($e -match '^STING_STARTUP_DELAY=([\d.]+)$') { $delay[$c.Service] = [double]::Parse($Matches[1], $Invariant) } }
    }
    $ids = @($plan | ForEach-Object { $idByService[$_.Service] })
    $cp = Get-BenchCriticalPath -Plan $plan -Delay $delay
    $cpAll = Get-BenchCriticalPath -Plan $plan -Delay $delay -AllDelays
    Write-Host ("restart: {0} services; critical path {1:0.00} s (ends at {2}; {3:0.00} s counting the start-up delay of 'running'-probed services too)" -f $plan.Count, $cp.Seconds, $cp.EndsAt, $cpAll.Seconds)
    $latency = Measure-BenchEngineLatency -ContainerId $idByService[$cp.EndsAt]
    $floor = Get-BenchCriticalPath -Plan $plan -Delay $delay -StopSeconds $latency.StopSeconds -StartSeconds $latency.StartSeconds
    Write-Host ("restart: one container alone stops in {0:0} ms and starts in {1:0} ms; ordered-restart floor D {2:0.00} s (critical path plus those, step by step)" -f ($latency.StopSeconds * 1000), ($latency.StartSeconds * 1000), $floor.Seconds)

    $samples = @{ ours = [System.Collections.Generic.List[double]]::new(); oursHealthy = [System.Collections.Generic.List[double]]::new(); A = [System.Collections.Generic.List[double]]::new(); B = [System.Collections.Generic.List[double]]::new(); E = [System.Collections.Generic.List[double]]::new() }
    $gaps = [System.Collections.Generic.List[object]]::new()
    $phases = [System.Collections.Generic.List[object]]::new()
    $problems = [System.Collections.Generic.List[string]]::new()
    # How busy the machine is with the healthy stack alone (its own healthchecks), and during each method's run.
    $null = Wait-BenchHealthy -ContainerId $ids -PollMs 250 -TimeoutSec 300
    $idle = Start-BenchMeter; Start-Sleep -Seconds 5; $idleBusy = (Stop-BenchMeter $idle).Busy
    $busy = @{ ours = [System.Collections.Generic.List[double]]::new(); A = [System.Collections.Generic.List[double]]::new(); B = [System.Collections.Generic.List[double]]::new(); E = [System.Collections.Generic.List[double]]::new() }
    $methods = @('ours', 'A', 'B') + @(if ($ComposeHasWait) { 'E' })
    for ($r = 0; $r -lt $Repeat; $r++) {
        foreach ($method in (Get-Rotation $methods $r)) {
            $null = Wait-BenchHealthy -ContainerId $ids -PollMs 250 -TimeoutSec 300   # untimed: every method starts from a healthy stack
            switch ($method) {
                'ours' {
                    $capture = Start-StingEventCapture -ProjectName $Project.ProjectName
                    try {
                        $runStart = [DateTimeOffset]::UtcNow
                        $meter = Start-BenchMeter
                        # -Debug lines say when each start request went out (the scheduler's reaction, below).
                        $debugLines = [System.Collections.Generic.List[string]]::new()
                        $results = @(& { $DebugPreference = 'Continue'; Restart-StingService -ProjectDirectory $Project.Directory -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable errs } 5>&1 |
                                ForEach-Object { if ($_ -is [System.Management.Automation.DebugRecord]) { $debugLines.Add($_.Message) } else { $_ } })
                        $run = Stop-BenchMeter $meter; $ms = $run.Ms
                        if ($null -ne $run.Busy) { $busy.ours.Add($run.Busy) }
                        $healthyMs = $ms + (Wait-BenchHealthy -ContainerId $ids -PollMs 250 -TimeoutSec 300)
                    }
                    finally { $events = @(Stop-StingEventCapture $capture) }
                    $bad = @($results | Where-Object Status -ne 'Succeeded')
                    if ($results.Count -ne $plan.Count -or $bad.Count) {
                        $problems.Add("round $($r + 1): $($results.Count) results, not succeeded: $(($bad | ForEach-Object { "$($_.Service)=$($_.Status) $($_.Message)" }) -join '; ')")
                    }
                    $violations = @(Get-StingOrderViolation -Events $events -Plan $plan)
                    if ($violations.Count) { $problems.Add("round $($r + 1): order violations: $(($violations | ForEach-Object { "$($_.Service) before $($_.Dependency)" }) -join ', ')") }
                    $requests = Get-BenchStartRequest -DebugLine $debugLines -IdByService $idByService -RunStart $runStart
                    foreach ($g in @(Get-BenchDependencyGap -Events $events -Plan $plan -StartRequest $requests)) { $g | Add-Member Round ($r + 1); $gaps.Add($g) }
                    # Where the time went, from the engine events: stop phase, start phase, exec_die count (our probes + docker healthchecks).
                    $firstStart = @($events | Where-Object Action -eq 'start' | Sort-Object Time | Select-Object -First 1)
                    $dies = @($events | Where-Object { $_.Action -eq 'die' -and (-not $firstStart -or $_.Time -le $firstStart[0].Time) } | Sort-Object Time)
                    $readies = @($plan | ForEach-Object { (Get-BenchReadyAt -Events $events -Step $_).Ready } | Where-Object { $_ } | Sort-Object)
                    $phases.Add([ordered]@{
                            Round = $r + 1
                            FirstStopDoneMs = if ($dies.Count) { [math]::Round(($dies[0].Time - $runStart).TotalMilliseconds) } else { $null }
                            StopPhaseMs = if ($dies.Count) { [math]::Round(($dies[-1].Time - $runStart).TotalMilliseconds) } else { $null }
                            FirstStartMs = if ($firstStart) { [math]::Round(($firstStart[0].Time - $runStart).TotalMilliseconds) } else { $null }
                            LastReadyMs = if ($readies.Count) { [math]::Round(($readies[-1] - $runStart).TotalMilliseconds) } else { $null }
                            ExecDieEvents = @($events | Where-Object Action -eq 'exec_die').Count
                        })
                    $samples.ours.Add($ms); $samples.oursHealthy.Add($healthyMs)
                    Write-Host ("  round {0} ours: {1:0} ms (all docker-healthy at {2:0} ms)" -f ($r + 1), $ms, $healthyMs)
                }
                'A' {
                    $meter = Start-BenchMeter
                    $null = Invoke-Compose -Project $Project -Arguments 'restart'
                    $null = Wait-BenchHealthy -ContainerId $ids -PollMs 250 -TimeoutSec 300
                    $run = Stop-BenchMeter $meter
                    $samples.A.Add($run.Ms); if ($null -ne $run.Busy) { $busy.A.Add($run.Busy) }
                    Write-Host ("  round {0} A ({1} restart + poll 250 ms): {2:0} ms" -f ($r + 1), $ComposeName, $samples.A[-1])
                }
                'E' {
                    $meter = Start-BenchMeter
                    $null = Invoke-Compose -Project $Project -Arguments 'stop'
                    $null = Invoke-Compose -Project $Project -Arguments 'up', '-d', '--wait', '--wait-timeout', '300' -TimeoutSec 360
                    $null = Wait-BenchHealthy -ContainerId $ids -PollMs 250 -TimeoutSec 300
                    $run = Stop-BenchMeter $meter
                    $samples.E.Add($run.Ms); if ($null -ne $run.Busy) { $busy.E.Add($run.Busy) }
                    Write-Host ("  round {0} E ({1} stop + up -d --wait): {2:0} ms" -f ($r + 1), $ComposeName, $samples.E[-1])
                }
                'B' {
                    $meter = Start-BenchMeter
                    Invoke-WaveRestart -Plan $plan -IdByService $idByService
                    $run = Stop-BenchMeter $meter
                    $samples.B.Add($run.Ms); if ($null -ne $run.Busy) { $busy.B.Add($run.Busy) }
                    Write-Host ("  round {0} B (wave by wave, poll 1 s): {1:0} ms" -f ($r + 1), $samples.B[-1])
                }
            }
        }
    }
    $mOurs = Get-BenchMedian $samples.ours; $mHealthy = Get-BenchMedian $samples.oursHealthy
    $mA = Get-BenchMedian $samples.A; $mB = Get-BenchMedian $samples.B
    $cpMs = $cp.Seconds * 1000
    # Ratios per round (same round = closest in time), then their median.
    $perRound = { param($x, $y) Get-BenchMedian @(for ($i = 0; $i -lt [math]::Min($x.Count, $y.Count); $i++) { $x[$i] / $y[$i] }) }
    $rA = & $perRound $samples.ours $samples.A; $rB = & $perRound $samples.ours $samples.B
    $rE = if ($samples.E.Count) { & $perRound $samples.ours $samples.E } else { $null }
    $rAh = & $perRound $samples.oursHealthy $samples.A; $rBh = & $perRound $samples.oursHealthy $samples.B
    $gapMs = @($gaps | ForEach-Object GapMs)
    $mGap = Get-BenchMedian $gapMs
    $requestGapMs = @($gaps | Where-Object { $null -ne $_.RequestGapMs } | ForEach-Object RequestGapMs)
    $mRequestGap = Get-BenchMedian $requestGapMs
    $p90 = { param($v) if ($v.Count) { Format-BenchNumber ($v | Sort-Object)[[int][math]::Floor(0.9 * ($v.Count - 1))] '0' } else { 'n/a' } }

    Add-Row restart 'ours / critical path' $mOurs ms "C: critical path $(Format-BenchNumber $cpMs '0') ms" ($mOurs / $cpMs) '<= 1.15x' (($mOurs / $cpMs) -le 1.15)
    Add-Row restart 'ours / floor' $mOurs ms "D: critical path + engine stop/start steps $(Format-BenchNumber ($floor.Seconds * 1000) '0') ms" ($mOurs / ($floor.Seconds * 1000)) $null $null
    Add-Row restart 'ours / A' $mOurs ms "A: $ComposeName restart + poll 250 ms, $(Format-BenchNumber $mA '0') ms" $rA '< 1x' ($rA -lt 1)
    Add-Row restart 'ours / B' $mOurs ms "B: wave by wave, poll 1 s, $(Format-BenchNumber $mB '0') ms" $rB '< 1x' ($rB -lt 1)
    if ($null -ne $rE) { Add-Row restart 'ours / E' $mOurs ms "E: $ComposeName stop + up -d --wait, $(Format-BenchNumber (Get-BenchMedian $samples.E) '0') ms" $rE '< 1x' ($rE -lt 1) }
    Add-Row restart 'ours until all docker-healthy / A' $mHealthy ms 'A' $rAh '< 1x' ($rAh -lt 1)
    Add-Row restart 'ours until all docker-healthy / B' $mHealthy ms 'B' $rBh '< 1x' ($rBh -lt 1)
    # The goal judges the scheduler: ready -> its start request. The start event comes only when the engine has
    # started the container, one start's latency later (measured alone above), which no scheduler can shorten.
    Add-Row restart 'dependency ready -> dependent start request' $mRequestGap ms "n=$($requestGapMs.Count); p90 $(& $p90 $requestGapMs) ms" $null '< 150 ms' ($mRequestGap -lt 150)
    $pct = { param($v) if ($null -eq $v) { 'n/a' } else { '{0:0}%' -f (100 * $v) } }
    if ($busy.ours.Count) { Add-Row restart 'machine CPU busy during ours' (100 * (Get-BenchMedian $busy.ours)) '%' "idle stack $(& $pct $idleBusy); A $(& $pct (Get-BenchMedian $busy.A)); B $(& $pct (Get-BenchMedian $busy.B))" $null $null $null }
    Add-Row restart 'dependency ready -> dependent start event' $mGap ms "n=$($gapMs.Count); p90 $(& $p90 $gapMs) ms; one start alone $(Format-BenchNumber ($latency.StartSeconds * 1000) '0') ms" $null $null $null

    [ordered]@{
        Services           = $plan.Count
        StartupDelays      = $delay
        CriticalPath       = [ordered]@{ Seconds = $cp.Seconds; EndsAt = $cp.EndsAt; SecondsCountingRunningProbeDelays = $cpAll.Seconds; Definition = 'start(s)=max over deps of ready(d) [service_healthy] or start(d) [service_started]; ready(s)=start(s)+STING_STARTUP_DELAY(s), start(s) for a running probe; no stop time, no engine latency' }
        EngineLatency      = [ordered]@{ StopSeconds = $latency.StopSeconds; StartSeconds = $latency.StartSeconds; Stops = $latency.Stops; Starts = $latency.Starts; FloorSeconds = $floor.Seconds; Definition = 'one container stopped and started alone via the Engine API (curl); floor D: stopped(s)=max over planned dependents of stopped(d)+stop; start(s)=max(stopped(s), dependencies)+start; ready as for C' }
        CpuBusy            = [ordered]@{ IdleStack = $idleBusy; Ours = @($busy.ours); A = @($busy.A); B = @($busy.B); E = @($busy.E); Definition = 'share of all cores busy (/proc/stat) during the timed part of each run; IdleStack: 5 s with the healthy stack alone' }
        Measurements       = @(
            New-Measurement 'ours' ms $samples.ours 'Restart-StingService -Confirm:$false wall time, in-process'
            New-Measurement 'oursUntilDockerHealthy' ms $samples.oursHealthy 'ours, then polling docker inspect every 250 ms until all healthy'
            New-Measurement 'A' ms $samples.A "$ComposeName restart, then polling docker inspect every 250 ms until all healthy"
            New-Measurement 'E' ms $samples.E "$ComposeName stop, then $ComposeName up -d --wait (compose's own ordered, health-gated start; v2 only)"
            New-Measurement 'B' ms $samples.B 'per wave (Get-StingRestartPlan): parallel docker restart, poll health every 1 s until the wave is healthy'
            New-Measurement 'dependencyReadyToDependentStartRequest' ms $requestGapMs 'the start request (Restart-StingService -Debug: when the call went out) - its last dependency ready (engine events: exec_die 0 / health_status healthy) or started'
            New-Measurement 'dependencyReadyToDependentStart' ms $gapMs 'engine events: dependent start - its last dependency ready (exec_die 0 / health_status healthy) or started'
        )
        Ratios             = [ordered]@{ OursOverCriticalPath = $mOurs / $cpMs; OursOverFloor = $mOurs / ($floor.Seconds * 1000); OursOverA = $rA; OursOverB = $rB; OursOverE = $rE; OursHealthyOverA = $rAh; OursHealthyOverB = $rBh }
        Goals              = [ordered]@{ WithinCriticalPath115 = ($mOurs / $cpMs) -le 1.15; FasterThanA = $rA -lt 1; FasterThanB = $rB -lt 1; ReactionUnder150ms = $mRequestGap -lt 150 }
        Phases             = @($phases)
        Gaps               = @($gaps | ForEach-Object { [ordered]@{ Round = $_.Round; Service = $_.Service; Dependency = $_.Dependency; GapMs = [math]::Round($_.GapMs, 1); RequestGapMs = if ($null -ne $_.RequestGapMs) { [math]::Round($_.RequestGapMs, 1) } } })
        Problems           = @($problems)
    }
    foreach ($p in $problems) { Write-Warning "restart: $p" }
}

#endregion

#region repair: from the worst start order to all ready and in order

function Set-BenchWorstOrder {
    # A reboot, made repeatable: every container stopped, then started by hand, dependents first.
    param([object[]] $Plan, [hashtable] $IdByService)
    $null = Invoke-StingFixtureDocker -ArgumentList (@('stop', '-t', '10') + @($Plan | ForEach-Object { $IdByService[$_.Service] })) -TimeoutSec 180
    foreach ($s in @($Plan | Sort-Object Wave -Descending)) { $null = Invoke-StingFixtureDocker -ArgumentList 'start', $IdByService[$s.Service] -TimeoutSec 60 }
}

function Get-BenchStateOrderViolation {
    <# Each running service whose current start came before one of its dependencies was ready in its current start
       (the fixture's own "ready" line), or started (service_started, or a dependency probed as "running"). #>
    param($Project, [object[]] $Plan)
    $signal = @(Get-StingFixtureSignal -ProjectName $Project.ProjectName)
    $now = @{}; foreach ($c in Get-StingFixtureContainer -Project $Project) { $now[$c.Service] = $c }
    $steps = @{}; foreach ($s in $Plan) { $steps[$s.Service] = $s }
    foreach ($s in $Plan) {
        $c = $now[$s.Service]
        if (-not $c -or $c.State -ne 'running') { continue }
        $started = [DateTimeOffset]$c.Inspect.State.StartedAt
        foreach ($dep in @($s.DependsOn)) {
            $d = $now[$dep]
            if (-not $d -or $d.State -ne 'running') { "$($s.Service) on a stopped $dep"; continue }
            $depStarted = [DateTimeOffset]$d.Inspect.State.StartedAt
            $condition = if ($s.DependsOnCondition) { [string]$s.DependsOnCondition[$dep] } else { '' }
            $ready = if ($condition -eq 'service_started' -or $steps[$dep].HealthCheck -eq 'running') { $depStarted }
            else { @($signal | Where-Object { $_.ContainerId -eq $d.Id -and $_.Kind -eq 'ready' -and $_.Time -ge $depStarted } | ForEach-Object Time | Sort-Object)[0] }
            if ($null -eq $ready -or $started -lt $ready) { "$($s.Service) before $dep" }
        }
    }
}

function Invoke-RepairBenchmark {
    param($Project)
    if (-not $ComposeHasWait) { throw "repair compares with compose's up --wait, which $ComposeName does not have (v2 only)" }
    $plan = @(Get-StingRestartPlan -ProjectDirectory $Project.Directory)
    $idByService = @{}; foreach ($c in Get-StingFixtureContainer -Project $Project) { $idByService[$c.Service] = $c.Id }
    $ids = @($plan | ForEach-Object { $idByService[$_.Service] })
    $samples = @{ ours = [System.Collections.Generic.List[double]]::new(); E = [System.Collections.Generic.List[double]]::new(); U = [System.Collections.Generic.List[double]]::new() }
    $left = @{ ours = [System.Collections.Generic.List[int]]::new(); E = [System.Collections.Generic.List[int]]::new(); U = [System.Collections.Generic.List[int]]::new() }
    $problems = [System.Collections.Generic.List[string]]::new()
    for ($r = 0; $r -lt $Repeat; $r++) {
        foreach ($method in (Get-Rotation @('ours', 'E', 'U') $r)) {
            $null = Wait-BenchHealthy -ContainerId $ids -PollMs 250 -TimeoutSec 300
            Set-BenchWorstOrder -Plan $plan -IdByService $idByService   # untimed: the state every method starts from
            $meter = Start-BenchMeter
            switch ($method) {
                'ours' {
                    $results = @(Repair-StingService -ProjectDirectory $Project.Directory -Confirm:$false -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
                    $bad = @($results | Where-Object Status -notin 'Succeeded', 'Started', 'AlreadyRunning')
                    if ($bad.Count) { $problems.Add("round $($r + 1): $(($bad | ForEach-Object { "$($_.Service)=$($_.Status) $($_.Message)" }) -join '; ')") }
                }
                'E' {
                    $null = Invoke-Compose -Project $Project -Arguments 'stop'
                    $null = Invoke-Compose -Project $Project -Arguments 'up', '-d', '--wait', '--wait-timeout', '300' -TimeoutSec 360
                }
                'U' { $null = Invoke-Compose -Project $Project -Arguments 'up', '-d', '--wait', '--wait-timeout', '300' -TimeoutSec 360 }
            }
            # The same end for all: every container running and docker-healthy.
            $null = Wait-BenchHealthy -ContainerId $ids -PollMs 250 -TimeoutSec 300
            $samples[$method].Add((Stop-BenchMeter $meter).Ms)
            $violations = @(Get-BenchStateOrderViolation -Project $Project -Plan $plan)
            $left[$method].Add($violations.Count)
            if ($method -ne 'U' -and $violations.Count) { $problems.Add("round $($r + 1) ${method}: out of order after it: $($violations -join ', ')") }
            Write-Host ("  round {0} {1}: {2:0} ms to all healthy, {3} order violation(s) left" -f ($r + 1), $method, $samples[$method][-1], $violations.Count)
        }
    }
    $perRound = { param($x, $y) Get-BenchMedian @(for ($i = 0; $i -lt [math]::Min($x.Count, $y.Count); $i++) { $x[$i] / $y[$i] }) }
    $rE = & $perRound $samples.ours $samples.E; $rU = & $perRound $samples.ours $samples.U
    $mOurs = Get-BenchMedian $samples.ours
    Add-Row repair 'ours / E' $mOurs ms "E: $ComposeName stop + up -d --wait, $(Format-BenchNumber (Get-BenchMedian $samples.E) '0') ms" $rE '< 1x' ($rE -lt 1)
    Add-Row repair 'ours / U' $mOurs ms "U: $ComposeName up -d --wait, $(Format-BenchNumber (Get-BenchMedian $samples.U) '0') ms; leaves $(Get-BenchMedian @($left.U)) violation(s)" $rU $null $null
    Add-Row repair 'order violations left by ours' (Get-BenchMedian @($left.ours)) '' "E: $(Get-BenchMedian @($left.E)); U: $(Get-BenchMedian @($left.U))" $null '0' ((@($left.ours) | Measure-Object -Maximum).Maximum -eq 0)
    foreach ($p in $problems) { Write-Warning "repair: $p" }
    [ordered]@{
        Services     = $plan.Count
        Start        = 'every container stopped, then started by hand in reverse dependency order (untimed)'
        End          = 'every container running and docker-healthy (polled every 250 ms)'
        Measurements = @(
            New-Measurement 'ours' ms $samples.ours 'Repair-StingService -Confirm:$false in-process, then until all docker-healthy'
            New-Measurement 'E' ms $samples.E "$ComposeName stop, then $ComposeName up -d --wait, then until all docker-healthy"
            New-Measurement 'U' ms $samples.U "$ComposeName up -d --wait alone (waits; restarts nothing), then until all docker-healthy"
        )
        ViolationsLeft = [ordered]@{ Ours = @($left.ours); E = @($left.E); U = @($left.U) }
        Ratios       = [ordered]@{ OursOverE = $rE; OursOverU = $rU }
        Goals        = [ordered]@{ FasterThanE = $rE -lt 1; InOrder = (@($left.ours) | Measure-Object -Maximum).Maximum -eq 0 }
        Problems     = @($problems)
    }
}

#endregion

#region readiness: one service, our ReadyAt vs docker's health_status

function Invoke-ReadinessBenchmark {
    param($Project, [string] $Service = 'chroma')
    $c = Get-StingFixtureContainer -Project $Project -Service $Service
    $delay = 0.0
    foreach ($e in @($c.Inspect.Config.Env)) { if ($e -match '^STING_STARTUP_DELAY=([\d.]+)$') { $delay = [double]::Parse($Matches[1], $Invariant) } }
    $interval = $c.Inspect.Config.Healthcheck.Interval / 1e6
    $ours = [System.Collections.Generic.List[double]]::new(); $docker = [System.Collections.Generic.List[double]]::new()
    $n = [math]::Max($Repeat, 5)
    Write-Host "readiness: $Service (start-up delay $delay s, docker healthcheck interval $interval ms), $n restarts"
    for ($i = 0; $i -lt $n; $i++) {
        $null = Wait-BenchHealthy -ContainerId $c.Id -TimeoutSec 120
        $capture = Start-StingEventCapture -ProjectName $Project.ProjectName
        try {
            $result = Restart-StingService $Service -ProjectDirectory $Project.Directory -Confirm:$false
            # Then wait for docker's own verdict on the same start (bounded).
            $null = Wait-BenchHealthy -ContainerId $c.Id -PollMs 100 -TimeoutSec 120
        }
        finally { $events = @(Stop-StingEventCapture $capture) }
        $state = Get-BenchContainerState -ContainerId $c.Id
        $start = $state.StartedAt
        $healthy = @($events | Where-Object { $_.Service -eq $Service -and $_.Detail -eq 'health_status: healthy' -and $_.Time -ge $start })
        if ($result.Status -ne 'Succeeded' -or -not $result.ReadyAt -or $healthy.Count -eq 0) {
            Write-Warning "readiness round $($i + 1): status $($result.Status), ReadyAt $($result.ReadyAt), healthy events $($healthy.Count)"
            continue
        }
        $expected = $start.AddSeconds($delay)
        $ours.Add(($result.ReadyAt - $expected).TotalMilliseconds)
        $docker.Add(($healthy[0].Time - $expected).TotalMilliseconds)
        Write-Host ("  round {0}: ours +{1:0} ms, docker health_status +{2:0} ms after start+delay" -f ($i + 1), $ours[-1], $docker[-1])
    }
    $mo = Get-BenchMedian $ours; $md = Get-BenchMedian $docker
    Add-Row readiness "ReadyAt - (start + $delay s), $Service" $mo ms "docker healthy event: $(Format-BenchNumber $md '0') ms" ($mo / $md) '< 1x' ($mo -lt $md)
    [ordered]@{
        Service = $Service; StartupDelaySeconds = $delay; DockerHealthIntervalMs = $interval
        Measurements = @(
            New-Measurement 'ours' ms $ours 'RestartResult.ReadyAt - (container State.StartedAt + delay)'
            New-Measurement 'docker' ms $docker 'health_status: healthy event - (State.StartedAt + delay), same restart'
        )
        Ratio = $mo / $md
    }
}

#endregion

#region startup: import + first call in a fresh pwsh; warm calls

function Invoke-StartupBenchmark {
    param($Project)
    $pwsh = (Get-Process -Id $PID).Path
    $pwshArgs = if ((Split-Path -Leaf $pwsh) -like 'dotnet*') { @('pwsh', '-NoProfile', '-NonInteractive', '-c') } else { @('-NoProfile', '-NonInteractive', '-c') }
    $ours = "Import-Module '$ModulePath'; `$null = Get-StingService -ProjectDirectory '$($Project.Directory)'"
    $samples = @{ bare = [System.Collections.Generic.List[double]]::new(); ours = [System.Collections.Generic.List[double]]::new(); compose = [System.Collections.Generic.List[double]]::new() }
    $n = [math]::Max($Repeat, 3)
    Write-Host "startup: $n rounds of (bare pwsh, pwsh + Import-Module + Get-StingService, compose ps), rotated"
    for ($r = 0; $r -lt $n; $r++) {
        foreach ($m in (Get-Rotation @('bare', 'ours', 'compose') $r)) {
            $ms = switch ($m) {
                'bare' { (Invoke-BenchProcess $pwsh -ArgumentList ($pwshArgs + 'exit 0') -TimeoutSec 300).Ms }
                'ours' { (Invoke-BenchProcess $pwsh -ArgumentList ($pwshArgs + $ours) -TimeoutSec 300).Ms }
                'compose' { (Invoke-Compose -Project $Project -Arguments 'ps').Ms }
            }
            $samples[$m].Add($ms)
        }
        Write-Host ("  round {0}: bare pwsh {1:0} ms, ours {2:0} ms, compose ps {3:0} ms" -f ($r + 1), $samples.bare[-1], $samples.ours[-1], $samples.compose[-1])
    }
    # Warm: in this session (module loaded, engine connection made), interleaved with the docker ps CLI.
    $null = Get-StingService -ProjectDirectory $Project.Directory
    $warm = [System.Collections.Generic.List[double]]::new(); $cli = [System.Collections.Generic.List[double]]::new()
    for ($i = 0; $i -lt 20; $i++) {
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $null = Get-StingService -ProjectDirectory $Project.Directory
        $warm.Add($clock.Elapsed.TotalMilliseconds)
        $cli.Add((Invoke-BenchProcess docker -ArgumentList 'ps', '-a', '--filter', "label=com.docker.compose.project=$($Project.ProjectName)" -TimeoutSec 60).Ms)
    }
    $mb = Get-BenchMedian $samples.bare; $mo = Get-BenchMedian $samples.ours; $mc = Get-BenchMedian $samples.compose
    $mw = Get-BenchMedian $warm; $mcli = Get-BenchMedian $cli
    Add-Row startup 'fresh pwsh: import + Get-StingService' $mo ms "compose ps $(Format-BenchNumber $mc '0') ms" ($mo / $mc) '' $null
    Add-Row startup '  of which beyond a bare pwsh' ($mo - $mb) ms "bare pwsh $(Format-BenchNumber $mb '0') ms" (($mo - $mb) / $mc) '' $null
    Add-Row startup 'warm Get-StingService (median of 20)' $mw ms "docker ps CLI $(Format-BenchNumber $mcli '0') ms" ($mw / $mcli) '< 100 ms' ($mw -lt 100)
    [ordered]@{
        Measurements = @(
            New-Measurement 'barePwsh' ms $samples.bare "$pwsh $($pwshArgs -join ' ') 'exit 0'"
            New-Measurement 'pwshImportGetStingService' ms $samples.ours $ours
            New-Measurement 'dockerComposePs' ms $samples.compose "$ComposeName ps on the same project"
            New-Measurement 'warmGetStingService' ms $warm 'in-process, module loaded'
            New-Measurement 'dockerPsCli' ms $cli 'docker ps -a --filter label=<project>, interleaved with the warm calls'
        )
        Ratios = [ordered]@{ FreshOverComposePs = $mo / $mc; FreshBeyondBarePwshOverComposePs = ($mo - $mb) / $mc; WarmOverDockerPsCli = $mw / $mcli }
        Goals = [ordered]@{ WarmUnder100ms = $mw -lt 100 }
    }
}

#endregion

#region planning: 2,000 services

function Invoke-PlanningBenchmark {
    $dir = Join-Path ([System.IO.Path]::GetTempPath()) ("stingbench-plan-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    try {
        $gen = & (Join-Path $PSScriptRoot 'New-BigComposeProject.ps1') -Directory $dir -Count $PlanningServices
        Write-Host ("planning: {0} services, {1} dependency edges, {2} profiled, {3:n0} KB" -f $gen.Services, $gen.Edges, $gen.Profiled, ($gen.Bytes / 1KB))
        $pwsh = (Get-Process -Id $PID).Path
        $pwshArgs = if ((Split-Path -Leaf $pwsh) -like 'dotnet*') { @('pwsh', '-NoProfile', '-NonInteractive', '-c') } else { @('-NoProfile', '-NonInteractive', '-c') }
        $script = @"
`$sw = [Diagnostics.Stopwatch]::StartNew(); Import-Module '$ModulePath'; `$import = `$sw.Elapsed.TotalMilliseconds
`$sw.Restart(); `$p = @(Get-StingRestartPlan -ComposeFile '$($gen.Path)'); `$cold = `$sw.Elapsed.TotalMilliseconds
'RESULT {0:0.0} {1:0.0} {2}' -f `$import, `$cold, `$p.Count
"@
        $import = [System.Collections.Generic.List[double]]::new(); $cold = [System.Collections.Generic.List[double]]::new()
        $child = [System.Collections.Generic.List[double]]::new(); $compose = [System.Collections.Generic.List[double]]::new()
        $steps = 0
        for ($r = 0; $r -lt $Repeat; $r++) {
            foreach ($m in (Get-Rotation @('ours', 'compose') $r)) {
                if ($m -eq 'ours') {
                    $res = Invoke-BenchProcess $pwsh -ArgumentList ($pwshArgs + $script) -TimeoutSec 600
                    if ($res.StdOut -notmatch 'RESULT ([\d.]+) ([\d.]+) (\d+)') { throw "planning child printed no result: $($res.StdOut) $($res.StdErr)" }
                    $import.Add([double]::Parse($Matches[1], $Invariant)); $cold.Add([double]::Parse($Matches[2], $Invariant)); $steps = [int]$Matches[3]
                    $child.Add($res.Ms)
                }
                else {
                    $cli = Get-StingComposeCli
                    $compose.Add((Invoke-BenchProcess $cli[0] -ArgumentList (@($cli | Select-Object -Skip 1) + '-f', $gen.Path, 'config', '-q') -WorkingDirectory $dir -TimeoutSec 900).Ms)
                }
            }
            Write-Host ("  round {0}: fresh pwsh {1:0} ms (import {2:0} ms, first Get-StingRestartPlan {3:0} ms), compose config -q {4:0} ms" -f ($r + 1), $child[-1], $import[-1], $cold[-1], $compose[-1])
        }
        $warm = [System.Collections.Generic.List[double]]::new()
        $null = Get-StingRestartPlan -ComposeFile $gen.Path
        for ($i = 0; $i -lt 7; $i++) {
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            $null = Get-StingRestartPlan -ComposeFile $gen.Path
            $warm.Add($clock.Elapsed.TotalMilliseconds)
        }
        $mCold = Get-BenchMedian $cold; $mWarm = Get-BenchMedian $warm; $mCompose = Get-BenchMedian $compose; $mChild = Get-BenchMedian $child
        Add-Row planning "Get-StingRestartPlan cold (first call, $($gen.Services) svc)" $mCold ms "compose config -q $(Format-BenchNumber $mCompose '0') ms" ($mCold / $mCompose) '< 1000 ms' ($mCold -lt 1000)
        Add-Row planning 'Get-StingRestartPlan warm (median of 7)' $mWarm ms 'compose config -q' ($mWarm / $mCompose) '< 1000 ms' ($mWarm -lt 1000)
        Add-Row planning 'whole fresh pwsh (start+import+plan)' $mChild ms 'compose config -q' ($mChild / $mCompose) '' $null
        [ordered]@{
            Generated = $gen; PlannedSteps = $steps
            Measurements = @(
                New-Measurement 'importInFreshPwsh' ms $import 'Import-Module in a fresh pwsh'
                New-Measurement 'coldFirstPlan' ms $cold 'first Get-StingRestartPlan -ComposeFile big.yml in that pwsh'
                New-Measurement 'freshPwshTotal' ms $child 'whole child pwsh process wall time'
                New-Measurement 'warmPlan' ms $warm 'Get-StingRestartPlan in this session, after one call'
                New-Measurement 'composeConfigQ' ms $compose 'docker-compose -f big.yml config -q'
            )
            Ratios = [ordered]@{ ColdOverCompose = $mCold / $mCompose; WarmOverCompose = $mWarm / $mCompose; FreshPwshOverCompose = $mChild / $mCompose }
            Goals = [ordered]@{ ColdUnder1s = $mCold -lt 1000; WarmUnder1s = $mWarm -lt 1000 }
        }
    }
    finally { Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue }
}

#endregion

$project = $null
$failed = [System.Collections.Generic.List[string]]::new()
$savedEnv = @{ XDG_STATE_HOME = $env:XDG_STATE_HOME; STING_LOG_DIR = $env:STING_LOG_DIR }
try {
    if ($selected | Where-Object { $_ -in 'restart', 'repair', 'readiness', 'startup' }) {
        $null = Remove-StingFixtureLeftover
        $null = Initialize-StingFixtureImage
        $project = New-StingFixtureProject
        Write-Host "Fixture project $($project.ProjectName) in $($project.Directory); starting it..."
        Start-StingFixture -Project $project -TimeoutSec 600 | Out-Null
        # Locks and metrics of this run stay in the run's own directory.
        $env:XDG_STATE_HOME = Join-Path $project.Directory 'state'
        $env:STING_LOG_DIR = Join-Path $project.Directory 'metrics'
    }
    foreach ($name in $selected) {
        try {
            $benchmarks[$name] = switch ($name) {
                'restart' { Invoke-RestartBenchmark -Project $project }
                'repair' { Invoke-RepairBenchmark -Project $project }
                'readiness' { Invoke-ReadinessBenchmark -Project $project }
                'startup' { Invoke-StartupBenchmark -Project $project }
                'planning' { Invoke-PlanningBenchmark }
            }
        }
        catch {
            $failed.Add("${name}: $($_.Exception.Message)")
            $benchmarks[$name] = [ordered]@{ Error = $_.Exception.Message; At = $_.InvocationInfo.PositionMessage }
            Write-Warning "Benchmark $name failed: $($_.Exception.Message)`n$($_.InvocationInfo.PositionMessage)"
        }
    }
}
finally {
    if ($project) { Remove-StingFixture -Project $project }
    foreach ($k in $savedEnv.Keys) { if ($null -eq $savedEnv[$k]) { Remove-Item "Env:$k" -ErrorAction SilentlyContinue } else { Set-Item "Env:$k" $savedEnv[$k] } }
}

$facts.LoadAverageAfter = Get-BenchLoadAverage
$result = [ordered]@{
    Kind = 'StingOps.Bench'; Utc = [DateTime]::UtcNow.ToString('o'); Repeat = $Repeat
    Machine = $facts; Benchmarks = $benchmarks
    Table = @($rows); Failed = @($failed)
}
$path = Save-BenchResult -Result $result -Path $ResultPath
Write-Host ''
Write-Host ("Machine: {0} CPU(s); load average before {1}, after {2}; engine {3}; docker-compose {4}" -f $facts.Nproc, ($facts.LoadAverageBefore -join ' '), ($facts.LoadAverageAfter -join ' '), $facts.Engine, $facts.Compose)
$rows | Format-Table -AutoSize -Wrap | Out-String -Width 220 | Write-Host
Write-Host "Result: $path"
if ($failed.Count) { Write-Host "Failed benchmarks: $($failed -join '; ')"; exit 1 }
