# Start-, Stop- and Repair-StingService against the fixture STING stack on a real engine: order judged from the
# engine's event stream and its own record of each container's start and health, never from the cmdlets' word.
BeforeAll {
    Import-Module $env:STINGOPS_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'RestartAssertions.psm1') -Force
}

Describe 'Start-, Stop- and Repair-StingService parameter contract' -Tag 'Unit', 'Lifecycle' {
    It '<Cmdlet> has <Parameter> of type <Type>' -TestCases @(
        @{ Cmdlet = 'Start-StingService'; Parameter = 'IncludeDependencies'; Type = [switch] }
        @{ Cmdlet = 'Start-StingService'; Parameter = 'TimeoutSec'; Type = [Nullable[int]] }
        @{ Cmdlet = 'Start-StingService'; Parameter = 'BeforeRestart'; Type = [scriptblock] }
        @{ Cmdlet = 'Restart-StingService'; Parameter = 'BeforeRestart'; Type = [scriptblock] }
        @{ Cmdlet = 'Stop-StingService'; Parameter = 'IncludeDependents'; Type = [switch] }
        @{ Cmdlet = 'Stop-StingService'; Parameter = 'Force'; Type = [switch] }
        @{ Cmdlet = 'Repair-StingService'; Parameter = 'TimeoutSec'; Type = [Nullable[int]] }
    ) {
        (Get-Command $Cmdlet).Parameters[$Parameter].ParameterType | Should -Be $Type
    }

    It '<_> supports ShouldProcess, binds Name from the pipeline and returns RestartResult' -ForEach 'Start-StingService', 'Stop-StingService', 'Repair-StingService' {
        $cmd = Get-Command $_
        $cmd.Parameters.ContainsKey('WhatIf') | Should -BeTrue
        ($cmd.Parameters['Name'].Attributes | Where-Object { $_ -is [Parameter] }).ValueFromPipelineByPropertyName | Should -BeTrue
        $cmd.OutputType.Name | Should -Contain 'StingOps.RestartResult'
        $cmd.Verb | Should -BeIn @(Get-Verb | ForEach-Object Verb)
    }
}

