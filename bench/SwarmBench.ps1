# The swarm benchmark (Invoke-Bench.ps1 -Only swarm), dot-sourced by Invoke-Bench.ps1: it uses that script's Add-Row,
# New-Measurement and Get-Rotation. On a three-node swarm (tools/swarm-nodes.sh) with the swarm fixture spread over
# the nodes (api global, worker one replica per node), each round times, rotated:
#   ours  Restart-StingService -StackName: every service force-updated in dependency order, each once its
#         dependencies have converged; returns when the last has converged
#   L     a plain loop of `docker service update --force` (the CLI waits for each service to converge) over the
#         services in name order: no ordering, one at a time
#   P     `docker service update --force --detach` for every service at once, then until all have converged:
#         no ordering, all at once (Swarm's own parallelism)
# and C, the critical path: the longest dependency chain over the per-service update times ours measured in the
# same round (a perfect scheduler's floor with Swarm's own update_config). Order violations of each method are
# judged from every node's container events.

Import-Module (Join-Path $Root 'tests/pester/SwarmHelpers.psm1') -Force

function Get-SwarmCriticalPath {
    <# The longest chain of the plan over each service's own stop-request-to-converged time, in ms. #>
    param([Parameter(Mandatory)][object[]] $Plan, [Parameter(Mandatory)][hashtable] $Ms)
    $ready = @{}
    foreach ($step in $Plan) {   # wave order: dependencies first
        $start = 0.0
        foreach ($d in @($step.DependsOn)) { if ($ready[$d] -gt $start) { $start = $ready[$d] } }
        $ready[$step.Service] = $start + $Ms[$step.Service]
    }
    ($ready.Values | Measure-Object -Maximum).Maximum
}

