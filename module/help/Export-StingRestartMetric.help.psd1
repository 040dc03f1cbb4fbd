@{
    Synopsis     = 'Writes the restart metrics in node_exporter''s textfile-collector format, atomically.'
    Description  = @(
        @'
Export-StingRestartMetric reads the whole recorded restart history (as Get-StingRestartMetric does) and
writes it to -Path in the Prometheus text exposition format, for node_exporter's textfile collector
(--collector.textfile.directory). The series:
'@
        @'
- stingops_restarts_total{service,status}: counter; status is succeeded, failed, rolled_back, skipped or cancelled (all five per service, zeros included).
- stingops_restart_last_duration_seconds{service}: gauge, the most recent restart (succeeded, failed or rolled back).
- stingops_restart_last_success_timestamp_seconds{service}: gauge, Unix time the most recent successful restart finished; absent for a service never restarted successfully.
- stingops_restart_duration_seconds{service}: histogram of restart durations (buckets 1 to 1800 seconds, and +Inf).
- stingops_metrics_generated_timestamp_seconds: gauge, when the file was written.
'@
        @'
Only restarts are counted. The Started and Stopped outcomes of Start-, Stop- and Repair-StingService
have no status label and are left out of every series; their Failed, Skipped and Cancelled outcomes
count under those labels, and a service that Repair-StingService restarts counts as a restart.
'@
        @'
The whole history is always exported, never a filtered part, so that the counters never go backwards.
The file is written to a hidden temporary file in the same directory (a name not ending in .prom, which
the collector ignores), flushed to disk and renamed over the target: a scrape sees the old file or the
new one, never half of one. The file is created readable by all (0644), since node_exporter usually runs
as another user and these numbers are not secret.
'@
        @'
The target's directory must exist; a directory that does not, a -Path that is a directory, or a file
that cannot be written stops the cmdlet with StingMetricExportFailed naming the path. A file name not
ending in .prom is written, with a warning that node_exporter will not read it.
'@
    )
    Parameters   = @{
        Path        = 'The file to write, for example /var/lib/node_exporter/textfile_collector/stingops.prom. Its directory must exist; the name should end in .prom. An existing file is replaced atomically.'
        Format      = @{
            Description  = 'The output format. Prometheus (the text exposition format read by node_exporter''s textfile collector) is the only one.'
            DefaultValue = 'Prometheus'
        }
        MetricsPath = @{
            Description  = 'Where to read the recorded restarts: a metrics directory or one metrics file (.csv seed format or .jsonl). A path that does not exist stops the cmdlet with StingMetricFileNotFound.'
            DefaultValue = 'metrics_dir, else $env:STING_LOG_DIR, else the project''s folder $XDG_STATE_HOME/stingops/projects/<project> (else under ~/.local/state/stingops); with -AllProjects or without a project, every project''s'
        }
        AllProjects = 'Exports every project''s restarts, each series labelled with its row''s project,, not only those of the project the parameters find: in the default layout every folder under stingops/projects and the rows recorded in the stingops folder before projects had folders of their own; in a metrics_dir or STING_LOG_DIR shared by several projects, every row. Without a project found, every project''s restarts are read anyway.'
        PassThru    = 'Returns the written file as a System.IO.FileInfo. Without it the cmdlet writes nothing to the pipeline.'
        ConfigPath  = 'The configuration file whose restart_configuration.metrics_dir names the metrics directory. Without a compose project it is still read when given; otherwise as for the other StingOps cmdlets: conf/config.yml, then config.yml, in the project directory.'
        WhatIf      = 'Shows which file would be written and how many recorded restarts it would hold, without writing it.'
        Confirm     = 'Asks for confirmation before writing the file.'
    }
    Inputs       = @(
        @{ Type = 'None'; Description = 'This cmdlet does not take pipeline input.' }
    )
    Outputs      = @(
        @{ Type = 'System.IO.FileInfo'; Description = 'With -PassThru, the written file. Otherwise no output.' }
    )
    Notes        = @(
        'Schedule it right after each restart run (or every minute) so that Prometheus sees fresh numbers; stingops_metrics_generated_timestamp_seconds lets an alerting rule detect a stale file.'
    )
    Examples     = @(
        @{
            Title   = 'Publish the metrics for node_exporter'
            Code    = @'
Export-StingRestartMetric -Path /var/lib/node_exporter/textfile_collector/stingops.prom
'@
            Remarks = 'Writes the whole restart history of the metrics directory in the default location; node_exporter serves it at its next scrape.'
        }
        @{
            Title   = 'Restart and refresh the metrics in one maintenance script'
            Code    = @'
Restart-StingService -ProjectDirectory /opt/sting -Confirm:$false -ErrorVariable failed | Out-Null
Export-StingRestartMetric -ProjectDirectory /opt/sting -Path /var/lib/node_exporter/textfile_collector/stingops.prom
if ($failed) { exit 1 }
'@
            Remarks = 'Exports after every run, failed or not: the metrics directory is the one the restart recorded into (metrics_dir of the project''s config.yml).'
        }
        @{
            Title   = 'Preview the export of a copied metrics file'
            Code    = @'
Export-StingRestartMetric -MetricsPath ./backup/restart_metrics.jsonl -Path ./stingops.prom -PassThru | Get-Content -TotalCount 20
'@
            Remarks = 'Converts a metrics file taken from another server and shows the first lines of the exposition text.'
        }
    )
    RelatedLinks = @('Get-StingRestartMetric', 'Test-StingRestartAlert', 'Restart-StingService', 'about_StingOps')
}
