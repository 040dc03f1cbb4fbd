#Requires -Version 7.2
<#
.SYNOPSIS
    Chaos soak: N full restarts of one fixture project, most with an injected fault, each judged from the
    engine's own state, a live event capture and the fixture's own readiness signals. Any misjudgement
    fails the soak.
.DESCRIPTION
    The schedule is a fixed round-robin, so any 10 consecutive cycles cover every fault kind once and two
    runs without a fault:
      none, kill, slow, never, stopdep, none, concurrent, sigkill, engine, events
    The seed decides the details (the target, the moment). Moments count from the run taking its lock.
      kill        docker kill a random service 0.5-4 s into the run
      slow        knob StartupDelay beyond the run's timeout (-TimeoutSec 8)
      never       knob NeverHealthy (-TimeoutSec 8)
      stopdep     docker stop a service that others depend on, 0.5-4 s into the run
      concurrent  a second restart while the first runs
      sigkill     SIGKILL to the pwsh running the restart, 0.5-4 s into the run
      engine      the Docker engine restarted mid-run (tools/test-engine.sh --restart: the dockerd it started)
      events      the run's engine endpoint refuses the event subscription (a filtering proxy)
    Every cycle must meet all of these, or the soak fails (exit 1):
      injected    the fault really happened (the docker call succeeded, the process was running, ...)
      defined     every planned service has exactly one result, and its Status agrees with the engine:
                  Succeeded => running and healthy; Skipped => not started after the run began;
                  Failed => a FailureReason and a message. (A service the fault hit after it was ready is exempt.)
      expected    none/concurrent/events/engine: all Succeeded (an outage of seconds is shorter than any
                  timeout: the run rides it out; what the outage stopped after it was ready and did not bring
                  back, the run names in a warning); slow/never: the target Failed/Timeout and nothing that
                  needs it ready Succeeded; concurrent: the second run refused with StingRestartLocked;
                  sigkill: the next run took the lock over with a warning and named every service the
                  killed run left stopped; events: the run said in -Verbose that it went on by probing
      ordering    Get-StingOrderViolation over the captured events and the fixture's signals: no exemptions
      data        the db start counter (named volume) never decreases or resets
      leaks       after the cycle (and its heal): one container per service, no lock file left
    After a faulted cycle the knobs are cleared and the stack healed with a plain restart (judged for leaks).
.EXAMPLE
    dotnet pwsh ./build.ps1 Soak -Cycles 10 -Seed 1
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string] $ModulePath,
    [ValidateRange(1, 10000)][int] $Cycles = 10,
    [int] $Seed = 1,
    [string] $ResultPath,
    # -TimeoutSec for runs with a slow or never-healthy service.
    [ValidateRange(1, 600)][int] $FaultTimeoutSec = 8
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$ModulePath = (Resolve-Path $ModulePath).Path
$Root = Split-Path -Parent $PSScriptRoot
if (-not $ResultPath) { $ResultPath = Join-Path $PSScriptRoot ("results/soak-{0:yyyyMMddTHHmmssZ}-seed{1}.json" -f [DateTime]::UtcNow, $Seed) }
Import-Module $ModulePath -Force
Import-Module (Join-Path $PSScriptRoot 'BenchCommon.psm1') -Force
Import-Module (Join-Path $Root 'tests/pester/TestHelpers.psm1') -Force
Import-Module (Join-Path $Root 'tests/pester/RestartAssertions.psm1') -Force
Import-Module (Join-Path $Root 'tests/pester/EngineProxy.psm1') -Force

$facts = Get-BenchMachineFacts -ModulePath $ModulePath
$rng = [System.Random]::new($Seed)
$schedule = 'none', 'kill', 'slow', 'never', 'stopdep', 'none', 'concurrent', 'sigkill', 'engine', 'events'

function Get-Dependents {
    <# Every planned service that (transitively) needs the given one ready. #>
    param([object[]] $Plan, [string] $Service)
    $out = [System.Collections.Generic.HashSet[string]]::new()
    $queue = [System.Collections.Generic.Queue[string]]::new(); $queue.Enqueue($Service)
    while ($queue.Count) {
        $s = $queue.Dequeue()
        foreach ($step in $Plan) {
            if ($step.DependsOn -contains $s -and [string]$step.DependsOnCondition[$s] -ne 'service_started' -and $out.Add($step.Service)) { $queue.Enqueue($step.Service) }
        }
    }
    , @($out)
}

