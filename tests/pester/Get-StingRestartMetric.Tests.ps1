# Get-StingRestartMetric over metrics files written as STING's shell (csv, from bash) and the module (jsonl)
# write them. No engine, no compose project needed.
BeforeAll {
    Import-Module $env:STINGOPS_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'MetricTestData.psm1') -Force

    # Known answer. csv (shell): vault 12/20 success, 30 failure; db 3/5 success; frontend 7 success (twin of a jsonl row).
    # jsonl (module): vault 8 Succeeded; db 4 RolledBack; web Skipped (Dependency); frontend 7 Succeeded.
    $script:Known = New-MetricTestDirectory
    Add-ShellMetricRow $Known @(
        @{ Service = 'vault'; Duration = 12; Status = 'success' }
        @{ Service = 'vault'; Duration = 20; Status = 'success' }
        @{ Service = 'vault'; Duration = 30; Status = 'failure' }
        @{ Service = 'db'; Duration = 3; Status = 'success' }
        @{ Service = 'db'; Duration = 5; Status = 'success' }
    )
    $twinAt = [DateTimeOffset]::new([DateTimeOffset]::Now.Ticks - [DateTimeOffset]::Now.Ticks % [TimeSpan]::TicksPerSecond, [DateTimeOffset]::Now.Offset)
    bash -c "echo '$($twinAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", [cultureinfo]::InvariantCulture)),frontend,7,success' >> '$Known/restart_metrics.csv'"
    Add-JsonMetricRow $Known @(
        @{ Service = 'vault'; Seconds = 8; Status = 'Succeeded'; RunId = 'r1'; Attempts = 1; FailureReason = 'None' }
        @{ Service = 'db'; Seconds = 4; Status = 'RolledBack'; RunId = 'r1'; Attempts = 3; FailureReason = 'HealthCheck' }
        @{ Service = 'web'; Seconds = 0; Status = 'Skipped'; RunId = 'r1'; Attempts = 0; FailureReason = 'Dependency' }
        @{ Service = 'frontend'; Seconds = 7; Status = 'Succeeded'; RunId = 'r2'; Attempts = 1; FailureReason = 'None'; At = $twinAt }
    )

    # Old and new rows for the time filters.
    $script:Aged = New-MetricTestDirectory
    Add-ShellMetricRow $Aged @(
        @{ Service = 'vault'; Duration = 10; Status = 'success'; Ago = '-3 days' }
        @{ Service = 'db'; Duration = 11; Status = 'failure'; Ago = '-2 hours' }
        @{ Service = 'vault'; Duration = 12; Status = 'success' }
    )
}

AfterAll {
    Remove-Item $Known, $Aged -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Get-StingRestartMetric parameter contract' -Tag 'Unit', 'Metrics' {
    BeforeAll { $script:Cmd = Get-Command Get-StingRestartMetric }

    It 'has <Name> of type <Type>' -TestCases @(
        @{ Name = 'Service'; Type = [string[]] }
        @{ Name = 'Since'; Type = [Nullable[datetime]] }
        @{ Name = 'Last'; Type = [Nullable[timespan]] }
        @{ Name = 'Summary'; Type = [switch] }
        @{ Name = 'Path'; Type = [string] }
        @{ Name = 'ProjectDirectory'; Type = [string] }
        @{ Name = 'ConfigPath'; Type = [string] }
    ) {
        $Cmd.Parameters[$Name].ParameterType | Should -Be $Type
    }

    It 'takes Service at position 0, from the pipeline by property name, alias Name, with wildcards' {
        $p = $Cmd.Parameters['Service']
        ($p.Attributes | Where-Object { $_ -is [Parameter] }).Position | Should -Contain 0
        ($p.Attributes | Where-Object { $_ -is [Parameter] }).ValueFromPipelineByPropertyName | Should -Contain $true
        $p.Aliases | Should -Contain 'Name'
        $p.Attributes | Where-Object { $_ -is [SupportsWildcards] } | Should -Not -BeNullOrEmpty
    }

    It 'declares both output types' {
        $Cmd.OutputType.Name | Should -Contain 'StingOps.RestartMetric'
        $Cmd.OutputType.Name | Should -Contain 'StingOps.RestartMetricSummary'
    }

    It 'rejects a non-positive -Last at binding' {
        { Get-StingRestartMetric -Path $Known -Last ([timespan]::Zero) } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,StingOps.Commands.GetStingRestartMetricCommand'
    }
}

