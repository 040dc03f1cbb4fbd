# Test-StingRestartAlert: each rule firing and not, on generated metrics; thresholds from config.yml;
# env-file validation of a project. No engine needed.
BeforeAll {
    Import-Module $env:STINGOPS_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'MetricTestData.psm1') -Force
    $script:Dirs = [Collections.Generic.List[string]]::new()
    function script:NewDir { $d = New-MetricTestDirectory; $Dirs.Add($d); $d }
    # All five verdicts for the metrics in $path, as a hashtable Rule -> RestartAlert.
    function script:Alerts([string] $path, [hashtable] $extra = @{}) {
        $r = @{}
        foreach ($a in Test-StingRestartAlert -Path $path @extra) { $r[[string]$a.Rule] = $a }
        $r
    }
    $script:Saved = @{ STING_INSTALL_DIR = $env:STING_INSTALL_DIR; COMPOSE_FILE = $env:COMPOSE_FILE }
    Remove-Item Env:STING_INSTALL_DIR, Env:COMPOSE_FILE -ErrorAction SilentlyContinue
    # Run from a directory with no compose project above it: default thresholds.
    $script:Cwd = NewDir
    Push-Location $Cwd
}

AfterAll {
    Pop-Location
    foreach ($k in $Saved.Keys) { if ($null -ne $Saved[$k]) { Set-Item "Env:$k" $Saved[$k] } }
    foreach ($d in $Dirs) { Remove-Item $d -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'Test-StingRestartAlert parameter contract' -Tag 'Unit', 'Alerts' {
    It 'has <Name> of type <Type>' -TestCases @(
        @{ Name = 'Since'; Type = [Nullable[datetime]] }
        @{ Name = 'Path'; Type = [string] }
        @{ Name = 'ProjectDirectory'; Type = [string] }
        @{ Name = 'ConfigPath'; Type = [string] }
    ) {
        (Get-Command Test-StingRestartAlert).Parameters[$Name].ParameterType | Should -Be $Type
    }

    It 'declares its output type' {
        (Get-Command Test-StingRestartAlert).OutputType.Name | Should -Contain 'StingOps.RestartAlert'
    }
}

Describe 'Test-StingRestartAlert verdicts' -Tag 'Unit', 'Alerts' {
    It 'returns every rule, in order, none triggered, for healthy restarts' {
        $d = NewDir
        Add-ShellMetricRow $d @(@{ Service = 'vault'; Duration = 12; Status = 'success' }, @{ Service = 'db'; Duration = 300; Status = 'success' })
        $a = @(Test-StingRestartAlert -Path $d)
        $a.Rule | Should -Be @('RestartTooSlow', 'ServiceFailedAfterRestart', 'DependencyChainBroken', 'RepeatedFailures', 'EnvironmentValidationFailed')
        $a[0].PSObject.TypeNames[0] | Should -Be 'StingOps.RestartAlert'
        $a.Triggered | Should -Not -Contain $true
        $a | ForEach-Object { $_.Threshold | Should -Not -BeNullOrEmpty; $_.Message | Should -Not -BeNullOrEmpty }
    }

    It 'returns every rule, not triggered, when nothing was recorded' {
        $a = @(Test-StingRestartAlert -Path (NewDir))
        $a.Count | Should -Be 5
        $a.Triggered | Should -Not -Contain $true
    }

    It 'RestartTooSlow fires for a shell-recorded restart over 5 minutes, not at exactly 5' {
        $slow = NewDir
        Add-ShellMetricRow $slow @(@{ Service = 'vault'; Duration = 301; Status = 'success' })
        $a = (Alerts $slow).RestartTooSlow
        $a.Triggered | Should -BeTrue
        $a.Message | Should -Match 'vault'
        $a.Threshold | Should -Match '5m'
        $ok = NewDir
        Add-ShellMetricRow $ok @(@{ Service = 'vault'; Duration = 300; Status = 'success' })
        (Alerts $ok).RestartTooSlow.Triggered | Should -BeFalse
    }

    It 'RestartTooSlow measures a run from its first start to its last finish' {
        $d = NewDir
        $t = [DateTimeOffset]::Now
        # Each service is quick, but the run took 4 minutes + 2 minutes = 6 minutes end to end.
        Add-JsonMetricRow $d @(
            @{ Service = 'db'; Seconds = 60; Status = 'Succeeded'; RunId = 'run1'; At = $t.AddMinutes(-5) }
            @{ Service = 'vault'; Seconds = 60; Status = 'Succeeded'; RunId = 'run1'; At = $t }
        )
        $a = (Alerts $d).RestartTooSlow
        $a.Triggered | Should -BeTrue
        $a.Message | Should -Match 'run1'
    }

    It 'RestartTooSlow fires for a run far longer than its recorded estimate, and Get-StingRestartMetric shows the estimate' {
        $d = NewDir
        $t = [DateTimeOffset]::Now
        # 40 s end to end against an estimate of 12 s; a run of 14 s against the same estimate is not slow.
        Add-JsonMetricRow $d @(
            @{ Service = 'db'; Seconds = 5; Status = 'Succeeded'; RunId = 'slowrun'; At = $t.AddSeconds(-35); ExpectedRunSeconds = 12 }
            @{ Service = 'vault'; Seconds = 5; Status = 'Succeeded'; RunId = 'slowrun'; At = $t; ExpectedRunSeconds = 12 }
            @{ Service = 'db'; Seconds = 14; Status = 'Succeeded'; RunId = 'okrun'; At = $t.AddHours(-1); ExpectedRunSeconds = 12 }
        )
        $a = (Alerts $d).RestartTooSlow
        $a.Triggered | Should -BeTrue
        $a.Message | Should -Match 'run slowrun \(40s, expected 12s\)'
        $a.Message | Should -Not -Match 'okrun'
        @(Get-StingRestartMetric -Path $d | Where-Object RunId -EQ slowrun)[0].ExpectedRunDuration | Should -Be ([TimeSpan]::FromSeconds(12))
    }

    It 'ServiceFailedAfterRestart fires for a failure or a rollback, not for successes and skips' {
        $f = NewDir
        Add-ShellMetricRow $f @(@{ Service = 'db'; Duration = 30; Status = 'failure' })
        (Alerts $f).ServiceFailedAfterRestart.Triggered | Should -BeTrue
        (Alerts $f).ServiceFailedAfterRestart.Observed | Should -Match 'db'
        $r = NewDir
        Add-JsonMetricRow $r @(@{ Service = 'kratos'; Seconds = 40; Status = 'RolledBack'; RunId = 'x'; FailureReason = 'HealthCheck' })
        (Alerts $r).ServiceFailedAfterRestart.Triggered | Should -BeTrue
        $ok = NewDir
        Add-JsonMetricRow $ok @(
            @{ Service = 'db'; Seconds = 3; Status = 'Succeeded'; RunId = 'y' }
            @{ Service = 'web'; Seconds = 0; Status = 'Skipped'; RunId = 'y'; FailureReason = 'Prerequisite' }
        )
        (Alerts $ok).ServiceFailedAfterRestart.Triggered | Should -BeFalse
    }

    It 'DependencyChainBroken fires for a service skipped because of a dependency, not for a health-check failure' {
        $d = NewDir
        Add-JsonMetricRow $d @(
            @{ Service = 'vault'; Seconds = 30; Status = 'Failed'; RunId = 'z'; FailureReason = 'Timeout' }
            @{ Service = 'kratos'; Seconds = 0; Status = 'Skipped'; RunId = 'z'; FailureReason = 'Dependency' }
        )
        $a = (Alerts $d).DependencyChainBroken
        $a.Triggered | Should -BeTrue
        $a.Observed | Should -Match 'kratos'
        $ok = NewDir
        Add-JsonMetricRow $ok @(@{ Service = 'vault'; Seconds = 30; Status = 'Failed'; RunId = 'z'; FailureReason = 'HealthCheck' })
        (Alerts $ok).DependencyChainBroken.Triggered | Should -BeFalse
    }

    It 'RepeatedFailures fires for 4 failures in 24 hours, not for 3' {
        $four = NewDir
        Add-ShellMetricRow $four @(1..4 | ForEach-Object { @{ Service = 'db'; Duration = 5; Status = 'failure'; Ago = "-$_ hours" } })
        $a = (Alerts $four).RepeatedFailures
        $a.Triggered | Should -BeTrue
        $a.Observed | Should -Match '^4 in 24h'
        $a.Threshold | Should -Be '> 3 in 24h'
        $three = NewDir
        Add-ShellMetricRow $three @(1..3 | ForEach-Object { @{ Service = 'db'; Duration = 5; Status = 'failure'; Ago = "-$_ hours" } })
        (Alerts $three).RepeatedFailures.Triggered | Should -BeFalse
    }

    It 'RepeatedFailures ignores failures older than the window' {
        $d = NewDir
        Add-ShellMetricRow $d @(
            @{ Service = 'db'; Duration = 5; Status = 'failure'; Ago = '-2 hours' }
            @{ Service = 'db'; Duration = 5; Status = 'failure'; Ago = '-3 hours' }
            @{ Service = 'db'; Duration = 5; Status = 'failure'; Ago = '-30 hours' }
            @{ Service = 'db'; Duration = 5; Status = 'failure'; Ago = '-50 hours' }
        )
        (Alerts $d).RepeatedFailures.Triggered | Should -BeFalse
        (Alerts $d @{ Since = (Get-Date).AddDays(-5) }).RepeatedFailures.Triggered | Should -BeFalse
    }

    It 'EnvironmentValidationFailed fires for a recorded run refused by prerequisite checks' {
        $d = NewDir
        Add-JsonMetricRow $d @(
            @{ Service = 'vault'; Seconds = 0; Status = 'Skipped'; RunId = 'p'; FailureReason = 'Prerequisite' }
            @{ Service = 'db'; Seconds = 0; Status = 'Skipped'; RunId = 'p'; FailureReason = 'Prerequisite' }
        )
        $a = (Alerts $d).EnvironmentValidationFailed
        $a.Triggered | Should -BeTrue
        $a.Observed | Should -Match '1 run'
    }

    It '-Since leaves out older restarts' {
        $d = NewDir
        Add-ShellMetricRow $d @(
            @{ Service = 'db'; Duration = 400; Status = 'failure'; Ago = '-3 hours' }
            @{ Service = 'db'; Duration = 4; Status = 'success' }
        )
        $all = Alerts $d
        $all.ServiceFailedAfterRestart.Triggered | Should -BeTrue
        $all.RestartTooSlow.Triggered | Should -BeTrue
        $recent = Alerts $d @{ Since = (Get-Date).AddHours(-1) }
        $recent.ServiceFailedAfterRestart.Triggered | Should -BeFalse
        $recent.RestartTooSlow.Triggered | Should -BeFalse
    }

    It 'warns about malformed lines and still evaluates' {
        $d = NewDir
        Add-ShellMetricRow $d @(@{ Service = 'db'; Duration = 4; Status = 'failure' })
        Add-Content (Join-Path $d 'restart_metrics.csv') 'garbage'
        $a = @(Test-StingRestartAlert -Path $d -WarningVariable w -WarningAction SilentlyContinue)
        $a.Count | Should -Be 5
        $w.Message | Should -Match 'restart_metrics\.csv:2:'
    }

    It 'fails with StingMetricFileNotFound for a missing -Path' {
        { Test-StingRestartAlert -Path (Join-Path $Cwd 'nope') -ErrorAction Stop } |
            Should -Throw -ErrorId 'StingMetricFileNotFound,StingOps.Commands.TestStingRestartAlertCommand'
    }
}

Describe 'Test-StingRestartAlert with a project' -Tag 'Unit', 'Alerts' {
    BeforeAll {
        function script:NewProject([string] $config, [string] $compose = "services:`n  web: {image: nginx}") {
            $p = NewDir
            Set-Content (Join-Path $p 'compose.yaml') $compose
            if ($config) { Set-Content (Join-Path $p 'config.yml') $config }
            $p
        }
    }

    It 'takes thresholds from restart_configuration.alerts' {
        $m = NewDir
        Add-ShellMetricRow $m @(
            @{ Service = 'db'; Duration = 12; Status = 'failure' }
            @{ Service = 'db'; Duration = 4; Status = 'failure' }
        )
        $defaults = Alerts $m
        $defaults.RestartTooSlow.Triggered | Should -BeFalse
        $defaults.RepeatedFailures.Triggered | Should -BeFalse

        $p = NewProject "restart_configuration:`n  alerts:`n    slow_restart: 10s`n    repeated_failures: 1`n    repeated_failures_window: 1h"
        $tight = Alerts $m @{ ProjectDirectory = $p }
        $tight.RestartTooSlow.Triggered | Should -BeTrue
        $tight.RestartTooSlow.Threshold | Should -Be '> 10s, or > 2x its estimate'
        $tight.RepeatedFailures.Triggered | Should -BeTrue
        $tight.RepeatedFailures.Threshold | Should -Be '> 1 in 1h'
    }

    It 'finds the project in the current directory' {
        $m = NewDir
        Add-ShellMetricRow $m @(@{ Service = 'db'; Duration = 12; Status = 'success' })
        $p = NewProject "restart_configuration:`n  alerts: {slow_restart: 10s}"
        Push-Location $p
        try { (Alerts $m).RestartTooSlow.Triggered | Should -BeTrue }
        finally { Pop-Location }
    }

    It 'reads the project''s metrics_dir without -Path' {
        $m = NewDir
        Add-ShellMetricRow $m @(@{ Service = 'db'; Duration = 12; Status = 'failure' })
        $p = NewProject "restart_configuration:`n  metrics_dir: $m"
        $a = @(Test-StingRestartAlert -ProjectDirectory $p)
        ($a | Where-Object Rule -eq 'ServiceFailedAfterRestart').Triggered | Should -BeTrue
    }

    It 'EnvironmentValidationFailed fires for a missing env file and a missing required key, once each' {
        $compose = @"
services:
  web: {image: nginx, env_file: [missing.env]}
  api: {image: nginx, env_file: [missing.env, app.env]}
"@
        $p = NewProject "restart_configuration:`n  service_specific:`n    api: {required_env: [API_TOKEN]}" $compose
        Set-Content (Join-Path $p 'app.env') 'OTHER=1'
        $a = (Alerts (NewDir) @{ ProjectDirectory = $p }).EnvironmentValidationFailed
        $a.Triggered | Should -BeTrue
        $a.Observed | Should -Match '^2 \(2 environment file findings'
    }

    It 'EnvironmentValidationFailed stays quiet for valid env files and ignores disabled services' {
        $compose = @"
services:
  web: {image: nginx, env_file: [app.env]}
  extra: {image: nginx, profiles: [debug], env_file: [missing.env]}
"@
        $p = NewProject $null $compose
        Set-Content (Join-Path $p 'app.env') "API_TOKEN=s3cret-value`nOTHER=1"
        $a = (Alerts (NewDir) @{ ProjectDirectory = $p }).EnvironmentValidationFailed
        $a.Triggered | Should -BeFalse
        ($a | Out-String) | Should -Not -Match 's3cret'
    }

    It 'fails with StingComposeFileNotFound when a named project does not exist' {
        { Test-StingRestartAlert -Path (NewDir) -ProjectDirectory (Join-Path $Cwd 'nope') -ErrorAction Stop } |
            Should -Throw -ErrorId 'StingComposeFileNotFound,StingOps.Commands.TestStingRestartAlertCommand'
    }
}
