# Export-StingRestartReport: ONE self-contained HTML file, read back for its structure and rendered in headless
# Chromium for its pixels. The runs here are recorded rows written by hand; Restart-StingService.Tests.ps1 draws a
# run made on the real engine.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'ReportHelpers.psm1') -Force
    $script:NoBrowser = -not (Get-StingChromium)
}

BeforeAll {
    Import-Module $env:STINGOPS_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'ReportHelpers.psm1') -Force

    # A project of three services in a chain, and two recorded runs of it: an older one that succeeded and the newest,
    # where app failed its health check and web was skipped.
    $script:Project = Join-Path $TestDrive 'proj'
    New-Item -ItemType Directory -Path $Project | Out-Null
    Set-Content -LiteralPath (Join-Path $Project 'compose.yaml') -Value @'
name: reportproj
services:
  db:
    image: busybox
  app:
    image: busybox
    depends_on: [db]
  web:
    image: busybox
    depends_on:
      app:
        condition: service_healthy
'@
    $script:Metrics = Join-Path $TestDrive 'metrics'
    New-Item -ItemType Directory -Path $Metrics | Out-Null
    Set-Content -LiteralPath (Join-Path $Metrics 'restart_metrics.jsonl') -Value @(
        '{"timestamp":"2026-12-01T02:00:04Z","runId":"r-old","project":"reportproj","service":"db","durationSeconds":3,"status":"Succeeded","attempts":1,"wave":0,"stopRequestedAt":"2026-12-01T02:00:00.6Z","stoppedAt":"2026-12-01T02:00:01Z","startedAt":"2026-12-01T02:00:01.1Z","readyAt":"2026-12-01T02:00:04Z"}'
        '{"timestamp":"2026-12-01T02:00:07Z","runId":"r-old","project":"reportproj","service":"app","durationSeconds":6.5,"status":"Succeeded","attempts":1,"wave":1,"stopRequestedAt":"2026-12-01T02:00:00.2Z","stoppedAt":"2026-12-01T02:00:00.5Z","startedAt":"2026-12-01T02:00:04.1Z","readyAt":"2026-12-01T02:00:07Z"}'
        '{"timestamp":"2026-12-01T02:00:09Z","runId":"r-old","project":"reportproj","service":"web","durationSeconds":8.9,"status":"Succeeded","attempts":1,"wave":2,"stopRequestedAt":"2026-12-01T02:00:00Z","stoppedAt":"2026-12-01T02:00:00.1Z","startedAt":"2026-12-01T02:00:07.1Z","readyAt":"2026-12-01T02:00:09Z"}'
        '{"timestamp":"2026-12-02T02:00:05Z","runId":"r-new","project":"reportproj","service":"db","durationSeconds":4,"status":"Succeeded","attempts":1,"wave":0,"stopRequestedAt":"2026-12-02T02:00:00.5Z","stoppedAt":"2026-12-02T02:00:01Z","startedAt":"2026-12-02T02:00:01.2Z","readyAt":"2026-12-02T02:00:05Z"}'
        '{"timestamp":"2026-12-02T02:00:35Z","runId":"r-new","project":"reportproj","service":"app","durationSeconds":0,"status":"Failed","failureReason":"HealthCheck","message":"health check failed: <connection refused> after 30s","attempts":1,"wave":1,"stopRequestedAt":"2026-12-02T02:00:00Z","stoppedAt":"2026-12-02T02:00:00.4Z","startedAt":"2026-12-02T02:00:05.1Z"}'
        '{"timestamp":"2026-12-02T02:00:35Z","runId":"r-new","project":"reportproj","service":"web","durationSeconds":0,"status":"Skipped","failureReason":"Dependency","message":"not started: dependency ''app'' failed","attempts":0,"wave":2,"stopRequestedAt":"2026-12-02T02:00:00Z","stoppedAt":"2026-12-02T02:00:00.2Z"}'
    )
    $script:Common = @{ ProjectDirectory = $Project; MetricsPath = $Metrics }
    function script:RunIdsIn([string] $html) { @([regex]::Matches((Get-Content -LiteralPath $html -Raw), 'data-run-id="([^"]*)"') | ForEach-Object { $_.Groups[1].Value }) }
}

Describe 'Export-StingRestartReport parameter contract' -Tag 'Unit', 'Report' {
    It 'binds RunId from the pipeline by property name, supports ShouldProcess and returns the file with -PassThru' {
        $cmd = Get-Command Export-StingRestartReport
        ($cmd.Parameters['RunId'].Attributes | Where-Object { $_ -is [Parameter] }).ValueFromPipelineByPropertyName | Should -BeTrue
        ($cmd.Parameters['Path'].Attributes | Where-Object { $_ -is [Parameter] }).Mandatory | Should -BeTrue
        $cmd.Parameters.ContainsKey('WhatIf') | Should -BeTrue
        $cmd.OutputType.Name | Should -Contain 'System.IO.FileInfo'
    }
}

