#Requires -Version 7.2
<#
.SYNOPSIS
    Chaos soak: N full restarts of one fixture project, ~40% of them with an injected fault, each judged
    from the engine's own state and a live event capture.
.DESCRIPTION
    A seeded System.Random decides per cycle whether to inject a fault and which:
      kill        docker kill a random service 0.5-4 s into the run
      slow        knob StartupDelay beyond the run's timeout (-TimeoutSec 8): expect Failed/Timeout, dependents Skipped
      never       knob NeverHealthy (-TimeoutSec 8): expect Failed/Timeout, dependents Skipped
      stopdep     docker stop a service that others depend on, 0.5-4 s into the run
      concurrent  a second restart while the first runs: it must fail with StingRestartLocked
    Judgement of every cycle:
      unfaulted   all Succeeded, every enabled service running and healthy afterwards
      defined     every planned service has exactly one result, and its Status agrees with the engine:
                  Succeeded => running and healthy; Skipped => not started after the run began;
                  Failed => FailureReason set. (A service the fault hit after it was ready is exempt.)
      ordering    Get-StingOrderViolation on the live events, minus pairs involving the fault's target
      data        the db start counter (named volume) never decreases or resets
      leaks       more than one container per service, or lock files left in the run's XDG_STATE_HOME
    After a faulted cycle the knobs are cleared and the stack healed with a plain restart (not counted).
    Exits 1 if an unfaulted run failed, a run ended undefined, or on any ordering violation or data loss.
.EXAMPLE
    dotnet pwsh ./build.ps1 Soak -Cycles 10 -Seed 1
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string] $ModulePath,
    [ValidateRange(1, 10000)][int] $Cycles = 10,
    [int] $Seed = 1,
    [string] $ResultPath,
    # Probability that a cycle is faulted.
    [ValidateRange(0.0, 1.0)][double] $FaultRate = 0.4,
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

$facts = Get-BenchMachineFacts -ModulePath $ModulePath
$rng = [System.Random]::new($Seed)
$faultKinds = 'kill', 'slow', 'never', 'stopdep', 'concurrent'

function Start-AsyncRestart {
    <# Restart-StingService for the whole project in a runspace of this process; returns a handle. #>
    param($Project, [int] $TimeoutSec)
    $ps = [powershell]::Create()
    $t = if ($TimeoutSec -gt 0) { " -TimeoutSec $TimeoutSec" } else { '' }
    $null = $ps.AddScript("Import-Module '$ModulePath'; Restart-StingService -ProjectDirectory '$($Project.Directory)' -Confirm:`$false -ErrorAction SilentlyContinue$t")
    [pscustomobject]@{ PowerShell = $ps; Async = $ps.BeginInvoke(); Clock = [System.Diagnostics.Stopwatch]::StartNew() }
}

function Complete-AsyncRestart {
    param($Handle, [int] $TimeoutSec = 600)
    try {
        if (-not $Handle.Async.AsyncWaitHandle.WaitOne($TimeoutSec * 1000)) {
            $Handle.PowerShell.Stop()
            throw "Restart-StingService did not finish within ${TimeoutSec}s"
        }
        $results = @($Handle.PowerShell.EndInvoke($Handle.Async))
        $errors = @($Handle.PowerShell.Streams.Error)
        [pscustomobject]@{ Results = $results; Errors = $errors; Seconds = $Handle.Clock.Elapsed.TotalSeconds }
    }
    finally { $Handle.PowerShell.Dispose() }
}

function Get-Dependents {
    <# Every planned service that (transitively) needs the given one ready. #>
    param([object[]] $Plan, [string] $Service)
    $out = [System.Collections.Generic.HashSet[string]]::new()
    $queue = [System.Collections.Generic.Queue[string]]::new(); $queue.Enqueue($Service)
    while ($queue.Count) {
        $s = $queue.Dequeue()
        foreach ($step in $Plan) { if ($step.DependsOn -contains $s -and $out.Add($step.Service)) { $queue.Enqueue($step.Service) } }
    }
    , @($out)
}

