# Helpers for the metrics suites: temp directories and metrics files written the way their writers write them.

function New-MetricTestDirectory {
    $dir = Join-Path ([IO.Path]::GetTempPath()) ("stingops-metrics-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory $dir | Out-Null
    $dir
}

# Appends shell-format csv lines from bash, exactly as STING's shell does:
#   echo "$(date -Iseconds),${service},${duration},${status}" >> restart_metrics.csv
# Each row: @{ Service; Duration; Status ('success'/'failure'); Ago (a `date -d` offset, e.g. '-3 days'; optional) }
function Add-ShellMetricRow {
    param([Parameter(Mandatory)] [string] $Directory, [Parameter(Mandatory)] [hashtable[]] $Row)
    $script = foreach ($r in $Row) {
        $date = if ($r['Ago']) { "date -Iseconds -d '$($r.Ago)'" } else { 'date -Iseconds' }
        "echo `"`$($date),$($r.Service),$($r.Duration),$($r.Status)`" >> '$Directory/restart_metrics.csv'"
    }
    bash -c ($script -join "`n")
    if ($LASTEXITCODE -ne 0) { throw "bash failed writing $Directory/restart_metrics.csv" }
}

# Appends jsonl records as the module writes them. Each row: @{ Service; Seconds; Status; RunId; Attempts;
# FailureReason; Message; Project; At (DateTimeOffset, default now) }
function Add-JsonMetricRow {
    param([Parameter(Mandatory)] [string] $Directory, [Parameter(Mandatory)] [hashtable[]] $Row)
    $lines = foreach ($r in $Row) {
        $at = if ($r['At']) { [DateTimeOffset] $r.At } else { [DateTimeOffset]::Now }
        $o = [ordered]@{ timestamp = $at.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", [cultureinfo]::InvariantCulture) }
        if ($r['RunId']) { $o.runId = $r.RunId }
        if ($r['Project']) { $o.project = $r.Project }
        $o.service = $r.Service
        $o.durationSeconds = [double] $r.Seconds
        $o.status = $r.Status
        if ($null -ne $r['ExpectedRunSeconds']) { $o.expectedRunSeconds = [double] $r.ExpectedRunSeconds }
        if ($null -ne $r['Attempts']) { $o.attempts = [int] $r.Attempts }
        if ($r['FailureReason']) { $o.failureReason = $r.FailureReason }
        if ($r['Message']) { $o.message = $r.Message }
        $o | ConvertTo-Json -Compress
    }
    [IO.File]::AppendAllText((Join-Path $Directory 'restart_metrics.jsonl'), (($lines -join "`n") + "`n"))
}

# The hour that is 12 hours from now (local): a cron "0 H * * *" window of one minute that is surely closed now.
function Get-ClosedWindow {
    $h = ([DateTime]::Now.Hour + 12) % 24
    "0 $h * * *;1m"
}

Export-ModuleMember -Function New-MetricTestDirectory, Add-ShellMetricRow, Add-JsonMetricRow, Get-ClosedWindow