Describe 'Export-StingRestartReport from recorded runs' -Tag 'Unit', 'Report' {
    It 'draws the newest run by default: a bar per service with its phases in order, the graph, nothing fetched' {
        $html = Join-Path $TestDrive 'newest.html'
        $file = Export-StingRestartReport -Path $html @Common -PassThru

        $file.FullName | Should -Be $html
        RunIdsIn $html | Should -Be @('r-new')
        Assert-StingReportSelfContained $html
        $bars = @(Get-StingReportBar $html)
        $bars.Service | Should -Be @('db', 'app', 'web')
        $bars.Status | Should -Be @('Succeeded', 'Failed', 'Skipped')
        foreach ($b in $bars) {
            $times = @($b.StopRequested, $b.Stopped, $b.Started, $b.Ready | Where-Object { $null -ne $_ })
            $times | Should -Be @($times | Sort-Object) -Because "$($b.Service)'s phases come in order"
            $b.Begin | Should -BeLessOrEqual $b.End
        }
        $bars[0].Ready | Should -Be 5000
        ($bars | Where-Object Critical).Service | Should -Be @('db', 'app')
        $text = Get-Content -LiteralPath $html -Raw
        $text | Should -Match 'data-from="db" data-to="app"'
        $text | Should -Match 'data-from="app" data-to="web"'
        $text | Should -Match 'health check failed: &lt;connection refused&gt; after 30s'
        $text | Should -Match '<title>Restart report: reportproj</title>'
    }

    It 'draws each run piped in from Get-StingRestartMetric once, newest first' {
        $html = Join-Path $TestDrive 'both.html'
        Get-StingRestartMetric -Path $Metrics | Export-StingRestartReport -Path $html @Common
        RunIdsIn $html | Should -Be @('r-new', 'r-old')
        @(Get-StingReportBar $html).Count | Should -Be 6
    }

    It 'a run id not recorded is a non-terminating StingRestartRunNotFound; the others are drawn' {
        $html = Join-Path $TestDrive 'some.html'
        Export-StingRestartReport -Path $html -RunId 'r-old', 'nope' @Common -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'StingRestartRunNotFound*'
        $err[0].Exception.Message | Should -Match "No run 'nope'"
        RunIdsIn $html | Should -Be @('r-old')
    }

    It 'writes nothing when no run asked for is recorded, or the directory is missing, or -WhatIf' {
        $html = Join-Path $TestDrive 'none.html'
        { Export-StingRestartReport -Path $html -RunId 'nope' @Common -ErrorAction SilentlyContinue } | Should -Throw -ErrorId 'StingRestartRunNotFound*'
        Test-Path -LiteralPath $html | Should -BeFalse
        { Export-StingRestartReport -Path (Join-Path $TestDrive 'no/such/dir/r.html') @Common } | Should -Throw -ErrorId 'StingMetricExportFailed*'
        Export-StingRestartReport -Path $html @Common -WhatIf
        Test-Path -LiteralPath $html | Should -BeFalse
        $empty = Join-Path $TestDrive 'empty'; New-Item -ItemType Directory -Path $empty | Out-Null
        { Export-StingRestartReport -Path $html -ProjectDirectory $Project -MetricsPath $empty } | Should -Throw -ErrorId 'StingRestartRunNotFound*'
    }
}

Describe 'Export-StingRestartReport rendered in headless Chromium' -Tag 'Integration', 'Report' {
    It 'shows the outcomes'' colours and is not blank' -Skip:$NoBrowser {
        $html = Join-Path $TestDrive 'render.html'
        Export-StingRestartReport -Path $html @Common
        $png = Join-Path $TestDrive 'render.png'
        Save-StingScreenshot -Chromium (Get-StingChromium) -Html $html -Png $png -Width 1280 -Height 1000
        $image = Read-StingPng $png

        $image.Width | Should -Be 1280
        # The bars and graph nodes: green for db (Succeeded), red for app (Failed); each a solid area of pixels.
        Get-StingPngColourCount $image '#2e8b57' | Should -BeGreaterThan 1500
        Get-StingPngColourCount $image '#c0392b' | Should -BeGreaterThan 1500
        # Text, lines and fills: a blank or error page has a handful of colours.
        Get-StingPngDistinctColourCount $image | Should -BeGreaterThan 100
        $white = Get-StingPngColourCount $image '#ffffff' -Tolerance 2
        $white | Should -BeLessThan ($image.Width * $image.Height * 0.97)
    }
}