$project = $null
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
    $env:XDG_STATE_HOME = Join-Path $project.Directory 'state'
    $env:STING_LOG_DIR = Join-Path $project.Directory 'metrics'
    $lockDir = Join-Path $env:XDG_STATE_HOME 'stingops'
    $plan = @(Get-StingRestartPlan -ProjectDirectory $project.Directory)
    $steps = @{}; foreach ($s in $plan) { $steps[$s.Service] = $s }
    $idByService = @{}; foreach ($c in @(Get-StingFixtureContainer -Project $project)) { $idByService[$c.Service] = $c.Id }
    $ids = @($plan | ForEach-Object { $idByService[$_.Service] })
    $probed = @($plan | Where-Object HealthCheck -ne 'running' | ForEach-Object Service)
    $withDependents = @($plan | Where-Object { $s = $_.Service; @($plan | Where-Object { $_.DependsOn -contains $s }).Count } | ForEach-Object Service)
    $dbHistory.Add((Get-StingFixtureDbStarts -Project $project))

    for ($cycle = 1; $cycle -le $Cycles; $cycle++) {
        # Draw the same numbers every cycle, whatever is used, so a seed always means the same schedule.
        $faulted = $rng.NextDouble() -lt $FaultRate
        $kind = $faultKinds[$rng.Next($faultKinds.Count)]
        $pickAny = $plan[$rng.Next($plan.Count)].Service
        $pickProbed = $probed[$rng.Next($probed.Count)]
        $pickDep = $withDependents[$rng.Next($withDependents.Count)]
        $at = 0.5 + 3.5 * $rng.NextDouble()
        $fault = $null
        if ($faulted) {
            $target = switch ($kind) { 'kill' { $pickAny } 'stopdep' { $pickDep } 'concurrent' { $null } default { $pickProbed } }
            $fault = [ordered]@{ Kind = $kind; Target = $target; AtSeconds = $(if ($kind -in 'kill', 'stopdep') { [math]::Round($at, 2) } else { $null }); InjectedAt = $null; Note = '' }
        }
        $label = if ($fault) { "$($fault.Kind) $($fault.Target)$(if ($fault.AtSeconds) { " at +$($fault.AtSeconds)s" })" } else { 'none' }
        Write-Host ("cycle {0}/{1}: fault {2}" -f $cycle, $Cycles, $label)

        $problems = [System.Collections.Generic.List[string]]::new()
        $expectation = [System.Collections.Generic.List[string]]::new()
        $null = Wait-BenchHealthy -ContainerId $ids -TimeoutSec 180
        $timeout = 0
        if ($fault -and $fault.Kind -eq 'slow') { $null = Set-StingFixtureKnob -Project $project -Service $fault.Target -StartupDelay ($FaultTimeoutSec + 10); $timeout = $FaultTimeoutSec }
        if ($fault -and $fault.Kind -eq 'never') { $null = Set-StingFixtureKnob -Project $project -Service $fault.Target -NeverHealthy; $timeout = $FaultTimeoutSec }

        $capture = Start-StingEventCapture -ProjectName $project.ProjectName
        $runStart = [DateTimeOffset]::UtcNow
        $run = $null
        try {
            $handle = Start-AsyncRestart -Project $project -TimeoutSec $timeout
            if ($fault -and $fault.Kind -in 'kill', 'stopdep') {
                $wait = [int]($fault.AtSeconds * 1000 - $handle.Clock.Elapsed.TotalMilliseconds)
                if ($wait -gt 0) { Start-Sleep -Milliseconds $wait }
                # @(...) around the if: a one-element array coming out of an if is unrolled to a string.
                $verb = @(if ($fault.Kind -eq 'kill') { 'kill' } else { 'stop', '-t', '10' })
                # The restart itself may have the target stopped at that moment: kill it once it runs again
                # (while the run lasts), or the cycle would be a fault in name only.
                $tries = 0
                do {
                    $tries++
                    $fault.InjectedAt = [DateTimeOffset]::UtcNow
                    $r = Invoke-StingFixtureDocker -ArgumentList ($verb + $idByService[$fault.Target]) -TimeoutSec 60 -AllowFailure
                    $notRunning = $r.ExitCode -ne 0 -and $r.StdErr -match 'is not running'
                    if ($notRunning) { Start-Sleep -Milliseconds 200 }
                } while ($notRunning -and -not $handle.Async.IsCompleted -and $tries -lt 300)
                $fault.Note = "docker $($verb[0]) exit $($r.ExitCode) after $tries tries at +$([math]::Round(($fault.InjectedAt - $runStart).TotalSeconds, 2))s $($r.StdErr.Trim())"
                if ($r.ExitCode -ne 0) { Write-Warning "cycle ${cycle}: fault NOT injected: $($fault.Note)" }
            }
            if ($fault -and $fault.Kind -eq 'concurrent') {
                $lock = Join-Path $lockDir "$($project.ProjectName).lock"
                $deadline = [DateTime]::UtcNow.AddSeconds(60)
                while (-not (Test-Path -LiteralPath $lock) -and [DateTime]::UtcNow -lt $deadline -and -not $handle.Async.IsCompleted) { Start-Sleep -Milliseconds 50 }
                $fault.InjectedAt = [DateTimeOffset]::UtcNow
                try {
                    $second = @(Restart-StingService -ProjectDirectory $project.Directory -Confirm:$false -ErrorAction Stop)
                    $fault.Note = "second run was NOT refused: $($second.Count) results"
                    $expectation.Add('second concurrent run was not refused with StingRestartLocked')
                }
                catch {
                    $fault.Note = "second run: $($_.FullyQualifiedErrorId)"
                    if ($_.FullyQualifiedErrorId -notlike 'StingRestartLocked*') { $expectation.Add("second run failed with $($_.FullyQualifiedErrorId), not StingRestartLocked") }
                }
            }
            $run = Complete-AsyncRestart -Handle $handle
        }
        finally { $events = @(Stop-StingEventCapture $capture) }

        # --- judge ---------------------------------------------------------------------------------
        $results = @($run.Results | Where-Object { $_ -and $_.PSObject.Properties['Service'] })
        $byService = $results | Group-Object Service -AsHashTable
        foreach ($s in $plan.Service) {
            $n = if ($byService -and $byService.ContainsKey($s)) { @($byService[$s]).Count } else { 0 }
            if ($n -ne 1) { $problems.Add("${s}: $n results") }
        }
        foreach ($r in $results) { if (-not $steps.ContainsKey($r.Service)) { $problems.Add("unplanned result for $($r.Service)") } }

        # Services the fault hit after they were ready are exempt from agreeing with the engine.
        $exempt = @()
        if ($fault -and $fault.Target -and $fault.InjectedAt) {
            $tr = @($results | Where-Object Service -eq $fault.Target) | Select-Object -First 1
            if ($tr -and $tr.ReadyAt -and $tr.ReadyAt -le $fault.InjectedAt) { $exempt = @($fault.Target); $fault.Note += '; hit after it was ready' }
        }
        $succeeded = @($results | Where-Object { $_.Status -eq 'Succeeded' -and $_.Service -notin $exempt } | ForEach-Object Service)
        if ($succeeded.Count) {
            try { $null = Wait-BenchHealthy -ContainerId @($succeeded | ForEach-Object { $idByService[$_] }) -TimeoutSec 60 }
            catch { $problems.Add("Succeeded but not running+healthy 60 s later: $($_.Exception.Message)") }
        }
        $state = @{}; foreach ($st in @(Get-BenchContainerState -ContainerId $ids)) { $state[$st.Service] = $st }
        foreach ($r in $results) {
            if ($r.Service -in $exempt) { continue }
            switch ([string]$r.Status) {
                'Succeeded' { }
                'Skipped' {
                    $st = $state[$r.Service]
                    if ($st -and $st.State -eq 'running' -and $st.StartedAt -gt $runStart) { $problems.Add("$($r.Service): Skipped but started at $($st.StartedAt.ToString('HH:mm:ss.fff')) after the run began") }
                }
                'Failed' { if ([string]$r.FailureReason -eq 'None') { $problems.Add("$($r.Service): Failed without a reason") } }
                default { $problems.Add("$($r.Service): unexpected status $($r.Status)") }
            }
        }
        if (-not $fault) {
            $bad = @($results | Where-Object Status -ne 'Succeeded')
            if ($bad.Count -or $results.Count -ne $plan.Count) { $problems.Add("unfaulted run: $(($bad | ForEach-Object { "$($_.Service)=$($_.Status)/$($_.FailureReason): $($_.Message)" }) -join ' | ')") }
        }
        elseif ($fault.Kind -in 'slow', 'never') {
            $tr = @($results | Where-Object Service -eq $fault.Target) | Select-Object -First 1
            if (-not $tr -or $tr.Status -ne 'Failed' -or [string]$tr.FailureReason -ne 'Timeout') { $expectation.Add("$($fault.Target): expected Failed/Timeout, got $(if ($tr) { "$($tr.Status)/$($tr.FailureReason)" } else { 'no result' })") }
            foreach ($d in (Get-Dependents -Plan $plan -Service $fault.Target)) {
                # A service_started dependent may legitimately run: the target did start.
                $dr = @($results | Where-Object Service -eq $d) | Select-Object -First 1
                $needsReady = @($steps[$d].DependsOnCondition.GetEnumerator() | Where-Object { $_.Value -ne 'service_started' } | ForEach-Object Key)
                if ($dr -and $dr.Status -eq 'Succeeded' -and ($fault.Target -in $needsReady)) { $expectation.Add("${d}: Succeeded although it needs $($fault.Target) ready") }
            }
        }
        elseif ($fault.Kind -eq 'concurrent') {
            $bad = @($results | Where-Object Status -ne 'Succeeded')
            if ($bad.Count) { $expectation.Add("first run: $(($bad | ForEach-Object { "$($_.Service)=$($_.Status)" }) -join ', ')") }
        }

        $violations = @(Get-StingOrderViolation -Events $events -Plan $plan | Where-Object { -not $fault -or -not $fault.Target -or ($_.Service -ne $fault.Target -and $_.Dependency -ne $fault.Target) })
        foreach ($v in $violations) { Write-Host "  order violation: $($v.Service) started $($v.StartedAt.ToString('HH:mm:ss.fff')) before $($v.Dependency) ready $(if ($v.DependencyReadyAt) { $v.DependencyReadyAt.ToString('HH:mm:ss.fff') } else { '(never)' })" }

        # Leaks: more than one container per service; lock files left behind.
        $all = @((Invoke-StingFixtureDocker -ArgumentList 'ps', '-a', '--filter', "label=com.docker.compose.project=$($project.ProjectName)", '--format', '{{.Label "com.docker.compose.service"}}' -TimeoutSec 90).StdOut -split "`r?`n" | Where-Object { $_ })
        $leaks = @($all | Group-Object | Where-Object Count -gt 1 | ForEach-Object { "$($_.Name) x$($_.Count)" })
        $locks = @(Get-ChildItem -LiteralPath $lockDir -Force -ErrorAction SilentlyContinue | Where-Object { $_.Name -like '*.lock' -or $_.Name -like '*.owner' } | ForEach-Object Name)
        if ($locks.Count) { $leaks += @($locks | ForEach-Object { "lock file $_" }) }

        # Heal a faulted cycle (not counted), then read the db counter.
        $healNote = ''
        if ($fault) {
            Clear-StingFixtureKnob -Project $project
            try {
                $heal = @(Restart-StingService -ProjectDirectory $project.Directory -Confirm:$false -ErrorAction SilentlyContinue)
                $notOk = @($heal | Where-Object Status -ne 'Succeeded')
                if ($notOk.Count) { $healNote = "heal: $(($notOk | ForEach-Object { "$($_.Service)=$($_.Status)" }) -join ', ')" }
                $null = Wait-BenchHealthy -ContainerId $ids -TimeoutSec 120
            }
            catch {
                $healNote += " heal failed: $($_.Exception.Message); docker-compose up -d"
                Start-StingFixture -Project $project -TimeoutSec 300 | Out-Null
            }
        }
        $dbNow = Get-StingFixtureDbStarts -Project $project -TimeoutSec 60
        $dataLost = $dbNow -lt $dbHistory[-1]
        $dbHistory.Add($dbNow)

        $counts = ($results | Group-Object Status | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Count)" }) -join ' '
        $record = [ordered]@{
            Cycle = $cycle; Fault = $fault; RunSeconds = [math]::Round($run.Seconds, 2); Results = $counts
            Defined = $problems.Count -eq 0; Problems = @($problems); ExpectationProblems = @($expectation)
            OrderViolations = @($violations | ForEach-Object { "$($_.Service) before $($_.Dependency)" })
            DbStarts = $dbNow; DataLost = $dataLost; Leaks = @($leaks); Heal = $healNote
            Outcomes = @($results | ForEach-Object { [ordered]@{ Service = $_.Service; Status = [string]$_.Status; Reason = [string]$_.FailureReason; Attempts = $_.Attempts; Message = $_.Message } })
        }
        $cycleRecords.Add([pscustomobject]$record)
        Write-Host ("  {0:0.0} s; {1}; defined {2}; violations {3}; db starts {4}{5}{6}{7}" -f $run.Seconds, $counts, $record.Defined, $violations.Count, $dbNow,
            $(if ($problems.Count) { "`n  problems: $($problems -join ' | ')" }), $(if ($expectation.Count) { "`n  expectation: $($expectation -join ' | ')" }), $(if ($leaks.Count) { "`n  leaks: $($leaks -join ', ')" }))
        if ($healNote) { Write-Host "  $healNote" }
    }
}
catch {
    $fatal = "$($_.Exception.Message) $($_.InvocationInfo.PositionMessage)"
    Write-Warning "Soak aborted: $fatal"
}
finally {
    if ($project) { Remove-StingFixture -Project $project }
    foreach ($k in $savedEnv.Keys) { if ($null -eq $savedEnv[$k]) { Remove-Item "Env:$k" -ErrorAction SilentlyContinue } else { Set-Item "Env:$k" $savedEnv[$k] } }
}

