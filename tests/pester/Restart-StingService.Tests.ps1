# Restart-StingService against the fixture STING stack on a real engine, judged from the engine's state
# and its event stream.
BeforeAll {
    Import-Module $env:STINGOPS_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'RestartAssertions.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ResultAssertions.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ReportHelpers.psm1') -Force
}

Describe 'Restart-StingService parameter contract' -Tag 'Unit', 'Restart' {
    BeforeAll { $script:Cmd = Get-Command Restart-StingService }

    It 'has <Name> of type <Type>' -TestCases @(
        @{ Name = 'Name'; Type = [string[]] }
        @{ Name = 'IncludeDependents'; Type = [switch] }
        @{ Name = 'Recreate'; Type = [switch] }
        @{ Name = 'TimeoutSec'; Type = [Nullable[int]] }
        @{ Name = 'NoRollback'; Type = [switch] }
        @{ Name = 'Force'; Type = [switch] }
        @{ Name = 'MaintenanceWindow'; Type = [string] }
    ) {
        $Cmd.Parameters[$Name].ParameterType | Should -Be $Type
    }

    It 'supports ShouldProcess and binds Name from the pipeline by property name' {
        $Cmd.Parameters.ContainsKey('WhatIf') | Should -BeTrue
        $Cmd.Parameters.ContainsKey('Confirm') | Should -BeTrue
        ($Cmd.Parameters['Name'].Attributes | Where-Object { $_ -is [Parameter] }).ValueFromPipelineByPropertyName | Should -BeTrue
        $Cmd.OutputType.Name | Should -Contain 'StingOps.RestartResult'
    }
}