Describe 'Start-, Stop- and Repair-StingService on the fixture stack' -Tag 'Integration', 'Lifecycle' {
    BeforeAll {
        Remove-StingFixtureLeftover
        Initialize-StingFixtureImage
        $script:P = New-StingFixtureProject
        Start-StingFixture -Project $P -TimeoutSec 300 | Out-Null
        $script:Common = @{ ProjectDirectory = $P.Directory; Confirm = $false }
        $script:SavedEnv = @{ XDG_STATE_HOME = $env:XDG_STATE_HOME; STING_LOG_DIR = $env:STING_LOG_DIR }
        $env:XDG_STATE_HOME = Join-Path $P.Directory 'state'
        $env:STING_LOG_DIR = Join-Path $P.Directory 'metrics'
        $script:LockFile = Join-Path $env:XDG_STATE_HOME 'stingops' "$($P.ProjectName).lock"
        $script:Plan = @(Get-StingRestartPlan -ProjectDirectory $P.Directory)
        $script:Steps = @{}
        foreach ($s in $Plan) { $Steps[$s.Service] = $s }

        function script:Closure([string[]] $start, [scriptblock] $next) {
            $found = [System.Collections.Generic.HashSet[string]]::new([string[]]$start)
            $queue = [System.Collections.Generic.Queue[string]]::new([string[]]$start)
            while ($queue.Count) { foreach ($n in & $next $queue.Dequeue()) { if ($found.Add($n)) { $queue.Enqueue($n) } } }
            @($found | Sort-Object)
        }
        function script:DependentsOf([string[]] $services) { Closure $services { param($s) $Plan | Where-Object { $_.DependsOn -contains $s } | ForEach-Object Service } }
        # Events that change a container: what "touches nothing" is judged by (health_status and exec events are the engine's own).
        function script:Lifecycle($events) { @($events | Where-Object Action -in 'create', 'stop', 'kill', 'die', 'start', 'restart', 'destroy', 'rename', 'pause', 'unpause') }
        function script:FirstEvent($events, [string] $service, [string] $action) { @($events | Where-Object { $_.Service -eq $service -and $_.Action -eq $action })[0].Time }
        function script:Containers { $all = @{}; foreach ($c in Get-StingFixtureContainer -Project $P) { $all[$c.Service] = $c }; $all }
        function script:Restore {
            # Every container running and healthy again, whatever a test left behind.
            $null = Start-StingService @Common -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
            Wait-StingFixtureHealthy -Project $P -TimeoutSec 180 | Out-Null
        }
        # Every service's container stopped by hand (the engine's own stop), in one CLI call.
        function script:StopByHand([string[]] $services) {
            $ids = @((Containers).Values | Where-Object { $_.Service -in $services } | ForEach-Object Id)
            $null = Invoke-StingFixtureDocker -ArgumentList (@('stop', '-t', '10') + $ids) -TimeoutSec 180
        }
        # When the engine's healthcheck first passed since the container's current start; $null when it has not.
        function script:FirstHealthyAt($container) {
            $started = [DateTimeOffset]$container.Inspect.State.StartedAt
            $health = $container.Inspect.State.PSObject.Properties['Health']
            if (-not $health -or -not $health.Value) { return $started }
            $passes = @($health.Value.Log | Where-Object { $_.ExitCode -eq 0 -and [DateTimeOffset]$_.Start -ge $started } | Sort-Object { [DateTimeOffset]$_.Start })
            if ($passes.Count) { [DateTimeOffset]$passes[0].End } else { $null }
        }
    }

    AfterAll {
        if ($P) { Remove-StingFixture -Project $P }
        foreach ($k in $SavedEnv.Keys) { if ($null -eq $SavedEnv[$k]) { Remove-Item "Env:$k" -ErrorAction SilentlyContinue } else { Set-Item "Env:$k" $SavedEnv[$k] } }
    }

    It 'Stop-StingService refuses to strand running dependents: a stable error id, and nothing is touched' {
        $capture = Start-StingEventCapture -ProjectName $P.ProjectName
        $failure = $null
        try { Stop-StingService db @Common | Out-Null } catch { $failure = $_ }
        $events = @(Stop-StingEventCapture $capture)

        $failure | Should -Not -BeNullOrEmpty
        $failure.FullyQualifiedErrorId | Should -BeLike 'StingStopWouldStrandDependents,*'
        $failure.Exception.Message | Should -Match 'kratos \(needs db\)'
        Lifecycle $events | Should -BeNullOrEmpty
        @((Containers).Values | Where-Object State -ne 'running').Count | Should -Be 0
    }

    It 'Stop-StingService -IncludeDependents stops the dependents first and starts nothing; Start-StingService brings back exactly those, in order' {
        $stopped = DependentsOf 'db'
        $capture = Start-StingEventCapture -ProjectName $P.ProjectName
        $results = @(Stop-StingService db -IncludeDependents @Common)
        $events = @(Stop-StingEventCapture $capture)

        @($results.Service | Sort-Object) | Should -Be $stopped
        foreach ($r in $results) { "$($r.Service): $($r.Status)" | Should -Be "$($r.Service): Stopped" -Because $r.Message }
        @($events | Where-Object Action -eq 'start') | Should -BeNullOrEmpty
        @($events | Where-Object Action -eq 'die' | ForEach-Object Service | Sort-Object -Unique) | Should -Be $stopped
        # Each dependency was asked to stop only after every dependent of it had died.
        foreach ($s in $stopped) {
            foreach ($dep in @($Steps[$s].DependsOn | Where-Object { $_ -in $stopped })) {
                FirstEvent $events $s 'die' | Should -BeLessOrEqual (FirstEvent $events $dep 'kill') -Because "$s needs $dep"
            }
        }
        $now = Containers
        foreach ($s in $Plan.Service) { $now[$s].State | Should -Be $(if ($s -in $stopped) { 'exited' } else { 'running' }) -Because $s }

        $capture = Start-StingEventCapture -ProjectName $P.ProjectName
        $results = @(Start-StingService @Common)
        $events = @(Stop-StingEventCapture $capture)

        @($results.Service | Sort-Object) | Should -Be @($Plan.Service | Sort-Object)
        foreach ($r in $results) {
            $expected = if ($r.Service -in $stopped) { 'Started' } else { 'AlreadyRunning' }
            "$($r.Service): $($r.Status)" | Should -Be "$($r.Service): $expected" -Because $r.Message
        }
        @($events | Where-Object Action -in 'stop', 'kill', 'die', 'restart') | Should -BeNullOrEmpty -Because 'Start restarts nothing'
        @($events | Where-Object Action -eq 'start' | ForEach-Object Service | Sort-Object) | Should -Be $stopped -Because 'each stopped service started once, nothing else'
        Get-StingOrderViolation -Events $events -Plan $Plan | Should -BeNullOrEmpty
        Wait-StingFixtureHealthy -Project $P -TimeoutSec 120 | Out-Null
    }

    It 'Repair-StingService after the stack came up in reverse order: restarts what started before its dependencies were ready, in order; a second run touches nothing' {
        # A reboot, made deterministic: every container started by hand, dependents first.
        StopByHand $Plan.Service
        foreach ($s in @($Plan | Sort-Object Wave -Descending | ForEach-Object Service)) {
            $id = (Containers)[$s].Id
            $null = Invoke-StingFixtureDocker -ArgumentList 'start', $id -TimeoutSec 60
        }
        $early = @($Plan | Where-Object { @($_.DependsOn).Count -gt 0 } | ForEach-Object Service | Sort-Object)
        $early.Count | Should -BeGreaterThan 5

        # -WhatIf names exactly those, each with its reason, and touches nothing.
        $capture = Start-StingEventCapture -ProjectName $P.ProjectName
        $out = & dotnet pwsh -NoProfile -NonInteractive -Command "Import-Module '$env:STINGOPS_MODULE_PATH'; `$r = Repair-StingService -ProjectDirectory '$($P.Directory)' -WhatIf; 'results: ' + @(`$r).Count" 2>&1
        $text = $out -join "`n"
        Lifecycle @(Stop-StingEventCapture $capture) | Should -BeNullOrEmpty
        $text | Should -Match 'results: 0'
        $named = @([regex]::Matches($text, 'What if: Performing the operation "Restart" on target "([\w-]+) \(') | ForEach-Object { $_.Groups[1].Value } | Sort-Object)
        $named | Should -Be $early
        $text | Should -Match '"kratos \([^"]*started [\d.]+ s before its dependency db (started|was ready)'

        $capture = Start-StingEventCapture -ProjectName $P.ProjectName
        $results = @(Repair-StingService @Common -WarningAction SilentlyContinue)
        $events = @(Stop-StingEventCapture $capture)

        foreach ($r in $results) {
            $expected = if ($r.Service -in $early) { 'Succeeded' } else { 'AlreadyRunning' }
            "$($r.Service): $($r.Status)" | Should -Be "$($r.Service): $expected" -Because $r.Message
        }
        @($events | Where-Object Action -eq 'start' | ForEach-Object Service | Sort-Object) | Should -Be $early -Because 'each early service restarted once, nothing else'
        Get-StingOrderViolation -Events $events -Plan $Plan | Should -BeNullOrEmpty
        Wait-StingFixtureHealthy -Project $P -TimeoutSec 120 | Out-Null

        $capture = Start-StingEventCapture -ProjectName $P.ProjectName
        $again = @(Repair-StingService @Common)
        Lifecycle @(Stop-StingEventCapture $capture) | Should -BeNullOrEmpty -Because 'the stack is in order now'
        foreach ($r in $again) { "$($r.Service): $($r.Status)" | Should -Be "$($r.Service): AlreadyRunning" -Because $r.Message }
        $again.Count | Should -Be $Plan.Count
    }

    It 'a run killed with SIGKILL mid-restart: Repair-StingService completes it, in order, and the db volume is intact' {
        $startsBefore = Get-StingFixtureDbStarts -Project $P
        Set-StingFixtureKnob -Project $P -Service vault -StartupDelay 8 | Out-Null
        $h = Start-StingChildRestart -ModulePath $env:STINGOPS_MODULE_PATH -Project $P
        $locked = Wait-StingChildRestartLocked -Handle $h -LockFile $LockFile
        $locked | Should -Not -BeNullOrEmpty -Because 'the run took its lock'
        # Killed once vault is starting again: its dependents are stopped, other branches half done.
        $deadline = [DateTime]::UtcNow.AddSeconds(90)
        do { Start-Sleep -Milliseconds 100; $v = (Containers)['vault'] } until (($v.State -eq 'running' -and [DateTimeOffset]$v.StartedAt -gt $locked) -or [DateTime]::UtcNow -gt $deadline)
        [DateTimeOffset]$v.StartedAt | Should -BeGreaterThan $locked -Because 'the run restarted vault within 90 s'
        $h.Process.Kill()
        $h.Process.WaitForExit(30000) | Should -BeTrue
        $left = @((Containers).Values | Where-Object State -ne 'running' | ForEach-Object Service)
        $left | Should -Contain 'app' -Because 'app waits for vault, so the killed run had it stopped'
        Clear-StingFixtureKnob -Project $P

        $capture = Start-StingEventCapture -ProjectName $P.ProjectName
        $results = @(Repair-StingService @Common -WarningVariable warned -WarningAction SilentlyContinue)
        $events = @(Stop-StingEventCapture $capture)

        @($warned | ForEach-Object Message) -join "`n" | Should -Match 'stale restart lock'
        @($results | Where-Object Status -notin 'Succeeded', 'Started', 'AlreadyRunning') | Should -BeNullOrEmpty
        foreach ($s in $left) { @($results | Where-Object Service -eq $s)[0].Status | Should -BeIn 'Started', 'Succeeded' -Because "$s was left stopped" }
        Get-StingOrderViolation -Events $events -Plan $Plan | Should -BeNullOrEmpty
        Wait-StingFixtureHealthy -Project $P -TimeoutSec 120 | Out-Null
        Test-Path -LiteralPath $LockFile | Should -BeFalse
        Get-StingFixtureDbStarts -Project $P | Should -BeGreaterThan $startsBefore -Because 'the count in the db volume survived and went on'
    }

    It 'the Docker engine restarted: Repair-StingService restarts exactly what came up before its dependencies were ready, and what depends on it' {
        # Only an engine that tools/test-engine.sh started can be restarted here (CI's always is).
        $pidFile = '/var/run/stingops-dockerd.pid'
        $enginePid = if (Test-Path $pidFile) { (Get-Content $pidFile -Raw).Trim() } else { '' }
        $defaultSocket = -not $env:DOCKER_HOST -or $env:DOCKER_HOST -eq 'unix:///var/run/docker.sock'
        if (-not $defaultSocket -or -not $enginePid -or (Get-Content "/proc/$enginePid/comm" -ErrorAction SilentlyContinue) -ne 'dockerd') {
            Set-ItResult -Skipped -Because 'the engine under test is not the one tools/test-engine.sh started on the default socket, so this test may not restart it'
            return
        }
        $restart = Invoke-StingProcess -FilePath 'bash' -ArgumentList (Join-Path $PSScriptRoot '..' '..' 'tools' 'test-engine.sh'), '--restart' -TimeoutSec 300 -AllowFailure
        $restart.ExitCode | Should -Be 0 -Because $restart.StdErr
        # The engine's own restart order, and what was early by its own record: a start before a dependency's start
        # (service_started), or before its first passing healthcheck since that start (service_healthy).
        $after = Containers
        $order = @($after.Values | Where-Object State -eq 'running' | Sort-Object { [DateTimeOffset]$_.StartedAt } | ForEach-Object { '{0} {1:HH:mm:ss.fff}' -f $_.Service, ([DateTimeOffset]$_.StartedAt) })
        Write-Host "Engine restart order: $($order -join ', ')"
        $down = @($Plan.Service | Where-Object { $after[$_].State -ne 'running' })
        $early = foreach ($s in $Plan | Where-Object { $after[$_.Service].State -eq 'running' }) {
            $started = [DateTimeOffset]$after[$s.Service].StartedAt
            foreach ($dep in @($s.DependsOn)) {
                $d = $after[$dep]
                $condition = if ($s.DependsOnCondition) { [string]$s.DependsOnCondition[$dep] } else { 'service_healthy' }
                $ready = if ($d.State -ne 'running') { $null } elseif ($condition -eq 'service_started') { [DateTimeOffset]$d.StartedAt } else { FirstHealthyAt $d }
                if ($null -eq $ready -or $started -lt $ready) { $s.Service; break }
            }
        }
        $touched = DependentsOf @(@($early) + $down | Where-Object { $_ })

        $capture = Start-StingEventCapture -ProjectName $P.ProjectName
        $results = @(Repair-StingService @Common -WarningAction SilentlyContinue)
        $events = @(Stop-StingEventCapture $capture)

        Write-Host "Early: $($early -join ', '); down: $($down -join ', '); Repair: $(@($results | ForEach-Object { "$($_.Service)=$($_.Status)" }) -join ', ')"
        foreach ($r in $results) {
            $expected = if ($r.Service -in $down) { 'Started' } elseif ($r.Service -in $touched) { 'Succeeded', 'Started' } else { 'AlreadyRunning' }
            $r.Status | Should -BeIn $expected -Because "$($r.Service): $($r.Message)"
        }
        @($events | Where-Object Action -eq 'start' | ForEach-Object Service | Sort-Object) | Should -Be @($touched | Sort-Object)
        Get-StingOrderViolation -Events $events -Plan $Plan | Should -BeNullOrEmpty
        Wait-StingFixtureHealthy -Project $P -TimeoutSec 180 | Out-Null
    }

    It '-BeforeRestart that fails refuses the restart untouched, with its output masked; one that passes runs under the lock first' {
        $secret = @(Get-Content (Join-Path $P.Directory 'env' 'vault.env') | Where-Object { $_ -match '^VAULT_DEV_ROOT_TOKEN_ID=' } | ForEach-Object { ($_ -split '=', 2)[1].Trim('"') })[0]
        $secret.Length | Should -BeGreaterThan 8
        $capture = Start-StingEventCapture -ProjectName $P.ProjectName
        $failure = $null
        try { Restart-StingService vault @Common -BeforeRestart { "regenerating with $secret"; bash -c 'exit 3' } | Out-Null } catch { $failure = $_ }
        Lifecycle @(Stop-StingEventCapture $capture) | Should -BeNullOrEmpty
        $failure.FullyQualifiedErrorId | Should -BeLike 'StingBeforeRestartFailed,*'
        $failure.Exception.Message | Should -Match 'exited with code 3'
        $failure.Exception.Message | Should -Match 'regenerating with'
        $failure.Exception.Message | Should -Not -Match ([regex]::Escape($secret))
        Test-Path -LiteralPath $LockFile | Should -BeFalse

        $script:lockSeen = $null
        $results = @(Restart-StingService redis @Common -BeforeRestart { $script:lockSeen = Test-Path -LiteralPath $LockFile })
        $script:lockSeen | Should -BeTrue -Because 'the step runs under the restart lock'
        $results.Status | Should -Be 'Succeeded'
    }
}
