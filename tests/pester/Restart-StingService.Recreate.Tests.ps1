# Restart-StingService -Recreate on the fixture stack: a good env change is applied, a change that never gets
# ready is rolled back to exactly one old container, a missing env file is refused before anything is touched.
BeforeAll {
    Import-Module $env:STINGOPS_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'RestartAssertions.psm1') -Force
}

Describe 'Restart-StingService -Recreate on the fixture stack' -Tag 'Integration', 'Recreate' {
    BeforeAll {
        Remove-StingFixtureLeftover
        Initialize-StingFixtureImage
        $script:P = New-StingFixtureProject
        Start-StingFixture -Project $P -Service frontend -TimeoutSec 180 | Out-Null
        $script:Common = @{ ProjectDirectory = $P.Directory; Confirm = $false }
        $env:XDG_STATE_HOME = Join-Path $P.Directory 'state'
        $env:STING_LOG_DIR = Join-Path $P.Directory 'metrics'
        # app: its readiness is the compose healthcheck (frontend's is 'running', blind to STING_NEVER_HEALTHY).
        $script:EnvFile = Join-Path $P.Directory 'env' 'app.env'
        $script:Original = Get-Content -LiteralPath $EnvFile -Raw
        # Compares inside PowerShell; the value itself is never printed.
        function script:EnvOf([string] $service) {
            $c = @(Get-StingFixtureContainer -Project $P -Service $service)
            $c.Count | Should -Be 1 -Because "exactly one container of $service"
            $c[0]
        }
        function script:HasEnv($container, [string] $pair) { @($container.Inspect.Config.Env) -contains $pair }
        $script:OriginalCompose = Get-Content -LiteralPath $P.ComposeFile -Raw
        # Adds lines to app's definition, right after its '<<: *svc' (a labels: key there replaces the anchor's
        # labels, so the fixture's own labels are repeated).
        function script:EditApp([string[]] $lines) {
            $marker = "  app:`n    <<: *svc`n"
            $text = $OriginalCompose.Replace("`r`n", "`n")
            $text.Contains($marker) | Should -BeTrue -Because 'the fixture defines app with the service anchor'
            Set-Content -LiteralPath $P.ComposeFile -NoNewline -Value $text.Replace($marker, $marker + (($lines | ForEach-Object { "    $_`n" }) -join ''))
        }
        function script:DriftOf([string] $service) {
            $d = @(Test-StingPrerequisite $service -ProjectDirectory $P.Directory | Where-Object { $_.Check -eq 'ConfigDrift' -and $_.Target -eq $service })
            $d.Count | Should -Be 1 -Because "one ConfigDrift result for $service"
            $d[0]
        }
    }
    AfterAll {
        Remove-StingFixture -Project $P
        Remove-Item Env:XDG_STATE_HOME, Env:STING_LOG_DIR -ErrorAction SilentlyContinue
    }
    AfterEach {
        Set-Content -LiteralPath $EnvFile -Value $Original -NoNewline
        Set-Content -LiteralPath $P.ComposeFile -Value $OriginalCompose -NoNewline
    }

    It 'recreates a service whose env file changed: Succeeded, the new value is in the container, no snapshot left' -Tag 'Legacy' {
        $pair = 'APP_API_TOKEN=fake-recreate-token-Aa1b'
        $before = EnvOf app
        Add-Content -LiteralPath $EnvFile -Value $pair

        $r = Restart-StingService app -Recreate @Common

        $r.Status | Should -Be 'Succeeded'
        $r.Message | Should -Match 'recreated'
        $r.Message | Should -Not -Match 'fake-recreate-token'
        $after = EnvOf app
        $after.Id | Should -Not -Be $before.Id
        HasEnv $after $pair | Should -BeTrue
        Wait-StingFixtureHealthy -Project $P -Service app -TimeoutSec 30 | Out-Null
        Test-Path -LiteralPath (Join-Path $env:XDG_STATE_HOME 'stingops') -PathType Container | Should -BeTrue -Because 'the run kept its state here'
        @(Get-ChildItem -LiteralPath (Join-Path $env:XDG_STATE_HOME 'stingops' 'snapshots') -ErrorAction SilentlyContinue).Count | Should -Be 0
    }

    It 'rolls back a change that never gets ready: RolledBack, exactly one container, old environment, ready' -Tag 'Legacy' {
        $before = EnvOf app
        Add-Content -LiteralPath $EnvFile -Value 'STING_NEVER_HEALTHY=1'

        $r = Restart-StingService app -Recreate -TimeoutSec 8 @Common -ErrorVariable errs -ErrorAction SilentlyContinue

        $r.Status | Should -Be 'RolledBack'
        $r.FailureReason | Should -Be 'Timeout'
        $r.Message | Should -Match 'rolled back'
        $errs.Count | Should -BeGreaterThan 0
        $after = EnvOf app
        $after.Name | Should -Be $before.Name
        HasEnv $after 'STING_NEVER_HEALTHY=1' | Should -BeFalse
        foreach ($e in @($before.Inspect.Config.Env)) { HasEnv $after $e | Should -BeTrue }
        $after.State | Should -Be 'running'
        Wait-StingFixtureHealthy -Project $P -Service app -TimeoutSec 30 | Out-Null
        Test-Path -LiteralPath (Join-Path $env:XDG_STATE_HOME 'stingops') -PathType Container | Should -BeTrue -Because 'the run kept its state here'
        @(Get-ChildItem -LiteralPath (Join-Path $env:XDG_STATE_HOME 'stingops' 'snapshots') -ErrorAction SilentlyContinue).Count | Should -Be 0
    }

    It 'refuses a run whose env file is missing with StingPrerequisiteFailed, before anything is touched' {
        $before = EnvOf app
        Remove-Item -LiteralPath $EnvFile
        { Restart-StingService app -Recreate @Common -ErrorAction Stop } |
            Should -Throw -ErrorId 'StingPrerequisiteFailed,StingOps.Commands.RestartStingServiceCommand'
        $after = EnvOf app
        $after.Id | Should -Be $before.Id
        $after.StartedAt | Should -Be $before.StartedAt
    }

    It 'refuses when the engine is unreachable, without writing anything' {
        # Fresh folders the refused run must not create; a control run afterwards with the same variables shows
        # they are where a run writes, so their absence means something.
        $stateHome = Join-Path $P.Directory 'state-unreachable'
        $logDir = Join-Path $P.Directory 'metrics-unreachable'
        # The compose CLI (and docker itself) behind shims on PATH that log each call.
        $shimDir = Join-Path $P.Directory 'cli-shims'
        $cliLog = Join-Path $P.Directory 'cli-calls.log'
        $null = New-Item -ItemType Directory -Path $shimDir -Force
        foreach ($cli in 'docker', 'docker-compose') {
            $real = (Get-Command $cli -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source
            if (-not $real) { continue }
            $shim = Join-Path $shimDir $cli
            Set-Content -LiteralPath $shim -Value "#!/bin/sh`necho `"$cli `$*`" >> '$cliLog'`nexec '$real' `"`$@`"`n"
            & chmod +x $shim
        }
        $containersBefore = @(Get-StingFixtureContainer -Project $P | ForEach-Object { "$($_.Service) $($_.Id) $($_.State) $($_.StartedAt)" } | Sort-Object)
        $containersBefore.Count | Should -BeGreaterThan 0
        $capture = Start-StingEventCapture -ProjectName $P.ProjectName
        $saved = @{}
        foreach ($name in 'DOCKER_HOST', 'XDG_STATE_HOME', 'STING_LOG_DIR', 'PATH') { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
        try {
            $env:DOCKER_HOST = 'unix:///nonexistent.sock'
            $env:XDG_STATE_HOME = $stateHome
            $env:STING_LOG_DIR = $logDir
            $env:PATH = "$shimDir$([IO.Path]::PathSeparator)$($saved.PATH)"
            # -Recreate: the run that would also save snapshots and run the compose CLI.
            { Restart-StingService app -Recreate @Common -ErrorAction Stop } |
                Should -Throw -ErrorId 'StingPrerequisiteFailed,StingOps.Commands.RestartStingServiceCommand'
            (Test-StingPrerequisite app -ProjectDirectory $P.Directory | Where-Object Check -eq 'DockerEngine').Passed | Should -BeFalse
        }
        finally {
            foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
            $events = @(Stop-StingEventCapture $capture)
        }

        # Live throughout: Stop-StingEventCapture throws unless both its sentinel events arrived.
        @($events | Where-Object Action -in 'create', 'start', 'restart', 'stop', 'kill', 'die', 'destroy', 'rename', 'update' |
            ForEach-Object { "$($_.Service) $($_.Detail)" }) | Should -Be @()
        @(Get-StingFixtureContainer -Project $P | ForEach-Object { "$($_.Service) $($_.Id) $($_.State) $($_.StartedAt)" } | Sort-Object) |
            Should -Be $containersBefore
        Test-Path -LiteralPath $stateHome | Should -BeFalse -Because 'no lock, no snapshot'
        Test-Path -LiteralPath $logDir | Should -BeFalse -Because 'no metrics'
        # Asking a CLI its version is a read; anything else would be a compose run.
        @(Get-Content -LiteralPath $cliLog -ErrorAction SilentlyContinue | Where-Object { $_ -notmatch '(^| )version( |$)' }) | Should -Be @()

        $env:XDG_STATE_HOME = $stateHome
        $env:STING_LOG_DIR = $logDir
        try { (Restart-StingService app @Common).Status | Should -Be 'Succeeded' }
        finally { foreach ($name in 'XDG_STATE_HOME', 'STING_LOG_DIR') { [Environment]::SetEnvironmentVariable($name, $saved[$name]) } }
        Test-Path -LiteralPath (Join-Path $stateHome 'stingops') -PathType Container | Should -BeTrue -Because 'the control run locked there'
        @(Get-ChildItem -LiteralPath $logDir -File).Count | Should -BeGreaterThan 0 -Because 'the control run recorded its metrics there'
    }

    It 'a changed label is drift named labels.KEY; -Recreate applies it (the engine shows it); no drift afterwards' {
        EditApp @(
            'labels:'
            '  com.stingops.fixture: "sting-stack"'
            '  com.stingops.test-owner-pid: "${STING_TEST_OWNER_PID:-0}"'
            '  com.stingops.test-owner-host: "${STING_TEST_OWNER_HOST:-}"'
            '  com.stingops.drift-test: "label-applied"'
        )
        $before = EnvOf app

        $d = DriftOf app
        $d.Passed | Should -BeFalse
        $d.Message | Should -Match 'labels\.com\.stingops\.drift-test'

        $r = Restart-StingService app -Recreate @Common
        $r.Status | Should -Be 'Succeeded'
        $after = EnvOf app
        $after.Id | Should -Not -Be $before.Id
        $after.Inspect.Config.Labels.'com.stingops.drift-test' | Should -Be 'label-applied' -Because 'the engine itself shows the new label'
        (DriftOf app).Passed | Should -BeTrue -Because 'the change is applied'
    }

    It 'a changed command is drift named command; -Recreate applies it (the engine shows it); no drift afterwards' {
        # The fixture's entrypoint ignores its arguments, so any command keeps the service working.
        EditApp @('command: ["drift-test", "command-applied"]')
        $before = EnvOf app

        $d = DriftOf app
        $d.Passed | Should -BeFalse
        $d.Message | Should -Match '\bcommand\b'

        $r = Restart-StingService app -Recreate @Common
        $r.Status | Should -Be 'Succeeded'
        $after = EnvOf app
        $after.Id | Should -Not -Be $before.Id
        @($after.Inspect.Config.Cmd) | Should -Be @('drift-test', 'command-applied') -Because 'the engine itself shows the new command'
        (DriftOf app).Passed | Should -BeTrue -Because 'the change is applied'
    }
}