$project = $null
$proxy = $null
$cycleRecords = [System.Collections.Generic.List[object]]::new()
$dbHistory = [System.Collections.Generic.List[int]]::new()
$savedEnv = @{ XDG_STATE_HOME = $env:XDG_STATE_HOME; STING_LOG_DIR = $env:STING_LOG_DIR }
$fatal = $null
try {
    $null = Remove-StingFixtureLeftover
    $null = Initialize-StingFixtureImage
    $project = New-StingFixtureProject
    Write-Host "Soak: $Cycles cycles, seed $Seed, fixture project $($project.ProjectName); starting it..."
    Start-StingFixture -Project $project -TimeoutSec 600 | Out-Null
    # The child runs inherit these: metrics, lock and journal in the project's own directory.
    $env:XDG_STATE_HOME = Join-Path $project.Directory 'state'
    $env:STING_LOG_DIR = Join-Path $project.Directory 'metrics'
    $lockDir = Join-Path $env:XDG_STATE_HOME 'stingops'
    $lockFile = Join-Path $lockDir "$($project.ProjectName).lock"
    $plan = @(Get-StingRestartPlan -ProjectDirectory $project.Directory)
    $steps = @{}; foreach ($s in $plan) { $steps[$s.Service] = $s }
    $probed = @($plan | Where-Object HealthCheck -ne 'running' | ForEach-Object Service)
    $withDependents = @($plan | Where-Object { $s = $_.Service; @($plan | Where-Object { $_.DependsOn -contains $s }).Count } | ForEach-Object Service)
    $dbHistory.Add((Get-StingFixtureDbStarts -Project $project))

    for ($cycle = 1; $cycle -le $Cycles; $cycle++) {
        # Draw the same numbers every cycle, whatever is used, so a seed always means the same schedule.
        $kind = $schedule[($cycle - 1) % $schedule.Count]
        $pickAny = $plan[$rng.Next($plan.Count)].Service
        $pickProbed = $probed[$rng.Next($probed.Count)]
        $pickDep = $withDependents[$rng.Next($withDependents.Count)]
        $at = [math]::Round(0.5 + 3.5 * $rng.NextDouble(), 2)
        $fault = $null
        if ($kind -ne 'none') {
            $target = switch ($kind) { 'kill' { $pickAny } 'stopdep' { $pickDep } { $_ -in 'slow', 'never' } { $pickProbed } default { $null } }
            $fault = [ordered]@{ Kind = $kind; Target = $target; AtSeconds = $(if ($kind -in 'kill', 'stopdep', 'sigkill', 'engine') { $at } else { $null }); Injected = $false; InjectedAt = $null; Note = '' }
        }
        $label = if ($fault) { "$($fault.Kind) $($fault.Target)$(if ($fault.AtSeconds) { " at +$($fault.AtSeconds)s" })" } else { 'none' }
        Write-Host ("cycle {0}/{1}: fault {2}" -f $cycle, $Cycles, $label)

        $problems = [System.Collections.Generic.List[string]]::new()
        $expectation = [System.Collections.Generic.List[string]]::new()
        $idByService = @{}; foreach ($c in @(Get-StingFixtureContainer -Project $project)) { $idByService[$c.Service] = $c.Id }
        $null = Wait-BenchHealthy -ContainerId @($idByService.Values) -TimeoutSec 180
        $timeout = 0
        if ($kind -eq 'slow') { $null = Set-StingFixtureKnob -Project $project -Service $fault.Target -StartupDelay ($FaultTimeoutSec + 10); $timeout = $FaultTimeoutSec }
        if ($kind -eq 'never') { $null = Set-StingFixtureKnob -Project $project -Service $fault.Target -NeverHealthy; $timeout = $FaultTimeoutSec }
        # A daemon restart was seen to last 20 s (its shutdown waited the full 10 s before killing one container):
        # longer than redis's 15 s, and the cycle expects every service to ride the outage out.
        if ($kind -eq 'engine') { $timeout = 90 }
        $dockerHost = $null
        if ($kind -eq 'events') { $proxy = Start-StingEngineProxy -Refuse '/events'; $dockerHost = $proxy.DockerHost }

        $captures = [System.Collections.Generic.List[object]]::new()
        $events = [System.Collections.Generic.List[object]]::new()
        $captures.Add((Start-StingEventCapture -ProjectName $project.ProjectName))
        $runStart = [DateTimeOffset]::UtcNow
        $run = $null
        $lockedAt = $null
        $runSeconds = $null
        $stoppedAfterKill = @()
        try {
            $handle = Start-StingChildRestart -ModulePath $ModulePath -Project $project -TimeoutSec $timeout -DockerHost $dockerHost
            $lockedAt = Wait-StingChildRestartLocked -Handle $handle -LockFile $lockFile
            if (-not $lockedAt) { $problems.Add('the run never held its lock (it ended or hung first)') }
            if ($fault -and $fault.AtSeconds -and $lockedAt) {
                $wait = [int](($lockedAt.AddSeconds($fault.AtSeconds) - [DateTimeOffset]::UtcNow).TotalMilliseconds)
                if ($wait -gt 0) { Start-Sleep -Milliseconds $wait }
            }
            switch ($kind) {
                { $_ -in 'kill', 'stopdep' } {
                    # @(...) around the if: a one-element array coming out of an if is unrolled to a string.
                    $verb = @(if ($kind -eq 'kill') { 'kill' } else { 'stop', '-t', '10' })
                    # The restart itself may have the target stopped at that moment: hit it once it runs again
                    # (while the run lasts), or the cycle would be a fault in name only.
                    $tries = 0
                    do {
                        $tries++
                        $fault.InjectedAt = [DateTimeOffset]::UtcNow
                        $r = Invoke-StingFixtureDocker -ArgumentList ($verb + $idByService[$fault.Target]) -TimeoutSec 60 -AllowFailure
                        $notRunning = $r.ExitCode -ne 0 -and $r.StdErr -match 'is not running'
                        if ($notRunning) { Start-Sleep -Milliseconds 200 }
                    } while ($notRunning -and -not $handle.Process.HasExited -and $tries -lt 300)
                    $fault.Injected = $r.ExitCode -eq 0
                    $fault.Note = "docker $($verb[0]) exit $($r.ExitCode) after $tries tries at +$([math]::Round(($fault.InjectedAt - $lockedAt).TotalSeconds, 2))s from the lock $($r.StdErr.Trim())"
                }
                'concurrent' {
                    $fault.InjectedAt = [DateTimeOffset]::UtcNow
                    $fault.Injected = [bool]$lockedAt -and -not $handle.Process.HasExited
                    try {
                        $second = @(Restart-StingService -ProjectDirectory $project.Directory -Confirm:$false -ErrorAction Stop)
                        $fault.Note = "second run was NOT refused: $($second.Count) results"
                        $expectation.Add('second concurrent run was not refused with StingRestartLocked')
                    }
                    catch {
                        $fault.Note = "second run: $($_.FullyQualifiedErrorId)"
                        if ($_.FullyQualifiedErrorId -notlike 'StingRestartLocked*') { $expectation.Add("second run failed with $($_.FullyQualifiedErrorId), not StingRestartLocked") }
                    }
                    if (-not $fault.Injected) { $fault.Note += '; the first run was not running then' }
                }
                'sigkill' {
                    $fault.InjectedAt = [DateTimeOffset]::UtcNow
                    $fault.Injected = -not $handle.Process.HasExited -and (Test-Path -LiteralPath $lockFile)
                    # Process.Kill is SIGKILL on Linux: no finally block, no lock release, no journal end.
                    $handle.Process.Kill()
                    $null = $handle.Process.WaitForExit(30000)
                    $stoppedAfterKill = @(Get-StingFixtureContainer -Project $project | Where-Object State -ne 'running' | ForEach-Object Service)
                    $fault.Note = "SIGKILL to pid $($handle.Process.Id) at +$([math]::Round(($fault.InjectedAt - $lockedAt).TotalSeconds, 2))s from the lock; not running then: $($stoppedAfterKill -join ', ')"
                }
                'engine' {
                    # The capture ends with its engine: close it while the engine answers (its end sentinel
                    # proves it was live until now) and open a new one once the engine is back.
                    foreach ($e in @(Stop-StingEventCapture $captures[-1])) { $events.Add($e) }
                    $fault.InjectedAt = [DateTimeOffset]::UtcNow
                    # test-engine.sh restarts the engine on the default socket: only inject when that is the one under test.
                    $r = if (-not $env:DOCKER_HOST -or $env:DOCKER_HOST -eq 'unix:///var/run/docker.sock') {
                        Invoke-StingProcess -FilePath 'bash' -ArgumentList (Join-Path $Root 'tools/test-engine.sh'), '--restart' -TimeoutSec 300 -AllowFailure
                    } else { [pscustomobject]@{ ExitCode = -1; StdOut = ''; StdErr = "DOCKER_HOST=$env:DOCKER_HOST is not the engine tools/test-engine.sh restarts" } }
                    $fault.Injected = $r.ExitCode -eq 0
                    $back = [DateTimeOffset]::UtcNow
                    $captures.Add((Start-StingEventCapture -ProjectName $project.ProjectName))
                    $fault.Note = "engine restart exit $($r.ExitCode) took $([math]::Round(($back - $fault.InjectedAt).TotalSeconds, 1)) s; events unobserved from +$([math]::Round(($fault.InjectedAt - $lockedAt).TotalSeconds, 1)) to +$([math]::Round(([DateTimeOffset]::UtcNow - $lockedAt).TotalSeconds, 1)) s from the lock $(($r.StdErr + $r.StdOut).Trim() -replace '\s+', ' ')"
                }
                'events' { $fault.Injected = $proxy.Refused() -gt 0 }
            }
            $run = Complete-StingChildRestart -Handle $handle
            $runSeconds = if ($lockedAt) { ([DateTimeOffset]::UtcNow - $lockedAt).TotalSeconds } else { $null }
            if ($kind -eq 'events') {
                $fault.Injected = $proxy.Refused() -gt 0
                $fault.Note = "the proxy refused $($proxy.Refused()) event subscription(s)"
            }
        }
        finally {
            if ($proxy) { Stop-StingEngineProxy $proxy; $proxy = $null }
            foreach ($e in @(Stop-StingEventCapture $captures[-1])) { $events.Add($e) }
        }
        if ($kind -in 'slow', 'never') {
            # The knob acts at the target's next start: the run must have started it.
            $fault.Injected = @($events | Where-Object { $_.Service -eq $fault.Target -and $_.Action -eq 'start' }).Count -gt 0
            $fault.Note = "knob $kind on $($fault.Target); started by the run: $($fault.Injected)"
        }
        if ($fault -and -not $fault.Injected) { $problems.Add("fault $($fault.Kind) was not injected: $($fault.Note)") }

        # --- judge ---------------------------------------------------------------------------------
        $output = $run.Output
        if ($kind -ne 'sigkill' -and -not $output) { $problems.Add("the run wrote no output (exit $($run.ExitCode)): $($run.StdErr)") }
        $results = @(if ($output) { @($output.Results) | Where-Object { $_ } })
        $runErrors = @(if ($output) { @($output.Errors) | Where-Object { $_ } })
        if ($kind -ne 'sigkill') {
            $byService = $results | Group-Object Service -AsHashTable
            foreach ($s in $plan.Service) {
                $n = if ($byService -and $byService.ContainsKey($s)) { @($byService[$s]).Count } else { 0 }
                if ($n -ne 1) { $problems.Add("${s}: $n results") }
            }
            foreach ($r in $results) { if (-not $steps.ContainsKey($r.Service)) { $problems.Add("unplanned result for $($r.Service)") } }
        }

        # Services the fault hit after they were ready are exempt from agreeing with the engine.
        # (An engine restart hits every service: whatever was ready before it is exempt.)
        $exempt = @()
        if ($fault -and $fault.InjectedAt -and ($fault.Target -or $kind -eq 'engine')) {
            $hit = @($results | Where-Object { ($kind -eq 'engine' -or $_.Service -eq $fault.Target) -and $_.ReadyAt -and [DateTimeOffset]::Parse($_.ReadyAt) -le $fault.InjectedAt })
            $exempt = @($hit | ForEach-Object Service)
            if ($exempt.Count) { $fault.Note += "; hit after ready: $($exempt -join ', ')" }
        }
        $succeeded = @($results | Where-Object { $_.Status -eq 'Succeeded' -and $_.Service -notin $exempt } | ForEach-Object Service)
        if ($succeeded.Count) {
            $current = @{}; foreach ($c in @(Get-StingFixtureContainer -Project $project)) { $current[$c.Service] = $c.Id }
            try { $null = Wait-BenchHealthy -ContainerId @($succeeded | ForEach-Object { $current[$_] }) -TimeoutSec 60 }
            catch { $problems.Add("Succeeded but not running+healthy 60 s later: $($_.Exception.Message)") }
        }
        $state = @{}; foreach ($st in @(Get-BenchContainerState -ContainerId @(Get-StingFixtureContainer -Project $project | ForEach-Object Id))) { $state[$st.Service] = $st }
        foreach ($r in $results) {
            if ($r.Service -in $exempt) { continue }
            switch ([string]$r.Status) {
                'Succeeded' { }
                'Skipped' {
                    $st = $state[$r.Service]
                    if ($st -and $st.State -eq 'running' -and $st.StartedAt -gt $runStart -and $kind -ne 'engine') { $problems.Add("$($r.Service): Skipped but started at $($st.StartedAt.ToString('HH:mm:ss.fff')) after the run began") }
                }
                'Failed' { if ([string]$r.FailureReason -eq 'None' -or -not $r.Message) { $problems.Add("$($r.Service): Failed without a reason and a message") } }
                default { $problems.Add("$($r.Service): unexpected status $($r.Status)") }
            }
        }
        $notSucceeded = @($results | Where-Object Status -ne 'Succeeded')
        switch ($kind) {
            { $_ -in 'none', 'concurrent', 'events', 'engine' } {
                if ($notSucceeded.Count -or $results.Count -ne $plan.Count) {
                    $expectation.Add("expected $($plan.Count) Succeeded, got $($results.Count) results: $(($notSucceeded | ForEach-Object { "$($_.Service)=$($_.Status)/$($_.FailureReason): $($_.Message)" }) -join ' | ')")
                }
                if ($runErrors.Count) { $expectation.Add("errors: $(($runErrors | ForEach-Object Id) -join ', ')") }
            }
            { $_ -in 'slow', 'never' } {
                $tr = @($results | Where-Object Service -eq $fault.Target) | Select-Object -First 1
                if (-not $tr -or $tr.Status -ne 'Failed' -or [string]$tr.FailureReason -ne 'Timeout') { $expectation.Add("$($fault.Target): expected Failed/Timeout, got $(if ($tr) { "$($tr.Status)/$($tr.FailureReason)" } else { 'no result' })") }
                foreach ($d in (Get-Dependents -Plan $plan -Service $fault.Target)) {
                    $dr = @($results | Where-Object Service -eq $d) | Select-Object -First 1
                    if ($dr -and $dr.Status -eq 'Succeeded') { $expectation.Add("${d}: Succeeded although it needs $($fault.Target) ready") }
                }
            }
            'engine' {
                # What the daemon stopped after it was ready and did not bring back, the run must name.
                $downNow = @($exempt | Where-Object { -not $state[$_] -or $state[$_].State -ne 'running' })
                $said = @($output.Warnings | Where-Object { $_ -match 'engine was unavailable during the run' }) -join ' '
                foreach ($s in $downNow) { if ($said -notmatch "\b$([regex]::Escape($s))\b") { $expectation.Add("$s was ready before the outage and is down now, and the run did not say so") } }
            }
            'events' {
                if (-not @($output.Verbose | Where-Object { $_ -match 'events' -and $_ -match 'prob' }).Count) { $expectation.Add('-Verbose did not say that engine events were unavailable and the run relied on probing') }
            }
        }

        # Ordering: every start the capture saw, judged on the fixture's own readiness; no exemptions.
        $violations = @(Get-StingOrderViolation -Events @($events) -Plan $plan -ProjectName $project.ProjectName)
        foreach ($v in $violations) { Write-Host "  order violation: $($v.Service) started $($v.StartedAt.ToString('HH:mm:ss.fff')) before $($v.Dependency) was ready $(if ($v.DependencyReadyAt) { "(ready $($v.DependencyReadyAt.ToString('HH:mm:ss.fff')) until $(if ($v.DependencyUnreadyAt) { $v.DependencyUnreadyAt.ToString('HH:mm:ss.fff') }))" } else { '(never)' })" }

        # Heal a faulted cycle: a plain restart in this process (for sigkill: the run after the killed one).
        $healNote = ''
        if ($fault) {
            Clear-StingFixtureKnob -Project $project
            $healWarnings = $null
            try {
                $heal = @(Restart-StingService -ProjectDirectory $project.Directory -Confirm:$false -ErrorAction SilentlyContinue -WarningVariable healWarnings -WarningAction SilentlyContinue)
                $notOk = @($heal | Where-Object Status -ne 'Succeeded')
                if ($notOk.Count -or $heal.Count -ne $plan.Count) { $healNote = "heal: $($heal.Count) results; $(($notOk | ForEach-Object { "$($_.Service)=$($_.Status)" }) -join ', ')" }
                $null = Wait-BenchHealthy -ContainerId @(Get-StingFixtureContainer -Project $project | ForEach-Object Id) -TimeoutSec 120
            }
            catch {
                $healNote += " heal failed: $($_.Exception.Message); compose up -d"
                Start-StingFixture -Project $project -TimeoutSec 300 | Out-Null
            }
            if ($healNote) { $problems.Add($healNote) }
            if ($kind -eq 'sigkill' -and $fault.Injected) {
                $said = @($healWarnings | ForEach-Object Message) -join "`n"
                if ($said -notmatch 'stale restart lock') { $expectation.Add("the run after the killed one did not warn that it took the stale lock over: $said") }
                $interrupted = @($healWarnings | ForEach-Object Message | Where-Object { $_ -match 'interrupted' })
                if (-not $interrupted.Count) { $expectation.Add("the run after the killed one did not report the interrupted run: $said") }
                foreach ($s in $stoppedAfterKill) {
                    if (-not @($interrupted | Where-Object { $_ -match "\b$([regex]::Escape($s))\b" }).Count) { $expectation.Add("the interrupted run left $s stopped, and the next run did not say so") }
                }
                $fault.Note += "; next run said: $(($interrupted -join ' ') -replace '\s+', ' ')"
            }
        }
        $dbNow = Get-StingFixtureDbStarts -Project $project -TimeoutSec 60
        $dataLost = $dbNow -lt $dbHistory[-1]
        $dbHistory.Add($dbNow)

        # Leaks, after the heal: more than one container per service; lock files left behind.
        $all = @((Invoke-StingFixtureDocker -ArgumentList 'ps', '-a', '--filter', "label=com.docker.compose.project=$($project.ProjectName)", '--format', '{{.Label "com.docker.compose.service"}}' -TimeoutSec 90).StdOut -split "`r?`n" | Where-Object { $_ })
        $leaks = @($all | Group-Object | Where-Object Count -gt 1 | ForEach-Object { "$($_.Name) x$($_.Count)" })
        if (-not (Test-Path -LiteralPath $lockDir)) { $leaks += "state directory $lockDir missing: the lock check would look nowhere" }
        $locks = @(Get-ChildItem -LiteralPath $lockDir -Force -ErrorAction SilentlyContinue | Where-Object { $_.Name -like '*.lock' -or $_.Name -like '*.owner' } | ForEach-Object Name)
        if ($locks.Count) { $leaks += @($locks | ForEach-Object { "lock file $_" }) }

        $counts = ($results | Group-Object Status | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Count)" }) -join ' '
        $record = [ordered]@{
            Cycle = $cycle; Fault = $fault; RunSeconds = $(if ($null -ne $runSeconds) { [math]::Round($runSeconds, 2) }); Results = $counts
            Defined = $problems.Count -eq 0; Problems = @($problems); ExpectationProblems = @($expectation)
            OrderViolations = @($violations | ForEach-Object { "$($_.Service) before $($_.Dependency)" })
            StartsJudged = @($events | Where-Object Action -eq 'start').Count
            DbStarts = $dbNow; DataLost = $dataLost; Leaks = @($leaks)
            Outcomes = @($results | ForEach-Object { [ordered]@{ Service = $_.Service; Status = [string]$_.Status; Reason = [string]$_.FailureReason; Attempts = $_.Attempts; Message = $_.Message } })
        }
        $cycleRecords.Add([pscustomobject]$record)
        Write-Host ("  {0}; defined {1}; starts judged {2}; violations {3}; db starts {4}{5}{6}{7}" -f $counts, $record.Defined, $record.StartsJudged, $violations.Count, $dbNow,
            $(if ($problems.Count) { "`n  problems: $($problems -join ' | ')" }), $(if ($expectation.Count) { "`n  expectation: $($expectation -join ' | ')" }), $(if ($leaks.Count) { "`n  leaks: $($leaks -join ', ')" }))
        if ($fault -and $fault.Note) { Write-Host "  fault: $($fault.Note)" }
    }
}
catch {
    $fatal = "$($_.Exception.Message) $($_.InvocationInfo.PositionMessage)"
    Write-Warning "Soak aborted: $fatal"
}
finally {
    if ($proxy) { Stop-StingEngineProxy $proxy }
    if ($project) { Remove-StingFixture -Project $project }
    foreach ($k in $savedEnv.Keys) { if ($null -eq $savedEnv[$k]) { Remove-Item "Env:$k" -ErrorAction SilentlyContinue } else { Set-Item "Env:$k" $savedEnv[$k] } }
}