Describe 'Get-StingRestartMetric records' -Tag 'Unit', 'Metrics' {
    It 'reads both files, each restart once (a jsonl row absorbs its csv twin), ordered by time' {
        $m = @(Get-StingRestartMetric -Path $Known)
        $m.Count | Should -Be 9
        $m[0].PSObject.TypeNames[0] | Should -Be 'StingOps.RestartMetric'
        @($m | Where-Object Service -eq 'frontend').Count | Should -Be 1
        ($m | Where-Object Service -eq 'frontend').RunId | Should -Be 'r2'
        $sorted = $m.Timestamp | Sort-Object
        $m.Timestamp | Should -Be $sorted
    }

    It 'maps the seed''s shell rows: success/failure, whole seconds, no run, attempts or reason' {
        $shell = @(Get-StingRestartMetric vault -Path $Known | Where-Object { $null -eq $_.RunId })
        $shell.Count | Should -Be 3
        $shell.Duration.TotalSeconds | Sort-Object | Should -Be @(12, 20, 30)
        ($shell | Where-Object { $_.Duration.TotalSeconds -eq 30 }).Status | Should -Be 'Failed'
        $shell | Where-Object { $null -ne $_.Attempts -or $null -ne $_.FailureReason } | Should -BeNullOrEmpty
        $shell[0].Timestamp | Should -BeOfType [DateTimeOffset]
    }

    It 'maps the jsonl rows with every field' {
        $db = Get-StingRestartMetric db -Path $Known | Where-Object RunId -eq 'r1'
        $db.Status | Should -Be ([StingOps.RestartStatus]::RolledBack)
        $db.FailureReason | Should -Be ([StingOps.FailureReason]::HealthCheck)
        $db.Attempts | Should -Be 3
        $db.Duration | Should -Be ([timespan]::FromSeconds(4))
    }

    It 'reads one csv file given as -Path' {
        @(Get-StingRestartMetric -Path (Join-Path $Known 'restart_metrics.csv')).Count | Should -Be 6
    }

    It 'reads one jsonl file given as -Path' {
        @(Get-StingRestartMetric -Path (Join-Path $Known 'restart_metrics.jsonl')).Count | Should -Be 4
    }

    It 'filters by -Service with wildcards' {
        (Get-StingRestartMetric 'v*' -Path $Known).Service | Select-Object -Unique | Should -Be 'vault'
        (Get-StingRestartMetric 'db', 'we?' -Path $Known).Service | Sort-Object -Unique | Should -Be @('db', 'web')
        Get-StingRestartMetric 'nosuch*' -Path $Known | Should -BeNullOrEmpty
    }

    It 'binds Service from Name and Service properties in the pipeline' {
        @([pscustomobject]@{ Name = 'db' } | Get-StingRestartMetric -Path $Known).Count | Should -Be 3
        @([pscustomobject]@{ Service = 'web' }, [pscustomobject]@{ Service = 'frontend' } | Get-StingRestartMetric -Path $Known).Count | Should -Be 2
    }

    It 'filters with -Since' {
        (Get-StingRestartMetric -Path $Aged -Since (Get-Date).AddDays(-1)).Duration.TotalSeconds | Should -Be @(11, 12)
        (Get-StingRestartMetric -Path $Aged -Since (Get-Date).AddDays(-7)).Count | Should -Be 3
    }

    It 'filters with -Last' {
        (Get-StingRestartMetric -Path $Aged -Last '01:00:00').Duration.TotalSeconds | Should -Be 12
        (Get-StingRestartMetric -Path $Aged -Last ([timespan]::FromHours(3))).Count | Should -Be 2
    }

    It 'applies the later bound of -Since and -Last' {
        (Get-StingRestartMetric -Path $Aged -Since (Get-Date).AddDays(-7) -Last '01:00:00').Count | Should -Be 1
    }

    It 'fails with StingMetricFileNotFound for a missing -Path' {
        $missing = Join-Path $Known 'nope'
        { Get-StingRestartMetric -Path $missing -ErrorAction Stop } |
            Should -Throw -ErrorId 'StingMetricFileNotFound,StingOps.Commands.GetStingRestartMetricCommand'
        try { Get-StingRestartMetric -Path $missing -ErrorAction Stop } catch { $_.CategoryInfo.Category | Should -Be 'ObjectNotFound' }
    }
}

