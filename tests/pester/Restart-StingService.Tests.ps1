# Restart-StingService against the fixture STING stack on a real engine, judged from the engine's state
# and its event stream.
BeforeAll {
    Import-Module $env:STINGOPS_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'RestartAssertions.psm1') -Force
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
    }

    AfterAll {
        Remove-StingFixture -Project $P
        Remove-Item Env:XDG_STATE_HOME, Env:STING_LOG_DIR -ErrorAction SilentlyContinue
    }

    AfterEach {
        Clear-StingFixtureKnob -Project $P
    }

    It 'restarts the whole project: every service Succeeded and healthy, in dependency order, nothing lost' {
        $startsBefore = Get-StingFixtureDbStarts -Project $P
        $capture = Start-StingEventCapture -ProjectName $P.ProjectName

        $results = Restart-StingService @Common
        $events = @(Stop-StingEventCapture $capture)

        $results.Count | Should -Be 15
        $results | Where-Object Status -ne 'Succeeded' | Should -BeNullOrEmpty
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
        $events = @(Stop-StingEventCapture $capture | Where-Object Action -in 'stop', 'kill', 'die', 'start', 'restart')
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

    It 'restarts the dependents closure with -IncludeDependents, as one plan for piped names' {
        $capture = Start-StingEventCapture -ProjectName $P.ProjectName
        $results = 'chroma' | Restart-StingService -IncludeDependents @Common
        $events = @(Stop-StingEventCapture $capture)
        ($results.Service | Sort-Object) | Should -Be @('chroma', 'frontend', 'knowledge')
        $results | Where-Object Status -ne 'Succeeded' | Should -BeNullOrEmpty
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

        Clear-StingFixtureKnob -Project $P
        $healed = Restart-StingService knowledge -IncludeDependents @Common
        $healed | Where-Object Status -ne 'Succeeded' | Should -BeNullOrEmpty
    }

    It 'fails a crashing service fast, with diagnostics and without secrets' {
        Set-StingFixtureKnob -Project $P -Service external-ai -CrashOnStart

        $result = Restart-StingService external-ai -TimeoutSec 120 @Common -ErrorAction SilentlyContinue

        $result.Status | Should -Be 'Failed'
        # Fast means on the exit, not at the timeout: the reason says which (no wall clock on a busy machine).
        $result.FailureReason | Should -Be 'HealthCheck'
        $result.Message | Should -Not -Match 'not ready within'
        $result.Message | Should -Match 'exited with code 1|crashed'
        $result.Message | Should -Match 'last log lines'
        $result.Message | Should -Not -Match 'fake-'

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

    It 'cancels cleanly: nothing new starts, the lock is released, a new run heals the stack' {
        Set-StingFixtureKnob -Project $P -Service vault -StartupDelay 8
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$env:STINGOPS_MODULE_PATH'; `$env:XDG_STATE_HOME = '$env:XDG_STATE_HOME'; Restart-StingService -ProjectDirectory '$($P.Directory)' -Confirm:`$false")
            $async = $ps.BeginInvoke()
            # Wait until vault has been started again (it then needs 8 s to become healthy), then stop.
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            do { Start-Sleep -Milliseconds 100; $v = Get-StingFixtureContainer -Project $P -Service vault }
            until (($v.State -eq 'running' -and [DateTimeOffset]$v.StartedAt -gt [DateTimeOffset]::UtcNow.AddSeconds(-5)) -or [DateTime]::UtcNow -gt $deadline)
            $capture = Start-StingEventCapture -ProjectName $P.ProjectName
            $ps.Stop()
            Start-Sleep -Seconds 2

            # Services waiting on vault were not started after the cancel.
            $starts = @(Stop-StingEventCapture $capture | Where-Object Action -eq 'start')
            $starts.Service | Should -Not -Contain 'app'
            (Get-ChildItem (Join-Path $env:XDG_STATE_HOME 'stingops') -Filter '*.lock' -ErrorAction SilentlyContinue) | Should -BeNullOrEmpty
        }
        finally { $ps.Dispose() }

        Clear-StingFixtureKnob -Project $P
        $healed = Restart-StingService @Common
        $healed | Where-Object Status -ne 'Succeeded' | Should -BeNullOrEmpty
        Wait-StingFixtureHealthy -Project $P -TimeoutSec 180 | Out-Null
    }
}