$unfaulted = @($cycleRecords | Where-Object { -not $_.Fault })
$faultedRuns = @($cycleRecords | Where-Object { $_.Fault })
$unfaultedOk = @($unfaulted | Where-Object { $_.Defined }).Count
$summary = [ordered]@{
    Runs = $cycleRecords.Count
    FaultedRuns = $faultedRuns.Count
    UnfaultedSuccessRate = if ($unfaulted.Count) { [math]::Round($unfaultedOk / $unfaulted.Count, 3) } else { $null }
    UnfaultedSucceeded = "$unfaultedOk/$($unfaulted.Count)"
    EndedDefined = "$(@($cycleRecords | Where-Object Defined).Count)/$($cycleRecords.Count)"
    OrderingViolations = (@($cycleRecords | ForEach-Object { $_.OrderViolations.Count }) | Measure-Object -Sum).Sum
    DataLost = @($cycleRecords | Where-Object DataLost).Count
    Leaks = @($cycleRecords | Where-Object { $_.Leaks.Count }).Count
    FaultExpectationsUnmet = @($cycleRecords | Where-Object { $_.ExpectationProblems.Count }).Count
    DbStarts = @($dbHistory)
}
$facts.LoadAverageAfter = Get-BenchLoadAverage
$path = Save-BenchResult -Path $ResultPath -Result ([ordered]@{
        Kind = 'StingOps.Soak'; Utc = [DateTime]::UtcNow.ToString('o'); Seed = $Seed; Cycles = $Cycles; FaultRate = $FaultRate; FaultTimeoutSec = $FaultTimeoutSec
        Machine = $facts; Summary = $summary; Runs = @($cycleRecords); Aborted = $fatal
    })

