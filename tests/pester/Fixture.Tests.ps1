#Requires -Version 7.2
# Integration tests of the fixture STING stack itself (tests/fixtures/sting-stack) and of the helpers in
# TestHelpers.psm1 that every other integration test relies on. Needs a Docker engine
# (tools/test-engine.sh) and docker-compose; builds stingops-fixture:local offline when needed.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

    $DefaultServices = @(
        'vault', 'db', 'redis', 'kratos', 'messaging', 'app', 'chroma', 'knowledge', 'external-ai', 'frontend',
        'report-worker', 'profile-sync-worker', 'chatbot', 'llm-gateway-proxy', 'public-bee')
    $ObservabilityServices = @('loki', 'promtail', 'grafana', 'log-forwarder')

    function Get-ContainerIdsOf([string] $ProjectName) {
        @((Invoke-StingFixtureDocker 'ps', '-a', '-q', '--filter', "label=com.docker.compose.project=$ProjectName").StdOut -split '\s+' | Where-Object { $_ })
    }
    function Get-VolumeNamesOf([string] $ProjectName) {
        @((Invoke-StingFixtureDocker 'volume', 'ls', '-q', '--filter', "label=com.docker.compose.project=$ProjectName").StdOut -split '\s+' | Where-Object { $_ })
    }
    function Get-ServiceContainer($Project, [string] $Service) {
        $c = @(Get-StingFixtureContainer -Project $Project -Service $Service)
        $c.Count | Should -Be 1 -Because "one container of $Service"
        $c[0]
    }
    function Test-Health([int] $Port) {
        try { (Invoke-WebRequest -Uri "http://127.0.0.1:$Port/health" -TimeoutSec 2 -ErrorAction Stop).StatusCode -eq 200 } catch { $false }
    }
    # This start's log lines only: docker logs --since the container's StartedAt.
    function Format-DockerTime($Time) { ([DateTimeOffset]$Time).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ss.fffffffZ', [cultureinfo]::InvariantCulture) }
    function Wait-Until([scriptblock] $Condition, [double] $TimeoutSec, [string] $What) {
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        while (-not (& $Condition)) {
            if ($clock.Elapsed.TotalSeconds -ge $TimeoutSec) { throw "Timed out after ${TimeoutSec}s waiting for: $What" }
            Start-Sleep -Milliseconds 100
        }
        $clock.Elapsed.TotalSeconds
    }
    # Listening TCP sockets on this host (host networking: the containers' too): port -> local addresses.
    function Get-ListeningAddress {
        $map = @{}
        foreach ($file in '/proc/net/tcp', '/proc/net/tcp6') {
            if (-not (Test-Path $file)) { continue }
            foreach ($line in Get-Content $file | Select-Object -Skip 1) {
                $f = $line.Trim() -split '\s+'
                if ($f[3] -ne '0A') { continue }   # LISTEN
                $addr, $portHex = $f[1] -split ':'
                $port = [Convert]::ToInt32($portHex, 16)
                $ip = if ($addr.Length -eq 8) {
                    $b = [Convert]::FromHexString($addr); [array]::Reverse($b); ([System.Net.IPAddress]::new($b)).ToString()
                }
                else { "ipv6:$addr" }
                if (-not $map[$port]) { $map[$port] = [System.Collections.Generic.List[string]]::new() }
                $map[$port].Add($ip)
            }
        }
        $map
    }
}

