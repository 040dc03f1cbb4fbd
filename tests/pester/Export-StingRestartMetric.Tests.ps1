# Export-StingRestartMetric: the Prometheus text exposition format, parsed back line by line; atomic replace.
BeforeAll {
    Import-Module $env:STINGOPS_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'MetricTestData.psm1') -Force

    $script:Metrics = New-MetricTestDirectory
    Add-ShellMetricRow $Metrics @(
        @{ Service = 'vault'; Duration = 12; Status = 'success'; Ago = '-40 days' }
        @{ Service = 'vault'; Duration = 20; Status = 'success' }
        @{ Service = 'vault'; Duration = 400; Status = 'failure' }
        @{ Service = 'db'; Duration = 3; Status = 'success' }
    )
    Add-JsonMetricRow $Metrics @(
        @{ Service = 'db'; Seconds = 4.5; Status = 'RolledBack'; RunId = 'r1'; FailureReason = 'HealthCheck' }
        @{ Service = 'we"ird\name'; Seconds = 0; Status = 'Skipped'; RunId = 'r1'; FailureReason = 'Dependency' }
    )
    $script:Out = New-MetricTestDirectory

    # Parses exposition text: families (name -> @{Help; Type}) and samples (@{Name; Labels; Value}); throws on
    # any line that is not a HELP, a TYPE or a sample, on a sample before its family's HELP/TYPE, on a repeated TYPE.
    function script:Read-Exposition([string] $path) {
        $raw = [IO.File]::ReadAllText($path)
        if (-not $raw.EndsWith("`n")) { throw 'the file does not end with a line feed' }
        $name = '[a-zA-Z_:][a-zA-Z0-9_:]*'
        $label = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
        $value = '(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]Inf|NaN)'
        $sampleRe = "^(?<name>$name)(?:\{(?<labels>$label(?:,$label)*)?\})? (?<value>$value)(?: -?\d+)?$"
        $families = [ordered]@{}
        $samples = [Collections.Generic.List[object]]::new()
        $n = 0
        foreach ($line in $raw.TrimEnd("`n").Split("`n")) {
            $n++
            if ($line -match "^# HELP ($name) (.*)$") {
                if ($families.Contains($Matches[1]) -and $families[$Matches[1]].Help) { throw "line ${n}: second HELP for $($Matches[1])" }
                if (-not $families.Contains($Matches[1])) { $families[$Matches[1]] = @{} }
                $families[$Matches[1]].Help = $Matches[2]
            }
            elseif ($line -match "^# TYPE ($name) (counter|gauge|histogram|summary|untyped)$") {
                if ($families.Contains($Matches[1]) -and $families[$Matches[1]].Type) { throw "line ${n}: second TYPE for $($Matches[1])" }
                if (-not $families.Contains($Matches[1])) { $families[$Matches[1]] = @{} }
                $families[$Matches[1]].Type = $Matches[2]
            }
            elseif ($line -match $sampleRe) {
                $sampleName = $Matches.name
                $family = if ($families.Contains($sampleName)) { $sampleName } else { $sampleName -replace '_(bucket|sum|count)$' }
                if (-not $families.Contains($family) -or -not $families[$family].Help -or -not $families[$family].Type) {
                    throw "line ${n}: sample $sampleName before its family's HELP and TYPE"
                }
                if ($family -ne $sampleName -and $families[$family].Type -ne 'histogram') { throw "line ${n}: $sampleName is not a histogram series" }
                $labels = @{}
                if ($Matches.labels) {
                    foreach ($m in [regex]::Matches($Matches.labels, '([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')) {
                        # One pass: \\ \" \n are the only escapes.
                        $labels[$m.Groups[1].Value] = [regex]::Replace($m.Groups[2].Value, '\\(.)', { param($e) if ($e.Groups[1].Value -eq 'n') { "`n" } else { $e.Groups[1].Value } })
                    }
                }
                $v = switch ($Matches.value) { '+Inf' { [double]::PositiveInfinity } '-Inf' { [double]::NegativeInfinity } default { [double]::Parse($_, [cultureinfo]::InvariantCulture) } }
                $samples.Add([pscustomobject]@{ Name = $sampleName; Labels = $labels; Value = $v })
            }
            else { throw "line ${n} is not valid exposition format: $line" }
        }
        [pscustomobject]@{ Families = $families; Samples = $samples }
    }
    function script:Sample($expo, [string] $name, [hashtable] $labels) {
        @($expo.Samples | Where-Object {
                $s = $_
                $s.Name -eq $name -and -not @($labels.Keys | Where-Object { $s.Labels[$_] -ne $labels[$_] })
            })
    }
}

