#Requires -Version 7.2
<#
.SYNOPSIS
    Shared helpers of bench/Invoke-Bench.ps1 and bench/Invoke-Soak.ps1: timed processes with hard
    timeouts, medians, machine facts, container state polling, result files.

.DESCRIPTION
    The machine these run on may be shared and loaded, so nothing here asserts on a time: figures are
    ratios against a baseline measured in the same run, interleaved and repeated. Every process started
    here has a timeout and is ended by its own Process object, never by name.
#>
Set-StrictMode -Version Latest

$script:Invariant = [System.Globalization.CultureInfo]::InvariantCulture

# The test helpers' process runner (hard timeout, both streams read, killed by its own Process object).
Import-Module (Join-Path $PSScriptRoot '..' 'tests' 'pester' 'TestHelpers.psm1')

function Invoke-BenchProcess {
    <# Invoke-StingProcess plus wall time (Ms), without the caller's compose variables. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string] $FilePath,
        [string[]] $ArgumentList = @(),
        [ValidateRange(1, 3600)][int] $TimeoutSec = 120,
        [string] $WorkingDirectory,
        [System.Collections.IDictionary] $Environment,
        [switch] $AllowFailure
    )
    # The caller's compose variables must not redirect a baseline to another project.
    $variables = [ordered]@{ COMPOSE_FILE = $null; COMPOSE_PROFILES = $null; COMPOSE_PROJECT_NAME = $null; COMPOSE_PATH_SEPARATOR = $null }
    if ($Environment) { foreach ($key in $Environment.Keys) { $variables[$key] = $Environment[$key] } }
    $run = @{ FilePath = $FilePath; ArgumentList = $ArgumentList; TimeoutSec = $TimeoutSec; Environment = $variables; AllowFailure = $AllowFailure }
    if ($WorkingDirectory) { $run.WorkingDirectory = $WorkingDirectory }
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $r = Invoke-StingProcess @run
    $ms = $clock.Elapsed.TotalMilliseconds
    [pscustomobject]@{ ExitCode = $r.ExitCode; StdOut = $r.StdOut; StdErr = $r.StdErr; Ms = $ms }
}

function Get-BenchMedian {
    param([Parameter(Mandatory)][AllowEmptyCollection()][double[]] $Values)
    $v = @($Values | Where-Object { -not [double]::IsNaN($_) } | Sort-Object)
    if ($v.Count -eq 0) { return [double]::NaN }
    if ($v.Count % 2) { return [double]$v[[int][math]::Floor($v.Count / 2)] }
    ([double]$v[$v.Count / 2 - 1] + [double]$v[$v.Count / 2]) / 2
}

function Get-BenchLoadAverage {
    if (Test-Path /proc/loadavg) {
        $f = (Get-Content /proc/loadavg -Raw).Trim() -split '\s+'
        return [double[]]@([double]::Parse($f[0], $script:Invariant), [double]::Parse($f[1], $script:Invariant), [double]::Parse($f[2], $script:Invariant))
    }
    [double[]]@()
}

function Get-BenchCpuTicks {
    # The machine's CPU time so far (/proc/stat, all cores): Busy and Total jiffies; null off Linux.
    if (-not (Test-Path /proc/stat)) { return $null }
    $f = @((Get-Content /proc/stat -TotalCount 1) -split '\s+' | Select-Object -Skip 1 | Where-Object { $_ } | ForEach-Object { [double]$_ })
    # user nice system idle iowait irq softirq steal: idle and iowait are the idle part.
    $total = ($f[0..7] | Measure-Object -Sum).Sum
    [pscustomobject]@{ Busy = $total - $f[3] - $f[4]; Total = $total }
}

function Start-BenchMeter {
    <# Starts timing a measured run: wall clock and the machine's CPU. Stop-BenchMeter reads it. #>
    [pscustomobject]@{ Ticks = Get-BenchCpuTicks; Clock = [System.Diagnostics.Stopwatch]::StartNew() }
}

function Stop-BenchMeter {
    <# Ms: wall time since Start-BenchMeter; Busy: share of all cores busy meanwhile (0..1; null off Linux). #>
    param([Parameter(Mandatory)] $Meter)
    $ms = $Meter.Clock.Elapsed.TotalMilliseconds
    $after = Get-BenchCpuTicks
    $busy = if ($null -eq $Meter.Ticks -or $null -eq $after -or $after.Total -le $Meter.Ticks.Total) { $null }
            else { ($after.Busy - $Meter.Ticks.Busy) / ($after.Total - $Meter.Ticks.Total) }
    [pscustomobject]@{ Ms = $ms; Busy = $busy }
}