Write-Host ''
Write-Host ("Machine: {0} CPU(s); load average before {1}, after {2}; engine {3}; docker-compose {4}" -f $facts.Nproc, ($facts.LoadAverageBefore -join ' '), ($facts.LoadAverageAfter -join ' '), $facts.Engine, $facts.Compose)
$cycleRecords | ForEach-Object {
    [pscustomobject]@{
        Cycle = $_.Cycle
        Fault = if ($_.Fault) { "$($_.Fault.Kind) $($_.Fault.Target)$(if ($_.Fault.AtSeconds) { " +$($_.Fault.AtSeconds)s" })" } else { '-' }
        Seconds = $_.RunSeconds; Results = $_.Results; Defined = $_.Defined; Violations = $_.OrderViolations.Count
        DbStarts = $_.DbStarts; Leaks = $_.Leaks.Count; Expected = -not $_.ExpectationProblems.Count
    }
} | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
[pscustomobject]$summary | Format-List | Out-String -Width 200 | Write-Host
Write-Host "Result: $path"
$fail = $fatal -or ($unfaultedOk -ne $unfaulted.Count) -or (@($cycleRecords | Where-Object { -not $_.Defined }).Count) -or $summary.OrderingViolations -or $summary.DataLost
if ($fail) { Write-Host 'SOAK FAILED'; exit 1 }
Write-Host 'Soak passed.'
