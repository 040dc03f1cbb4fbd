@{
    Synopsis     = 'Gets recorded restarts, or their per-service aggregate: counts, success rate, mean, P50, P95 and max duration.'
    Description  = @(
        @'
Get-StingRestartMetric reads the restart metrics that Restart-, Start-, Stop- and Repair-StingService
record (and that STING's shell scripts append to): restart_metrics.jsonl, which has every field, and
restart_metrics.csv in STING's seed format (timestamp,service,duration,status), side by side, each
restart once. It returns one StingOps.RestartMetric per recorded service outcome, oldest first. A service
that Start- or Repair-StingService left alone (AlreadyRunning) is never recorded; Started and Stopped
outcomes are in restart_metrics.jsonl only.
'@
        @'
Without -Path the metrics directory is: metrics_dir of the restart configuration, else
$env:STING_LOG_DIR, else the project's own folder, $XDG_STATE_HOME/stingops/projects/<project> (else
under ~/.local/state/stingops), so two projects' services of the same name are never counted as one.
Only the project's restarts are returned (rows that name no project, as STING's shell writes them, are
kept); -AllProjects returns every project's. No compose project is needed: from a directory without
one, the environment decides and every project's restarts are read (a project named with -ComposeFile,
-ProjectDirectory, -ProjectName or -Profile must exist, though). A directory that does not exist yet
means nothing has been recorded: no output, no error. A malformed line is a warning naming file:line
and is skipped.
'@
        @'
With -Summary it returns one StingOps.RestartMetricSummary per service, ordered by name, then one for
all services together (Service '*'). Restarts counts the restarts that ran and came to an outcome:
Succeeded, Failed and RolledBack. Failed includes RolledBack (a rollback follows a failed restart).
Skipped and Cancelled outcomes are not restarts: they are counted in their own columns and take no part
in SuccessRate (Succeeded / Restarts, 0 to 1) or in the durations. Started and Stopped outcomes are not
counted at all (a Failed start is a failed restart here). Mean, P50, P95 and Max are over all counted
restarts, successful or not.
'@
        @'