function Get-BenchMachineFacts {
    param([string] $ModulePath)
    $engine = Invoke-BenchProcess docker -ArgumentList 'version', '--format', '{{.Server.Version}} (API {{.Server.APIVersion}})' -TimeoutSec 30 -AllowFailure
    $cli = Get-StingComposeCli
    $compose = Invoke-BenchProcess $cli[0] -ArgumentList (@($cli | Select-Object -Skip 1) + 'version', '--short') -TimeoutSec 60 -AllowFailure
    $root = Split-Path -Parent $PSScriptRoot
    $commit = Invoke-BenchProcess git -ArgumentList '-C', $root, 'rev-parse', '--short', 'HEAD' -TimeoutSec 30 -AllowFailure
    $cpu = if (Test-Path /proc/cpuinfo) { (Select-String -Path /proc/cpuinfo -Pattern '^model name\s*:\s*(.*)$' | Select-Object -First 1).Matches.Groups[1].Value } else { '' }
    $memKb = if (Test-Path /proc/meminfo) { [long]((Select-String -Path /proc/meminfo -Pattern '^MemTotal:\s+(\d+)').Matches.Groups[1].Value) } else { 0 }
    [ordered]@{
        Host            = [Environment]::MachineName
        Nproc           = [Environment]::ProcessorCount
        Cpu             = $cpu
        MemoryGB        = [math]::Round($memKb / 1MB, 1)
        Os              = [System.Runtime.InteropServices.RuntimeInformation]::OSDescription
        PowerShell      = $PSVersionTable.PSVersion.ToString()
        Dotnet          = [Environment]::Version.ToString()
        Engine          = $engine.StdOut.Trim()
        Compose         = "$($cli -join ' ') $($compose.StdOut.Trim())"
        Module          = if ($ModulePath) { (Import-PowerShellDataFile $ModulePath).ModuleVersion } else { $null }
        Commit          = $commit.StdOut.Trim()
        LoadAverageBefore = Get-BenchLoadAverage
    }
}

function Get-BenchContainerState {
    <# One `docker inspect` of the given containers: Service -> State, Health, StartedAt, RestartCount. #>
    param([Parameter(Mandatory)][string[]] $ContainerId, [int] $TimeoutSec = 90)
    $fmt = '{{index .Config.Labels "com.docker.compose.service"}}|{{.State.Status}}|{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}|{{.State.StartedAt}}|{{.RestartCount}}|{{.Id}}'
    $r = Invoke-BenchProcess docker -ArgumentList (@('inspect', '--format', $fmt) + $ContainerId) -TimeoutSec $TimeoutSec -AllowFailure
    foreach ($line in ($r.StdOut -split "`r?`n" | Where-Object { $_ })) {
        $svc, $state, $health, $started, $restarts, $id = $line -split '\|'
        [pscustomobject]@{
            Service = $svc; State = $state; Health = $health; Id = $id; RestartCount = [int]$restarts
            StartedAt = [DateTimeOffset]::Parse($started, $script:Invariant)
        }
    }
}

function Wait-BenchHealthy {
    <# Polls docker inspect every -PollMs until every container runs and is healthy (or has no
       healthcheck). Returns the elapsed ms; throws after -TimeoutSec. #>
    param(
        [Parameter(Mandatory)][string[]] $ContainerId,
        [int] $PollMs = 250,
        [int] $TimeoutSec = 180
    )
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    while ($true) {
        # On a loaded host one inspect can take tens of seconds: a slow one is "not yet", not a failure.
        $states = try { @(Get-BenchContainerState -ContainerId $ContainerId) } catch { Write-Verbose $_.Exception.Message; @() }
        $bad = @()
        if ($states.Count) { $bad = @($states | Where-Object { $_.State -ne 'running' -or $_.Health -notin 'healthy', 'none' }) }
        if ($states.Count -eq $ContainerId.Count -and $bad.Count -eq 0) { return $clock.Elapsed.TotalMilliseconds }
        if ($clock.Elapsed.TotalSeconds -ge $TimeoutSec) {
            throw "Not healthy after ${TimeoutSec}s: $(($bad | ForEach-Object { "$($_.Service)=$($_.State)/$($_.Health)" }) -join ', ')"
        }
        Start-Sleep -Milliseconds $PollMs
    }
}

