@{
    Synopsis     = 'Evaluates the restart alert rules over the recorded restarts.'
    Description  = @(
        @'
Test-StingRestartAlert reads the recorded restarts (as Get-StingRestartMetric does) and returns one
StingOps.RestartAlert per rule, always in this order and whether it fired or not, with what was observed
and the threshold:
'@
        @'
- RestartTooSlow: a restart took longer than alerts.slow_restart (5 minutes by default), or a run took more than twice the estimate it recorded (ExpectedRunDuration, from the project's history) and at least 10 seconds more. A restart is a run of Restart-StingService, from its first stop to its last ready service; a restart STING's shell recorded counts on its own.
- ServiceFailedAfterRestart: any service restart ended Failed or RolledBack.
- DependencyChainBroken: a service was skipped or failed because a dependency did not come back.
- RepeatedFailures: more than alerts.repeated_failures (3) failed or rolled-back restarts within alerts.repeated_failures_window (24 hours) before now.
- EnvironmentValidationFailed: the env files of the project's enabled services have Error findings now (missing required files, syntax errors, required_env keys missing or empty; each distinct finding once), or recorded runs were refused by the prerequisite checks.
'@
        @'
The recorded outcomes of Start-, Stop- and Repair-StingService count as well: a run of any of the four
verbs is a run for RestartTooSlow (a boot-time repair that takes longer than slow_restart fires it), and
their Failed outcomes are failed restarts for ServiceFailedAfterRestart and RepeatedFailures, their
Skipped and Failed outcomes for a dependency (a refused start included) for DependencyChainBroken.
'@
        @'
The thresholds come from restart_configuration.alerts in the project's config.yml (slow_restart,
repeated_failures, repeated_failures_window); without a project the defaults apply and only recorded
refused runs count for EnvironmentValidationFailed. Without -Since the rules look at the last
repeated_failures_window, so that an old failure does not alert forever.
'@
        @'
The cmdlet only reports: it sends nothing. Pipe the triggered alerts to your notifier (mail, chat
webhook, systemd journal), or use Export-StingRestartMetric and Prometheus alerting rules.
'@
    )
    Parameters   = @{
        Since = @{
            Description  = 'Only restarts recorded at or after this time are considered (a date without a time zone is local time). RepeatedFailures still counts only within its window before now.'
            DefaultValue = 'now minus alerts.repeated_failures_window (24 hours)'
        }
        Path  = @{
            Description  = 'Where to read the metrics: a metrics directory or one metrics file (.csv seed format or .jsonl). A path that does not exist stops the cmdlet with StingMetricFileNotFound.'
            DefaultValue = 'metrics_dir, else $env:STING_LOG_DIR, else the project''s folder $XDG_STATE_HOME/stingops/projects/<project> (else under ~/.local/state/stingops); with -AllProjects or without a project, every project''s'
        }
        AllProjects = 'Reads every project''s restarts, not only those of the project the parameters find: in the default layout every folder under stingops/projects and the rows recorded in the stingops folder before projects had folders of their own; in a metrics_dir or STING_LOG_DIR shared by several projects, every row. Without a project found, every project''s restarts are read anyway.'
        ConfigPath = 'The configuration file whose restart_configuration section gives the alert thresholds (alerts:) and the metrics directory (metrics_dir). Without a compose project it is still read when given; otherwise as for the other StingOps cmdlets: conf/config.yml, then config.yml, in the project directory; none: the default thresholds.'
    }
    Inputs       = @(
        @{ Type = 'None'; Description = 'This cmdlet does not take pipeline input.' }
    )
    Outputs      = @(
        @{ Type = 'StingOps.RestartAlert'; Description = 'Five, one per rule: Rule (RestartTooSlow, ServiceFailedAfterRestart, DependencyChainBroken, RepeatedFailures, EnvironmentValidationFailed), Triggered, Observed, Threshold and Message.' }
    )
    Notes        = @(
        'These are the alert conditions of STING''s restart plan: restart longer than 5 minutes, a service failing to start after a restart, a dependency chain breaking, more than 3 failures in 24 hours, environment file validation failures.'
    )
    Examples     = @(
        @{
            Title   = 'Show the alerts that fire now'
            Code    = @'
Test-StingRestartAlert -ProjectDirectory /opt/sting | Where-Object Triggered | Format-List Rule, Observed, Threshold, Message
'@
            Remarks = 'Evaluates the five rules over the last 24 hours of restarts of the STING stack and shows only those that fired.'
        }
        @{
            Title   = 'Post triggered alerts to a chat webhook from a timer'
            Code    = @'
$fired = Test-StingRestartAlert -ProjectDirectory /opt/sting | Where-Object Triggered
foreach ($alert in $fired) {
    $body = @{ text = "STING restart alert $($alert.Rule): $($alert.Message)" } | ConvertTo-Json
    Invoke-RestMethod -Method Post -Uri $env:STING_ALERT_WEBHOOK -Body $body -ContentType 'application/json'
}
if ($fired) { exit 1 }
'@
            Remarks = 'Run every few minutes from a systemd timer or cron: sends one message per triggered rule and exits 1 so that the unit shows as failed.'
        }
        @{
            Title   = 'Check the alerts after a restart'
            Code    = @'
$start = Get-Date
Restart-StingService -Name kratos -IncludeDependents -Confirm:$false | Out-Null
Test-StingRestartAlert -Since $start | Where-Object Triggered
'@
            Remarks = 'Evaluates the rules over this run only: for example RestartTooSlow when it took longer than slow_restart, or DependencyChainBroken when a dependent was skipped.'
        }
    )
    RelatedLinks = @('Get-StingRestartMetric', 'Export-StingRestartMetric', 'Test-StingEnvironmentFile', 'about_StingOps')
}