P50 and P95 use the nearest-rank definition: with the N durations sorted ascending, the P-th percentile
is the k-th smallest, where k = ceiling(P/100 x N). It is always one of the observed durations, never
interpolated: the P50 of 1s, 2s, 3s, 4s is 2s; the P95 of 20 restarts is the 19th shortest; the P95 of
fewer than 20 restarts is the longest one.
'@
    )
    Parameters   = @{
        Service = @{
            Description  = 'Only restarts of these services. Wildcards (*, ?, [a-z]) are allowed, matching is case-insensitive. Alias -Name; binds from the pipeline by value and by property name, so Get-StingService output (Name) and Restart-StingService output (Service) can be piped in.'
            DefaultValue = 'all services'
        }
        Since   = @{
            Description  = 'Only restarts recorded at or after this time. A date without a time zone (Get-Date, ''2025-06-01 02:00'') is local time.'
            DefaultValue = 'no lower bound'
        }
        Last    = @{
            Description  = 'Only restarts recorded within this span before now, for example (New-TimeSpan -Days 7) or ''1.00:00:00'' (one day). Must be positive. With -Since, both bounds apply (the later one wins).'
            DefaultValue = 'no lower bound'
        }
        Summary = 'Returns the aggregate instead of the individual restarts: one StingOps.RestartMetricSummary per service plus one for all services (Service ''*''), with Restarts, Succeeded, Failed (including RolledBack), Skipped, Cancelled, SuccessRate, Mean and nearest-rank P50, P95 and Max durations. The filters apply before aggregating.'
        Path    = @{
            Description  = 'Where to read the metrics: a metrics directory (restart_metrics.jsonl and restart_metrics.csv in it) or one metrics file (a .csv in the seed format, or a .jsonl), for example a file copied off another server. A path that does not exist stops the cmdlet with StingMetricFileNotFound.'
            DefaultValue = 'metrics_dir, else $env:STING_LOG_DIR, else the project''s folder $XDG_STATE_HOME/stingops/projects/<project> (else under ~/.local/state/stingops); with -AllProjects or without a project, every project''s'
        }
        AllProjects = 'Reads every project''s restarts, not only those of the project the parameters find: in the default layout every folder under stingops/projects and the rows recorded in the stingops folder before projects had folders of their own; in a metrics_dir or STING_LOG_DIR shared by several projects, every row. Without a project found, every project''s restarts are read anyway.'
        ConfigPath = 'The configuration file whose restart_configuration.metrics_dir names the metrics directory. Without a compose project it is still read when given; otherwise as for the other StingOps cmdlets: conf/config.yml, then config.yml, in the project directory.'
    }
    Inputs       = @(
        @{ Type = 'System.String'; Description = 'Service names or wildcard patterns, bound to -Service.' }
        @{ Type = 'StingOps.RestartResult'; Description = 'Objects with a Service or Name property (Restart-StingService or Get-StingService output), bound to -Service by property name.' }
    )
    Outputs      = @(
        @{ Type = 'StingOps.RestartMetric'; Description = 'Without -Summary, one per recorded service restart: Timestamp, RunId (empty for restarts STING''s shell recorded), Project (the compose project; empty for STING''s shell rows and rows recorded before projects were), Service, Duration, StartToReady (start to ready on a first attempt), ExpectedRunDuration (what the run was expected to take when it began, from its history), Status (Succeeded, Failed, RolledBack, Skipped, Cancelled; Started and Stopped from Start-, Stop- and Repair-StingService), Attempts, Wave (the service''s wave in the run''s plan), StopRequestedAt, StoppedAt, StartedAt and ReadyAt (the moments of its phases, each empty where not reached and for rows recorded in the seed format or by older StingOps), FailureReason and Message (why a service did not succeed, as Restart-StingService reported it, and a note on a run far slower than its estimate; empty for restarts recorded in the seed format only).' }
        @{ Type = 'StingOps.RestartMetricSummary'; Description = 'With -Summary, one per service and one for all (Service ''*''): Service, Restarts, Succeeded, Failed, Skipped, Cancelled, SuccessRate (0..1, empty without restarts), Mean, P50, P95 and Max (TimeSpan).' }
    )
    Notes        = @(
        'The csv file holds whole seconds and only restarts that ran (no Skipped or Cancelled rows), as STING''s shell readers expect; the jsonl file is authoritative for the rows it has, and csv rows without a jsonl twin (written by STING''s shell) are added.'
        'Export-StingRestartMetric publishes the same history to Prometheus; Test-StingRestartAlert evaluates the alert rules over it.'
    )
    Examples     = @(
        @{
            Title   = 'Weekly restart report'
            Code    = @'
Get-StingRestartMetric -Last (New-TimeSpan -Days 7) -Summary |
    Format-Table Service, Restarts, Failed, @{ n = 'Success'; e = { '{0:P0}' -f $_.SuccessRate } }, Mean, P50, P95, Max
'@
            Remarks = 'One row per service restarted in the last seven days and a final ''*'' row for all of them, with the success rate and the nearest-rank median and 95th percentile durations.'
        }
        @{
            Title   = 'The failures of one service since a date'
            Code    = @'
Get-StingRestartMetric -Service kratos -Since '2025-06-01' | Where-Object Status -in 'Failed', 'RolledBack' |
    Format-Table Timestamp, Status, FailureReason, Attempts, Duration
'@
            Remarks = 'Lists kratos''s failed and rolled-back restarts since 1 June (local time) with the reason each failed.'
        }
        @{
            Title   = 'Restart, then compare with the history'
            Code    = @'
Restart-StingService -Name db -IncludeDependents | Get-StingRestartMetric -Summary -Last 30.00:00:00
'@
            Remarks = 'The results of the restart bind to -Service by property name: the summary covers the services just restarted, over the last 30 days including this run.'
        }
        @{
            Title   = 'Read a metrics file copied from a server'
            Code    = @'
Get-StingRestartMetric -Path ./prod-restart_metrics.csv -Summary | Where-Object Service -eq '*'
'@
            Remarks = 'Aggregates a seed-format csv file on its own, without any project or configuration.'
        }
        @{
            Title   = 'Every project on this host, side by side'
            Code    = @'
Get-StingRestartMetric -AllProjects -Last 7.00:00:00 | Group-Object Project, Service |
    Sort-Object Count -Descending | Select-Object Count, Name -First 10
'@
            Remarks = 'Reads every project''s restarts of the last week (each row names its Project; rows recorded before projects had folders of their own have none) and lists the ten services restarted most.'
        }
    )
    RelatedLinks = @('Test-StingRestartAlert', 'Export-StingRestartMetric', 'Restart-StingService', 'about_StingOps')
}