Describe 'Restart-StingService on the fixture stack' -Tag 'Integration', 'Restart' {
    BeforeAll {
        Remove-StingFixtureLeftover
        Initialize-StingFixtureImage
        $script:P = New-StingFixtureProject
        Start-StingFixture -Project $P -TimeoutSec 180 | Out-Null
        $script:Common = @{ ProjectDirectory = $P.Directory; Confirm = $false }
        # Metrics and locks of this run stay in the run's own directory.
        $env:XDG_STATE_HOME = Join-Path $P.Directory 'state'
        $env:STING_LOG_DIR = Join-Path $P.Directory 'metrics'
        $script:Plan = Get-StingRestartPlan -ProjectDirectory $P.Directory
        function script:StartedAt([string] $service) { (Get-StingFixtureContainer -Project $P -Service $service).StartedAt }
        function script:DependentsOf([string] $service) {
            # Transitively, over the plan's edges (compose depends_on plus config.yml's depends_on).
            $found = [System.Collections.Generic.HashSet[string]]::new()
            $queue = [System.Collections.Generic.Queue[string]]::new(); $queue.Enqueue($service)
            while ($queue.Count) {
                $s = $queue.Dequeue()
                foreach ($step in $Plan) { if ($step.DependsOn -contains $s -and $found.Add($step.Service)) { $queue.Enqueue($step.Service) } }
            }
            $found | Sort-Object
        }
        function script:RunIdsInMetrics {
            if (Test-Path -LiteralPath $env:STING_LOG_DIR) { @(Get-StingRestartMetric -Path $env:STING_LOG_DIR | ForEach-Object RunId | Sort-Object -Unique) }
        }
    }

    AfterAll {
        Remove-StingFixture -Project $P
        Remove-Item Env:XDG_STATE_HOME, Env:STING_LOG_DIR -ErrorAction SilentlyContinue
    }

    AfterEach {
        Clear-StingFixtureKnob -Project $P
    }

    It 'restarts the whole project: every service Succeeded and healthy, in dependency order, nothing lost' -Tag 'Legacy' {
        $startsBefore = Get-StingFixtureDbStarts -Project $P
        $capture = Start-StingEventCapture -ProjectName $P.ProjectName

        $results = Restart-StingService @Common
        $events = @(Stop-StingEventCapture $capture)

        $results.Count | Should -Be 15
        Assert-StingRestartSucceeded $results -Service $Plan.Service
        $results | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'StingOps.RestartResult' }
        @($results.RunId | Sort-Object -Unique).Count | Should -Be 1
        Wait-StingFixtureHealthy -Project $P -TimeoutSec 180 | Out-Null
        @($events | Where-Object Action -eq 'start').Count | Should -Be 15
        Get-StingOrderViolation -Events $events -Plan $Plan | Should -BeNullOrEmpty
        Get-StingFixtureDbStarts -Project $P | Should -Be ($startsBefore + 1)
    }

    It '-WhatIf prints the plan and causes no lifecycle event' {
        $capture = Start-StingEventCapture -ProjectName $P.ProjectName
        # What if: lines go to the host, not to a stream: run in a child pwsh and read its output.
        $out = & dotnet pwsh -NoProfile -NonInteractive -Command "Import-Module '$env:STINGOPS_MODULE_PATH'; `$r = Restart-StingService -ProjectDirectory '$($P.Directory)' -WhatIf; 'results: ' + @(`$r).Count" 2>&1
        $captured = @(Stop-StingEventCapture $capture)
        # Live throughout: Stop-StingEventCapture throws unless both its sentinel events arrived.
        $events = @($captured | Where-Object Action -in 'create', 'stop', 'kill', 'die', 'start', 'restart', 'destroy', 'rename', 'update')
        $events | Should -BeNullOrEmpty
        $text = $out -join "`n"
        $text | Should -Match 'What if: .*"vault \(wave 0'
        $text | Should -Match 'What if: .*"frontend \(wave 3 after app, kratos, knowledge'
        $text | Should -Match 'results: 0'
    }

    It 'restarts a named service alone' {
        $dbBefore = StartedAt 'db'
        $appBefore = StartedAt 'app'

        $result = Restart-StingService app @Common

        $result.Service | Should -Be 'app'
        $result.Status | Should -Be 'Succeeded'
        StartedAt 'db' | Should -Be $dbBefore
        StartedAt 'app' | Should -Not -Be $appBefore
    }

    It 'records into the project''s own folder without STING_LOG_DIR: its project and start-to-ready, read back for this project only' {
        $saved = $env:STING_LOG_DIR
        try {
            Remove-Item Env:STING_LOG_DIR
            $result = Restart-StingService chroma @Common
            $result.Status | Should -Be 'Succeeded'
            $folder = Join-Path $env:XDG_STATE_HOME "stingops/projects/$($P.ProjectName)"
            $row = Get-Content (Join-Path $folder 'restart_metrics.jsonl') | ConvertFrom-Json | Where-Object runId -eq $result.RunId
            $row.project | Should -Be $P.ProjectName
            $row.service | Should -Be 'chroma'
            # Start to ready is part of stop to ready, and the fixture's chroma needs its start-up delay (0.9 s, counted from before the start call returned).
            $row.readySeconds | Should -BeGreaterThan 0.2
            $row.readySeconds | Should -BeLessOrEqual $row.durationSeconds
            $metric = @(Get-StingRestartMetric -ProjectDirectory $P.Directory | Where-Object RunId -eq $result.RunId)
            $metric.Project | Should -Be $P.ProjectName
            [math]::Abs($metric.StartToReady.TotalSeconds - $row.readySeconds) | Should -BeLessThan 1e-6
        }
        finally { $env:STING_LOG_DIR = $saved }
    }

    It 'probes by the recorded history: a service recorded as 30 s from start to ready is not exec-probed early, and -Debug counts the probes' {
        $saved = $env:STING_LOG_DIR
        $env:STING_LOG_DIR = Join-Path $P.Directory 'metrics-history'
        try {
            New-Item -ItemType Directory $env:STING_LOG_DIR | Out-Null
            # Three earlier first-attempt starts of chroma that took 30 s (really it needs 0.9 s): probing is sparse
            # (every 10 s) until 27 s. The engine's own healthcheck (every 2 s in the fixture), free to read, passes first.
            $at = [DateTimeOffset]::UtcNow.AddHours(-1)
            $rows = 1..3 | ForEach-Object {
                [ordered]@{ timestamp = $at.AddMinutes($_).ToString('o'); runId = "old-$_"; project = $P.ProjectName; service = 'chroma'; durationSeconds = 31; readySeconds = 30; status = 'Succeeded'; attempts = 1 } | ConvertTo-Json -Compress
            }
            Set-Content (Join-Path $env:STING_LOG_DIR 'restart_metrics.jsonl') $rows
            $out = @(Restart-StingService chroma @Common -Debug 5>&1)
            $result = $out | Where-Object { $_ -isnot [System.Management.Automation.DebugRecord] }
            $result.Status | Should -Be 'Succeeded'
            $debug = @($out | Where-Object { $_ -is [System.Management.Automation.DebugRecord] } | ForEach-Object Message)
            @($debug | Where-Object { $_ -like 'Probes:*' }) | Should -Be @('Probes: 0 probes in 0 execs for 1 service(s): chroma 0/0 (probes/execs).')
            @($debug | Where-Object { $_ -like 'engine: exec *' }) | Should -BeNullOrEmpty
            # Without history an exec polls from the start and sees chroma ready after its 0.9 s; here docker's healthcheck
            # did, one 2 s interval after the start at the earliest.
            $startToReady = (Get-StingRestartMetric chroma | Where-Object RunId -eq $result.RunId).StartToReady
            $startToReady.TotalSeconds | Should -BeGreaterThan 1.5
        }
        finally { $env:STING_LOG_DIR = $saved }
    }

    It 'estimates a run from its own recorded runs: Get-StingRestartPlan per service, -WhatIf and -Verbose for the run' {
        $saved = $env:STING_LOG_DIR
        $env:STING_LOG_DIR = Join-Path $P.Directory 'metrics-estimate'
        try {
            $before = Get-StingRestartPlan chroma -ProjectDirectory $P.Directory -Verbose 4>&1
            ($before | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Match 'No estimate .*chroma'
            ($before | Where-Object { $_ -is [StingOps.RestartPlanStep] }).ExpectedStartToReady | Should -BeNullOrEmpty
            $runs = 1..3 | ForEach-Object { Restart-StingService chroma @Common }
            $runs.Status | Should -Be @('Succeeded', 'Succeeded', 'Succeeded')
            $times = @(Get-StingRestartMetric chroma -ProjectDirectory $P.Directory | ForEach-Object StartToReady | Sort-Object)
            $times.Count | Should -Be 3

            $step = Get-StingRestartPlan chroma -ProjectDirectory $P.Directory
            $step.ExpectedStartToReady | Should -Be $times[1]
            $step.ExpectedReadyAfter | Should -BeGreaterOrEqual $step.ExpectedStartToReady
            $whatIf = @(Restart-StingService chroma @Common -WhatIf 6>&1 | ForEach-Object { "$_" })
            $expected = 'What if: Expected to take about {0}s (critical path chroma; medians of the recorded runs).' -f $step.ExpectedReadyAfter.TotalSeconds.ToString('0.#', [cultureinfo]::InvariantCulture)
            $whatIf | Should -Contain $expected
        }
        finally { $env:STING_LOG_DIR = $saved }
    }

    It '-Confirm asks per service: a declined service is left alone, the accepted one restarts' {
        $frontendBefore = StartedAt 'frontend'
        $workerBefore = StartedAt 'report-worker'
        # Prompts go to the host: a child pwsh answers them from its stdin, in plan order (frontend, then report-worker).
        $command = "Import-Module '$env:STINGOPS_MODULE_PATH'; `$r = Restart-StingService frontend, report-worker -ProjectDirectory '$($P.Directory)' -Confirm; 'results: ' + (@(`$r | ForEach-Object { `$_.Service + '=' + `$_.Status }) -join ',')"
        $out = "N`nY`n" | & dotnet pwsh -NoProfile -Command $command 2>&1
        $text = $out -join "`n"

        $text | Should -Match 'Performing the operation "Restart" on target "frontend in project'
        $text | Should -Match 'Performing the operation "Restart" on target "report-worker in project'
        $text | Should -Match 'results: report-worker=Succeeded$'
        StartedAt 'frontend' | Should -Be $frontendBefore
        StartedAt 'report-worker' | Should -Not -Be $workerBefore
    }

    It 'a named restart of a dependency also restarts its restart: true dependents, after it is ready (compose >= 2.17)' {
        # The overlay adds depends_on db {restart: true} to kratos and app; the containers stay as the base file
        # made them: only StingOps reads the overlay.
        $files = @($P.ComposeFile, $P.ModernOverlayFile)
        $plan = @(Get-StingRestartPlan db -ProjectDirectory $P.Directory -ComposeFile $files)
        ($plan.Service | Sort-Object) | Should -Be @('app', 'db', 'kratos')
        $capture = Start-StingEventCapture -ProjectName $P.ProjectName

        $results = @(Restart-StingService db @Common -ComposeFile $files -WarningAction SilentlyContinue)
        $events = @(Stop-StingEventCapture $capture)

        Assert-StingRestartSucceeded $results -Service @('app', 'db', 'kratos')
        # From the engine: exactly those three started again, each after what it needs was ready.
        (@($events | Where-Object Action -eq 'start' | ForEach-Object Service | Sort-Object -Unique)) | Should -Be @('app', 'db', 'kratos')
        Get-StingOrderViolation -Events $events -Plan @(Get-StingRestartPlan -ProjectDirectory $P.Directory -ComposeFile $files) | Should -BeNullOrEmpty
    }

    It 'stops a service with its own stop_signal, as compose does (SIGINT for redis, not the engine default SIGTERM)' {
        $id = (Get-StingFixtureContainer -Project $P -Service redis).Id
        function Count([string] $pattern) { @((Invoke-StingFixtureDocker 'logs', $id).StdOut -split "`n" | Where-Object { $_ -match $pattern }).Count }
        $int, $term = (Count 'received SIGINT, stopping'), (Count 'received SIGTERM')

        Assert-StingRestartSucceeded @(Restart-StingService redis @Common) -Service redis

        Count 'received SIGINT, stopping' | Should -Be ($int + 1)
        Count 'received SIGTERM' | Should -Be $term
    }

    It 'runs post_start and pre_stop hooks in the container with their user, privileges, directory and environment (compose >= 2.30)' {
        # Compose 2.26 refuses the hook keys, so the stack stays as the base file made it and only StingOps reads them.
        $overlay = Join-Path $P.Directory 'hooks.yml'
        Set-Content -LiteralPath $overlay -Value @'
services:
  chatbot:
    pre_stop:
      - command: ["sh", "-c", "echo pre_stop >> /tmp/hooks.log; chmod 666 /tmp/hooks.log"]
    post_start:
      - command: ["sh", "-c", "echo \"as uid=$$(id -u) in $$(pwd) mode=$$HOOK_MODE\" >> /tmp/hooks.log"]
        user: "65534"
        working_dir: /tmp
        environment:
          HOOK_MODE: restart
      - command: ["sh", "-c", "echo \"plain $$(grep CapEff /proc/self/status | cut -f2)\" >> /tmp/hooks.log"]
      - command: ["sh", "-c", "echo \"privileged $$(grep CapEff /proc/self/status | cut -f2)\" >> /tmp/hooks.log"]
        privileged: true
'@
        $id = (Get-StingFixtureContainer -Project $P -Service chatbot).Id
        $null = Invoke-StingFixtureDocker 'exec', $id, 'rm', '-f', '/tmp/hooks.log'

        Assert-StingRestartSucceeded @(Restart-StingService chatbot @Common -ComposeFile $P.ComposeFile, $overlay) -Service chatbot

        (Get-StingFixtureContainer -Project $P -Service chatbot).Id | Should -Be $id -Because 'a restart keeps the container'
        $log = @((Invoke-StingFixtureDocker 'exec', $id, 'cat', '/tmp/hooks.log').StdOut -split "`n" | Where-Object { $_ })
        $log.Count | Should -Be 4
        $log[0] | Should -Be 'pre_stop'
        $log[1] | Should -Be 'as uid=65534 in /tmp mode=restart'
        $plain = ($log[2] -split ' ')[1]; $privileged = ($log[3] -split ' ')[1]
        $log[2] | Should -Match '^plain [0-9a-f]{16}$'
        $log[3] | Should -Match '^privileged [0-9a-f]{16}$'
        $privileged | Should -Not -Be $plain -Because 'a privileged exec gets every capability'
    }

    It 'fails a service whose post_start hook fails, with the hook output and no secret in the result' {
        $overlay = Join-Path $P.Directory 'failing-hook.yml'
        Set-Content -LiteralPath $overlay -Value @'
services:
  chatbot:
    post_start:
      - command: ["sh", "-c", "echo \"cannot register key $$CHATBOT_API_KEY\"; exit 3"]
'@
        $result = Restart-StingService chatbot @Common -ComposeFile $P.ComposeFile, $overlay -ErrorAction SilentlyContinue

        $result.Status | Should -Be 'Failed'
        $result.FailureReason | Should -Be 'HealthCheck'
        $result.Message | Should -Match "post_start hook 'sh -c .*' exited with status 3: cannot register key \*+"
        $result.Message | Should -Not -Match 'fake-'
        # The failure's message is recorded with its row (the report shows it): masked there too.
        $row = Get-StingRestartMetric -Path $env:STING_LOG_DIR -Service chatbot | Where-Object RunId -eq $result.RunId
        $row.Message | Should -Be $result.Message
        Get-Content (Join-Path $env:STING_LOG_DIR 'restart_metrics.jsonl') -Raw | Should -Not -Match 'fake-'
        Assert-StingRestartSucceeded @(Restart-StingService chatbot @Common) -Service chatbot
    }

    It 'restarts the dependents closure with -IncludeDependents, as one plan for piped names' {
        $capture = Start-StingEventCapture -ProjectName $P.ProjectName
        $results = 'chroma' | Restart-StingService -IncludeDependents @Common
        $events = @(Stop-StingEventCapture $capture)
        Assert-StingRestartSucceeded $results -Service 'chroma', 'frontend', 'knowledge'
        Get-StingOrderViolation -Events $events -Plan $Plan | Should -BeNullOrEmpty
    }

    It 'fails a never-healthy service with Timeout, skips its dependents and finishes the other branches' {
        Set-StingFixtureKnob -Project $P -Service knowledge -NeverHealthy
        $frontendBefore = StartedAt 'frontend'

        $results = Restart-StingService chroma, knowledge, redis -IncludeDependents -TimeoutSec 6 @Common -ErrorVariable errs -ErrorAction SilentlyContinue

        $knowledge = $results | Where-Object Service -eq knowledge
        $knowledge.Status | Should -Be 'Failed'
        $knowledge.FailureReason | Should -Be 'Timeout'
        $knowledge.Message | Should -Match 'not ready within 6s'
        $skipped = $results | Where-Object Service -eq frontend
        $skipped.Status | Should -Be 'Skipped'
        $skipped.FailureReason | Should -Be 'Dependency'
        ($results | Where-Object Service -eq chroma).Status | Should -Be 'Succeeded'
        ($results | Where-Object Service -eq redis).Status | Should -Be 'Succeeded'
        $errs.FullyQualifiedErrorId | Should -Contain 'StingServiceRestartFailed,StingOps.Commands.RestartStingServiceCommand'
        # Nothing was started on top of the failed service: frontend stays stopped.
        (Get-StingFixtureContainer -Project $P -Service frontend).State | Should -Be 'exited'
        StartedAt 'frontend' | Should -Be $frontendBefore

        # The run drawn in the report: its results' run id binds from the pipeline; one bar per result, with the
        # result's status and times, and the failure's reason beside its bar.
        $html = Join-Path $P.Directory 'report.html'
        $results | Export-StingRestartReport -Path $html -ProjectDirectory $P.Directory
        Assert-StingReportSelfContained $html
        $bars = @(Get-StingReportBar $html)
        @($bars.Service | Sort-Object) | Should -Be @($results.Service | Sort-Object)
        foreach ($r in $results) {
            $bar = $bars | Where-Object Service -eq $r.Service
            $bar.Status | Should -Be "$($r.Status)"
            $times = @($bar.StopRequested, $bar.Stopped, $bar.Started, $bar.Ready | Where-Object { $null -ne $_ })
            $times | Should -Be @($times | Sort-Object) -Because "$($r.Service)'s phases come in order"
            if ($r.ReadyAt) { [math]::Abs(($bar.Ready - $bar.Started) - ($r.ReadyAt - $r.StartedAt).TotalMilliseconds) | Should -BeLessOrEqual 1 }
            if ($r.Status -eq 'Skipped') { $bar.Started | Should -BeNullOrEmpty }
        }
        (Get-Content -LiteralPath $html -Raw) | Should -Match 'not ready within 6s'
        ($bars | Where-Object Critical).Count | Should -BeGreaterThan 0
        (Get-Content -LiteralPath $html -Raw) | Should -Match 'data-from="chroma" data-to="knowledge"'

        Clear-StingFixtureKnob -Project $P
        $healed = Restart-StingService knowledge -IncludeDependents @Common
        Assert-StingRestartSucceeded $healed -Service (@('knowledge') + @(DependentsOf 'knowledge'))
    }

    It 'fails a crashing service fast, with diagnostics and without secrets' {
        Set-StingFixtureKnob -Project $P -Service external-ai -CrashOnStart

        $all = @(Restart-StingService external-ai -TimeoutSec 120 @Common -ErrorVariable errs -ErrorAction SilentlyContinue -Verbose 4>&1)
        $result = $all | Where-Object { $_ -is [StingOps.RestartResult] }
        $verbose = @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)

        $result.Status | Should -Be 'Failed'
        # Fast means on the exit, not at the timeout: the reason says which (no wall clock on a busy machine).
        $result.FailureReason | Should -Be 'HealthCheck'
        $result.Message | Should -Not -Match 'not ready within'
        $result.Message | Should -Match 'exited with code 1|crashed'
        $result.Message | Should -Not -Match 'last log lines'
        $result.Diagnostics | Should -Match '(?m)^last log lines:$'
        $result.Diagnostics | Should -Not -Match 'fake-'
        $result.Message | Should -Not -Match 'fake-'
        # The long part goes where there is room for it: -Verbose and the error, line by line.
        $verbose | Should -Contain '  last log lines:'
        $errs.Count | Should -Be 1
        $errs[0].Exception.Message | Should -Match '(?m)^last log lines:$'
        $errs[0].Exception.Message | Should -Not -Match 'fake-'

        Clear-StingFixtureKnob -Project $P
        (Restart-StingService external-ai @Common).Status | Should -Be 'Succeeded'
    }

    It 'refuses a named restart whose dependency is down, touching nothing' {
        & docker stop --time 2 (Get-StingFixtureContainer -Project $P -Service redis).Id | Out-Null
        try {
            $appBefore = StartedAt 'app'
            $result = Restart-StingService app @Common -ErrorVariable errs -ErrorAction SilentlyContinue
            $result.Status | Should -Be 'Failed'
            $result.FailureReason | Should -Be 'Dependency'
            $result.Message | Should -Match "redis"
            StartedAt 'app' | Should -Be $appBefore
            $errs.Count | Should -BeGreaterThan 0
        }
        finally {
            (Restart-StingService redis @Common).Status | Should -Be 'Succeeded'
        }
    }

    It 'refuses a second concurrent run with StingRestartLocked' {
        Set-StingFixtureKnob -Project $P -Service chroma -StartupDelay 6
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$env:STINGOPS_MODULE_PATH'; `$env:XDG_STATE_HOME = '$env:XDG_STATE_HOME'; Restart-StingService chroma -ProjectDirectory '$($P.Directory)' -Confirm:`$false")
            $async = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(20)
            while (-not (Test-Path (Join-Path $env:XDG_STATE_HOME "stingops/$($P.ProjectName).lock")) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }

            { Restart-StingService redis @Common -ErrorAction Stop } | Should -Throw -ErrorId 'StingRestartLocked*'

            $first = $ps.EndInvoke($async)
            $first.Status | Should -Be 'Succeeded'
        }
        finally { $ps.Dispose() }
    }

    It 'cancels on a real Ctrl+C (SIGINT): nothing new starts, the run is recorded Cancelled, the lock is released, a new run heals the stack' {
        # Vault needs 120 s to become ready (the run gives every service 150 s): the run is held at "vault started,
        # its dependents waiting" far longer than the wait below may take, so the signal cannot race vault's
        # readiness, even on a loaded machine where the other wave-0 and wave-1 restarts are slow.
        Set-StingFixtureKnob -Project $P -Service vault -StartupDelay 120 | Out-Null
        $needsVault = @(DependentsOf 'vault')
        $needsVault | Should -Contain 'app'
        $independent = @($Plan.Service | Where-Object { $_ -ne 'vault' -and $_ -notin $needsVault })
        $stateDir = Join-Path $env:XDG_STATE_HOME 'stingops'
        $lockFile = Join-Path $stateDir "$($P.ProjectName).lock"
        $runsBefore = @(RunIdsInMetrics)
        $resultPath = Join-Path $P.Directory 'cancelled-run.json'
        $childScript = Join-Path $P.Directory 'cancelled-run.ps1'
        # Ctrl+C stops the pipeline: the assignment never completes, but finally blocks run. Results are kept as
        # they stream, and written out at the end.
        Set-Content -LiteralPath $childScript -Value @'
param([string] $ModulePath, [string] $ProjectDirectory, [string] $ResultPath)
Import-Module $ModulePath
$results = [System.Collections.Generic.List[object]]::new()
try { Restart-StingService -ProjectDirectory $ProjectDirectory -TimeoutSec 150 -Confirm:$false | ForEach-Object { $results.Add($_) } }
finally {
    ConvertTo-Json -Depth 3 -InputObject @($results | ForEach-Object {
        [pscustomobject]@{ Service = $_.Service; Status = "$($_.Status)"; FailureReason = "$($_.FailureReason)"; RunId = $_.RunId }
    }) | Set-Content -LiteralPath $ResultPath
}
'@
        # The pwsh these tests run in, as a child process that gets a real SIGINT. A process started in the
        # background by a non-interactive shell (CI, `cmd &`) inherits SIGINT as ignored, and .NET then never
        # turns it into Ctrl+C; env --default-signal=INT restores the default so the child handles it.
        $psi = [System.Diagnostics.ProcessStartInfo]::new('/usr/bin/env')
        foreach ($a in '--default-signal=INT', [Environment]::ProcessPath, (Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-NonInteractive',
            '-File', $childScript, $env:STINGOPS_MODULE_PATH, $P.Directory, $resultPath) { $psi.ArgumentList.Add($a) }
        $psi.UseShellExecute = $false
        $psi.RedirectStandardInput = $true
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        # The child inherits XDG_STATE_HOME and STING_LOG_DIR: its lock and metrics land in this run's folders.

        $capture = Start-StingEventCapture -ProjectName $P.ProjectName
        $runStart = [DateTimeOffset]::UtcNow
        $child = [System.Diagnostics.Process]::Start($psi)
        try {
            $stdout = $child.StandardOutput.ReadToEndAsync()
            $stderr = $child.StandardError.ReadToEndAsync()
            $deadline = [DateTime]::UtcNow.AddSeconds(110)
            $sawLock = $false
            while ($true) {
                $sawLock = $sawLock -or (Test-Path -LiteralPath $lockFile)
                $containers = @(Get-StingFixtureContainer -Project $P)
                $vault = $containers | Where-Object Service -eq vault
                $restarted = @($containers | Where-Object { $_.State -eq 'running' -and [DateTimeOffset]$_.StartedAt -gt $runStart } | ForEach-Object Service)
                $vaultWaiting = $vault.State -eq 'running' -and [DateTimeOffset]$vault.StartedAt -gt $runStart -and $vault.Health -ne 'healthy'
                if ($sawLock -and $vaultWaiting -and -not @($independent | Where-Object { $_ -notin $restarted })) { break }
                if ($child.HasExited) { throw "The run ended before it could be cancelled (exit $($child.ExitCode)): $($stderr.Result)" }
                if ([DateTime]::UtcNow -gt $deadline) {
                    throw "The run did not reach 'vault started, its dependents waiting' within 110 s; lock seen: $sawLock, restarted: $($restarted -join ', '), vault: $($vault.State)/$($vault.Health)"
                }
                Start-Sleep -Milliseconds 250
            }
            $signalled = [DateTimeOffset]::UtcNow
            & /bin/kill -INT $child.Id
            $LASTEXITCODE | Should -Be 0 -Because 'the signal was delivered'
            $child.WaitForExit(60000) | Should -BeTrue -Because 'a cancelled run ends: it finishes what is in flight and starts nothing'
        }
        finally {
            if (-not $child.HasExited) { $child.Kill($true) }
            $events = @(Stop-StingEventCapture $capture)
        }
        $because = "child stdout: $($stdout.Result) stderr: $($stderr.Result)"

        # From the engine: the capture was live, and no container started after the signal.
        @($events | Where-Object { $_.Service -eq 'vault' -and $_.Action -eq 'start' }).Count | Should -Be 1 -Because 'the capture saw vault restart'
        @($events | Where-Object { $_.Action -eq 'start' -and $_.Time -ge $signalled } | ForEach-Object Service) | Should -Be @() -Because 'nothing new starts after Ctrl+C'
        foreach ($c in @(Get-StingFixtureContainer -Project $P -Service $needsVault)) { $c.State | Should -Not -Be 'running' -Because "$($c.Service) waits on vault" }

        # The run's own report. Ctrl+C stops the pipeline, so what finished before it streamed out; the whole run,
        # Cancelled outcomes included, is in the metrics it records.
        Test-Path -LiteralPath $resultPath | Should -BeTrue -Because $because
        $streamed = @(Get-Content -LiteralPath $resultPath -Raw | ConvertFrom-Json)
        @($streamed | Where-Object Status -ne 'Succeeded') | Should -Be @() -Because 'only finished services can have streamed out before the signal'
        $newRuns = @(RunIdsInMetrics | Where-Object { $_ -notin $runsBefore })
        $newRuns.Count | Should -Be 1 -Because "the cancelled run is recorded once; $because"
        if ($streamed) { @($streamed.RunId | Sort-Object -Unique) | Should -Be $newRuns }
        $recorded = @(Get-StingRestartMetric -Path $env:STING_LOG_DIR | Where-Object RunId -eq $newRuns[0])
        @($recorded.Service | Sort-Object) | Should -Be @($Plan.Service | Sort-Object)
        $outcome = @{}; foreach ($m in $recorded) { $outcome[$m.Service] = $m }
        "$($outcome.vault.Status)/$($outcome.vault.FailureReason)" | Should -Be 'Cancelled/Cancelled'
        foreach ($name in $needsVault) {
            $m = $outcome[$name]
            if ("$($m.Status)" -eq 'Skipped') {
                # A dependency's cancellation can reach a waiting service before the token does; it is then
                # skipped on that dependency, which must itself be one the cancel left unfinished. (The metrics
                # keep no message, so the dependency is found from the plan.)
                "$($m.FailureReason)" | Should -Be 'Dependency' -Because "$name was Skipped"
                $deps = @(($Plan | Where-Object Service -eq $name).DependsOn)
                @($deps | Where-Object { "$($outcome[$_].Status)" -in 'Cancelled', 'Skipped' }).Count |
                    Should -BeGreaterThan 0 -Because "$name was skipped on one of $($deps -join ', ') that the cancel left unfinished"
            }
            else { "$($m.Status)/$($m.FailureReason)" | Should -Be 'Cancelled/Cancelled' -Because $name }
        }
        foreach ($m in @($recorded | Where-Object Service -in $independent)) { "$($m.Status)" | Should -BeIn 'Succeeded', 'Cancelled' -Because $m.Service }

        # The lock: the run used this state folder (its lock was seen there), and released it.
        Test-Path -LiteralPath $stateDir -PathType Container | Should -BeTrue
        @(Get-ChildItem -LiteralPath $stateDir -Filter '*.lock' -Force | ForEach-Object Name) | Should -Be @()

        Clear-StingFixtureKnob -Project $P
        $healed = Restart-StingService @Common
        Assert-StingRestartSucceeded $healed -Service $Plan.Service
        Wait-StingFixtureHealthy -Project $P -TimeoutSec 180 | Out-Null
    }
}