$unfaulted = @($cycleRecords | Where-Object { -not $_.Fault })
$faultedRuns = @($cycleRecords | Where-Object { $_.Fault })
$ok = { param($r) $r.Defined -and -not $r.ExpectationProblems.Count -and -not $r.OrderViolations.Count -and -not $r.Leaks.Count -and -not $r.DataLost }
$unfaultedOk = @($unfaulted | Where-Object { & $ok $_ }).Count
$byKind = [ordered]@{}
foreach ($k in $schedule | Where-Object { $_ -ne 'none' } | Select-Object -Unique) {
    $runs = @($faultedRuns | Where-Object { $_.Fault.Kind -eq $k })
    $byKind[$k] = [ordered]@{ Runs = $runs.Count; Injected = @($runs | Where-Object { $_.Fault.Injected }).Count; JudgedOk = @($runs | Where-Object { & $ok $_ }).Count }
}
$summary = [ordered]@{
    Runs = $cycleRecords.Count
    FaultedRuns = $faultedRuns.Count
    Faults = $byKind
    UnfaultedSucceeded = "$unfaultedOk/$($unfaulted.Count)"
    EndedDefined = "$(@($cycleRecords | Where-Object Defined).Count)/$($cycleRecords.Count)"
    OrderingViolations = (@($cycleRecords | ForEach-Object { $_.OrderViolations.Count }) | Measure-Object -Sum).Sum
    StartsJudged = (@($cycleRecords | ForEach-Object StartsJudged) | Measure-Object -Sum).Sum
    DataLost = @($cycleRecords | Where-Object DataLost).Count
    Leaks = @($cycleRecords | Where-Object { $_.Leaks.Count }).Count
    FaultExpectationsUnmet = @($cycleRecords | Where-Object { $_.ExpectationProblems.Count }).Count
    FailedCycles = @($cycleRecords | Where-Object { -not (& $ok $_) } | ForEach-Object Cycle)
    DbStarts = @($dbHistory)
}
$facts.LoadAverageAfter = Get-BenchLoadAverage
$path = Save-BenchResult -Path $ResultPath -Result ([ordered]@{
        Kind = 'StingOps.Soak'; Utc = [DateTime]::UtcNow.ToString('o'); Seed = $Seed; Cycles = $Cycles; Schedule = $schedule; FaultTimeoutSec = $FaultTimeoutSec
        Machine = $facts; Summary = $summary; Runs = @($cycleRecords); Aborted = $fatal
    })