Describe 'Get-StingRestartMetric -Summary' -Tag 'Unit', 'Metrics' {
    BeforeAll {
        $script:S = @(Get-StingRestartMetric -Path $Known -Summary)
        function script:Row([string] $service) { $S | Where-Object Service -eq $service }
    }

    It 'returns one summary per service by name, then *' {
        $S.Service | Should -Be @('db', 'frontend', 'vault', 'web', '*')
        $S[0].PSObject.TypeNames[0] | Should -Be 'StingOps.RestartMetricSummary'
    }

    It 'vault: 4 restarts, 3 succeeded, 75%, mean 17.5s, nearest-rank P50 12s and P95 30s, max 30s' {
        $v = Row vault
        $v.Restarts | Should -Be 4
        $v.Succeeded | Should -Be 3
        $v.Failed | Should -Be 1
        $v.SuccessRate | Should -Be 0.75
        $v.Mean | Should -Be ([timespan]::FromSeconds(17.5))
        $v.P50 | Should -Be ([timespan]::FromSeconds(12))
        $v.P95 | Should -Be ([timespan]::FromSeconds(30))
        $v.Max | Should -Be ([timespan]::FromSeconds(30))
    }

    It 'db: a rollback counts as a failed restart' {
        $d = Row db
        $d.Restarts | Should -Be 3
        $d.Failed | Should -Be 1
        $d.Mean | Should -Be ([timespan]::FromSeconds(4))
        $d.P50 | Should -Be ([timespan]::FromSeconds(4))
        $d.P95 | Should -Be ([timespan]::FromSeconds(5))
    }

    It 'web: a skipped service is not a restart and has no durations' {
        $w = Row web
        $w.Restarts | Should -Be 0
        $w.Skipped | Should -Be 1
        $w.SuccessRate | Should -BeNullOrEmpty
        $w.Mean | Should -BeNullOrEmpty
    }

    It '*: everything together' {
        $all = Row '*'
        $all.Restarts | Should -Be 8
        $all.Succeeded | Should -Be 6
        $all.Failed | Should -Be 2
        $all.Skipped | Should -Be 1
        $all.SuccessRate | Should -Be 0.75
        $all.Mean | Should -Be ([timespan]::FromSeconds(11.125))
        $all.P50 | Should -Be ([timespan]::FromSeconds(7))
        $all.P95 | Should -Be ([timespan]::FromSeconds(30))
    }

    It 'uses the nearest-rank percentile: 1s..20s gives P50 10s and P95 19s (no interpolation)' {
        $dir = New-MetricTestDirectory
        try {
            Add-ShellMetricRow $dir @(1..20 | ForEach-Object { @{ Service = 'bulk'; Duration = $_; Status = 'success' } })
            $b = Get-StingRestartMetric -Path $dir -Summary | Where-Object Service -eq 'bulk'
            $b.P50 | Should -Be ([timespan]::FromSeconds(10))
            $b.P95 | Should -Be ([timespan]::FromSeconds(19))
            $b.Mean | Should -Be ([timespan]::FromSeconds(10.5))
        }
        finally { Remove-Item $dir -Recurse -Force }
    }

    It 'summarises only what the filters let through' {
        $s = @(Get-StingRestartMetric -Path $Aged -Since (Get-Date).AddDays(-1) -Summary)
        $s.Service | Should -Be @('db', 'vault', '*')
        ($s | Where-Object Service -eq '*').Restarts | Should -Be 2
    }

    It 'returns nothing when nothing was recorded' {
        $dir = New-MetricTestDirectory
        try { Get-StingRestartMetric -Path $dir -Summary | Should -BeNullOrEmpty }
        finally { Remove-Item $dir -Recurse -Force }
    }

    It 'formats with the table view without errors' {
        { $S | Format-Table | Out-String } | Should -Not -Throw
        ($S | Format-Table | Out-String) | Should -Match 'P95'
    }
}