function Get-BenchCriticalPath {
    <#
    .SYNOPSIS
        The earliest time a perfect scheduler could have every planned service ready. By default from
        start-up delays alone (no stop time, no engine latency): start(s) = max over its dependencies of
        ready(d) (service_healthy / completed) or start(d) (service_started); ready(s) = start(s) +
        delay(s), or start(s) for a service whose effective probe is "running" unless -AllDelays.
        With -StopSeconds/-StartSeconds (one container's stop and start measured alone), the ordered
        restart's floor on this engine: stopped(s) = max over its planned dependents of stopped(d), plus
        one stop; start(s) = max(stopped(s), dependencies as above) plus one start.
    #>
    param(
        [Parameter(Mandatory)][object[]] $Plan,
        [Parameter(Mandatory)][hashtable] $Delay,
        [switch] $AllDelays,
        [double] $StopSeconds = 0,
        [double] $StartSeconds = 0
    )
    $stopped = @{}
    $inPlan = @{}; foreach ($step in $Plan) { $inPlan[$step.Service] = $true }
    for ($i = $Plan.Count - 1; $i -ge 0; $i--) {   # reverse wave order: dependents come first
        $svc = $Plan[$i].Service
        $t = 0.0
        foreach ($other in $Plan) {
            if ($other.DependsOn -contains $svc -and $stopped.ContainsKey($other.Service) -and $stopped[$other.Service] -gt $t) { $t = $stopped[$other.Service] }
        }
        $stopped[$svc] = $t + $StopSeconds
    }
    $start = @{}; $ready = @{}
    foreach ($step in $Plan) {   # plan order is wave order: dependencies come first
        $s = if ($StopSeconds -gt 0) { $stopped[$step.Service] } else { 0.0 }
        foreach ($dep in $step.DependsOn) {
            if (-not $ready.ContainsKey($dep)) { continue }
            $cond = $step.DependsOnCondition[$dep]
            $t = if ($cond -eq 'service_started') { $start[$dep] } else { $ready[$dep] }
            if ($t -gt $s) { $s = $t }
        }
        $s += $StartSeconds
        $start[$step.Service] = $s
        $d = if ($Delay.ContainsKey($step.Service)) { [double]$Delay[$step.Service] } else { 0.0 }
        $ready[$step.Service] = if ($step.HealthCheck -eq 'running' -and -not $AllDelays) { $s } else { $s + $d }
    }
    $max = 0.0; $last = $null
    foreach ($k in $ready.Keys) { if ($ready[$k] -gt $max) { $max = $ready[$k]; $last = $k } }
    [pscustomobject]@{ Seconds = $max; EndsAt = $last; Ready = $ready; Start = $start }
}

function Measure-BenchEngineLatency {
    <#
    .SYNOPSIS
        One container's stop and start through the Engine API (curl on the socket, no CLI start-up),
        measured alone on the otherwise idle stack: the engine's own cost of each step the ordered restart
        must take one after another. Medians in seconds.
    #>
    param([Parameter(Mandatory)][string] $ContainerId, [int] $Repeat = 3, [string] $Socket = '/var/run/docker.sock')
    $stops = [System.Collections.Generic.List[double]]::new(); $starts = [System.Collections.Generic.List[double]]::new()
    for ($i = 0; $i -lt $Repeat; $i++) {
        $null = Wait-BenchHealthy -ContainerId $ContainerId -PollMs 250 -TimeoutSec 120
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $null = & curl -sf --unix-socket $Socket -X POST "http://localhost/containers/$ContainerId/stop?t=10"
        $stops.Add($clock.Elapsed.TotalSeconds)
        $clock.Restart()
        $null = & curl -sf --unix-socket $Socket -X POST "http://localhost/containers/$ContainerId/start"
        $starts.Add($clock.Elapsed.TotalSeconds)
    }
    $null = Wait-BenchHealthy -ContainerId $ContainerId -PollMs 250 -TimeoutSec 120
    [pscustomobject]@{ StopSeconds = (Get-BenchMedian $stops); StartSeconds = (Get-BenchMedian $starts); Stops = @($stops); Starts = @($starts) }
}

function Get-BenchReadyAt {
    <# From captured events: the time a service became ready after its last start (same definition as
       Get-StingOrderViolation: first exec_die exit 0 or health_status: healthy; a "running" probe: start). #>
    param([Parameter(Mandatory)][object[]] $Events, [Parameter(Mandatory)] $Step, [DateTimeOffset] $After = [DateTimeOffset]::MinValue)
    $mine = @($Events | Where-Object { $_.Service -eq $Step.Service -and $_.Time -ge $After })
    $starts = @($mine | Where-Object Action -eq 'start')
    if ($starts.Count -eq 0) { return $null }
    $start = $starts[-1].Time
    if ($Step.HealthCheck -eq 'running') { return [pscustomobject]@{ Start = $start; Ready = $start } }
    $pass = @($mine | Where-Object { $_.Time -ge $start -and (($_.Action -eq 'exec_die' -and $_.ExitCode -eq 0) -or $_.Detail -eq 'health_status: healthy') })
    [pscustomobject]@{ Start = $start; Ready = $(if ($pass.Count) { $pass[0].Time } else { $null }) }
}