Write-Host ''
Write-Host ("Machine: {0} CPU(s); load average before {1}, after {2}; engine {3}; compose {4}" -f $facts.Nproc, ($facts.LoadAverageBefore -join ' '), ($facts.LoadAverageAfter -join ' '), $facts.Engine, $facts.Compose)
$cycleRecords | ForEach-Object {
    [pscustomobject]@{
        Cycle = $_.Cycle
        Fault = if ($_.Fault) { "$($_.Fault.Kind) $($_.Fault.Target)$(if ($_.Fault.AtSeconds) { " +$($_.Fault.AtSeconds)s" })" } else { '-' }
        Injected = if ($_.Fault) { $_.Fault.Injected } else { '' }
        Seconds = $_.RunSeconds; Results = $_.Results; Defined = $_.Defined; Starts = $_.StartsJudged; Violations = $_.OrderViolations.Count
        DbStarts = $_.DbStarts; Leaks = $_.Leaks.Count; Expected = -not $_.ExpectationProblems.Count
    }
} | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
[pscustomobject]$summary | Format-List | Out-String -Width 200 | Write-Host
Write-Host "Result: $path"
if ($fatal -or $summary.FailedCycles.Count -or $cycleRecords.Count -ne $Cycles) { Write-Host "SOAK FAILED (cycles $($summary.FailedCycles -join ', '))"; exit 1 }
Write-Host 'Soak passed.'