Describe 'Get-StingRestartMetric malformed lines' -Tag 'Unit', 'Metrics' {
    BeforeAll {
        $script:Bad = New-MetricTestDirectory
        Add-ShellMetricRow $Bad @(@{ Service = 'vault'; Duration = 12; Status = 'success' })
        $script = @'
echo 'not,a,row'
echo '2025-13-45T00:00:00+00:00,db,1,success'
echo "$(date -Iseconds),db,abc,success"
echo "$(date -Iseconds),db,2,maybe"
'@
        bash -c "{ $script`n} >> '$Bad/restart_metrics.csv'"
        Add-ShellMetricRow $Bad @(@{ Service = 'db'; Duration = 4; Status = 'failure' })
        Add-JsonMetricRow $Bad @(@{ Service = 'web'; Seconds = 1; Status = 'Succeeded'; RunId = 'x' })
        Add-Content (Join-Path $Bad 'restart_metrics.jsonl') '{"timestamp": "2025-01-01T00:00:00Z", "service": "web"'
    }
    AfterAll { Remove-Item $Bad -Recurse -Force -ErrorAction SilentlyContinue }

    It 'warns once per bad line naming file:line, skips it and returns the good rows' {
        $m = @(Get-StingRestartMetric -Path $Bad -WarningVariable w -WarningAction SilentlyContinue -ErrorVariable e)
        $e | Should -BeNullOrEmpty
        $m.Count | Should -Be 3
        $csv = Join-Path $Bad 'restart_metrics.csv'
        $jsonl = Join-Path $Bad 'restart_metrics.jsonl'
        @($w).Count | Should -Be 5
        $w.Message | Where-Object { $_ -like "${csv}:2:*" } | Should -Match 'expected 4'
        $w.Message | Where-Object { $_ -like "${csv}:3:*" } | Should -Match 'timestamp'
        $w.Message | Where-Object { $_ -like "${csv}:4:*" } | Should -Match 'duration'
        $w.Message | Where-Object { $_ -like "${csv}:5:*" } | Should -Match 'status'
        $w.Message | Where-Object { $_ -like "${jsonl}:2:*" } | Should -Match 'JSON'
    }

    It 'still summarises the good rows' {
        $s = Get-StingRestartMetric -Path $Bad -Summary -WarningAction SilentlyContinue | Where-Object Service -eq '*'
        $s.Restarts | Should -Be 3
        $s.Failed | Should -Be 1
    }
}

