# Restart-StingService outside its maintenance window refuses before touching anything: DOCKER_HOST points
# at a socket that does not exist, so any engine contact would fail with StingEngineUnavailable instead.
# Also the example maintenance script's exit codes.
BeforeAll {
    Import-Module $env:STINGOPS_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'MetricTestData.psm1') -Force
    $script:Saved = @{}
    foreach ($k in 'DOCKER_HOST', 'DOCKER_CONTEXT', 'STING_LOG_DIR', 'XDG_STATE_HOME', 'STING_INSTALL_DIR', 'COMPOSE_FILE') {
        $Saved[$k] = [Environment]::GetEnvironmentVariable($k)
    }
    $script:Root = New-MetricTestDirectory
    $script:Proj = Join-Path $Root 'proj'
    New-Item -ItemType Directory $Proj | Out-Null
    Set-Content (Join-Path $Proj 'compose.yaml') "name: mwtest`nservices:`n  web: {image: nginx}`n  db: {image: postgres}"
    $script:Closed = Get-ClosedWindow
    $script:LogDir = Join-Path $Root 'metrics'
    $script:StateDir = Join-Path $Root 'state'
    function script:Set-IsolatedEnvironment {
        $env:DOCKER_HOST = 'unix:///nonexistent/stingops-test/docker.sock'
        Remove-Item Env:DOCKER_CONTEXT, Env:STING_INSTALL_DIR, Env:COMPOSE_FILE -ErrorAction SilentlyContinue
        $env:STING_LOG_DIR = $LogDir
        $env:XDG_STATE_HOME = $StateDir
    }
}


AfterAll {
    foreach ($k in $Saved.Keys) { [Environment]::SetEnvironmentVariable($k, $Saved[$k]) }
    Remove-Item $Root -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Restart-StingService -MaintenanceWindow' -Tag 'Unit', 'MaintenanceWindow' {
    BeforeEach { Set-IsolatedEnvironment }

    It 'refuses outside the window with StingOutsideMaintenanceWindow and touches nothing' {
        $err = $null
        try { Restart-StingService -MaintenanceWindow $Closed -ProjectDirectory $Proj -Confirm:$false -ErrorAction Stop }
        catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'StingOutsideMaintenanceWindow,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $err.Exception.Message | Should -Match 'next opens at'
        $err.Exception.Message | Should -Match 'Nothing was touched'
        # No metrics recorded, no lock or state taken.
        $LogDir | Should -Not -Exist
        $StateDir | Should -Not -Exist
    }

    It 'refuses outside the window for a named service too' {
        { Restart-StingService web -MaintenanceWindow $Closed -ProjectDirectory $Proj -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'StingOutsideMaintenanceWindow,StingOps.Commands.RestartStingServiceCommand'
    }

    It 'refuses outside the config''s maintenance_window when -MaintenanceWindow is not given' {
        $p = Join-Path $Root 'withconfig'
        New-Item -ItemType Directory $p -Force | Out-Null
        Copy-Item (Join-Path $Proj 'compose.yaml') $p
        $cron = ($Closed -split ';')[0]
        Set-Content (Join-Path $p 'config.yml') "restart_configuration:`n  maintenance_window: {cron: `"$cron`", duration: 1m}"
        { Restart-StingService -ProjectDirectory $p -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'StingOutsideMaintenanceWindow,StingOps.Commands.RestartStingServiceCommand'
    }

    It 'inside the window goes on to the pre-flight checks (here: the engine is unreachable), proving the window was the reason' {
        $err = { Restart-StingService -MaintenanceWindow '* * * * *;2m' -ProjectDirectory $Proj -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'StingPrerequisiteFailed,StingOps.Commands.RestartStingServiceCommand' -PassThru
        $err.Exception.Message | Should -Match 'DockerEngine'
    }

    It 'rejects a malformed window with StingMaintenanceWindowInvalid' {
        { Restart-StingService -MaintenanceWindow '0 2 * * 0' -ProjectDirectory $Proj -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'StingMaintenanceWindowInvalid,StingOps.Commands.RestartStingServiceCommand'
    }
}

Describe 'examples/maintenance-restart.ps1' -Tag 'Integration', 'MaintenanceWindow' {
    BeforeEach { Set-IsolatedEnvironment }

    BeforeAll {
        $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
        $script:Script = Join-Path $RepoRoot 'examples/maintenance-restart.ps1'
        function script:Invoke-Example([string[]] $arguments) {
            Push-Location $RepoRoot   # where `dotnet pwsh` (a local tool) resolves
            try { $out = & dotnet pwsh -NoProfile -NonInteractive -File $Script -ModulePath $env:STINGOPS_MODULE_PATH @arguments 2>&1 }
            finally { Pop-Location }
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($out | Out-String) }
        }
    }

    It 'exits 3 outside the window, says so, and touches and writes nothing' {
        $prom = Join-Path $Root 'outside.prom'
        Remove-Item $LogDir, $StateDir -Recurse -Force -ErrorAction SilentlyContinue
        $r = Invoke-Example @('-ProjectDirectory', $Proj, '-MaintenanceWindow', $Closed, '-PromPath', $prom)
        $r.ExitCode | Should -Be 3 -Because $r.Output
        $r.Output | Should -Match 'Outside the maintenance window'
        $prom | Should -Not -Exist
        $LogDir | Should -Not -Exist
    }

    It 'exits 2 on a project-level error (engine unreachable) and still exports the metrics' {
        New-Item -ItemType Directory $LogDir -Force | Out-Null
        # Four failures in the window: RepeatedFailures fires, a warning in the log.
        Add-ShellMetricRow $LogDir @(@{ Service = 'web'; Duration = 4; Status = 'success' }
            1..4 | ForEach-Object { @{ Service = 'web'; Duration = 9; Status = 'failure' } })
        $prom = Join-Path $Root 'engine-down.prom'
        try {
            $r = Invoke-Example @('-ProjectDirectory', $Proj, '-MaintenanceWindow', '* * * * *;2m', '-PromPath', $prom)
            $r.ExitCode | Should -Be 2 -Because $r.Output
            $r.Output | Should -Match 'StingEngineUnavailable'
            $r.Output | Should -Match 'WARNING: ALERT RepeatedFailures'
            # Its output is a pipe here, as in cron or journald: plain text, no colour escapes around the warning.
            $r.Output | Should -Not -Match "`e\["
            $prom | Should -Exist
            # The project's series carry its name, so two projects' files in one collector directory never collide.
            Get-Content $prom | Should -Contain 'stingops_restarts_total{project="mwtest",service="web",status="succeeded"} 1'
        }
        finally { Remove-Item $LogDir -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'exits 2 when the module cannot be imported' {
        Push-Location $RepoRoot
        try { & dotnet pwsh -NoProfile -NonInteractive -File $Script -ModulePath (Join-Path $Root 'nope/StingOps.psd1') -ProjectDirectory $Proj *> $null }
        finally { Pop-Location }
        $LASTEXITCODE | Should -Be 2
    }
}