function Invoke-SwarmBenchmark {
    param([int] $Nodes = 3)
    $swarm = $null; $stack = $null
    $saved = @{ DOCKER_HOST = $env:DOCKER_HOST; XDG_STATE_HOME = $env:XDG_STATE_HOME; STING_LOG_DIR = $env:STING_LOG_DIR }
    try {
        $swarm = Initialize-StingSwarm -Nodes $Nodes
        $stack = New-StingSwarmStack -Swarm $swarm -Replicas $Nodes
        $env:DOCKER_HOST = $swarm.Manager
        $env:XDG_STATE_HOME = Join-Path $stack.Directory 'state'
        $env:STING_LOG_DIR = Join-Path $stack.Directory 'metrics'
        $plan = @(Get-StingRestartPlan -StackName $stack.StackName -ProjectDirectory $stack.Directory)
        $services = @($plan.Service | Sort-Object)
        $samples = @{ ours = [System.Collections.Generic.List[double]]::new(); L = [System.Collections.Generic.List[double]]::new(); P = [System.Collections.Generic.List[double]]::new(); C = [System.Collections.Generic.List[double]]::new() }
        $violations = @{ ours = [System.Collections.Generic.List[int]]::new(); L = [System.Collections.Generic.List[int]]::new(); P = [System.Collections.Generic.List[int]]::new() }
        $problems = [System.Collections.Generic.List[string]]::new()
        for ($r = 0; $r -lt $Repeat; $r++) {
            foreach ($method in (Get-Rotation @('ours', 'L', 'P') $r)) {
                Wait-StingSwarmStackConverged -Stack $stack -TimeoutSec 300   # untimed: every method starts converged
                $capture = Start-StingSwarmEventCapture -Stack $stack
                $meter = Start-BenchMeter
                try {
                    switch ($method) {
                        'ours' {
                            $results = @(Restart-StingService -StackName $stack.StackName -ProjectDirectory $stack.Directory -Confirm:$false -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
                            $bad = @($results | Where-Object Status -ne 'Succeeded')
                            if ($bad.Count) { $problems.Add("round $($r + 1): $(($bad | ForEach-Object { "$($_.Service)=$($_.Status) $($_.Message)" }) -join '; ')") }
                            $own = @{}; foreach ($x in $results) { $own[$x.Service] = if ($x.ReadyAt -and $x.StoppedAt) { ($x.ReadyAt - $x.StoppedAt).TotalMilliseconds } else { 0 } }
                        }
                        'L' {
                            foreach ($s in $services) {
                                $null = Invoke-StingSwarmDocker -DockerHost $swarm.Manager -ArgumentList 'service', 'update', '--force', '--quiet', "$($stack.StackName)_$s" -TimeoutSec 600
                            }
                        }
                        'P' {
                            foreach ($s in $services) {
                                $null = Invoke-StingSwarmDocker -DockerHost $swarm.Manager -ArgumentList 'service', 'update', '--force', '--detach', '--quiet', "$($stack.StackName)_$s" -TimeoutSec 120
                            }
                            # Converged: Swarm's update completed and every task of the new spec runs (a healthcheck passed).
                            Start-Sleep -Milliseconds 500
                            Wait-StingSwarmStackConverged -Stack $stack -TimeoutSec 600
                        }
                    }
                    $samples[$method].Add((Stop-BenchMeter $meter).Ms)
                }
                finally { $events = @(Stop-StingSwarmEventCapture -Capture $capture) }
                $v = @(Get-StingSwarmOrderViolation -Events $events -Plan $plan)
                $violations[$method].Add($v.Count)
                if ($method -eq 'ours') {
                    $samples.C.Add((Get-SwarmCriticalPath -Plan $plan -Ms $own))
                    if ($v.Count) { $problems.Add("round $($r + 1) ours: out of order: $($v -join '; ')") }
                }
                Write-Host ("  round {0} {1}: {2:0} ms, {3} order violation(s)" -f ($r + 1), $method, $samples[$method][-1], $v.Count)
            }
        }
        $perRound = { param($x, $y) Get-BenchMedian @(for ($i = 0; $i -lt [math]::Min($x.Count, $y.Count); $i++) { $x[$i] / $y[$i] }) }
        $rL = & $perRound $samples.ours $samples.L; $rP = & $perRound $samples.ours $samples.P; $rC = & $perRound $samples.ours $samples.C
        $mOurs = Get-BenchMedian $samples.ours
        $note = "$Nodes nodes, $($plan.Count) services"
        Add-Row swarm 'ours / L' $mOurs ms "L: loop of docker service update --force (waits each, name order), $(Format-BenchNumber (Get-BenchMedian $samples.L) '0') ms; $note" $rL '< 1x' ($rL -lt 1)
        Add-Row swarm 'ours / P' $mOurs ms "P: every service update --force --detach at once, then until converged, $(Format-BenchNumber (Get-BenchMedian $samples.P) '0') ms (unordered)" $rP $null $null
        Add-Row swarm 'ours / C' $mOurs ms "C: critical path over ours' own per-service update times, $(Format-BenchNumber (Get-BenchMedian $samples.C) '0') ms" $rC $null $null
        Add-Row swarm 'order violations of ours' (Get-BenchMedian @($violations.ours)) '' "L: $(Get-BenchMedian @($violations.L)); P: $(Get-BenchMedian @($violations.P))" $null '0' ((@($violations.ours) | Measure-Object -Maximum).Maximum -eq 0)
        foreach ($p in $problems) { Write-Warning "swarm: $p" }
        [ordered]@{
            Nodes        = $Nodes
            Services     = $plan.Count
            Start        = 'every service converged (untimed)'
            End          = 'every service converged: its update completed and every task of the new spec running (healthy)'
            Measurements = @(
                New-Measurement 'ours' ms $samples.ours 'Restart-StingService -StackName -Confirm:$false in-process'
                New-Measurement 'L' ms $samples.L 'docker service update --force <service>, one after the other in name order (the CLI waits for convergence)'
                New-Measurement 'P' ms $samples.P 'docker service update --force --detach for all, then polled until converged'
                New-Measurement 'C' ms $samples.C "the longest dependency chain over ours' per-service update times (same round)"
            )
            Violations   = [ordered]@{ Ours = @($violations.ours); L = @($violations.L); P = @($violations.P) }
            Ratios       = [ordered]@{ OursOverL = $rL; OursOverP = $rP; OursOverC = $rC }
            Problems     = @($problems)
        }
    }
    finally {
        if ($stack) { Remove-StingSwarmStack $stack }
        if ($swarm) { Remove-StingSwarm $swarm }
        foreach ($k in $saved.Keys) { if ($null -eq $saved[$k]) { Remove-Item "Env:$k" -ErrorAction SilentlyContinue } else { Set-Item "Env:$k" $saved[$k] } }
    }
}
