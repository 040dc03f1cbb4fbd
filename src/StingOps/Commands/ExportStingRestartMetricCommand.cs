using System.Management.Automation;
using StingOps.Core.Metrics;

namespace StingOps.Commands;

/// <summary>The formats Export-StingRestartMetric writes.</summary>
public enum RestartMetricExportFormat
{
    /// <summary>Prometheus text exposition format, for node_exporter's textfile collector.</summary>
    Prometheus,
}

/// <summary>
/// <para type="synopsis">Writes the restart metrics in node_exporter's textfile-collector format, atomically.</para>
/// <para type="description">Always exports the whole recorded history (counters must never go backwards):
/// stingops_restarts_total{service,status}, stingops_restart_last_duration_seconds{service},
/// stingops_restart_last_success_timestamp_seconds{service}, the stingops_restart_duration_seconds{service}
/// histogram and stingops_metrics_generated_timestamp_seconds. The file is written to a hidden temporary
/// file beside it and renamed over the target, so a scrape never sees half a file. node_exporter only
/// reads files whose name ends in .prom.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "StingRestartMetric", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class ExportStingRestartMetricCommand : StingMetricCmdlet
{
    /// <summary>The file to write, e.g. /var/lib/node_exporter/textfile_collector/stingops.prom. Its directory must exist.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter]
    public RestartMetricExportFormat Format { get; set; } = RestartMetricExportFormat.Prometheus;

    /// <summary>Where the recorded restarts are read: a metrics directory or one metrics file. Default: the resolved metrics directory.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MetricsPath { get; set; }

    /// <summary>Returns the written file.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        var target = ResolvePath(Path);
        if (!target.EndsWith(".prom", StringComparison.OrdinalIgnoreCase))
            WriteWarning($"'{target}' does not end in .prom: node_exporter's textfile collector will not read it.");
        var records = ReadRecords(MetricsPath, new MetricQuery());
        if (!ShouldProcess(target, $"Write {records.Count} recorded restart(s) in {Format} format"))
            return;
        Try(() => { PrometheusExporter.Write(records, target, TimeProvider.System, AllProjects ? null : Context.ProjectName); return true; });
        if (PassThru)
            WriteObject(InvokeProvider.Item.Get(new[] { target }, force: true, literalPath: true), enumerateCollection: true);
    }
}