AfterAll {
    Remove-Item $Metrics, $Out -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Export-StingRestartMetric parameter contract' -Tag 'Unit', 'Metrics' {
    BeforeAll { $script:Cmd = Get-Command Export-StingRestartMetric }

    It 'has a mandatory Path at position 0' {
        $p = $Cmd.Parameters['Path']
        $p.ParameterType | Should -Be ([string])
        ($p.Attributes | Where-Object { $_ -is [Parameter] }).Mandatory | Should -Contain $true
        ($p.Attributes | Where-Object { $_ -is [Parameter] }).Position | Should -Contain 0
    }

    It 'has -Format Prometheus (the default), -MetricsPath and -PassThru' {
        [enum]::GetNames($Cmd.Parameters['Format'].ParameterType) | Should -Be @('Prometheus')
        $Cmd.Parameters['MetricsPath'].ParameterType | Should -Be ([string])
        $Cmd.Parameters['PassThru'].ParameterType | Should -Be ([switch])
    }

    It 'supports ShouldProcess and declares FileInfo output' {
        $Cmd.Parameters.ContainsKey('WhatIf') | Should -BeTrue
        $Cmd.Parameters.ContainsKey('Confirm') | Should -BeTrue
        $Cmd.OutputType.Type | Should -Contain ([IO.FileInfo])
    }
}