function Get-BenchStartRequest {
    <#
    .SYNOPSIS
        When each service's last start request went to the engine, from Restart-StingService's -Debug lines
        ('engine: start <id12> -> done (N ms from HH:mm:ss.fff)', UTC). Keys: service names.
    #>
    param([string[]] $DebugLine = @(), [Parameter(Mandatory)][hashtable] $IdByService, [Parameter(Mandatory)][DateTimeOffset] $RunStart)
    $serviceById = @{}; foreach ($service in $IdByService.Keys) { $serviceById[$IdByService[$service].Substring(0, 12)] = $service }
    $sent = @{}
    foreach ($line in $DebugLine) {
        if ($line -notmatch '^engine: start ([0-9a-f]{12}) -> done \(\d+ ms from (\d\d:\d\d:\d\d\.\d{3})\)$' -or -not $serviceById.ContainsKey($Matches[1])) { continue }
        $t = [DateTimeOffset]::new($RunStart.UtcDateTime.Date + [TimeSpan]::Parse($Matches[2], $script:Invariant), [TimeSpan]::Zero)
        if ($t -lt $RunStart.AddHours(-12)) { $t = $t.AddDays(1) }   # the run crossed midnight UTC
        $sent[$serviceById[$Matches[1]]] = $t
    }
    $sent
}

function Get-BenchDependencyGap {
    <#
    .SYNOPSIS
        For each planned service with dependencies in the plan: its start minus the moment its LAST
        dependency satisfied its condition (ready for service_healthy, started for service_started),
        from captured engine events. GapMs ends at the engine's start event, which comes when the engine
        has finished starting the container; RequestGapMs (with -StartRequest, service -> time) ends when
        the start request went out: the scheduler's own reaction time.
    #>
    param([Parameter(Mandatory)][object[]] $Events, [Parameter(Mandatory)][object[]] $Plan, [hashtable] $StartRequest = @{})
    $steps = @{}; foreach ($s in $Plan) { $steps[$s.Service] = $s }
    $times = @{}; foreach ($s in $Plan) { $times[$s.Service] = Get-BenchReadyAt -Events $Events -Step $s }
    foreach ($step in $Plan) {
        $mine = $times[$step.Service]
        if ($null -eq $mine) { continue }
        $latest = $null; $by = $null
        foreach ($dep in $step.DependsOn) {
            if (-not $steps.ContainsKey($dep) -or $null -eq $times[$dep]) { continue }
            $t = if ($step.DependsOnCondition[$dep] -eq 'service_started') { $times[$dep].Start } else { $times[$dep].Ready }
            if ($null -eq $t) { continue }
            if ($null -eq $latest -or $t -gt $latest) { $latest = $t; $by = $dep }
        }
        if ($null -eq $latest) { continue }
        $request = $StartRequest[$step.Service]
        [pscustomobject]@{
            Service = $step.Service; Dependency = $by; GapMs = ($mine.Start - $latest).TotalMilliseconds
            RequestGapMs = if ($request) { ($request - $latest).TotalMilliseconds } else { $null }
        }
    }
}

