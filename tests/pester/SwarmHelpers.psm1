#Requires -Version 7.2
<#
.SYNOPSIS
    Helpers for integration tests against real Docker Swarm stacks (tests/fixtures/swarm-stack).

.DESCRIPTION
    A swarm to test on: the default engine as a single-node swarm (the quick leg), or three engines in network
    namespaces of their own (tools/swarm-nodes.sh, the multi-node leg). Stacks deployed from private copies of
    the fixture under unique stingswarm-* names, waited for until every task runs, and removed again; the
    container events of every node, to judge order by.

    Rules: every docker call has a timeout, every wait is bounded, only stingswarm-* stacks are removed, and a
    swarm is left (or torn down) only by the helper that made it.
#>

Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Verbose:$false

$script:FixtureRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' 'fixtures' 'swarm-stack'))
$script:NodesScript = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..' 'tools' 'swarm-nodes.sh'))
$script:StackPrefix = 'stingswarm-'
$script:StackLabel = 'com.docker.stack.namespace'

function Invoke-StingSwarmDocker {
    <# docker -H <host> ... with a timeout; returns ExitCode/StdOut/StdErr, throws on failure unless -AllowFailure. #>
    param(
        [Parameter(Mandatory)][string] $DockerHost,
        [Parameter(Mandatory)][string[]] $ArgumentList,
        [ValidateRange(1, 3600)][int] $TimeoutSec = 60,
        [System.Collections.IDictionary] $Environment,
        [switch] $AllowFailure
    )
    Invoke-StingProcess -FilePath 'docker' -ArgumentList (@('-H', $DockerHost) + $ArgumentList) -TimeoutSec $TimeoutSec -Environment $Environment -AllowFailure:$AllowFailure
}

