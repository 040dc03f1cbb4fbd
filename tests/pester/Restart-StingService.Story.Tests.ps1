# What a user sees around a restart on the fixture stack: the -Verbose story of a run, the engine calls
# -Debug adds, no secret in any stream, and Get-StingService | Restart-StingService -WhatIf printing the plan
# without one engine write.
BeforeAll {
    Import-Module $env:STINGOPS_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'RestartAssertions.psm1') -Force
}

Describe 'The story of a restart on the fixture stack' -Tag 'Integration', 'Restart', 'Story' {
    BeforeAll {
        Remove-StingFixtureLeftover
        Initialize-StingFixtureImage
        $script:P = New-StingFixtureProject
        # app's probe quotes a secret of app.env: it must be masked wherever the probe is shown.
        $script:Secret = 'fake-secret-app-7f3a9c'
        $config = Get-Content -LiteralPath $P.ConfigFile -Raw
        $config = $config -replace '(?m)^(    app:\r?\n      timeout: 30\r?\n)', "`$1      health_check: `"test $Secret != x && wget -q -O- http://127.0.0.1:`$STING_PORT/health`"`n"
        Set-Content -LiteralPath $P.ConfigFile -Value $config -NoNewline
        Start-StingFixture -Project $P -TimeoutSec 180 | Out-Null
        $env:XDG_STATE_HOME = Join-Path $P.Directory 'state'
        $env:STING_LOG_DIR = Join-Path $P.Directory 'metrics'
        $script:Common = @{ ProjectDirectory = $P.Directory; Confirm = $false }
        $script:AllSecrets = @(Get-ChildItem (Join-Path $P.Directory 'env') -Filter '*.env' | Get-Content |
                Where-Object { $_ -match '^[A-Z_]*(SECRET|PASSWORD|TOKEN|KEY|DSN)[A-Z_]*=(.+)$' } | ForEach-Object { $Matches[2] })
    }

    AfterAll {
        Remove-StingFixture -Project $P
        Remove-Item Env:XDG_STATE_HOME, Env:STING_LOG_DIR -ErrorAction SilentlyContinue
    }

    Context 'Restart-StingService app -Verbose -Debug' {
        BeforeAll {
            $records = Restart-StingService app @Common -Verbose -Debug 4>&1 5>&1
            $script:Results = @($records | Where-Object { $_ -is [StingOps.RestartResult] })
            $script:Verbose = @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
            $script:Debug = @($records | Where-Object { $_ -is [System.Management.Automation.DebugRecord] } | ForEach-Object Message)
        }

        It 'restarts app' {
            $Results.Count | Should -Be 1
            $Results[0].Status | Should -Be 'Succeeded'
        }

        It 'tells the plan before anything is touched' {
            $plan = [array]::FindIndex([string[]]$Verbose, [Predicate[string]] { param($l) $l -match "^Plan for project '$($P.ProjectName)': 1 service\(s\) in 1 wave\(s\)" })
            $first = [array]::FindIndex([string[]]$Verbose, [Predicate[string]] { param($l) $l -match '^\[\+' })
            $plan | Should -BeGreaterOrEqual 0 -Because ($Verbose -join "`n")
            $plan | Should -BeLessThan $first
            $Verbose[$plan + 1] | Should -Match '^\s+wave 2: app \(after [^;]+; ready when command: test \*\*\* != x && wget .*; timeout 30\.0s\)$'
        }

        It 'tells each stop, start, probe verdict and the outcome, with timings, in order' {
            $story = @($Verbose | Where-Object { $_ -match '^\[\+\d+\.\ds\] app: ' } | ForEach-Object { $_ -replace '^\[\+\d+\.\ds\] app: ' })
            $story[0] | Should -Be 'stopping'
            $story[1] | Should -Match '^stopped in \d+\.\ds$'
            $story[2] | Should -Be 'starting'
            $story[3] | Should -Match '^started; probing: '
            $story[4] | Should -Match '^probe passed: ready \d+\.\ds after its start$'
            # What readiness cost: the tests the probe ran in the container, in how many execs.
            $story[5] | Should -Match '^Succeeded in \d+\.\ds from stop to ready, 1 attempt, \d+ probes? in \d+ execs?\.$'
            $Verbose[-1] | Should -Match '^Run \S+ finished in \d+\.\ds: 1 succeeded\.$'
        }

        It 'adds the engine calls with -Debug: list, stop, start and the probe''s exec, each with its outcome and time' {
            $Debug | Should -Not -BeNullOrEmpty
            @($Debug | Where-Object { $_ -match "^engine: list containers of project '$($P.ProjectName)' -> \d+ container\(s\) \(\d+ ms from \d\d:\d\d:\d\d\.\d{3}\)$" }).Count | Should -BeGreaterOrEqual 1
            @($Debug | Where-Object { $_ -match '^engine: stop [0-9a-f]{12} \(grace \d+(\.\d)?s\) -> done \(\d+ ms from \d\d:\d\d:\d\d\.\d{3}\)$' }).Count | Should -Be 1
            @($Debug | Where-Object { $_ -match '^engine: start [0-9a-f]{12} -> done \(\d+ ms from \d\d:\d\d:\d\d\.\d{3}\)$' }).Count | Should -Be 1
            @($Debug | Where-Object { $_ -match '^engine: exec [0-9a-f]{12} \[.*\] \(timeout .*\) -> exit 0 \(\d+ ms from \d\d:\d\d:\d\d\.\d{3}\)$' }).Count | Should -BeGreaterOrEqual 1
        }

        It 'prints no secret in any stream, though the probe command quotes one' {
            $AllSecrets | Should -Contain $Secret
            $text = ($Verbose + $Debug + @($Results | Format-List | Out-String)) -join "`n"
            $text | Should -Match 'test \S+ != x'   # the probe is shown ...
            foreach ($s in $AllSecrets) { $text | Should -Not -Match ([regex]::Escape($s)) }   # ... masked
        }

        It 'with -Debug alone writes the engine trace and no story, and asks nothing (a fresh non-interactive pwsh)' {
            # PowerShell would show a compiled cmdlet's verbose lines under -Debug and ask to continue after each;
            # where nobody can answer (-NonInteractive), that fails the command.
            $script = "`$ErrorActionPreference = 'Stop'; Import-Module '$env:STINGOPS_MODULE_PATH'; " +
                "`$r = Restart-StingService app -ProjectDirectory '$($P.Directory)' -Confirm:`$false -Debug; 'status ' + `$r.Status"
            $out = @(& dotnet pwsh -NoProfile -NonInteractive -Command $script 2>&1 | ForEach-Object { "$_" })
            $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
            $out | Should -Contain 'status Succeeded'
            @($out | Where-Object { $_ -match 'DEBUG: engine: start [0-9a-f]{12} -> done' }).Count | Should -Be 1
            @($out | Where-Object { $_ -match 'VERBOSE:|Continue with this operation' }) | Should -BeNullOrEmpty
        }

        It 'writes no Debug lines without -Debug, and no Verbose lines without -Verbose' {
            $quiet = Restart-StingService app @Common -ErrorAction SilentlyContinue 4>&1 5>&1
            @($quiet | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -or $_ -is [System.Management.Automation.DebugRecord] }) | Should -BeNullOrEmpty
        }
    }

    Context 'Wait-StingService -Verbose -Debug' {
        It 'says what it waits for, when each service is ready, and which engine calls it made' {
            $records = Wait-StingService app, db -ProjectDirectory $P.Directory -TimeoutSec 120 -Verbose -Debug 4>&1 5>&1
            $verbose = @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
            $debug = @($records | Where-Object { $_ -is [System.Management.Automation.DebugRecord] } | ForEach-Object Message)
            @($records | Where-Object { $_ -is [StingOps.ServiceInfo] }).Name | Sort-Object | Should -Be @('app', 'db')
            $verbose | Should -Contain 'Waiting for app: ready when command: test *** != x && wget -q -O- http://127.0.0.1:$STING_PORT/health; timeout 120s.'
            @($verbose | Where-Object { $_ -match '^(app|db): ready after \d+\.\ds\.$' }).Count | Should -Be 2
            @($debug | Where-Object { $_ -match '^engine: (exec|inspect) ' }).Count | Should -BeGreaterOrEqual 2
            ($verbose + $debug) -join "`n" | Should -Not -Match ([regex]::Escape($Secret))
        }

        It 'traces engine calls when a function sets $DebugPreference, as PowerShell does for Write-Debug' {
            # A preference set in a function or script block is a local string ('Continue'), not the enum.
            function Get-Traced { $DebugPreference = 'Continue'; Wait-StingService db -ProjectDirectory $P.Directory -TimeoutSec 120 }
            $debug = @(Get-Traced 5>&1 | Where-Object { $_ -is [System.Management.Automation.DebugRecord] } | ForEach-Object Message)
            @($debug | Where-Object { $_ -match '^engine: (exec|inspect) .* from \d\d:\d\d:\d\d\.\d{3}\)$' }).Count | Should -BeGreaterOrEqual 1
            function Get-Quiet { $DebugPreference = 'SilentlyContinue'; Wait-StingService db -ProjectDirectory $P.Directory -TimeoutSec 120 }
            @(Get-Quiet 5>&1 | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }) | Should -BeNullOrEmpty
        }
    }

    Context 'Get-StingService | Restart-StingService -WhatIf' {
        It 'prints the plan of everything piped in and causes no engine write' {
            $metricsBefore = @(Get-ChildItem $env:STING_LOG_DIR -File -ErrorAction SilentlyContinue | ForEach-Object { "$($_.Name):$($_.Length)" })
            $capture = Start-StingEventCapture -ProjectName $P.ProjectName
            # What if: lines go to the host, not to a stream: run in a child pwsh and read its output.
            $out = & dotnet pwsh -NoProfile -NonInteractive -Command @"
`$env:XDG_STATE_HOME = '$env:XDG_STATE_HOME'; `$env:STING_LOG_DIR = '$env:STING_LOG_DIR'
Import-Module '$env:STINGOPS_MODULE_PATH'
`$r = Get-StingService -ProjectDirectory '$($P.Directory)' | Where-Object Enabled | Restart-StingService -ProjectDirectory '$($P.Directory)' -WhatIf
'results: ' + @(`$r).Count
"@ 2>&1
            $captured = @(Stop-StingEventCapture $capture)
            # Live throughout: Stop-StingEventCapture throws unless both its sentinel events arrived.
            $events = @($captured | Where-Object Action -in 'create', 'stop', 'kill', 'die', 'start', 'restart', 'destroy', 'rename', 'pause', 'unpause', 'update')
            $events | Should -BeNullOrEmpty
            $text = $out -join "`n"
            $whatIf = @($out | Where-Object { "$_" -match '^What if: Performing the operation "Restart" on target ' })
            $whatIf.Count | Should -Be 15 -Because $text
            $text | Should -Match 'What if: .*"vault \(wave 0'
            $text | Should -Match 'What if: .*"app \(wave 2 after [^;]+; ready when command: test \*\*\* != x '
            $text | Should -Not -Match ([regex]::Escape($Secret))
            $text | Should -Match 'results: 0'
            @(Get-ChildItem $env:STING_LOG_DIR -File -ErrorAction SilentlyContinue | ForEach-Object { "$($_.Name):$($_.Length)" }) | Should -Be $metricsBefore
        }

        It 'masks the secret in the HealthCheck that Get-StingService, Get-StingRestartPlan and Wait-StingService show' {
            $shown = @(
                (Get-StingService app -ProjectDirectory $P.Directory).HealthCheck
                (Get-StingService app -ProjectDirectory $P.Directory -Offline).HealthCheck
                (Get-StingRestartPlan app -ProjectDirectory $P.Directory).HealthCheck
                (Wait-StingService app -ProjectDirectory $P.Directory -TimeoutSec 120).HealthCheck
            )
            $shown.Count | Should -Be 4
            foreach ($h in $shown) {
                $h | Should -Match '^command: test \*\*\* != x '
                $h | Should -Not -Match ([regex]::Escape($Secret))
            }
        }
    }
}
