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
    cold       a cold scheduled run, in CPU seconds (user + system of the process tree, bash's `times`): fresh pwsh +
               Import-Module + Get-StingService, and fresh pwsh + Import-Module + Restart-StingService redis, each beyond
               a bare pwsh of the same round; issue 17's goals: <= 0.5 s and <= 0.8 s beyond it.
    planning   Get-StingRestartPlan over a generated 2,000-service project (cold in a fresh pwsh, warm
               in-process) vs compose config -q on the same file.
    sting      the restart benchmark on the fixture with STING-CE's healthcheck timings (overlay
               tests/fixtures/sting-stack/docker-compose.sting-intervals.yml, 5-45 s intervals; every compose call and
               cmdlet gets both files): ours vs (A2) docker compose restart, (A1) docker-compose restart, each + polling
               until all healthy, (E) v2 stop + up -d --wait, (B) wave by wave polling every 5 s as STING's script does,
               (C) critical path, (D) floor.
    single     Restart-StingService app (the plan: app alone) vs the leg's compose restart app, each until the same
               containers are docker-healthy; on today's fixture and with the STING-interval overlay.
    swarm      Restart-StingService -StackName on a three-node swarm (tools/swarm-nodes.sh; the swarm fixture spread
               over the nodes) vs (L) a plain loop of docker service update --force over the services, (P) every
               service force-updated at once (--detach) until converged, and (C) the critical path over our own
               per-service update times; order violations of each from every node's events (bench/SwarmBench.ps1).
    restart, sting and single also count our probe execs per run (from the -Debug trace) and the engine's exec_die
    events during each run of every method (from a live event capture).
    restart and sting run ours twice per round: 'ours' on a fresh, empty STING_LOG_DIR (no history) and 'oursLearnt' on
    one seeded by 3 untimed warm-up restarts and growing; each with its 'Probes:' -Debug tally and its readiness latency
    (ReadyAt - (StartedAt + STING_STARTUP_DELAY)); issue 17's goal: probes oursLearnt/ours <= 0.5x, latency <= 150 ms.

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
    # Names, or one comma-separated argument as a shell passes `-Only sting,single` to pwsh -File.
    [ValidateScript({ @($_ -split ',' | ForEach-Object Trim | Where-Object { $_ -notin 'restart', 'repair', 'readiness', 'startup', 'cold', 'planning', 'sting', 'single', 'swarm' }).Count -eq 0 },
        ErrorMessage = "'{0}' is not among restart, repair, readiness, startup, cold, planning, sting, single, swarm.")][string[]] $Only,
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
. (Join-Path $PSScriptRoot 'SwarmBench.ps1')
$Invariant = [System.Globalization.CultureInfo]::InvariantCulture
$selected = if ($Only) { @($Only | ForEach-Object { $_ -split ',' } | ForEach-Object Trim | Where-Object { $_ }) } else { @('restart', 'repair', 'readiness', 'startup', 'cold', 'planning', 'sting', 'single', 'swarm') }

$facts = Get-BenchMachineFacts -ModulePath $ModulePath
Write-Host ("Machine: {0} CPU(s), load {1}, engine {2}, compose {3}, pwsh {4}, StingOps {5} ({6})" -f $facts.Nproc,
    ($facts.LoadAverageBefore -join ' '), $facts.Engine, $facts.Compose, $facts.PowerShell, $facts.Module, $facts.Commit)

$rows = [System.Collections.Generic.List[object]]::new()
$benchmarks = [ordered]@{}

