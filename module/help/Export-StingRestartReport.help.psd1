@{
    Synopsis     = 'Writes ONE self-contained HTML file: the project''s dependency graph and a timeline of recorded restart runs.'
    Description  = @(
        @'
Export-StingRestartReport reads the recorded restarts (as Get-StingRestartMetric does) and writes to -Path one
HTML file with (a) the dependency graph of the project the usual parameters find, in waves, arrows from a dependency
to what needs it, and (b) a timeline of each run asked for: one bar per service from its stop's request through
stopped and its start to ready, coloured by outcome, the critical path marked, and a failure's reason beside its bar
(hover a bar for every time and the whole message). A table under each timeline gives the same times in seconds from
the run's start.
'@
        @'
Without -RunId the newest recorded run is drawn. Run ids bind from the pipeline by property name, so the rows of
Get-StingRestartMetric and the results of Restart-, Start-, Stop- and Repair-StingService can be piped in; each run
is drawn once, newest first. A run id that is not recorded is a non-terminating StingRestartRunNotFound; when no run
asked for (or none at all) is recorded, nothing is written and the cmdlet stops with StingRestartRunNotFound.
'@
        @'
The critical path is read from the recorded times: from the service that ended last, back through the dependency
that became ready last before its start, while that dependency became ready after the service itself was stopped.
Rows recorded before StingOps recorded phase times (and STING's shell rows) are drawn as one bar from their end less
their duration.
'@
        @'
The file is self-contained: inline CSS and SVG, no script, and nothing fetched (no fonts, style sheets, images or
CDNs), so it opens the same on a host without a network and as an attachment. It is written to a temporary file
beside the target and renamed over it; a missing directory, a -Path that is a directory or a file that cannot be
written stops the cmdlet with StingMetricExportFailed naming the path. Without a compose project the graph is left
out and the timelines are still drawn. Messages in the file are those recorded, which never hold secret values.
'@
    )
    Parameters   = @{
        Path        = 'The HTML file to write, for example ./restart-report.html. Its directory must exist; an existing file is replaced atomically.'
        RunId       = @{
            Description  = 'The runs to draw. Binds RunId by property name from the pipeline (Get-StingRestartMetric rows, Restart-StingService results).'
            DefaultValue = 'the newest recorded run'
        }
        MetricsPath = @{
            Description  = 'Where to read the recorded restarts: a metrics directory or one metrics file (.jsonl; .csv rows carry no run id). A path that does not exist stops the cmdlet with StingMetricFileNotFound.'
            DefaultValue = 'metrics_dir, else $env:STING_LOG_DIR, else the project''s folder $XDG_STATE_HOME/stingops/projects/<project> (else under ~/.local/state/stingops)'
        }
        AllProjects = 'Reads every project''s recorded runs, not only those of the project the parameters find. The graph drawn is still that project''s.'
        PassThru    = 'Returns the written file as a System.IO.FileInfo. Without it the cmdlet writes nothing to the pipeline.'
        ConfigPath  = 'The configuration file whose restart_configuration.metrics_dir names the metrics directory; as for the other StingOps cmdlets: conf/config.yml, then config.yml, in the project directory.'
        WhatIf      = 'Shows which file would be written and how many runs it would draw, without writing it.'
        Confirm     = 'Asks for confirmation before writing the file.'
    }
    Inputs       = @(
        @{ Type = 'System.String'; Description = 'RunId, by property name: StingOps.RestartMetric and StingOps.RestartResult objects carry it.' }
    )
    Outputs      = @(
        @{ Type = 'System.IO.FileInfo'; Description = 'With -PassThru, the written file. Otherwise no output.' }
    )
    Notes        = @(
        'Open the file in any browser; nothing in it runs or is fetched. Get-StingRestartPlan | ConvertTo-StingGraph gives the graph alone as Mermaid or Dot text.'
    )
    Examples     = @(
        @{
            Title   = 'Draw the newest run'
            Code    = @'
Export-StingRestartReport -Path ./restart-report.html
'@
            Remarks = 'Writes the graph of the project in the current directory and the timeline of its newest recorded run.'
        }
        @{
            Title   = 'Draw the run a restart just made'
            Code    = @'
Restart-StingService -Confirm:$false | Export-StingRestartReport -Path ./last-restart.html -PassThru
'@
            Remarks = 'The results carry their RunId, which binds by property name: the report draws exactly that run.'
        }
        @{
            Title   = 'Keep a report of every maintenance-window restart in a scheduled script'
            Code    = @'
$results = Restart-StingService -ProjectDirectory /opt/sting -Confirm:$false -ErrorVariable failed
$stamp = Get-Date -Format 'yyyyMMdd-HHmm'
$results | Export-StingRestartReport -ProjectDirectory /opt/sting -Path "/var/log/stingops/restart-$stamp.html"
if ($failed) { exit 1 }
'@
            Remarks = 'Each night''s run is drawn in a file of its own beside the logs; the script still fails the job when a service failed.'
        }
        @{
            Title   = 'Draw the runs of the last week that did not all succeed'
            Code    = @'
Get-StingRestartMetric -Last 7.00:00:00 | Where-Object Status -ne Succeeded | Export-StingRestartReport -Path ./failures.html
'@
            Remarks = 'Every run with a failed, rolled back, skipped or cancelled service, newest first, in one file.'
        }
    )
    RelatedLinks = @('Get-StingRestartMetric', 'ConvertTo-StingGraph', 'Export-StingRestartMetric', 'Restart-StingService', 'about_StingOps')
}