Describe 'Fixture stack' -Tag 'Integration', 'Fixture' {
    BeforeAll {
        $null = Remove-StingFixtureLeftover
        $null = Initialize-StingFixtureImage
        $project = New-StingFixtureProject
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        # Generous: how long a busy 2-core machine takes is not what this file tests (bench/ measures speed).
        $null = Start-StingFixture -Project $project -TimeoutSec 300
        $upSeconds = $clock.Elapsed.TotalSeconds
        Write-Host ("    fixture: full up of {0} (prefix {1}) to all-healthy in {2:n1}s" -f $project.ProjectName, $project.PortPrefix, $upSeconds)
    }
    AfterAll {
        if ($project) { Remove-StingFixture -Project $project }
    }

    It 'brings every default-profile service (15) up healthy' {
        $containers = @(Get-StingFixtureContainer -Project $project)
        @($containers.Service | Sort-Object) | Should -Be @($DefaultServices | Sort-Object)
        $notHealthy = $containers | Where-Object { $_.State -ne 'running' -or $_.Health -ne 'healthy' } |
            ForEach-Object { "$($_.Service): $($_.State)/$($_.Health)" }
        $notHealthy | Should -BeNullOrEmpty
    }

    It 'does not create the observability services without their profile' {
        $services = @(Get-StingFixtureContainer -Project $project | ForEach-Object Service)
        foreach ($s in $ObservabilityServices) { $services | Should -Not -Contain $s }
        $model = @(Get-StingFixtureService -Project $project)
        @($model | Where-Object { -not $_.Enabled } | ForEach-Object Name | Sort-Object) | Should -Be @($ObservabilityServices | Sort-Object)
    }

    It 'runs every container with host networking, init, and the owner pid label' {
        foreach ($c in Get-StingFixtureContainer -Project $project) {
            $c.Inspect.HostConfig.NetworkMode | Should -Be 'host' -Because $c.Service
            $c.Inspect.HostConfig.Init | Should -BeTrue -Because $c.Service
            $c.OwnerPid | Should -Be "$PID" -Because $c.Service
            $c.Inspect.Name | Should -Not -Match "^/$($c.Service)$" -Because 'no container_name: two stacks run at once'
        }
    }

    It 'creates no docker network (only bridge/host/none may exist)' {
        $networks = @((Invoke-StingFixtureDocker 'network', 'ls', '--format', '{{.Name}}').StdOut -split '\s+' | Where-Object { $_ })
        foreach ($n in $networks) { $n | Should -BeIn @('bridge', 'host', 'none') }
        $networks | Should -Not -Contain "$($project.ProjectName)_default"
    }

    It 'serves /health only on 127.0.0.1, on <prefix>NN ports' {
        $listening = Get-ListeningAddress
        foreach ($c in Get-StingFixtureContainer -Project $project) {
            [math]::Floor($c.Port / 100) | Should -Be $project.PortPrefix -Because $c.Service
            $response = Invoke-WebRequest -Uri "http://127.0.0.1:$($c.Port)/health" -TimeoutSec 5
            $response.StatusCode | Should -Be 200
            # busybox httpd serves an extension-less file as application/octet-stream: Content is bytes.
            $body = if ($response.Content -is [byte[]]) { [System.Text.Encoding]::UTF8.GetString($response.Content) } else { $response.Content }
            $body.Trim() | Should -Be "ok $($c.Service)"
            @($listening[[int]$c.Port]) | Should -Be @('127.0.0.1') -Because "$($c.Service) binds loopback only"
        }
        @(Get-StingFixtureContainer -Project $project | ForEach-Object Port | Sort-Object -Unique).Count | Should -Be 15
    }

    It 'keeps db data across a docker restart: the start counter goes up by exactly one' {
        $db = Get-ServiceContainer $project 'db'
        $before = Get-StingFixtureDbStarts -Project $project
        $before | Should -BeGreaterOrEqual 1
        $null = Invoke-StingFixtureDocker 'exec', $db.Id, 'sh', '-c', 'echo precious > /data/test-file'
        $null = Invoke-StingFixtureDocker 'restart', $db.Id
        $null = Wait-StingFixtureHealthy -Project $project -Service db -TimeoutSec 90
        Get-StingFixtureDbStarts -Project $project | Should -Be ($before + 1)
        (Invoke-StingFixtureDocker 'exec', $db.Id, 'cat', '/data/test-file').StdOut.Trim() | Should -Be 'precious'
        (Get-ServiceContainer $project 'db').Id | Should -Be $db.Id -Because 'a restart keeps the container'
    }

    It 'stops at once on SIGTERM' {
        $c = Get-ServiceContainer $project 'chroma'
        # Not timed: had the grace period run out, the engine would have killed it (exit 137), not exit 0.
        $null = Invoke-StingFixtureDocker 'stop', '--time', '60', $c.Id
        (Get-ServiceContainer $project 'chroma').ExitCode | Should -Be 0
        (Invoke-StingFixtureDocker 'logs', '--since', (Format-DockerTime $c.StartedAt), $c.Id).StdOut | Should -Match 'received SIGTERM, stopping'
        $null = Invoke-StingFixtureDocker 'start', $c.Id
        $null = Wait-StingFixtureHealthy -Project $project -Service chroma -TimeoutSec 90
    }

    It 'crash-on-start makes a service exit quickly with a diagnostic (restart: "no")' {
        $null = Set-StingFixtureKnob -Project $project -Service 'llm-gateway-proxy' -CrashOnStart
        $c = Get-ServiceContainer $project 'llm-gateway-proxy'
        $null = Invoke-StingFixtureDocker 'restart', $c.Id
        # Bounded generously; "quickly" is the fixture's doing (it exits before serving), not a clock's.
        $null = Wait-Until { (Get-ServiceContainer $project 'llm-gateway-proxy').State -eq 'exited' } 90 'llm-gateway-proxy to exit'
        $after = Get-ServiceContainer $project 'llm-gateway-proxy'
        $after.ExitCode | Should -Be 1
        (Invoke-StingFixtureDocker 'logs', '--tail', '5', $c.Id).StdErr | Should -Match 'crash-on-start'

        Clear-StingFixtureKnob -Project $project -Service 'llm-gateway-proxy'
        $null = Invoke-StingFixtureDocker 'start', $c.Id
        $null = Wait-StingFixtureHealthy -Project $project -Service 'llm-gateway-proxy' -TimeoutSec 90
    }

    It 'crash-on-start under restart: unless-stopped makes the engine restart the service, which recovers once cleared' {
        $null = Set-StingFixtureKnob -Project $project -Service 'redis' -CrashOnStart
        $c = Get-ServiceContainer $project 'redis'
        $null = Invoke-StingFixtureDocker 'restart', $c.Id
        # Between two attempts the engine shows the container as restarting, with the crash's exit code.
        $null = Wait-Until {
            $now = Get-ServiceContainer $project 'redis'
            $now.RestartCount -ge 2 -and $now.State -eq 'restarting' -and $now.ExitCode -eq 1
        } 45 'redis to crash and be restarted by its policy'
        (Invoke-StingFixtureDocker 'logs', '--tail', '5', $c.Id).StdErr | Should -Match 'crash-on-start'

        Clear-StingFixtureKnob -Project $project -Service 'redis'
        # The policy's back-off grows while it crashes; the next attempt reads the cleared control dir.
        $null = Wait-StingFixtureHealthy -Project $project -Service 'redis' -TimeoutSec 90
    }

    It 'startup-delay postpones /health; never-healthy never serves it' {
        $svc = Get-ServiceContainer $project 'report-worker'
        # A delay far longer than a slow machine needs to restart the container and ask once.
        $null = Set-StingFixtureKnob -Project $project -Service 'report-worker' -StartupDelay 20
        $null = Invoke-StingFixtureDocker 'restart', $svc.Id
        Test-Health $svc.Port | Should -BeFalse -Because 'the delay has not passed'
        $null = Wait-Until { Test-Health $svc.Port } 90 'report-worker /health after its delay'

        $null = Set-StingFixtureKnob -Project $project -Service 'report-worker' -StartupDelay 0 -NeverHealthy
        $null = Invoke-StingFixtureDocker 'restart', $svc.Id
        Start-Sleep -Seconds 5
        Test-Health $svc.Port | Should -BeFalse
        $now = Get-ServiceContainer $project 'report-worker'
        $now.State | Should -Be 'running'
        $now.Health | Should -Be 'starting' -Because 'retries 30 x 2s: not yet unhealthy, never healthy'
        { Wait-StingFixtureHealthy -Project $project -Service 'report-worker' -TimeoutSec 2 } |
            Should -Throw -ExpectedMessage '*report-worker: running, starting*'

        Clear-StingFixtureKnob -Project $project
        $null = Invoke-StingFixtureDocker 'restart', $svc.Id
        $null = Wait-StingFixtureHealthy -Project $project -Service 'report-worker' -TimeoutSec 90
    }

    It 'crash-after makes a healthy service exit with status 1 after N seconds' {
        $null = Set-StingFixtureKnob -Project $project -Service 'llm-gateway-proxy' -CrashAfter 4
        $c = Get-ServiceContainer $project 'llm-gateway-proxy'
        $null = Invoke-StingFixtureDocker 'restart', $c.Id
        # Judged afterwards from the fixture's own log and the engine's times, not by catching /health inside the
        # 4 s window live (a busy machine can miss it).
        $null = Wait-Until { (Get-ServiceContainer $project 'llm-gateway-proxy').State -eq 'exited' } 90 'llm-gateway-proxy to crash'
        $after = Get-ServiceContainer $project 'llm-gateway-proxy'
        $after.ExitCode | Should -Be 1
        # The engine stamps StartedAt a moment after the process began (engine 26: seen 5 ms late), so not exactly 4.
        ([DateTimeOffset]$after.FinishedAt - [DateTimeOffset]$after.StartedAt).TotalSeconds | Should -BeGreaterOrEqual 3.9
        $log = Invoke-StingFixtureDocker 'logs', '--since', (Format-DockerTime $after.StartedAt), $c.Id
        "$($log.StdOut)" | Should -Match 'healthy: serving'
        "$($log.StdErr)" | Should -Match 'crash-after knob \(STING_CRASH_AFTER=4\) fired'
        Clear-StingFixtureKnob -Project $project
    }

    It 'tears down: no container, volume or directory of the project remains' {
        (Get-VolumeNamesOf $project.ProjectName).Count | Should -Be 1 -Because 'db-data exists before the teardown'
        Remove-StingFixture -Project $project
        Get-ContainerIdsOf $project.ProjectName | Should -BeNullOrEmpty
        Get-VolumeNamesOf $project.ProjectName | Should -BeNullOrEmpty
        Test-Path -LiteralPath $project.Directory | Should -BeFalse
        { Remove-StingFixture -Project $project } | Should -Not -Throw -Because 'removing twice is harmless'
    }
}