function Get-BenchProbeLine {
    <#
    .SYNOPSIS
        The cmdlet's own probe tally of one run, from its last -Debug line 'Probes: N probes in M execs for K service(s):
        svc runs/execs, ... (probes/execs).' (a probe is one run of the health test: inside the container's poll loop, or
        one exec). Probes, Execs, Services, PerService (service -> Runs, Execs); null when the run printed no such line.
    #>
    param([string[]] $DebugLine = @())
    $line = @($DebugLine | Where-Object { $_ -like 'Probes: *' }) | Select-Object -Last 1
    if (-not $line -or $line -notmatch '^Probes: (\d+) probes? in (\d+) execs? for (\d+) service\(s\): (.*?)(?: \(probes/execs\)\.)?$') { return $null }
    $probes = [int]$Matches[1]; $execs = [int]$Matches[2]; $services = [int]$Matches[3]; $list = $Matches[4]
    $per = [ordered]@{}
    foreach ($part in ($list -split ', ')) {
        if ($part -match '^(\S+) (\d+)/(\d+)$') { $per[$Matches[1]] = [ordered]@{ Runs = [int]$Matches[2]; Execs = [int]$Matches[3] } }
    }
    [ordered]@{ Probes = $probes; Execs = $execs; Services = $services; PerService = $per; Line = $line }
}

function Get-BenchReadinessLatency {
    <#
    .SYNOPSIS
        Per service of one restart: the moment ours saw it ready (RestartResult.ReadyAt) minus the moment it really was,
        as the readiness benchmark defines it: the container's State.StartedAt + its STING_STARTUP_DELAY. Also minus the
        fixture's own account (its first 'sting-signal ... ready' line after its last 'started' line, Get-StingFixtureSignal;
        written just before it serves /health). Left out: services whose effective probe is 'running' (ready at their
        start by definition) and results without ReadyAt.
    #>
    param(
        [object[]] $Result = @(),
        [Parameter(Mandatory)][object[]] $Plan,
        [Parameter(Mandatory)][hashtable] $Delay,
        # Get-BenchContainerState after the run.
        [Parameter(Mandatory)][object[]] $State,
        [object[]] $Signal = @()
    )
    $probe = @{}; foreach ($s in $Plan) { $probe[$s.Service] = $s.HealthCheck }
    $stateOf = @{}; foreach ($s in $State) { $stateOf[$s.Service] = $s }
    foreach ($r in $Result) {
        if ($null -eq $r.ReadyAt -or $probe[$r.Service] -eq 'running' -or -not $stateOf.ContainsKey($r.Service)) { continue }
        $st = $stateOf[$r.Service]
        $d = if ($Delay.ContainsKey($r.Service)) { [double]$Delay[$r.Service] } else { 0.0 }
        $really = $st.StartedAt.AddSeconds($d)
        $own = @($Signal | Where-Object ContainerId -eq $st.Id)
        $lastStart = @($own | Where-Object Kind -eq 'started') | Select-Object -Last 1
        $signalReady = if ($lastStart) { @($own | Where-Object { $_.Kind -eq 'ready' -and $_.Time -ge $lastStart.Time }) | Select-Object -First 1 } else { $null }
        [pscustomobject]@{
            Service = $r.Service; StartedAt = $st.StartedAt; DelaySeconds = $d; ReallyReadyAt = $really; ReadyAt = $r.ReadyAt
            LatencyMs = ($r.ReadyAt - $really).TotalMilliseconds
            SignalReadyAt = if ($signalReady) { $signalReady.Time } else { $null }
            LatencyVsSignalMs = if ($signalReady) { ($r.ReadyAt - $signalReady.Time).TotalMilliseconds } else { $null }
        }
    }
}

function Format-BenchNumber {
    param($Value, [string] $Format = '0.00')
    if ($null -eq $Value -or ($Value -is [double] -and [double]::IsNaN($Value))) { return 'n/a' }
    ([double]$Value).ToString($Format, $script:Invariant)
}

function Save-BenchResult {
    param([Parameter(Mandatory)] $Result, [Parameter(Mandatory)][string] $Path)
    $dir = Split-Path -Parent $Path
    if ($dir -and -not (Test-Path $dir)) { [void](New-Item -ItemType Directory -Path $dir -Force) }
    $Result | ConvertTo-Json -Depth 12 | Set-Content -LiteralPath $Path -Encoding utf8
    $Path
}

Export-ModuleMember -Function Invoke-BenchProcess, Get-BenchMedian, Get-BenchLoadAverage, Start-BenchMeter, Stop-BenchMeter, Get-BenchMachineFacts,
    Get-BenchContainerState, Wait-BenchHealthy, Get-BenchCriticalPath, Measure-BenchEngineLatency, Get-BenchReadyAt, Get-BenchStartRequest, Get-BenchDependencyGap,
    Get-BenchProbeLine, Get-BenchReadinessLatency, Format-BenchNumber, Save-BenchResult