function Add-Row {
    param([string] $Benchmark, [string] $Measure, [double] $Median, [string] $Unit, [string] $Versus = '', $Ratio = $null, [string] $Goal = '', $Met = $null)
    $rows.Add([pscustomobject]@{
            Benchmark = $Benchmark; Measure = $Measure
            Median    = "$(Format-BenchNumber $Median $(if ($Unit -in 'ms', '%') { '0' } elseif ($Unit -in 'execs', 'events', 'probes') { '0.#' } else { '0.00' })) $Unit"
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
    <# A compose CLI on the fixture project with every compose file the project has (-f a -f b, merged in order):
       the leg's (docker compose v2, or docker-compose v1 on the legacy leg) unless -Cli names another. #>
    param($Project, [string[]] $Arguments, [int] $TimeoutSec = 300, [switch] $AllowFailure, [string[]] $Cli)
    if (-not $Cli) { $Cli = Get-StingComposeCli }
    $files = @(foreach ($f in @($Project.ComposeFile)) { '-f'; $f })
    Invoke-BenchProcess $Cli[0] -ArgumentList (@($Cli | Select-Object -Skip 1) + @('--project-directory', $Project.Directory, '-p', $Project.ProjectName) + $files + $Arguments) `
        -WorkingDirectory $Project.Directory -TimeoutSec $TimeoutSec -AllowFailure:$AllowFailure
}
# compose's own ordered, health-gated path (stop, then up --wait) exists only in v2.
$ComposeName = (Get-StingComposeCli) -join ' '
$ComposeHasWait = $ComposeName -eq 'docker compose'
# Both generations, for the sting benchmark's A2 (v2) and A1 (v1) baselines.
$HasComposeV2 = (Invoke-BenchProcess docker -ArgumentList 'compose', 'version' -TimeoutSec 30 -AllowFailure).ExitCode -eq 0
$HasComposeV1 = [bool](Get-Command 'docker-compose' -CommandType Application -ErrorAction SilentlyContinue)

function Get-OursProject {
    <# The cmdlets' project parameters: the directory and every compose file the fixture's containers were made from. #>
    param($Project)
    @{ ProjectDirectory = $Project.Directory; ComposeFile = [string[]]@($Project.ComposeFile) }
}

#region fixture variants: today's fixture (2 s healthchecks) or with STING's intervals (overlay)

$script:FixtureVariant = $null   # the variant the live containers were made from
$script:Variants = @{}

function Use-FixtureVariant {
    <# The project object of a variant ('fixture': docker-compose.yml; 'sting': plus docker-compose.sting-intervals.yml).
       When the live containers were made from the other variant, `up -d` with the variant's files recreates them
       (their healthchecks changed) and waits until all are healthy: untimed, before any benchmark of it. #>
    param([ValidateSet('fixture', 'sting')][string] $Variant)
    $p = $script:Variants[$Variant]
    if ($script:FixtureVariant -ne $Variant) {
        Write-Host "Fixture: bringing $($p.ProjectName) to the '$Variant' compose files ($((@($p.ComposeFile) | ForEach-Object { Split-Path -Leaf $_ }) -join ' + '))..."
        Start-StingFixture -Project $p -TimeoutSec 900 | Out-Null
        $script:FixtureVariant = $Variant
    }
    $p
}

#endregion

#region probe counting: our execs from the -Debug trace, the engine's execs from its events

function Get-BenchProbeCount {
    <# Our exec calls in one run, from the cmdlet's -Debug lines ('engine: exec <id12> [<argv>] (timeout Ns) -> exit N
       (M ms from HH:mm:ss.fff)'): every exec the module ran (readiness probes, and the prerequisite check's probes of
       dependencies; the fixture has no lifecycle hooks), per service, and how many of them were the in-container poll
       loop (one exec that repeats the test every 100 ms). #>
    param([string[]] $DebugLine = @(), [Parameter(Mandatory)][hashtable] $IdByService)
    $serviceById = @{}; foreach ($s in $IdByService.Keys) { $serviceById[$IdByService[$s].Substring(0, 12)] = $s }
    $per = [ordered]@{}; $total = 0; $polls = 0
    foreach ($line in $DebugLine) {
        if ($line -notmatch '^engine: exec ([0-9a-f]{12}) \[') { continue }
        $total++
        if ($line.Contains('__stingops_poll__')) { $polls++ }
        $svc = if ($serviceById.ContainsKey($Matches[1])) { $serviceById[$Matches[1]] } else { $Matches[1] }
        $per[$svc] = 1 + $(if ($per.Contains($svc)) { $per[$svc] } else { 0 })
    }
    [ordered]@{ Execs = $total; PollLoops = $polls; PerService = $per }
}

function Get-BenchExecLoad {
    <# The engine's exec load between From and To, from captured events: exec_die (every exec that ended: docker's
       healthchecks and our probes alike), and exec_create split by command: ours (the poll loop's marker) and the
       rest (docker's healthchecks; a single-exec probe of ours would count here too). #>
    param([object[]] $Events = @(), [DateTimeOffset] $From, [DateTimeOffset] $To)
    $in = @($Events | Where-Object { $_.Time -ge $From -and $_.Time -le $To })
    $creates = @($in | Where-Object Action -eq 'exec_create')
    $oursCreated = @($creates | Where-Object { $_.Detail -like '*__stingops_poll__*' }).Count
    [ordered]@{
        ExecDie = @($in | Where-Object Action -eq 'exec_die').Count
        ExecCreateOurs = $oursCreated; ExecCreateOther = $creates.Count - $oursCreated
        WindowMs = [math]::Round(($To - $From).TotalMilliseconds)
    }
}

function Get-BenchProbeSummary {
    <# Medians over runs of Get-BenchProbeCount results: per restart, per planned service, per named service. #>
    param([object[]] $Counts = @(), [Parameter(Mandatory)][string[]] $Service)
    $perService = [ordered]@{}
    foreach ($s in $Service) { $perService[$s] = Get-BenchMedian @($Counts | ForEach-Object { if ($_.PerService.Contains($s)) { $_.PerService[$s] } else { 0 } }) }
    $others = @($Counts | ForEach-Object { $_.PerService.Keys } | Where-Object { $_ -notin $Service } | Sort-Object -Unique)
    foreach ($s in $others) { $perService[$s] = Get-BenchMedian @($Counts | ForEach-Object { if ($_.PerService.Contains($s)) { $_.PerService[$s] } else { 0 } }) }
    [ordered]@{
        MedianExecsPerRestart = Get-BenchMedian @($Counts | ForEach-Object Execs)
        MedianExecsPerPlannedService = Get-BenchMedian @($Counts | ForEach-Object { $_.Execs / [math]::Max(1, $Service.Count) })
        MedianPollLoopsPerRestart = Get-BenchMedian @($Counts | ForEach-Object PollLoops)
        MedianPerService = $perService
        PerRun = @($Counts)
        Definition = "exec calls in the cmdlet's -Debug trace ('engine: exec <id12> [argv] ...'): readiness probes and the prerequisite check's probes of dependencies; PollLoops: those that were the in-container poll loop (one exec repeating the test every 100 ms until it passes, up to 3 s)"
    }
}

#endregion

#region restart: full restart of the fixture stack

function Invoke-WaveRestart {
    <# Baseline B: per wave, docker restart its containers in parallel, then poll health every -PollMs until the wave is healthy. #>
    param([object[]] $Plan, [hashtable] $IdByService, [int] $PollMs = 1000, [int] $TimeoutSec = 300)
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
        $null = Wait-BenchHealthy -ContainerId $ids -PollMs $PollMs -TimeoutSec $TimeoutSec
    }
}

# The restart benchmark's goals (method -> ratio bound); Key names the goal in the JSON's Goals, when it has one there.
$RestartGoals = [ordered]@{
    C = @{ Text = '<= 1.15x'; Max = 1.15; Strict = $false; Key = 'WithinCriticalPath115' }
    A = @{ Text = '< 1x'; Max = 1; Strict = $true; Key = 'FasterThanA' }
    B = @{ Text = '< 1x'; Max = 1; Strict = $true; Key = 'FasterThanB' }
    E = @{ Text = '< 1x'; Max = 1; Strict = $true }
    'healthy:A' = @{ Text = '< 1x'; Max = 1; Strict = $true }
    'healthy:B' = @{ Text = '< 1x'; Max = 1; Strict = $true }
}
# Issue 17: where STING's intervals make docker's health verdicts late, active readiness should win by far.
$StingGoals = [ordered]@{
    D = @{ Text = '<= 1.15x'; Max = 1.15; Strict = $false; Key = 'OursOverFloorAtMost115' }
    A2 = @{ Text = '<= 0.2x'; Max = 0.2; Strict = $false; Key = 'OursOverA2AtMost020' }
    E = @{ Text = '<= 0.05x'; Max = 0.05; Strict = $false; Key = 'OursOverEAtMost005' }
}

function Test-BenchGoal {
    param($Goal, $Ratio)
    if ($null -eq $Goal -or $null -eq $Ratio -or [double]::IsNaN([double]$Ratio)) { return $null }
    if ($Goal.Strict) { $Ratio -lt $Goal.Max } else { $Ratio -le $Goal.Max }
}

function Invoke-RestartBenchmark {
    <# The full restart against baselines, interleaved, rotated; one function for `restart` (today's fixture) and
       `sting` (the fixture with STING's healthcheck intervals): the project's compose files, B's poll, the baselines
       and the goals are its parameters. #>
    param(
        $Project,
        # The rows' benchmark name.
        [string] $Name = 'restart',
        # Among A (the leg's compose restart), A2 (docker compose v2 restart), A1 (docker-compose v1 restart), B (wave by
        # wave), E (the leg's stop + up -d --wait, v2 only); a baseline whose CLI is missing is left out.
        [string[]] $Baselines = @('A', 'B', 'E'),
        # The baselines "ours until all docker-healthy" is also compared with.
        [string[]] $HealthyVersus = @('A', 'B'),
        # B's health poll: 1 s in the restart benchmark; STING's shell restart polls every 5 s.
        [int] $WavePollMs = 1000,
        # The bound of every wait for health and of every compose call (docker calls a service healthy an interval after its start).
        [int] $WaitTimeoutSec = 300,
        [System.Collections.IDictionary] $Goal = $RestartGoals,
        # Measure one stop and start for D on the container with the shortest healthcheck interval (the waits between
        # the measurements are docker-healthy waits), instead of the one where the critical path ends.
        [switch] $LatencyOnShortestInterval,
        # Untimed whole-stack restarts that seed oursLearnt's history before round 1 (the module learns from 3 recorded starts).
        [ValidateRange(0, 20)][int] $WarmupRestarts = 3
    )
    $ours = Get-OursProject $Project
    $plan = @(Get-StingRestartPlan @ours)
    $containers = @(Get-StingFixtureContainer -Project $Project)
    $idByService = @{}; $delay = @{}; $interval = @{}
    foreach ($c in $containers) {
        $idByService[$c.Service] = $c.Id
        foreach ($e in @($c.Inspect.Config.Env)) { if ($e -match '^STING_STARTUP_DELAY=([\d.]+)$') { $delay[$c.Service] = [double]::Parse($Matches[1], $Invariant) } }
        if ($c.Inspect.Config.PSObject.Properties['Healthcheck'] -and $c.Inspect.Config.Healthcheck) { $interval[$c.Service] = $c.Inspect.Config.Healthcheck.Interval / 1e9 }
    }
    $ids = @($plan | ForEach-Object { $idByService[$_.Service] })
    $cp = Get-BenchCriticalPath -Plan $plan -Delay $delay
    $cpAll = Get-BenchCriticalPath -Plan $plan -Delay $delay -AllDelays
    Write-Host ("{0}: {1} services ({2}); critical path {3:0.00} s (ends at {4}; {5:0.00} s counting the start-up delay of 'running'-probed services too)" -f $Name, $plan.Count,
        ((@($Project.ComposeFile) | ForEach-Object { Split-Path -Leaf $_ }) -join ' + '), $cp.Seconds, $cp.EndsAt, $cpAll.Seconds)
    Write-Host ("{0}: docker healthcheck intervals {1}" -f $Name, (($plan | ForEach-Object { "$($_.Service) $($interval[$_.Service]) s" }) -join ', '))
    $latencyService = $cp.EndsAt
    if ($LatencyOnShortestInterval) { $latencyService = @($plan | Where-Object { $interval.ContainsKey($_.Service) } | Sort-Object { $interval[$_.Service] } | Select-Object -First 1)[0].Service }
    $null = Wait-BenchHealthy -ContainerId $ids -PollMs 250 -TimeoutSec $WaitTimeoutSec
    $latency = Measure-BenchEngineLatency -ContainerId $idByService[$latencyService]
    $floor = Get-BenchCriticalPath -Plan $plan -Delay $delay -StopSeconds $latency.StopSeconds -StartSeconds $latency.StartSeconds
    Write-Host ("{0}: one container alone ({1}) stops in {2:0} ms and starts in {3:0} ms; ordered-restart floor D {4:0.00} s (critical path plus those, step by step)" -f $Name, $latencyService, ($latency.StopSeconds * 1000), ($latency.StartSeconds * 1000), $floor.Seconds)

    $available = @{ A = $true; A2 = $HasComposeV2; A1 = $HasComposeV1; B = $true; E = $ComposeHasWait }
    $cliOf = @{ A = (Get-StingComposeCli); A2 = @('docker', 'compose'); A1 = @('docker-compose') }
    # ours twice, interleaved with the baselines: 'ours' each round on a fresh, empty STING_LOG_DIR (no history: the
    # probe schedule of a first run), 'oursLearnt' on one STING_LOG_DIR seeded by warm-up restarts and growing every round.
    $oursVariants = @('ours', 'oursLearnt')
    $methods = $oursVariants + @($Baselines | Where-Object { $available[$_] })
    $missing = @($Baselines | Where-Object { -not $available[$_] })
    if ($missing.Count) { Write-Host "${Name}: left out (no CLI for them): $($missing -join ', ')" }
    $pollText = '{0} s' -f ($WavePollMs / 1000).ToString('0.###', $Invariant)
    $label = @{
        A  = "A: $ComposeName restart + poll 250 ms"; A2 = 'A2: docker compose restart + poll 250 ms'; A1 = 'A1: docker-compose restart + poll 250 ms'
        B  = "B: wave by wave, poll $pollText"; E = "E: $ComposeName stop + up -d --wait"
    }
    $note = @{
        A  = "$ComposeName restart, then polling docker inspect every 250 ms until all healthy"
        A2 = 'docker compose (v2) restart, then polling docker inspect every 250 ms until all healthy'
        A1 = 'docker-compose (v1) restart, then polling docker inspect every 250 ms until all healthy'
        E  = "$ComposeName stop, then $ComposeName up -d --wait (compose's own ordered, health-gated start; v2 only), then until all healthy"
        B  = "per wave (Get-StingRestartPlan): parallel docker restart, poll health every $pollText until the wave is healthy"
    }

    $samples = @{}; $busy = @{}; $execLoad = @{}
    foreach ($m in @($methods) + @($oursVariants | ForEach-Object { "${_}Healthy" })) {
        $samples[$m] = [System.Collections.Generic.List[double]]::new(); $busy[$m] = [System.Collections.Generic.List[double]]::new(); $execLoad[$m] = [System.Collections.Generic.List[object]]::new()
    }
    # Per variant of ours: our exec lines (Get-BenchProbeCount), the cmdlet's own 'Probes:' tally (null when a round printed
    # none, so index i stays round i+1), and the readiness latency of every probed service.
    $probeCountsBy = @{}; $probeLineBy = @{}; $latencyBy = @{}
    foreach ($m in $oursVariants) {
        $probeCountsBy[$m] = [System.Collections.Generic.List[object]]::new()
        $probeLineBy[$m] = [System.Collections.Generic.List[object]]::new()
        $latencyBy[$m] = [System.Collections.Generic.List[object]]::new()
    }
    $probeCounts = $probeCountsBy.ours
    $gaps = [System.Collections.Generic.List[object]]::new()
    $phases = [System.Collections.Generic.List[object]]::new()
    $problems = [System.Collections.Generic.List[string]]::new()
    # How busy the machine is with the healthy stack alone (its own healthchecks), and during each method's run.
    $null = Wait-BenchHealthy -ContainerId $ids -PollMs 250 -TimeoutSec $WaitTimeoutSec
    $idle = Start-BenchMeter; Start-Sleep -Seconds 5; $idleBusy = (Stop-BenchMeter $idle).Busy

    # oursLearnt's history: its own metrics directory (per benchmark: the two variants' timings differ), seeded by untimed
    # whole-stack restarts now and kept growing by its rounds. ours gets a new, empty directory every round.
    $runLogDir = $env:STING_LOG_DIR
    $learntDir = Join-Path $Project.Directory "metrics-learnt-$Name"
    $freshRoot = Join-Path $Project.Directory "metrics-fresh-$Name"
    $countHistory = { @(Get-ChildItem -LiteralPath $learntDir -Recurse -File -Filter 'restart_metrics.jsonl' -ErrorAction SilentlyContinue | Get-Content | Where-Object { $_ -match '"readySeconds"' }).Count }
    for ($w = 1; $w -le $WarmupRestarts; $w++) {
        $null = Wait-BenchHealthy -ContainerId $ids -PollMs 250 -TimeoutSec $WaitTimeoutSec
        $env:STING_LOG_DIR = $learntDir
        try { $warm = @(Restart-StingService @ours -Confirm:$false -ErrorAction SilentlyContinue) }
        finally { $env:STING_LOG_DIR = $runLogDir }
        $bad = @($warm | Where-Object Status -ne 'Succeeded')
        if ($warm.Count -ne $plan.Count -or $bad.Count) { $problems.Add("warm-up $w`: $($warm.Count) results, not succeeded: $(($bad | ForEach-Object { "$($_.Service)=$($_.Status)" }) -join '; ')") }
        Write-Host ("  warm-up {0}/{1} (untimed, history for oursLearnt): {2} rows with readySeconds in {3}" -f $w, $WarmupRestarts, (& $countHistory), $learntDir)
    }
    $null = Wait-BenchHealthy -ContainerId $ids -PollMs 250 -TimeoutSec $WaitTimeoutSec
    $seededRows = & $countHistory
    for ($r = 0; $r -lt $Repeat; $r++) {
        foreach ($method in (Get-Rotation $methods $r)) {
            $null = Wait-BenchHealthy -ContainerId $ids -PollMs 250 -TimeoutSec $WaitTimeoutSec   # untimed: every method starts from a healthy stack
            # Every method runs under a live event capture (started and proved live before the timed part): the engine's exec load.
            $capture = Start-StingEventCapture -ProjectName $Project.ProjectName
            $logDir = switch ($method) { 'ours' { Join-Path $freshRoot "round$($r + 1)" } 'oursLearnt' { $learntDir } default { $runLogDir } }
            if ($method -eq 'ours' -and (Test-Path -LiteralPath $logDir)) { Remove-Item -LiteralPath $logDir -Recurse -Force }
            $env:STING_LOG_DIR = $logDir
            try {
                $runStart = [DateTimeOffset]::UtcNow
                $meter = Start-BenchMeter
                switch ($method) {
                    { $_ -in $oursVariants } {
                        # -Debug lines say when each start request went out (the scheduler's reaction, below) and each exec we ran.
                        $debugLines = [System.Collections.Generic.List[string]]::new()
                        $results = @(& { $DebugPreference = 'Continue'; Restart-StingService @ours -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable errs } 5>&1 |
                                ForEach-Object { if ($_ -is [System.Management.Automation.DebugRecord]) { $debugLines.Add($_.Message) } else { $_ } })
                        $run = Stop-BenchMeter $meter; $ms = $run.Ms
                        $oursEnd = [DateTimeOffset]::UtcNow
                        $env:STING_LOG_DIR = $runLogDir
                        $healthyMs = $ms + (Wait-BenchHealthy -ContainerId $ids -PollMs 250 -TimeoutSec $WaitTimeoutSec)
                    }
                    'B' {
                        Invoke-WaveRestart -Plan $plan -IdByService $idByService -PollMs $WavePollMs -TimeoutSec $WaitTimeoutSec
                        $run = Stop-BenchMeter $meter
                    }
                    'E' {
                        $null = Invoke-Compose -Project $Project -Arguments 'stop' -TimeoutSec $WaitTimeoutSec
                        $null = Invoke-Compose -Project $Project -Arguments 'up', '-d', '--wait', '--wait-timeout', "$WaitTimeoutSec" -TimeoutSec ($WaitTimeoutSec + 60)
                        $null = Wait-BenchHealthy -ContainerId $ids -PollMs 250 -TimeoutSec $WaitTimeoutSec
                        $run = Stop-BenchMeter $meter
                    }
                    default {
                        # A, A2, A1: a compose CLI's restart, then until all healthy.
                        $null = Invoke-Compose -Project $Project -Arguments 'restart' -Cli $cliOf[$method] -TimeoutSec $WaitTimeoutSec
                        $null = Wait-BenchHealthy -ContainerId $ids -PollMs 250 -TimeoutSec $WaitTimeoutSec
                        $run = Stop-BenchMeter $meter
                    }
                }
                $runEnd = [DateTimeOffset]::UtcNow
            }
            finally { $env:STING_LOG_DIR = $runLogDir; $events = @(Stop-StingEventCapture $capture) }
            if ($method -notin $oursVariants) {
                $samples[$method].Add($run.Ms); if ($null -ne $run.Busy) { $busy[$method].Add($run.Busy) }
                $load = Get-BenchExecLoad -Events $events -From $runStart -To $runEnd
                $execLoad[$method].Add($load)
                Write-Host ("  round {0} {1}: {2:0} ms; engine exec_die {3}" -f ($r + 1), $label[$method], $samples[$method][-1], $load.ExecDie)
                continue
            }
            if ($null -ne $run.Busy) { $busy[$method].Add($run.Busy) }
            $bad = @($results | Where-Object Status -ne 'Succeeded')
            if ($results.Count -ne $plan.Count -or $bad.Count) {
                $problems.Add("round $($r + 1) ${method}: $($results.Count) results, not succeeded: $(($bad | ForEach-Object { "$($_.Service)=$($_.Status) $($_.Message)" }) -join '; ')")
            }
            # The fixture's own ready lines: once per run, for the order judge and the readiness latency.
            $signal = @(Get-StingFixtureSignal -ProjectName $Project.ProjectName)
            $violations = @(Get-StingOrderViolation -Events $events -Plan $plan -Signal $signal)
            if ($violations.Count) { $problems.Add("round $($r + 1) ${method}: order violations: $(($violations | ForEach-Object { "$($_.Service) before $($_.Dependency)" }) -join ', ')") }
            $requests = Get-BenchStartRequest -DebugLine $debugLines -IdByService $idByService -RunStart $runStart
            foreach ($g in @(Get-BenchDependencyGap -Events $events -Plan $plan -StartRequest $requests)) { $g | Add-Member Round ($r + 1); $g | Add-Member Method $method; $gaps.Add($g) }
            $probes = Get-BenchProbeCount -DebugLine $debugLines -IdByService $idByService
            $probes.Round = $r + 1
            $probeCountsBy[$method].Add($probes)
            $probeLine = Get-BenchProbeLine -DebugLine $debugLines
            if ($probeLine) { $probeLine.Round = $r + 1 } else { $problems.Add("round $($r + 1) ${method}: no 'Probes:' line in the -Debug trace") }
            $probeLineBy[$method].Add($probeLine)
            $state = @(Get-BenchContainerState -ContainerId $ids)
            $readyLatency = @(Get-BenchReadinessLatency -Result $results -Plan $plan -Delay $delay -State $state -Signal $signal)
            foreach ($l in $readyLatency) { $l | Add-Member Round ($r + 1); $latencyBy[$method].Add($l) }
            $execLoad[$method].Add((Get-BenchExecLoad -Events $events -From $runStart -To $oursEnd))
            $execLoad["${method}Healthy"].Add((Get-BenchExecLoad -Events $events -From $runStart -To $runEnd))
            # Where the time went, from the engine events: stop phase, start phase, exec_die count (our probes + docker healthchecks).
            $firstStart = @($events | Where-Object Action -eq 'start' | Sort-Object Time | Select-Object -First 1)
            $dies = @($events | Where-Object { $_.Action -eq 'die' -and (-not $firstStart -or $_.Time -le $firstStart[0].Time) } | Sort-Object Time)
            $readies = @($plan | ForEach-Object { (Get-BenchReadyAt -Events $events -Step $_).Ready } | Where-Object { $_ } | Sort-Object)
            $phases.Add([ordered]@{
                    Round = $r + 1; Method = $method
                    FirstStopDoneMs = if ($dies.Count) { [math]::Round(($dies[0].Time - $runStart).TotalMilliseconds) } else { $null }
                    StopPhaseMs = if ($dies.Count) { [math]::Round(($dies[-1].Time - $runStart).TotalMilliseconds) } else { $null }
                    FirstStartMs = if ($firstStart) { [math]::Round(($firstStart[0].Time - $runStart).TotalMilliseconds) } else { $null }
                    LastReadyMs = if ($readies.Count) { [math]::Round(($readies[-1] - $runStart).TotalMilliseconds) } else { $null }
                    ExecDieEvents = @($events | Where-Object Action -eq 'exec_die').Count
                })
            $samples[$method].Add($ms); $samples["${method}Healthy"].Add($healthyMs)
            Write-Host ("  round {0} {1}: {2:0} ms (all docker-healthy at {3:0} ms); {4}; our exec lines {5}; readiness latency median {6} ms; engine exec_die {7} ({8} until docker-healthy)" -f ($r + 1), $method, $ms, $healthyMs,
                $(if ($probeLine) { "$($probeLine.Probes) probes in $($probeLine.Execs) execs" } else { 'no Probes line' }), $probes.Execs,
                (Format-BenchNumber (Get-BenchMedian @($readyLatency | ForEach-Object LatencyMs)) '0'), $execLoad[$method][-1].ExecDie, $execLoad["${method}Healthy"][-1].ExecDie)
        }
    }
    $baselineRun = @($methods | Where-Object { $_ -notin $oursVariants })
    $mOurs = Get-BenchMedian $samples.ours; $mHealthy = Get-BenchMedian $samples.oursHealthy
    $cpMs = $cp.Seconds * 1000; $floorMs = $floor.Seconds * 1000
    # Ratios per round (same round = closest in time), then their median.
    $perRound = { param($x, $y) Get-BenchMedian @(for ($i = 0; $i -lt [math]::Min($x.Count, $y.Count); $i++) { $x[$i] / $y[$i] }) }
    $ratio = [ordered]@{ OursOverCriticalPath = $mOurs / $cpMs; OursOverFloor = $mOurs / $floorMs }
    foreach ($m in $Baselines) { $ratio["OursOver$m"] = if ($samples.ContainsKey($m) -and $samples[$m].Count) { & $perRound $samples.ours $samples[$m] } else { $null } }
    foreach ($m in $HealthyVersus) { $ratio["OursHealthyOver$m"] = if ($samples.ContainsKey($m) -and $samples[$m].Count) { & $perRound $samples.oursHealthy $samples[$m] } else { $null } }
    # The reaction rows are ours' (no history), as before oursLearnt existed; oursLearnt's gaps are in the JSON.
    $oursGaps = @($gaps | Where-Object Method -eq 'ours')
    $gapMs = @($oursGaps | ForEach-Object GapMs)
    $mGap = Get-BenchMedian $gapMs
    $requestGapMs = @($oursGaps | Where-Object { $null -ne $_.RequestGapMs } | ForEach-Object RequestGapMs)
    $mRequestGap = Get-BenchMedian $requestGapMs
    $p90 = { param($v) if ($v.Count) { Format-BenchNumber ($v | Sort-Object)[[int][math]::Floor(0.9 * ($v.Count - 1))] '0' } else { 'n/a' } }
    $goals = [ordered]@{}
    $row = {
        param([string] $Measure, [double] $Median, [string] $Versus, $Ratio, [string] $GoalName)
        $g = if ($Goal.Contains($GoalName)) { $Goal[$GoalName] } else { $null }
        $met = Test-BenchGoal $g $Ratio
        if ($g -and $g.Contains('Key')) { $goals[$g.Key] = $met }
        Add-Row $Name $Measure $Median ms $Versus $Ratio $(if ($g) { $g.Text } else { '' }) $met
    }

    & $row 'ours / critical path' $mOurs "C: critical path $(Format-BenchNumber $cpMs '0') ms" ($mOurs / $cpMs) 'C'
    & $row 'ours / floor' $mOurs "D: critical path + engine stop/start steps $(Format-BenchNumber $floorMs '0') ms" ($mOurs / $floorMs) 'D'
    foreach ($m in $Baselines) {
        if ($null -eq $ratio["OursOver$m"]) { continue }
        & $row "ours / $m" $mOurs "$($label[$m]), $(Format-BenchNumber (Get-BenchMedian $samples[$m]) '0') ms" $ratio["OursOver$m"] $m
    }
    foreach ($m in $HealthyVersus) {
        if ($null -eq $ratio["OursHealthyOver$m"]) { continue }
        & $row "ours until all docker-healthy / $m" $mHealthy $m $ratio["OursHealthyOver$m"] "healthy:$m"
    }
    # The goal judges the scheduler: ready -> its start request. The start event comes only when the engine has
    # started the container, one start's latency later (measured alone above), which no scheduler can shorten.
    Add-Row $Name 'dependency ready -> dependent start request' $mRequestGap ms "n=$($requestGapMs.Count); p90 $(& $p90 $requestGapMs) ms" $null '< 150 ms' ($mRequestGap -lt 150)
    $goals['ReactionUnder150ms'] = $mRequestGap -lt 150
    $pct = { param($v) if ($null -eq $v -or [double]::IsNaN([double]$v)) { 'n/a' } else { '{0:0}%' -f (100 * $v) } }
    if ($busy.ours.Count) { Add-Row $Name 'machine CPU busy during ours' (100 * (Get-BenchMedian $busy.ours)) '%' "idle stack $(& $pct $idleBusy); $(($baselineRun | ForEach-Object { "$_ $(& $pct (Get-BenchMedian $busy[$_]))" }) -join '; ')" $null $null $null }
    Add-Row $Name 'dependency ready -> dependent start event' $mGap ms "n=$($gapMs.Count); p90 $(& $p90 $gapMs) ms; one start alone $(Format-BenchNumber ($latency.StartSeconds * 1000) '0') ms" $null $null $null
    $probeSummary = Get-BenchProbeSummary -Counts @($probeCounts) -Service @($plan | ForEach-Object Service)
    $medianLoad = { param($list, $key) Get-BenchMedian @($list | ForEach-Object { $_[$key] }) }
    Add-Row $Name 'our probe execs per restart' $probeSummary.MedianExecsPerRestart execs ("per planned service $(Format-BenchNumber $probeSummary.MedianExecsPerPlannedService '0.00'); poll loops $(Format-BenchNumber $probeSummary.MedianPollLoopsPerRestart '0.#'); engine exec_create by ours $(Format-BenchNumber (& $medianLoad $execLoad.ours 'ExecCreateOurs') '0.#')") $null $null $null
    Add-Row $Name 'engine exec_die during ours' (& $medianLoad $execLoad.ours 'ExecDie') events ("until all docker-healthy $(Format-BenchNumber (& $medianLoad $execLoad.oursHealthy 'ExecDie') '0.#'); $(($baselineRun | ForEach-Object { "$_ $(Format-BenchNumber (& $medianLoad $execLoad[$_] 'ExecDie') '0.#')" }) -join '; ')") $null $null $null

    # Issue 17: the probe schedule learnt from history (oursLearnt) against today's (ours, no history), same rounds.
    # Ratios per round (the two ran in the same round), then their median; latencies over every probed service of every round.
    $lineValue = { param($list, $key) @($list | ForEach-Object { if ($_) { [double]$_[$key] } else { [double]::NaN } }) }
    $oursProbes = @(& $lineValue $probeLineBy.ours 'Probes'); $learntProbes = @(& $lineValue $probeLineBy.oursLearnt 'Probes')
    $oursExecs = @(& $lineValue $probeLineBy.ours 'Execs'); $learntExecs = @(& $lineValue $probeLineBy.oursLearnt 'Execs')
    $mOursProbes = Get-BenchMedian $oursProbes; $mLearntProbes = Get-BenchMedian $learntProbes
    $mOursExecs = Get-BenchMedian $oursExecs; $mLearntExecs = Get-BenchMedian $learntExecs
    $mLearnt = Get-BenchMedian $samples.oursLearnt
    $learntExecLines = Get-BenchProbeSummary -Counts @($probeCountsBy.oursLearnt) -Service @($plan | ForEach-Object Service)
    $rProbes = & $perRound $learntProbes $oursProbes
    $rExecs = & $perRound $learntExecs $oursExecs
    $rWall = & $perRound $samples.oursLearnt $samples.ours
    $rHealthy = & $perRound $samples.oursLearntHealthy $samples.oursHealthy
    $latMs = @{}; $latSignalMs = @{}; $mLat = @{}
    foreach ($m in $oursVariants) {
        $latMs[$m] = @($latencyBy[$m] | ForEach-Object LatencyMs)
        $latSignalMs[$m] = @($latencyBy[$m] | Where-Object { $null -ne $_.LatencyVsSignalMs } | ForEach-Object LatencyVsSignalMs)
        $mLat[$m] = Get-BenchMedian $latMs[$m]
    }
    $perService = { param($m) $o = [ordered]@{}; foreach ($g in @($latencyBy[$m] | Group-Object Service | Sort-Object Name)) { $o[$g.Name] = [math]::Round((Get-BenchMedian @($g.Group | ForEach-Object LatencyMs)), 1) }; $o }
    $ratio.OursLearntOverOurs = $rWall; $ratio.OursLearntHealthyOverOursHealthy = $rHealthy
    $ratio.ProbesOursLearntOverOurs = $rProbes; $ratio.ExecsOursLearntOverOurs = $rExecs
    Add-Row $Name 'oursLearnt / ours (wall time)' $mLearnt ms "ours (no history) $(Format-BenchNumber $mOurs '0') ms; until all docker-healthy $(Format-BenchNumber (Get-BenchMedian $samples.oursLearntHealthy) '0') / $(Format-BenchNumber $mHealthy '0') ms ($(Format-BenchNumber $rHealthy '0.00')x)" $rWall '' $null
    $goals['ProbesHalvedWithHistory'] = Test-BenchGoal @{ Max = 0.5; Strict = $false } $rProbes
    Add-Row $Name 'probes per restart: oursLearnt / ours' $mLearntProbes probes "ours $(Format-BenchNumber $mOursProbes '0.#') probes (the 'Probes:' line; per probed service $(Format-BenchNumber ($mLearntProbes / [math]::Max(1, (Get-BenchMedian (& $lineValue $probeLineBy.oursLearnt 'Services')))) '0.0') / $(Format-BenchNumber ($mOursProbes / [math]::Max(1, (Get-BenchMedian (& $lineValue $probeLineBy.ours 'Services')))) '0.0'))" $rProbes '<= 0.5x' $goals['ProbesHalvedWithHistory']
    Add-Row $Name 'execs per restart: oursLearnt / ours' $mLearntExecs execs "ours $(Format-BenchNumber $mOursExecs '0.#') (the 'Probes:' line); all exec lines of -Debug, pre-flight included: $(Format-BenchNumber $learntExecLines.MedianExecsPerRestart '0.#') / $(Format-BenchNumber $probeSummary.MedianExecsPerRestart '0.#')" $rExecs '' $null
    foreach ($m in $oursVariants) {
        $key = "ReadinessLatencyUnder150ms$(if ($m -eq 'ours') { 'Ours' } else { 'OursLearnt' })"
        $goals[$key] = $mLat[$m] -le 150
        Add-Row $Name "readiness latency, $m (ReadyAt - (start + delay))" $mLat[$m] ms "n=$($latMs[$m].Count); p90 $(& $p90 $latMs[$m]) ms; vs the fixture's ready line $(Format-BenchNumber (Get-BenchMedian $latSignalMs[$m]) '0') ms" $null '<= 150 ms' $goals[$key]
    }
    Add-Row $Name 'engine exec_die during oursLearnt' (& $medianLoad $execLoad.oursLearnt 'ExecDie') events ("ours $(Format-BenchNumber (& $medianLoad $execLoad.ours 'ExecDie') '0.#'); until all docker-healthy $(Format-BenchNumber (& $medianLoad $execLoad.oursLearntHealthy 'ExecDie') '0.#') / $(Format-BenchNumber (& $medianLoad $execLoad.oursHealthy 'ExecDie') '0.#')") $null $null $null

    $measurements = @(
        New-Measurement 'ours' ms $samples.ours "Restart-StingService -ComposeFile $((@($Project.ComposeFile) | ForEach-Object { Split-Path -Leaf $_ }) -join ',') -Confirm:`$false wall time, in-process"
        New-Measurement 'oursUntilDockerHealthy' ms $samples.oursHealthy 'ours, then polling docker inspect every 250 ms until all healthy'
        New-Measurement 'oursLearnt' ms $samples.oursLearnt "the same call with STING_LOG_DIR on a history seeded by $WarmupRestarts untimed warm-up restarts and growing every round (ours: a fresh, empty STING_LOG_DIR every round)"
        New-Measurement 'oursLearntUntilDockerHealthy' ms $samples.oursLearntHealthy 'oursLearnt, then polling docker inspect every 250 ms until all healthy'
        New-Measurement 'oursProbes' probes $oursProbes "the cmdlet's -Debug line 'Probes: N probes in M execs ...' (N: runs of the health test, in the poll loop or one exec), ours"
        New-Measurement 'oursLearntProbes' probes $learntProbes 'the same, oursLearnt'
        New-Measurement 'oursProbeExecs' execs $oursExecs "the same line's M (execs), ours"
        New-Measurement 'oursLearntProbeExecs' execs $learntExecs 'the same, oursLearnt'
        New-Measurement 'oursReadinessLatency' ms $latMs.ours 'RestartResult.ReadyAt - (container State.StartedAt + STING_STARTUP_DELAY), every probed service (not running-probed) of every round, ours'
        New-Measurement 'oursLearntReadinessLatency' ms $latMs.oursLearnt 'the same, oursLearnt'
        New-Measurement 'oursReadinessLatencyVsSignal' ms $latSignalMs.ours "ReadyAt - the fixture's first 'sting-signal ready' line after its last 'started' line, ours"
        New-Measurement 'oursLearntReadinessLatencyVsSignal' ms $latSignalMs.oursLearnt 'the same, oursLearnt'
    )
    foreach ($m in $baselineRun) { $measurements += New-Measurement $m ms $samples[$m] $note[$m] }
    $measurements += New-Measurement 'dependencyReadyToDependentStartRequest' ms $requestGapMs 'the start request (Restart-StingService -Debug: when the call went out) - its last dependency ready (engine events: exec_die 0 / health_status healthy) or started'
    $measurements += New-Measurement 'dependencyReadyToDependentStart' ms $gapMs 'engine events: dependent start - its last dependency ready (exec_die 0 / health_status healthy) or started'
    $cpu = [ordered]@{ IdleStack = $idleBusy; Ours = @($busy.ours); OursLearnt = @($busy.oursLearnt) }
    foreach ($m in $baselineRun) { $cpu[$m] = @($busy[$m]) }
    $cpu.Definition = 'share of all cores busy (/proc/stat) during the timed part of each run; IdleStack: 5 s with the healthy stack alone'
    $load = [ordered]@{ Ours = @($execLoad.ours); OursUntilDockerHealthy = @($execLoad.oursHealthy); OursLearnt = @($execLoad.oursLearnt); OursLearntUntilDockerHealthy = @($execLoad.oursLearntHealthy) }
    foreach ($m in $baselineRun) { $load[$m] = @($execLoad[$m]) }
    $load.Definition = "engine events in each run's timed window (ours: until the cmdlet returned, and until all docker-healthy): exec_die = every exec that ended (docker's healthchecks and our probes); exec_create split by command: ours = the poll loop (marker __stingops_poll__), other = docker's healthchecks"

    foreach ($p in $problems) { Write-Warning "${Name}: $p" }
    [ordered]@{
        ComposeFiles       = @(@($Project.ComposeFile) | ForEach-Object { Split-Path -Leaf $_ })
        Services           = $plan.Count
        StartupDelays      = $delay
        HealthcheckIntervalSeconds = $interval
        CriticalPath       = [ordered]@{ Seconds = $cp.Seconds; EndsAt = $cp.EndsAt; SecondsCountingRunningProbeDelays = $cpAll.Seconds; Definition = 'start(s)=max over deps of ready(d) [service_healthy] or start(d) [service_started]; ready(s)=start(s)+STING_STARTUP_DELAY(s), start(s) for a running probe; no stop time, no engine latency' }
        EngineLatency      = [ordered]@{ Service = $latencyService; StopSeconds = $latency.StopSeconds; StartSeconds = $latency.StartSeconds; Stops = $latency.Stops; Starts = $latency.Starts; FloorSeconds = $floor.Seconds; Definition = 'one container stopped and started alone via the Engine API (curl); floor D: stopped(s)=max over planned dependents of stopped(d)+stop; start(s)=max(stopped(s), dependencies)+start; ready as for C' }
        WavePollMs         = $WavePollMs
        CpuBusy            = $cpu
        Measurements       = $measurements
        Ratios             = $ratio
        Goals              = $goals
        Probes             = $probeSummary
        Learning           = [ordered]@{
            WarmupRestarts = $WarmupRestarts; SeededRowsWithReadySeconds = $seededRows
            Definition = "ours: each round a fresh, empty STING_LOG_DIR (no history: today's probe schedule); oursLearnt: one STING_LOG_DIR seeded by the warm-up restarts before round 1, growing every round. Probes: the cmdlet's -Debug line 'Probes: N probes in M execs for K service(s): ...'; readiness latency: ReadyAt - (State.StartedAt + STING_STARTUP_DELAY), as the readiness benchmark, and ReadyAt - the fixture's ready line"
            ProbeLines = [ordered]@{ Ours = @($probeLineBy.ours); OursLearnt = @($probeLineBy.oursLearnt) }
            ExecLinesOursLearnt = $learntExecLines
            LatencyMedianPerService = [ordered]@{ Ours = (& $perService 'ours'); OursLearnt = (& $perService 'oursLearnt') }
            Latency = [ordered]@{
                Ours = @($latencyBy.ours | ForEach-Object { [ordered]@{ Round = $_.Round; Service = $_.Service; LatencyMs = [math]::Round($_.LatencyMs, 1); LatencyVsSignalMs = if ($null -ne $_.LatencyVsSignalMs) { [math]::Round($_.LatencyVsSignalMs, 1) } } })
                OursLearnt = @($latencyBy.oursLearnt | ForEach-Object { [ordered]@{ Round = $_.Round; Service = $_.Service; LatencyMs = [math]::Round($_.LatencyMs, 1); LatencyVsSignalMs = if ($null -ne $_.LatencyVsSignalMs) { [math]::Round($_.LatencyVsSignalMs, 1) } } })
            }
        }
        EngineExecLoad     = $load
        Phases             = @($phases)
        Gaps               = @($gaps | ForEach-Object { [ordered]@{ Round = $_.Round; Method = $_.Method; Service = $_.Service; Dependency = $_.Dependency; GapMs = [math]::Round($_.GapMs, 1); RequestGapMs = if ($null -ne $_.RequestGapMs) { [math]::Round($_.RequestGapMs, 1) } } })
        Problems           = @($problems)
    }
}

#endregion

#region single: one named service

function Invoke-SingleBenchmark {
    <# Restart-StingService <service> against <compose> restart <service>, each then until the same containers (the
       plan's for the name) are docker-healthy; interleaved, rotated. Which containers each method actually restarted is
       read from their StartedAt before and after. #>
    param($Project, [string] $Variant, [string] $Service = 'app', [int] $WaitTimeoutSec = 300)
    $ours = Get-OursProject $Project
    $plan = @(Get-StingRestartPlan $Service @ours)
    $all = @(Get-StingFixtureContainer -Project $Project)
    $idByService = @{}; foreach ($c in $all) { $idByService[$c.Service] = $c.Id }
    $ids = @($plan | ForEach-Object { $idByService[$_.Service] })
    $allIds = @($all | ForEach-Object Id)
    $target = @($all | Where-Object Service -eq $Service)[0]
    $interval = if ($target.Inspect.Config.Healthcheck) { $target.Inspect.Config.Healthcheck.Interval / 1e9 } else { $null }
    $n = [math]::Max($Repeat, 3)
    Write-Host ("single ({0}): Restart-StingService {1} plans {2}; docker healthcheck interval of {1}: {3} s; {4} rounds against {5} restart {1}" -f $Variant, $Service, (($plan | ForEach-Object Service) -join ', '), $interval, $n, $ComposeName)
    $samples = @{ ours = [System.Collections.Generic.List[double]]::new(); oursHealthy = [System.Collections.Generic.List[double]]::new(); compose = [System.Collections.Generic.List[double]]::new() }
    $execLoad = @{ ours = [System.Collections.Generic.List[object]]::new(); oursHealthy = [System.Collections.Generic.List[object]]::new(); compose = [System.Collections.Generic.List[object]]::new() }
    $restarted = @{ ours = [System.Collections.Generic.List[string]]::new(); compose = [System.Collections.Generic.List[string]]::new() }
    $probeCounts = [System.Collections.Generic.List[object]]::new()
    $problems = [System.Collections.Generic.List[string]]::new()
    for ($r = 0; $r -lt $n; $r++) {
        foreach ($method in (Get-Rotation @('ours', 'compose') $r)) {
            $null = Wait-BenchHealthy -ContainerId $allIds -PollMs 250 -TimeoutSec $WaitTimeoutSec   # untimed: the whole stack healthy first
            $before = @{}; foreach ($s in Get-BenchContainerState -ContainerId $allIds) { $before[$s.Service] = $s.StartedAt }
            $capture = Start-StingEventCapture -ProjectName $Project.ProjectName
            try {
                $runStart = [DateTimeOffset]::UtcNow
                $meter = Start-BenchMeter
                if ($method -eq 'ours') {
                    $debugLines = [System.Collections.Generic.List[string]]::new()
                    $results = @(& { $DebugPreference = 'Continue'; Restart-StingService $Service @ours -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable errs } 5>&1 |
                            ForEach-Object { if ($_ -is [System.Management.Automation.DebugRecord]) { $debugLines.Add($_.Message) } else { $_ } })
                    $ms = (Stop-BenchMeter $meter).Ms
                    $oursEnd = [DateTimeOffset]::UtcNow
                    $healthyMs = $ms + (Wait-BenchHealthy -ContainerId $ids -PollMs 250 -TimeoutSec $WaitTimeoutSec)
                }
                else {
                    $null = Invoke-Compose -Project $Project -Arguments 'restart', $Service -TimeoutSec $WaitTimeoutSec
                    $null = Wait-BenchHealthy -ContainerId $ids -PollMs 250 -TimeoutSec $WaitTimeoutSec
                    $ms = (Stop-BenchMeter $meter).Ms
                }
                $runEnd = [DateTimeOffset]::UtcNow
            }
            finally { $events = @(Stop-StingEventCapture $capture) }
            $moved = @(Get-BenchContainerState -ContainerId $allIds | Where-Object { $_.StartedAt -ne $before[$_.Service] } | ForEach-Object Service | Sort-Object)
            $restarted[$method].Add($moved -join ',')
            if ($method -eq 'ours') {
                $bad = @($results | Where-Object Status -ne 'Succeeded')
                if ($results.Count -ne $plan.Count -or $bad.Count) { $problems.Add("round $($r + 1): $($results.Count) results, not succeeded: $(($bad | ForEach-Object { "$($_.Service)=$($_.Status) $($_.Message)" }) -join '; ')") }
                $probes = Get-BenchProbeCount -DebugLine $debugLines -IdByService $idByService
                $probes.Round = $r + 1
                $probeCounts.Add($probes)
                $samples.ours.Add($ms); $samples.oursHealthy.Add($healthyMs)
                $execLoad.ours.Add((Get-BenchExecLoad -Events $events -From $runStart -To $oursEnd))
                $execLoad.oursHealthy.Add((Get-BenchExecLoad -Events $events -From $runStart -To $runEnd))
                Write-Host ("  round {0} ours: {1:0} ms (docker-healthy at {2:0} ms); restarted {3}; our execs {4} ({5}); engine exec_die {6} ({7} until docker-healthy)" -f ($r + 1), $ms, $healthyMs,
                    ($moved -join ','), $probes.Execs, (($probes.PerService.GetEnumerator() | ForEach-Object { "$($_.Key) $($_.Value)" }) -join ', '), $execLoad.ours[-1].ExecDie, $execLoad.oursHealthy[-1].ExecDie)
            }
            else {
                $samples.compose.Add($ms)
                $execLoad.compose.Add((Get-BenchExecLoad -Events $events -From $runStart -To $runEnd))
                Write-Host ("  round {0} {1} restart {2} + poll 250 ms: {3:0} ms; restarted {4}; engine exec_die {5}" -f ($r + 1), $ComposeName, $Service, $ms, ($moved -join ','), $execLoad.compose[-1].ExecDie)
            }
        }
    }
    $perRound = { param($x, $y) Get-BenchMedian @(for ($i = 0; $i -lt [math]::Min($x.Count, $y.Count); $i++) { $x[$i] / $y[$i] }) }
    $rOurs = & $perRound $samples.ours $samples.compose; $rHealthy = & $perRound $samples.oursHealthy $samples.compose
    $mOurs = Get-BenchMedian $samples.ours; $mCompose = Get-BenchMedian $samples.compose
    $group = if ($Variant -eq 'sting') { 'STING intervals' } else { 'fixture 2 s' }
    $probeSummary = Get-BenchProbeSummary -Counts @($probeCounts) -Service @($plan | ForEach-Object Service)
    $medianLoad = { param($list, $key) Get-BenchMedian @($list | ForEach-Object { $_[$key] }) }
    Add-Row single "${group}: ours / compose ($Service)" $mOurs ms "$ComposeName restart $Service + poll 250 ms, $(Format-BenchNumber $mCompose '0') ms" $rOurs $null $null
    Add-Row single "${group}: ours until docker-healthy / compose" (Get-BenchMedian $samples.oursHealthy) ms 'same' $rHealthy $null $null
    Add-Row single "${group}: our probe execs per restart" $probeSummary.MedianExecsPerRestart execs ("per service: $(($probeSummary.MedianPerService.GetEnumerator() | ForEach-Object { "$($_.Key) $(Format-BenchNumber $_.Value '0.#')" }) -join ', ')") $null $null $null
    Add-Row single "${group}: engine exec_die during ours" (& $medianLoad $execLoad.ours 'ExecDie') events ("until docker-healthy $(Format-BenchNumber (& $medianLoad $execLoad.oursHealthy 'ExecDie') '0.#'); compose $(Format-BenchNumber (& $medianLoad $execLoad.compose 'ExecDie') '0.#')") $null $null $null
    foreach ($p in $problems) { Write-Warning "single ($Variant): $p" }
    [ordered]@{
        Variant = $Variant; ComposeFiles = @(@($Project.ComposeFile) | ForEach-Object { Split-Path -Leaf $_ }); Service = $Service
        Planned = @($plan | ForEach-Object Service); DockerHealthIntervalSeconds = $interval
        End = 'the planned containers running and docker-healthy (polled every 250 ms)'
        Measurements = @(
            New-Measurement 'ours' ms $samples.ours "Restart-StingService $Service -Confirm:`$false wall time, in-process"
            New-Measurement 'oursUntilDockerHealthy' ms $samples.oursHealthy 'ours, then polling docker inspect every 250 ms until the planned containers are healthy'
            New-Measurement 'compose' ms $samples.compose "$ComposeName restart $Service, then polling docker inspect every 250 ms until the planned containers are healthy"
        )
        Restarted = [ordered]@{ Ours = @($restarted.ours); Compose = @($restarted.compose); Definition = 'services whose container StartedAt changed during the run, per round' }
        Ratios = [ordered]@{ OursOverCompose = $rOurs; OursHealthyOverCompose = $rHealthy }
        Probes = $probeSummary
        EngineExecLoad = [ordered]@{ Ours = @($execLoad.ours); OursUntilDockerHealthy = @($execLoad.oursHealthy); Compose = @($execLoad.compose) }
        Problems = @($problems)
    }
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

#region cold: CPU of a fresh pwsh that imports and does one thing

function Invoke-ColdCpu {
    <# CPU seconds (user + system) of a command and every process it waited for, from bash's `times` (its children's
       line): pwsh waits for the compose CLI it starts, so those count too. Throws when the command failed. #>
    param([string] $FilePath, [string[]] $ArgumentList, [System.Collections.IDictionary] $Environment)
    $script = '"$@" >/dev/null 2>&1; rc=$?; times; exit $rc'
    $r = Invoke-BenchProcess bash -ArgumentList (@('-c', $script, 'bash', $FilePath) + $ArgumentList) -Environment $Environment -TimeoutSec 300
    $lines = @($r.StdOut -split "`n" | Where-Object { $_ -match '^\d+m[\d.]+s \d+m[\d.]+s$' })
    if ($lines.Count -lt 2) { throw "bash times printed no children's line: $($r.StdOut)" }
    $seconds = 0.0
    foreach ($t in ($lines[-1] -split ' ')) {
        if ($t -match '^(\d+)m([\d.]+)s$') { $seconds += [double]$Matches[1] * 60 + [double]::Parse($Matches[2], $Invariant) }
    }
    [pscustomobject]@{ Seconds = $seconds; Ms = $r.Ms }
}

function Invoke-ColdBenchmark {
    param($Project, [string] $Service = 'redis')
    # The pwsh executable itself where there is one (the dotnet muxer's own start would be in every figure).
    $own = (Get-Process -Id $PID).Path
    $pwsh = if (Test-Path (Join-Path $PSHOME 'pwsh') -PathType Leaf) { Join-Path $PSHOME 'pwsh' } else { $own }
    $pwshArgs = if ((Split-Path -Leaf $pwsh) -like 'dotnet*') { @('pwsh', '-NoProfile', '-NonInteractive', '-c') } else { @('-NoProfile', '-NonInteractive', '-c') }
    $dir = $Project.Directory
    $scripts = [ordered]@{
        bare    = 'exit 0'
        get     = "Import-Module '$ModulePath'; `$null = Get-StingService -ProjectDirectory '$dir'"
        restart = "Import-Module '$ModulePath'; `$r = @(Restart-StingService $Service -ProjectDirectory '$dir' -Confirm:`$false); if (@(`$r | Where-Object Status -ne 'Succeeded').Count -or -not `$r.Count) { exit 3 }"
    }
    $samples = @{}; foreach ($k in $scripts.Keys) { $samples[$k] = [System.Collections.Generic.List[double]]::new() }
    $beyond = @{ get = [System.Collections.Generic.List[double]]::new(); restart = [System.Collections.Generic.List[double]]::new() }
    $n = [math]::Max($Repeat, 5)
    # One untimed round first: the first import after a build also refreshes PowerShell's module analysis cache.
    $null = Invoke-ColdCpu $pwsh ($pwshArgs + $scripts.get)
    Write-Host "cold: $n rounds of (bare pwsh, import + Get-StingService, import + Restart-StingService $Service), rotated; CPU of the process tree"
    for ($r = 0; $r -lt $n; $r++) {
        foreach ($m in (Get-Rotation @($scripts.Keys) $r)) {
            # Each restart its own empty metrics directory: no history, today's probe schedule, every round alike.
            $overrides = @{ STING_LOG_DIR = Join-Path $dir "cold-metrics-$r" }
            $samples[$m].Add((Invoke-ColdCpu $pwsh ($pwshArgs + $scripts[$m]) -Environment $overrides).Seconds)
        }
        $beyond.get.Add($samples.get[-1] - $samples.bare[-1]); $beyond.restart.Add($samples.restart[-1] - $samples.bare[-1])
        Write-Host ("  round {0}: bare {1:0.00} s, get {2:0.00} s, restart {3:0.00} s of CPU" -f ($r + 1), $samples.bare[-1], $samples.get[-1], $samples.restart[-1])
    }
    $mb = Get-BenchMedian $samples.bare; $mg = Get-BenchMedian $samples.get; $mr = Get-BenchMedian $samples.restart
    Add-Row cold 'fresh pwsh: import + Get-StingService, CPU' $mg s "bare pwsh $(Format-BenchNumber $mb '0.00') s" ($mg / $mb) '' $null
    Add-Row cold '  beyond a bare pwsh' ($mg - $mb) s '' $null '<= 0.5 s' (($mg - $mb) -le 0.5)
    Add-Row cold "fresh pwsh: import + Restart-StingService $Service, CPU" $mr s "bare pwsh $(Format-BenchNumber $mb '0.00') s" ($mr / $mb) '' $null
    Add-Row cold '  beyond a bare pwsh' ($mr - $mb) s '' $null '<= 0.8 s' (($mr - $mb) -le 0.8)
    [ordered]@{
        Measurements = @(
            New-Measurement 'barePwshCpu' s $samples.bare "$pwsh $($pwshArgs -join ' ') '$($scripts.bare)'"
            New-Measurement 'importGetStingServiceCpu' s $samples.get $scripts.get
            New-Measurement 'importRestartStingServiceCpu' s $samples.restart $scripts.restart
            New-Measurement 'getBeyondBarePerRound' s $beyond.get 'get - bare of the same round'
            New-Measurement 'restartBeyondBarePerRound' s $beyond.restart 'restart - bare of the same round'
        )
        Definition = "CPU seconds (user + system) of the pwsh process and the processes it waited for (the compose CLI), from bash's times; beyond = median(ours) - median(bare pwsh)"
        Ratios = [ordered]@{ GetOverBare = $mg / $mb; RestartOverBare = $mr / $mb }
        BeyondBarePwsh = [ordered]@{ GetSeconds = $mg - $mb; RestartSeconds = $mr - $mb }
        Goals = [ordered]@{ GetBeyondBareAtMostHalfSecond = ($mg - $mb) -le 0.5; RestartBeyondBareAtMost0_8s = ($mr - $mb) -le 0.8 }
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
    $onFixture = @($selected | Where-Object { $_ -in 'restart', 'repair', 'readiness', 'startup', 'cold', 'sting', 'single' })
    if ($onFixture.Count) {
        $null = Remove-StingFixtureLeftover
        $null = Initialize-StingFixtureImage
        $project = New-StingFixtureProject
        # One project, two variants: its containers are recreated from the other variant's files when a benchmark needs it.
        $script:Variants = @{ fixture = $project; sting = $project.PSObject.Copy() }
        $script:Variants.sting.ComposeFile = [string[]]@($project.ComposeFile, (Join-Path $project.Directory 'docker-compose.sting-intervals.yml'))
        $first = if ($onFixture[0] -eq 'sting') { 'sting' } else { 'fixture' }
        Write-Host "Fixture project $($project.ProjectName) in $($project.Directory); starting it ($first)..."
        Start-StingFixture -Project $script:Variants[$first] -TimeoutSec 900 | Out-Null
        $script:FixtureVariant = $first
        # Locks and metrics of this run stay in the run's own directory.
        $env:XDG_STATE_HOME = Join-Path $project.Directory 'state'
        $env:STING_LOG_DIR = Join-Path $project.Directory 'metrics'
    }
    foreach ($name in $selected) {
        try {
            $benchmarks[$name] = switch ($name) {
                'restart' { Invoke-RestartBenchmark -Project (Use-FixtureVariant fixture) }
                'repair' { Invoke-RepairBenchmark -Project (Use-FixtureVariant fixture) }
                'readiness' { Invoke-ReadinessBenchmark -Project (Use-FixtureVariant fixture) }
                'startup' { Invoke-StartupBenchmark -Project (Use-FixtureVariant fixture) }
                'cold' { Invoke-ColdBenchmark -Project (Use-FixtureVariant fixture) }
                'sting' {
                    Invoke-RestartBenchmark -Project (Use-FixtureVariant sting) -Name sting -Baselines A2, A1, B, E -HealthyVersus A2, A1, B, E `
                        -WavePollMs 5000 -WaitTimeoutSec 600 -Goal $StingGoals -LatencyOnShortestInterval
                }
                'single' {
                    # Both row groups in this run; the variant the containers already have first (one switch less).
                    $groups = [ordered]@{}
                    foreach ($v in @(if ($script:FixtureVariant -eq 'sting') { 'sting', 'fixture' } else { 'fixture', 'sting' })) {
                        $groups[$(if ($v -eq 'sting') { 'StingIntervals' } else { 'Fixture' })] = Invoke-SingleBenchmark -Project (Use-FixtureVariant $v) -Variant $v -WaitTimeoutSec 600
                    }
                    $groups
                }
                'planning' { Invoke-PlanningBenchmark }
                'swarm' { Invoke-SwarmBenchmark -Nodes 3 }
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