function Initialize-StingSwarm {
    <#
    .SYNOPSIS
        A swarm with the fixture image on every node. -Nodes 1: the default engine becomes a single-node swarm
        (when it is not in one already); -Nodes 3: tools/swarm-nodes.sh builds three nodes in namespaces.
    #>
    param([ValidateSet(1, 3)][int] $Nodes = 1)
    $image = Initialize-StingFixtureImage
    if ($Nodes -eq 1) {
        $hostUri = if ($env:DOCKER_HOST) { $env:DOCKER_HOST } else { 'unix:///var/run/docker.sock' }
        $state = (Invoke-StingSwarmDocker -DockerHost $hostUri -ArgumentList 'info', '--format', '{{.Swarm.LocalNodeState}}').StdOut.Trim()
        $created = $false
        if ($state -ne 'active') {
            $null = Invoke-StingSwarmDocker -DockerHost $hostUri -ArgumentList 'swarm', 'init', '--advertise-addr', '127.0.0.1' -TimeoutSec 90
            $created = $true
            # No ingress: the stack uses the host network, and an ingress needs iptables.
            $null = Invoke-StingProcess -FilePath 'bash' -ArgumentList '-c', "echo y | docker -H '$hostUri' network rm ingress" -TimeoutSec 60 -AllowFailure
        }
        return [pscustomobject]@{ PSTypeName = 'StingOps.Test.Swarm'; Manager = $hostUri; Nodes = @($hostUri); Created = $created; NodeCount = 1; Image = $image.Image }
    }
    $up = Invoke-StingProcess -FilePath 'bash' -ArgumentList $script:NodesScript, 'up', '--nodes', "$Nodes" -TimeoutSec 600 `
        -Environment @{ STINGOPS_SWARM_IMAGES = $image.Image }
    try {
        $lines = @($up.StdOut -split "`r?`n")
        $named = { param($key) $line = $lines | Where-Object { $_ -like "$key=*" } | Select-Object -Last 1; if (-not $line) { throw "tools/swarm-nodes.sh up did not print $key." }; $line.Split('=', 2)[1] }
        [pscustomobject]@{
            PSTypeName = 'StingOps.Test.Swarm'; Manager = (& $named 'STINGOPS_SWARM_MANAGER'); Created = $true; NodeCount = $Nodes; Image = $image.Image
            Nodes = @(foreach ($i in 1..$Nodes) { & $named "STINGOPS_SWARM_NODE$i" })
        }
    }
    catch {
        $null = Invoke-StingProcess -FilePath 'bash' -ArgumentList $script:NodesScript, 'down' -TimeoutSec 600 -AllowFailure
        throw
    }
}

function Remove-StingSwarm {
    <# Leaves what Initialize-StingSwarm made: the single-node swarm it initialised, or the whole multi-node cluster. Never throws. #>
    param([AllowNull()] $Swarm)
    if ($null -eq $Swarm -or -not $Swarm.Created) { return }
    try {
        if ($Swarm.NodeCount -eq 1) {
            $null = Invoke-StingSwarmDocker -DockerHost $Swarm.Manager -ArgumentList 'swarm', 'leave', '--force' -TimeoutSec 90 -AllowFailure
            # Leaving does not remove the bridge swarm init made (network and host link).
            $null = Invoke-StingSwarmDocker -DockerHost $Swarm.Manager -ArgumentList 'network', 'rm', 'docker_gwbridge' -TimeoutSec 60 -AllowFailure
        }
        else {
            $down = Invoke-StingProcess -FilePath 'bash' -ArgumentList $script:NodesScript, 'down' -TimeoutSec 600 -AllowFailure
            if ($down.ExitCode -ne 0) { Write-Warning "Remove-StingSwarm: swarm-nodes.sh down exited $($down.ExitCode): $($down.StdErr.Trim())" }
        }
    }
    catch { Write-Warning "Remove-StingSwarm: $($_.Exception.Message)" }
}

function Invoke-StingSwarmNode {
    <# tools/swarm-nodes.sh stop-node|start-node I: a node lost (its dockerd stopped by pid) and back. #>
    param([Parameter(Mandatory)][ValidateSet('stop-node', 'start-node')][string] $Action, [Parameter(Mandatory)][int] $Node)
    $null = Invoke-StingProcess -FilePath 'bash' -ArgumentList $script:NodesScript, $Action, "$Node" -TimeoutSec 300
}

function New-StingSwarmStack {
    <#
    .SYNOPSIS
        Deploys a private copy of the swarm fixture as a unique stingswarm-* stack and waits until every service
        runs all its tasks. The copy's .env holds what the deploy was given, so StingOps reads the same model.
    #>
    param([Parameter(Mandatory)] $Swarm, [int] $Replicas = 1, [ValidateRange(10, 900)][int] $TimeoutSec = 240)
    $suffix = [System.Convert]::ToHexString([System.Security.Cryptography.RandomNumberGenerator]::GetBytes(4)).ToLowerInvariant()
    $name = "$script:StackPrefix$suffix"
    $dir = Join-Path ([System.IO.Path]::GetTempPath()) $name
    [void][System.IO.Directory]::CreateDirectory($dir, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
    try {
        Copy-Item -Path (Join-Path $script:FixtureRoot '*') -Destination $dir -Recurse -Force
        $control = Join-Path $dir 'control'
        [void][System.IO.Directory]::CreateDirectory($control)
        $prefix = Get-StingFreePortPrefix -Ports 6
        $values = [ordered]@{ STING_PORT_PREFIX = "$prefix"; STING_CONTROL_DIR = $control; STING_SWARM_REPLICAS = "$Replicas" }
        [System.IO.File]::WriteAllLines((Join-Path $dir '.env'), [string[]](@('# Written by SwarmHelpers.psm1 for one test run.') + @($values.Keys | ForEach-Object { "$_=$($values[$_])" })))
        $file = Join-Path $dir 'docker-compose.yml'
        $null = Invoke-StingSwarmDocker -DockerHost $Swarm.Manager -ArgumentList 'stack', 'deploy', '--resolve-image', 'never', '-c', $file, $name -TimeoutSec 120 -Environment $values
        $stack = [pscustomobject]@{
            PSTypeName = 'StingOps.Test.SwarmStack'; StackName = $name; Directory = $dir; ComposeFile = $file; ControlDirectory = $control
            PortPrefix = $prefix; Swarm = $Swarm
        }
        Wait-StingSwarmStackConverged -Stack $stack -TimeoutSec $TimeoutSec
        $stack
    }
    catch {
        try { $null = Invoke-StingSwarmDocker -DockerHost $Swarm.Manager -ArgumentList 'stack', 'rm', $name -TimeoutSec 60 -AllowFailure } catch { Write-Verbose $_ }
        Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue
        throw
    }
}

function Get-StingSwarmServiceState {
    <# Each service of the stack: desired and running tasks as the manager counts them, and its update state. #>
    param([Parameter(Mandatory)] $Stack)
    $ids = @((Invoke-StingSwarmDocker -DockerHost $Stack.Swarm.Manager -ArgumentList 'service', 'ls', '-q', '--filter', "label=$script:StackLabel=$($Stack.StackName)").StdOut -split '\s+' | Where-Object { $_ })
    if ($ids.Count -eq 0) { return @() }
    $listed = @{}
    foreach ($line in ((Invoke-StingSwarmDocker -DockerHost $Stack.Swarm.Manager -ArgumentList 'service', 'ls', '--filter', "label=$script:StackLabel=$($Stack.StackName)", '--format', '{{.Name}} {{.Replicas}}').StdOut -split "`r?`n" | Where-Object { $_ })) {
        $n, $r = $line -split ' ', 2
        $listed[$n] = $r
    }
    foreach ($s in @((Invoke-StingSwarmDocker -DockerHost $Stack.Swarm.Manager -ArgumentList (@('service', 'inspect') + $ids)).StdOut | ConvertFrom-Json -Depth 30)) {
        $name = $s.Spec.Name
        $counts = ($listed[$name] -split ' ')[0]
        $running, $desired = $counts -split '/'
        [pscustomobject]@{
            Service     = $name.Substring($Stack.StackName.Length + 1)
            Running     = [int]$running
            Desired     = [int]$desired
            UpdateState = if ($s.PSObject.Properties['UpdateStatus'] -and $s.UpdateStatus) { $s.UpdateStatus.State } else { $null }
            ForceUpdate = [int]$s.Spec.TaskTemplate.ForceUpdate
        }
    }
}

function Wait-StingSwarmStackConverged {
    <# Until every service of the stack runs all its desired tasks (Swarm counts a task with a healthcheck only once healthy). #>
    param([Parameter(Mandatory)] $Stack, [ValidateRange(5, 900)][int] $TimeoutSec = 180)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    $last = ''
    while ([DateTime]::UtcNow -lt $deadline) {
        $states = @(Get-StingSwarmServiceState -Stack $Stack)
        $last = ($states | ForEach-Object { "$($_.Service) $($_.Running)/$($_.Desired) $($_.UpdateState)" }) -join ', '
        if ($states.Count -gt 0 -and @($states | Where-Object { $_.Desired -eq 0 -or $_.Running -ne $_.Desired -or $_.UpdateState -in 'updating', 'rollback_started' }).Count -eq 0) { return }
        Start-Sleep -Milliseconds 500
    }
    throw "Stack $($Stack.StackName) did not converge within ${TimeoutSec}s: $last"
}

function Remove-StingSwarmStack {
    <# docker stack rm, then waits (bounded) until no container of the stack is left on any node; deletes the copy. Never throws. #>
    param([AllowNull()] $Stack)
    if ($null -eq $Stack) { return }
    if ($Stack.StackName -notlike "$script:StackPrefix*") { Write-Warning "Remove-StingSwarmStack: refusing '$($Stack.StackName)'."; return }
    try {
        $null = Invoke-StingSwarmDocker -DockerHost $Stack.Swarm.Manager -ArgumentList 'stack', 'rm', $Stack.StackName -TimeoutSec 120 -AllowFailure
        $deadline = [DateTime]::UtcNow.AddSeconds(120)
        do {
            $left = 0
            foreach ($node in $Stack.Swarm.Nodes) {
                $ps = Invoke-StingSwarmDocker -DockerHost $node -ArgumentList 'ps', '-aq', '--filter', "label=$script:StackLabel=$($Stack.StackName)" -TimeoutSec 30 -AllowFailure
                if ($ps.ExitCode -eq 0) { $left += @($ps.StdOut -split '\s+' | Where-Object { $_ }).Count }
            }
            if ($left -eq 0) { break }
            Start-Sleep -Milliseconds 500
        } while ([DateTime]::UtcNow -lt $deadline)
        if ($left -gt 0) { Write-Warning "Remove-StingSwarmStack: $left container(s) of $($Stack.StackName) still there after 120 s." }
    }
    catch { Write-Warning "Remove-StingSwarmStack: $($_.Exception.Message)" }
    Remove-Item -LiteralPath $Stack.Directory -Recurse -Force -ErrorAction SilentlyContinue
}

function Start-StingSwarmEventCapture {
    <#
    .SYNOPSIS
        Follows the stack's container starts and health changes on every node, live: a daemon keeps only its last
        ~256 events for --since, minutes of healthcheck execs. One docker events process per node (started here,
        ended by Stop-StingSwarmEventCapture by its Process object); a node's stream ends when its daemon stops.
    #>
    param([Parameter(Mandatory)] $Stack)
    $captures = foreach ($node in $Stack.Swarm.Nodes) {
        $file = Join-Path $Stack.Directory "events-$([guid]::NewGuid().ToString('N').Substring(0, 8)).jsonl"
        # exec: the process started here IS the docker CLI, so ending it by its Process object ends the stream.
        $command = "exec docker -H '$node' events --filter type=container --filter 'label=$script:StackLabel=$($Stack.StackName)' " +
            "--filter event=start --filter event=health_status --filter event=die --format '{{json .}}' > '$file' 2>/dev/null"
        $psi = [System.Diagnostics.ProcessStartInfo]::new('bash')
        $psi.ArgumentList.Add('-c'); $psi.ArgumentList.Add($command)
        $psi.UseShellExecute = $false
        [pscustomobject]@{ Node = $node; Process = [System.Diagnostics.Process]::Start($psi); File = $file }
    }
    # The CLI subscribes before it prints anything; give the subscriptions a moment to be live.
    Start-Sleep -Milliseconds 500
    [pscustomobject]@{ PSTypeName = 'StingOps.Test.SwarmEventCapture'; Stack = $Stack; Captures = @($captures) }
}

function Stop-StingSwarmEventCapture {
    <#
    .SYNOPSIS
        Ends the capture (a second's grace for the last events) and returns its events, oldest first: Time (UTC,
        from the engine's nanoseconds; the nodes share this machine's clock), Node, Service (compose name), Task,
        Container, Action (start, health_status: healthy, die, ...).
    #>
    param([Parameter(Mandatory)] $Capture)
    Start-Sleep -Seconds 1
    $stackName = $Capture.Stack.StackName
    $events = foreach ($c in $Capture.Captures) {
        try { if (-not $c.Process.HasExited) { $c.Process.Kill() } } catch { Write-Verbose "events: $($_.Exception.Message)" }
        [void]$c.Process.WaitForExit(5000)
        $c.Process.Dispose()
        $lines = if (Test-Path -LiteralPath $c.File) { @(Get-Content -LiteralPath $c.File | Where-Object { $_ }) } else { @() }
        Remove-Item -LiteralPath $c.File -Force -ErrorAction SilentlyContinue
        foreach ($line in $lines) {
            $e = $line | ConvertFrom-Json -Depth 10
            $attributes = $e.Actor.Attributes
            $service = [string]$attributes.'com.docker.swarm.service.name'
            [pscustomobject]@{
                Time      = [DateTimeOffset]::FromUnixTimeMilliseconds([long]([decimal]$e.timeNano / 1000000))
                Node      = $c.Node
                Service   = $service.Substring($stackName.Length + 1)
                Task      = [string]$attributes.'com.docker.swarm.task.id'
                Container = [string]$e.Actor.ID
                Action    = [string]$e.Action
            }
        }
    }
    @($events | Sort-Object Time)
}

function Get-StingSwarmOrderViolation {
    <#
    .SYNOPSIS
        For each dependency edge of the plan: a container of the dependent that started before every new container
        of its dependency was healthy, judged from the captured events of all nodes. Empty: the run kept the order.
    #>
    param([object[]] $Events = @(), [Parameter(Mandatory)][object[]] $Plan)
    foreach ($step in $Plan) {
        foreach ($dependency in @($step.DependsOn)) {
            $healthy = @($Events | Where-Object { $_.Service -eq $dependency -and $_.Action -eq 'health_status: healthy' })
            $starts = @($Events | Where-Object { $_.Service -eq $step.Service -and $_.Action -eq 'start' })
            if ($healthy.Count -eq 0 -or $starts.Count -eq 0) { "$($step.Service) -> ${dependency}: missing events (healthy $($healthy.Count), starts $($starts.Count))"; continue }
            $lastReady = ($healthy | Measure-Object -Property Time -Maximum).Maximum
            $firstStart = ($starts | Measure-Object -Property Time -Minimum).Minimum
            if ($firstStart -lt $lastReady) { "$($step.Service) started at $($firstStart.ToString('HH:mm:ss.fff')) before $dependency was healthy everywhere ($($lastReady.ToString('HH:mm:ss.fff')))" }
        }
    }
}

Export-ModuleMember -Function Invoke-StingSwarmDocker, Initialize-StingSwarm, Remove-StingSwarm, Invoke-StingSwarmNode, New-StingSwarmStack,
    Get-StingSwarmServiceState, Wait-StingSwarmStackConverged, Remove-StingSwarmStack, Start-StingSwarmEventCapture, Stop-StingSwarmEventCapture, Get-StingSwarmOrderViolation