Describe 'Get-StingRestartMetric without -Path' -Tag 'Unit', 'Metrics' {
    BeforeAll {
        $script:Saved = @{ STING_LOG_DIR = $env:STING_LOG_DIR; XDG_STATE_HOME = $env:XDG_STATE_HOME; STING_INSTALL_DIR = $env:STING_INSTALL_DIR; COMPOSE_FILE = $env:COMPOSE_FILE }
        Remove-Item Env:STING_INSTALL_DIR, Env:COMPOSE_FILE -ErrorAction SilentlyContinue
        $script:Empty = New-MetricTestDirectory   # no compose project here or above (temp dir)
    }
    AfterAll {
        foreach ($k in $Saved.Keys) { Set-Item "Env:$k" $Saved[$k] -ErrorAction SilentlyContinue; if ($null -eq $Saved[$k]) { Remove-Item "Env:$k" -ErrorAction SilentlyContinue } }
        Remove-Item $Empty -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'uses $env:STING_LOG_DIR when there is no compose project' {
        Push-Location $Empty
        try {
            $env:STING_LOG_DIR = $Known
            @(Get-StingRestartMetric).Count | Should -Be 9
        }
        finally { Pop-Location; Remove-Item Env:STING_LOG_DIR }
    }

    It 'uses $XDG_STATE_HOME/stingops without STING_LOG_DIR' {
        $state = New-MetricTestDirectory
        Push-Location $Empty
        try {
            Remove-Item Env:STING_LOG_DIR -ErrorAction SilentlyContinue
            $env:XDG_STATE_HOME = $state
            New-Item -ItemType Directory (Join-Path $state 'stingops') | Out-Null
            Add-ShellMetricRow (Join-Path $state 'stingops') @(@{ Service = 'xdg'; Duration = 1; Status = 'success' })
            (Get-StingRestartMetric).Service | Should -Be 'xdg'
        }
        finally { Pop-Location; Remove-Item $state -Recurse -Force }
    }

    It 'returns nothing (no error) when the directory does not exist yet' {
        Push-Location $Empty
        try {
            $env:STING_LOG_DIR = Join-Path $Empty 'never-written'
            Get-StingRestartMetric -ErrorVariable e | Should -BeNullOrEmpty
            $e | Should -BeNullOrEmpty
        }
        finally { Pop-Location; Remove-Item Env:STING_LOG_DIR }
    }

    It 'prefers the project''s restart_configuration.metrics_dir' {
        $proj = New-MetricTestDirectory
        try {
            Set-Content (Join-Path $proj 'compose.yaml') "services:`n  web: {image: nginx}"
            Set-Content (Join-Path $proj 'config.yml') "restart_configuration:`n  metrics_dir: $Aged"
            $env:STING_LOG_DIR = $Known
            @(Get-StingRestartMetric -ProjectDirectory $proj).Count | Should -Be 3
            Push-Location $proj
            try { @(Get-StingRestartMetric).Count | Should -Be 3 } finally { Pop-Location }
        }
        finally { Remove-Item Env:STING_LOG_DIR; Remove-Item $proj -Recurse -Force }
    }

    It 'fails when a named project does not exist' {
        { Get-StingRestartMetric -ProjectDirectory (Join-Path $Empty 'nope') -ErrorAction Stop } |
            Should -Throw -ErrorId 'StingComposeFileNotFound,StingOps.Commands.GetStingRestartMetricCommand'
    }
}

Describe 'Each project''s own metrics' -Tag 'Unit', 'Metrics' {
    BeforeAll {
        $script:Saved = @{ STING_LOG_DIR = $env:STING_LOG_DIR; XDG_STATE_HOME = $env:XDG_STATE_HOME; STING_INSTALL_DIR = $env:STING_INSTALL_DIR; COMPOSE_FILE = $env:COMPOSE_FILE; COMPOSE_PROJECT_NAME = $env:COMPOSE_PROJECT_NAME }
        Remove-Item Env:STING_LOG_DIR, Env:STING_INSTALL_DIR, Env:COMPOSE_FILE, Env:COMPOSE_PROJECT_NAME -ErrorAction SilentlyContinue
        $script:Root = New-MetricTestDirectory
        $env:XDG_STATE_HOME = Join-Path $Root 'state'
        # Two projects with a service of the same name; one is named by its compose file, not its directory.
        $script:Web = New-Item -ItemType Directory (Join-Path $Root 'web-dir')
        Set-Content (Join-Path $Web 'compose.yaml') "name: web`nservices:`n  api: {image: nginx}"
        $script:Shop = New-Item -ItemType Directory (Join-Path $Root 'shop')
        Set-Content (Join-Path $Shop 'compose.yaml') "services:`n  api: {image: nginx}"
        $script:Empty = New-Item -ItemType Directory (Join-Path $Root 'none')
        $stingops = Join-Path $env:XDG_STATE_HOME 'stingops'
        foreach ($p in 'web', 'shop') { New-Item -ItemType Directory (Join-Path $stingops "projects/$p") -Force | Out-Null }
        $at = [DateTimeOffset]::Now.AddMinutes(-30)
        # shop's api failed four times: more than repeated_failures (3), but web's api never failed.
        Add-JsonMetricRow (Join-Path $stingops 'projects/web') @(@{ Service = 'api'; Seconds = 2; Status = 'Succeeded'; Project = 'web'; RunId = 'w1'; At = $at })
        Add-JsonMetricRow (Join-Path $stingops 'projects/shop') @(1..4 | ForEach-Object { @{ Service = 'api'; Seconds = 9; Status = 'Failed'; FailureReason = 'HealthCheck'; Project = 'shop'; RunId = "s$_"; At = $at.AddMinutes($_) } })
        # A row an older version wrote into the shared root, naming no project.
        Add-JsonMetricRow $stingops @(@{ Service = 'api'; Seconds = 5; Status = 'Succeeded'; RunId = 'old'; At = $at })
    }
    AfterAll {
        foreach ($k in $Saved.Keys) { if ($null -eq $Saved[$k]) { Remove-Item "Env:$k" -ErrorAction SilentlyContinue } else { Set-Item "Env:$k" $Saved[$k] } }
        Remove-Item $Root -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'reads only the project the parameters find, by the name its compose file gives it' {
        $rows = @(Get-StingRestartMetric -ProjectDirectory $Web)
        $rows.RunId | Should -Be @('w1')
        $rows[0].Project | Should -Be 'web'
        Push-Location $Shop
        try { @(Get-StingRestartMetric).RunId | Should -Be @('s1', 's2', 's3', 's4') } finally { Pop-Location }
    }

    It 'reads every project with -AllProjects, and without a project around' {
        @(Get-StingRestartMetric -ProjectDirectory $Web -AllProjects).Count | Should -Be 6
        Push-Location $Empty
        try { @(Get-StingRestartMetric).Count | Should -Be 6 } finally { Pop-Location }
    }

    It 'alerts on a project''s own failures only' {
        (Test-StingRestartAlert -ProjectDirectory $Web | Where-Object Rule -eq RepeatedFailures).Triggered | Should -BeFalse
        (Test-StingRestartAlert -ProjectDirectory $Shop | Where-Object Rule -eq RepeatedFailures).Triggered | Should -BeTrue
    }

    It 'summarises a project''s own restarts' {
        $s = Get-StingRestartMetric -ProjectDirectory $Web -Summary | Where-Object Service -eq 'api'
        $s.Restarts | Should -Be 1
        $s.Failed | Should -Be 0
    }

    It 'labels every exported series with the project, so two projects'' files never collide' {
        $webProm = Join-Path $Root 'web.prom'; $shopProm = Join-Path $Root 'shop.prom'
        Export-StingRestartMetric -ProjectDirectory $Web -Path $webProm
        Export-StingRestartMetric -ProjectDirectory $Shop -Path $shopProm
        $series = { param($f) Get-Content $f | Where-Object { $_ -and -not $_.StartsWith('#') } | ForEach-Object { $_.Substring(0, $_.LastIndexOf(' ')) } }
        $w = @(& $series $webProm); $s = @(& $series $shopProm)
        $w | Should -Contain 'stingops_restarts_total{project="web",service="api",status="succeeded"}'
        @($w | Where-Object { $s -contains $_ }) | Should -BeNullOrEmpty
    }
}