Describe 'Export-StingRestartMetric' -Tag 'Unit', 'Metrics' {
    BeforeAll {
        $script:Prom = Join-Path $Out 'stingops.prom'
        $script:File = Export-StingRestartMetric -Path $Prom -MetricsPath $Metrics -PassThru
        $script:Expo = Read-Exposition $Prom
    }

    It 'returns the written file with -PassThru' {
        $File | Should -BeOfType [IO.FileInfo]
        $File.FullName | Should -Be $Prom
        $File.Length | Should -BeGreaterThan 0
    }

    It 'writes valid exposition format with HELP and TYPE for every family' {
        $Expo.Families.Keys | Should -Contain 'stingops_restarts_total'
        $Expo.Families.Keys | Should -Contain 'stingops_restart_duration_seconds'
        foreach ($f in $Expo.Families.Values) { $f.Help | Should -Not -BeNullOrEmpty; $f.Type | Should -Not -BeNullOrEmpty }
        $Expo.Families['stingops_restarts_total'].Type | Should -Be 'counter'
        $Expo.Families['stingops_restart_duration_seconds'].Type | Should -Be 'histogram'
    }

    It 'counts the whole history (old rows included) by service and status' {
        (Sample $Expo 'stingops_restarts_total' @{ service = 'vault'; status = 'succeeded' }).Value | Should -Be 2
        (Sample $Expo 'stingops_restarts_total' @{ service = 'vault'; status = 'failed' }).Value | Should -Be 1
        (Sample $Expo 'stingops_restarts_total' @{ service = 'db'; status = 'rolled_back' }).Value | Should -Be 1
        (Sample $Expo 'stingops_restarts_total' @{ service = 'db'; status = 'cancelled' }).Value | Should -Be 0
    }

    It 'escapes label values and reads them back' {
        (Sample $Expo 'stingops_restarts_total' @{ service = 'we"ird\name'; status = 'skipped' }).Value | Should -Be 1
    }

    It 'writes a consistent histogram: cumulative buckets ending at +Inf = count, sum of durations' {
        $buckets = Sample $Expo 'stingops_restart_duration_seconds_bucket' @{ service = 'vault' }
        $values = $buckets.Value
        for ($i = 1; $i -lt $values.Count; $i++) { $values[$i] | Should -BeGreaterOrEqual $values[$i - 1] }
        ($buckets | Select-Object -Last 1).Labels.le | Should -Be '+Inf'
        ($buckets | Select-Object -Last 1).Value | Should -Be 3
        (Sample $Expo 'stingops_restart_duration_seconds_count' @{ service = 'vault' }).Value | Should -Be 3
        (Sample $Expo 'stingops_restart_duration_seconds_sum' @{ service = 'vault' }).Value | Should -Be 432
        (Sample $Expo 'stingops_restart_duration_seconds_bucket' @{ service = 'vault'; le = '300' }).Value | Should -Be 2
        (Sample $Expo 'stingops_restart_duration_seconds_sum' @{ service = 'db' }).Value | Should -Be 7.5
    }

    It 'writes the last duration and last success time' {
        (Sample $Expo 'stingops_restart_last_duration_seconds' @{ service = 'vault' }).Value | Should -Be 400
        $ts = (Sample $Expo 'stingops_restart_last_success_timestamp_seconds' @{ service = 'vault' }).Value
        [DateTimeOffset]::FromUnixTimeSeconds([long]$ts) | Should -BeGreaterThan ([DateTimeOffset]::Now.AddMinutes(-10))
        Sample $Expo 'stingops_restart_last_success_timestamp_seconds' @{ service = 'we"ird\name' } | Should -BeNullOrEmpty
    }

    It 'leaves no temporary file behind and replaces an existing file' {
        Get-ChildItem $Out -Force | Select-Object -ExpandProperty Name | Should -Be @('stingops.prom')
        Set-Content $Prom 'old content'
        Export-StingRestartMetric -Path $Prom -MetricsPath $Metrics
        Get-Content $Prom -First 1 | Should -Match '^# HELP '
        Get-ChildItem $Out -Force | Select-Object -ExpandProperty Name | Should -Be @('stingops.prom')
    }

    It 'writes nothing with -WhatIf' {
        $target = Join-Path $Out 'whatif.prom'
        Export-StingRestartMetric -Path $target -MetricsPath $Metrics -WhatIf
        $target | Should -Not -Exist
    }

    It 'reads $env:STING_LOG_DIR without -MetricsPath, from any directory' {
        $target = Join-Path $Out 'env.prom'
        $cwd = New-MetricTestDirectory
        Push-Location $cwd
        $env:STING_LOG_DIR = $Metrics
        try { Export-StingRestartMetric -Path $target }
        finally { Pop-Location; Remove-Item Env:STING_LOG_DIR; Remove-Item $cwd -Recurse -Force }
        (Sample (Read-Exposition $target) 'stingops_restarts_total' @{ service = 'vault'; status = 'succeeded' }).Value | Should -Be 2
        Remove-Item $target
    }

    It 'exports an empty history as HELP/TYPE lines and the generation time' {
        $empty = New-MetricTestDirectory
        try {
            $target = Join-Path $Out 'empty.prom'
            Export-StingRestartMetric -Path $target -MetricsPath $empty
            $e = Read-Exposition $target
            $e.Samples.Name | Should -Be 'stingops_metrics_generated_timestamp_seconds'
            Remove-Item $target
        }
        finally { Remove-Item $empty -Recurse -Force }
    }

    It 'warns when the file name does not end in .prom' {
        $target = Join-Path $Out 'metrics.txt'
        Export-StingRestartMetric -Path $target -MetricsPath $Metrics -WarningVariable w -WarningAction SilentlyContinue
        $w.Message | Should -Match '\.prom'
        Remove-Item $target
    }

    It 'fails with StingMetricExportFailed when the directory does not exist, leaving nothing' {
        { Export-StingRestartMetric -Path (Join-Path $Out 'no/such/dir.prom') -MetricsPath $Metrics -ErrorAction Stop } |
            Should -Throw -ErrorId 'StingMetricExportFailed,StingOps.Commands.ExportStingRestartMetricCommand'
        Get-ChildItem $Out -Force | Select-Object -ExpandProperty Name | Should -Be @('stingops.prom')
    }

    It 'fails with StingMetricFileNotFound for a missing -MetricsPath' {
        { Export-StingRestartMetric -Path $Prom -MetricsPath (Join-Path $Out 'nope') -ErrorAction Stop } |
            Should -Throw -ErrorId 'StingMetricFileNotFound,StingOps.Commands.ExportStingRestartMetricCommand'
    }
}