Describe 'Fixture stack with the observability profile' -Tag 'Integration', 'Fixture' {
    BeforeAll {
        $null = Initialize-StingFixtureImage
        $observed = New-StingFixtureProject -Profile observability
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $null = Start-StingFixture -Project $observed -TimeoutSec 120
        Write-Host ("    fixture: full up of {0} with observability to all-healthy in {1:n1}s" -f $observed.ProjectName, $clock.Elapsed.TotalSeconds)
    }
    AfterAll {
        if ($observed) {
            Remove-StingFixture -Project $observed
            Get-ContainerIdsOf $observed.ProjectName | Should -BeNullOrEmpty
            Get-VolumeNamesOf $observed.ProjectName | Should -BeNullOrEmpty
        }
    }

    It 'brings all 19 services up healthy, observability included' {
        $containers = @(Get-StingFixtureContainer -Project $observed)
        @($containers.Service | Sort-Object) | Should -Be @(($DefaultServices + $ObservabilityServices) | Sort-Object)
        $containers | Where-Object { $_.State -ne 'running' -or $_.Health -ne 'healthy' } | Should -BeNullOrEmpty
        foreach ($c in $containers) { $c.Inspect.HostConfig.NetworkMode | Should -Be 'host' }
        Get-Content -LiteralPath $observed.EnvFile | Should -Contain 'COMPOSE_PROFILES=observability'
    }

    It 'runs beside a second stack with its own project name and port prefix' {
        $second = New-StingFixtureProject
        try {
            $second.ProjectName | Should -Not -Be $observed.ProjectName
            $second.PortPrefix | Should -Not -Be $observed.PortPrefix
            $null = Start-StingFixture -Project $second -Service 'vault', 'redis' -TimeoutSec 120
            $mine = @(Get-StingFixtureContainer -Project $second)
            @($mine.Service | Sort-Object) | Should -Be @('redis', 'vault')
            $theirs = Get-ServiceContainer $observed 'vault'
            $ours = Get-ServiceContainer $second 'vault'
            $ours.Port | Should -Not -Be $theirs.Port
            Test-Health $ours.Port | Should -BeTrue
            Test-Health $theirs.Port | Should -BeTrue
        }
        finally { Remove-StingFixture -Project $second }
        Get-ContainerIdsOf $second.ProjectName | Should -BeNullOrEmpty
    }
}

