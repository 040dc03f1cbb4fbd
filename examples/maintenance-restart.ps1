#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Scheduled maintenance restart of a compose stack with StingOps: restart inside the maintenance window,
    check the alert rules, export the metrics for node_exporter.

.DESCRIPTION
    Meant for cron or a systemd timer; never prompts (-Confirm:$false, $ConfirmPreference = 'None').

    1. Imports the StingOps module (-ModulePath).
    2. Restart-StingService over the project (or -Service), refusing outside the maintenance window: the
       -MaintenanceWindow given here, else restart_configuration.maintenance_window in config.yml. With
       neither, the restart always runs.
    3. Test-StingRestartAlert: every triggered rule is written as a warning (-FailOnAlert makes it exit 1).
    4. Export-StingRestartMetric -Path -PromPath: the whole history, atomically, for the textfile collector.
       Steps 3 and 4 run even when the restart failed or was refused for a project-level reason; not when
       outside the window.

    Exit codes:
      0  every service restarted and came back (Succeeded)
      1  at least one service did not: Failed, RolledBack, Skipped or Cancelled (or, with -FailOnAlert, an alert fired)
      2  project-level error: the module did not load, no compose file, engine unreachable, dependency cycle,
         prerequisites failed, restart locked by another run; or the alert check / export failed
      3  outside the maintenance window: nothing was touched. Not a failure: systemd units should list it
         in SuccessExitStatus=.

    Schedule examples (see also stingops-restart.service and stingops-restart.timer beside this script):

      # crontab -e (as the user who owns the stack); Sundays 02:05, inside the config's "0 2 * * 0;2h" window.
      # cron runs with a minimal PATH: give pwsh's full path. Exit code 3 is not an error; cron mails any output.
      5 2 * * 0  /usr/bin/pwsh -NoProfile -NonInteractive -File /opt/stingops/examples/maintenance-restart.ps1 -ProjectDirectory /opt/sting -PromPath /var/lib/node_exporter/textfile_collector/stingops.prom >> "$HOME/.local/state/stingops/maintenance.log" 2>&1

.EXAMPLE
    pwsh -NoProfile -NonInteractive -File ./maintenance-restart.ps1 -ProjectDirectory /opt/sting -MaintenanceWindow '0 2 * * 0;2h;Europe/Berlin'
#>
[CmdletBinding()]
param(
    # The compose project (where compose.yaml and conf/config.yml are). Default: $env:STING_INSTALL_DIR, else the current directory.
    [string] $ProjectDirectory = $env:STING_INSTALL_DIR,
    # Services to restart (wildcards allowed). Default: the whole project.
    [string[]] $Service,
    # 'cron;duration[;time zone]'; overrides restart_configuration.maintenance_window.
    [string] $MaintenanceWindow,
    # Where to write the Prometheus textfile (must end in .prom for node_exporter). Empty: no export.
    [string] $PromPath = '/var/lib/node_exporter/textfile_collector/stingops.prom',
    # The module to import: a name on $env:PSModulePath or a path to StingOps.psd1.
    [string] $ModulePath = 'StingOps',
    # Also restart the dependents of -Service.
    [switch] $IncludeDependents,
    # Exit 1 when an alert rule fires, even though every service came back.
    [switch] $FailOnAlert
)

$ErrorActionPreference = 'Stop'
$ConfirmPreference = 'None'
Set-StrictMode -Version 3.0
# A log (cron's mail, journald, a file) gets plain text: pwsh colours warnings, errors and table headers with ANSI
# escapes even when its output is not a terminal. NO_COLOR=1 in the environment does the same, pwsh itself honours it.
if ([Console]::IsOutputRedirected) { $PSStyle.OutputRendering = 'PlainText' }

function Write-Log([string] $Message) {
    # One timestamped line per event on stdout: cron mails it, journald keeps it.
    [Console]::Out.WriteLine("$([DateTimeOffset]::Now.ToString('yyyy-MM-dd HH:mm:ss zzz')) $Message")
}

try {
    Import-Module $ModulePath -ErrorAction Stop
}
catch {
    [Console]::Error.WriteLine("Cannot import the StingOps module '$ModulePath': $($_.Exception.Message)")
    exit 2
}

$project = @{}
if ($ProjectDirectory) { $project.ProjectDirectory = $ProjectDirectory }

$restart = @{ Confirm = $false }
if ($Service) { $restart.Name = $Service }
if ($IncludeDependents) { $restart.IncludeDependents = $true }
if ($MaintenanceWindow) { $restart.MaintenanceWindow = $MaintenanceWindow }

$exitCode = 0
$results = @()
try {
    # Per-service failures are non-terminating errors (printed, not thrown) plus Failed/RolledBack results.
    $results = @(Restart-StingService @project @restart -ErrorAction Continue)
}
catch {
    if ($_.FullyQualifiedErrorId -like 'StingOutsideMaintenanceWindow*') {
        Write-Log "Skipped: $($_.Exception.Message)"
        exit 3
    }
    [Console]::Error.WriteLine("Restart refused ($($_.FullyQualifiedErrorId -replace ',.*$')): $($_.Exception.Message)")
    $exitCode = 2
}

foreach ($r in $results) {
    $took = if ($null -ne $r.Duration) { ' in {0:n1}s' -f $r.Duration.TotalSeconds } else { '' }
    Write-Log "$($r.Service): $($r.Status)$took$(if ($r.Status -ne 'Succeeded') { " ($($r.FailureReason)) $($r.Message)" })"
    # A failure's last health check and log lines, for whoever reads the log the next morning.
    if ($r.Diagnostics) { foreach ($line in $r.Diagnostics -split "`n") { Write-Log "  $line" } }
}
$notBack = @($results | Where-Object Status -ne 'Succeeded')
if ($notBack.Count -gt 0 -and $exitCode -eq 0) { $exitCode = 1 }
if ($results.Count -gt 0) {
    Write-Log "Restarted $($results.Count - $notBack.Count) of $($results.Count) service(s)$(if ($notBack) { '; not back: ' + ($notBack.Service -join ', ') })."
}

try {
    $fired = @(Test-StingRestartAlert @project | Where-Object Triggered)
    foreach ($alert in $fired) { Write-Warning "ALERT $($alert.Rule): $($alert.Message)" }
    if ($fired.Count -gt 0 -and $FailOnAlert -and $exitCode -eq 0) { $exitCode = 1 }
}
catch {
    [Console]::Error.WriteLine("Alert check failed: $($_.Exception.Message)")
    if ($exitCode -eq 0) { $exitCode = 2 }
}

if ($PromPath) {
    try {
        $file = Export-StingRestartMetric @project -Path $PromPath -Confirm:$false -PassThru
        Write-Log "Metrics written to $($file.FullName)."
    }
    catch {
        [Console]::Error.WriteLine("Metrics export failed: $($_.Exception.Message)")
        if ($exitCode -eq 0) { $exitCode = 2 }
    }
}

exit $exitCode