Describe 'Fixture helpers' -Tag 'Integration', 'Fixture' {
    BeforeAll {
        $null = Initialize-StingFixtureImage
    }

    It 'Initialize-StingFixtureImage skips the build when nothing changed, and labels the image as a local fixture' {
        $result = Initialize-StingFixtureImage
        $result.Built | Should -BeFalse
        $labels = (Invoke-StingFixtureDocker 'image', 'inspect', '--format', '{{json .Config.Labels}}', 'stingops-fixture:local').StdOut | ConvertFrom-Json
        $labels.'org.opencontainers.image.description' | Should -Match 'local test fixture'
        $labels.'com.stingops.fixture.hash' | Should -Be $result.Hash
    }

    It 'New-StingFixtureProject makes a private copy with a unique project, a free port prefix and a .env' {
        $a = New-StingFixtureProject
        $b = New-StingFixtureProject -Profile observability
        try {
            $a.ProjectName | Should -Match '^stingtest-[0-9a-f]{8}$'
            $a.ProjectName | Should -Not -Be $b.ProjectName
            $a.PortPrefix | Should -BeGreaterOrEqual 200
            # Every port (prefix * 100 + 1..19) below Linux's ephemeral range, which starts at 32768.
            $a.PortPrefix * 100 + 19 | Should -BeLessThan 32768
            if (-not $IsWindows) { (Get-Item -LiteralPath $a.Directory).UnixMode | Should -Be 'drwx------' }
            Test-Path -LiteralPath $a.ComposeFile | Should -BeTrue
            Test-Path -LiteralPath (Join-Path $a.Directory 'image' 'busybox') | Should -BeFalse
            $envText = Get-Content -LiteralPath $a.EnvFile
            $envText | Should -Contain "COMPOSE_PROJECT_NAME=$($a.ProjectName)"
            $envText | Should -Contain "STING_PORT_PREFIX=$($a.PortPrefix)"
            $envText | Should -Contain "STING_TEST_OWNER_PID=$PID"
            $envText | Should -Contain "STING_CONTROL_DIR=$($a.ControlDirectory)"
            $b.Profile | Should -Be @('observability')
            $ports = @(Get-StingFixtureService -Project $a | ForEach-Object Port)
            $ports.Count | Should -Be 19
            @($ports | Sort-Object -Unique).Count | Should -Be 19
            foreach ($port in $ports) { [math]::Floor($port / 100) | Should -Be $a.PortPrefix }
        }
        finally { Remove-StingFixture -Project $a; Remove-StingFixture -Project $b }
        Test-Path -LiteralPath $a.Directory | Should -BeFalse
    }

    It 'Set-StingFixtureKnob merges knobs into the control file; Clear-StingFixtureKnob removes it' {
        $p = New-StingFixtureProject
        try {
            $null = Set-StingFixtureKnob -Project $p -Service db -StartupDelay 0.8
            $null = Set-StingFixtureKnob -Project $p -Service db -NeverHealthy
            $file = Join-Path $p.ControlDirectory 'db.env'
            $lines = Get-Content -LiteralPath $file
            $lines | Should -Contain 'STING_STARTUP_DELAY=0.8'
            $lines | Should -Contain 'STING_NEVER_HEALTHY=1'
            $null = Set-StingFixtureKnob -Project $p -Service db -NeverHealthy:$false -CrashAfter 3
            $lines = Get-Content -LiteralPath $file
            $lines | Should -Not -Contain 'STING_NEVER_HEALTHY=1'
            $lines | Should -Contain 'STING_CRASH_AFTER=3'
            Clear-StingFixtureKnob -Project $p -Service db
            Test-Path -LiteralPath $file | Should -BeFalse
        }
        finally { Remove-StingFixture -Project $p }
    }

    It 'Wait-StingFixtureHealthy and Start-StingFixture fail within their timeout, naming the service that never gets healthy' {
        $p = New-StingFixtureProject
        try {
            $null = Set-StingFixtureKnob -Project $p -Service redis -NeverHealthy
            $null = Start-StingFixture -Project $p -Service redis -TimeoutSec 60 -NoWait
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            { Wait-StingFixtureHealthy -Project $p -Service redis -TimeoutSec 8 } | Should -Throw -ExpectedMessage '*not healthy after 8s*redis: running, starting*'
            # Bounded, not fast: the bound only has to show the wait ends, so it leaves a busy machine room.
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 120 -Because 'the wait is bounded'
            # Start-StingFixture says the same, whether its wait or compose itself ran out of time.
            { Start-StingFixture -Project $p -Service redis -TimeoutSec 15 } | Should -Throw -ExpectedMessage '*redis: running, starting*'
        }
        finally { Remove-StingFixture -Project $p }
    }

    It 'Remove-StingFixtureLeftover removes the stack of a dead owner and leaves live owners and other hosts alone' {
        # The owner is a process started here and killed just before the clean-up: other test runs on
        # this engine also clean up leftovers, and would take an orphan that is dead from the start.
        $owner = [System.Diagnostics.Process]::Start('sleep', '600')
        $orphan = New-StingFixtureProject -OwnerPid $owner.Id
        $live = New-StingFixtureProject
        $foreign = New-StingFixtureProject -OwnerPid $owner.Id -OwnerHost 'some-other-test-container'
        try {
            $null = Start-StingFixture -Project $orphan -Service db -TimeoutSec 90
            $null = Start-StingFixture -Project $live -Service redis -TimeoutSec 90
            $null = Start-StingFixture -Project $foreign -Service redis -TimeoutSec 90
            (Get-VolumeNamesOf $orphan.ProjectName).Count | Should -Be 1
            (Get-ServiceContainer $orphan 'db').OwnerPid | Should -Be "$($owner.Id)"

            $owner.Kill()
            $owner.WaitForExit()
            $removed = @(Remove-StingFixtureLeftover)

            $removed.ProjectName | Should -Contain $orphan.ProjectName
            $removed.ProjectName | Should -Not -Contain $live.ProjectName
            $removed.ProjectName | Should -Not -Contain $foreign.ProjectName
            Get-ContainerIdsOf $orphan.ProjectName | Should -BeNullOrEmpty
            Get-VolumeNamesOf $orphan.ProjectName | Should -BeNullOrEmpty
            Test-Path -LiteralPath $orphan.Directory | Should -BeFalse
            (Get-ServiceContainer $live 'redis').State | Should -Be 'running'
            (Get-ServiceContainer $foreign 'redis').State | Should -Be 'running'
        }
        finally {
            if (-not $owner.HasExited) { $owner.Kill() }
            $owner.Dispose()
            Remove-StingFixture -Project $orphan
            Remove-StingFixture -Project $live
            Remove-StingFixture -Project $foreign
        }
    }
}
