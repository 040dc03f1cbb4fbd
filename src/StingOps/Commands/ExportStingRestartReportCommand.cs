using System.Management.Automation;
using StingOps.Core.Common;
using StingOps.Core.Graph;
using StingOps.Core.Metrics;
using StingOps.Core.Report;

namespace StingOps.Commands;

/// <summary>
/// <para type="synopsis">Writes ONE self-contained HTML file: the project's dependency graph and a timeline of recorded runs.</para>
/// <para type="description">Draws, from the recorded restart metrics, one bar per service of each run: stop requested,
/// stopped, start, ready, coloured by outcome, the critical path marked, a failure's reason beside its bar. Without
/// -RunId it draws the newest recorded run. The file has no script and fetches nothing (no fonts, styles or CDNs).</para>
/// </summary>
[Cmdlet(VerbsData.Export, "StingRestartReport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class ExportStingRestartReportCommand : StingMetricCmdlet
{
    private readonly List<string> _runIds = [];

    /// <summary>The HTML file to write; its directory must exist. Replaced atomically if it exists.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The runs to draw. Binds RunId from the pipeline: rows of Get-StingRestartMetric, results of Restart-StingService. Default: the newest run.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? RunId { get; set; }

    /// <summary>Where the recorded restarts are read: a metrics directory or one metrics file. Default: the resolved metrics directory.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MetricsPath { get; set; }

    /// <summary>Returns the written file.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private protected override bool LoadsCompose => true;

    protected override void ProcessRecord()
    {
        foreach (var id in RunId ?? [])
            if (!_runIds.Contains(id, StringComparer.Ordinal))
                _runIds.Add(id);
    }

    protected override void EndProcessing()
    {
        var target = ResolvePath(Path);
        var records = ReadRecords(MetricsPath, new MetricQuery());
        var runs = records.Where(r => r.RunId is not null).GroupBy(r => r.RunId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<RestartMetricRecord>)g.ToList(), StringComparer.Ordinal);
        var wanted = _runIds.Count > 0
            ? _runIds
            : runs.OrderBy(r => r.Value.Max(row => row.Timestamp.UtcTicks)).Select(r => r.Key).TakeLast(1).ToList();
        foreach (var missing in wanted.Where(id => !runs.ContainsKey(id)))
            WriteError(ToErrorRecord(new StingException(ErrorIds.RestartRunNotFound, StingErrorKind.ObjectNotFound,
                $"No run '{missing}' is recorded in {Sources()}.", target: missing)));
        var found = wanted.Where(runs.ContainsKey).ToList();
        if (found.Count == 0)
            ThrowTerminatingError(ToErrorRecord(new StingException(ErrorIds.RestartRunNotFound, StingErrorKind.ObjectNotFound,
                _runIds.Count > 0 ? $"None of the runs asked for is recorded in {Sources()}; nothing was written."
                    : $"No run is recorded in {Sources()}; nothing was written.", target: target)));

        var project = Context.Project;
        IReadOnlyList<GraphNode> nodes = project is null ? [] : GraphText.NodesOf(Try(() => project.Graph()));
        var dependsOn = nodes.ToDictionary(n => n.Service, n => n.DependsOn, StringComparer.Ordinal);
        var timelines = found.Select(id => RunTimeline.Build(runs[id], s => dependsOn.GetValueOrDefault(s) ?? []))
            .OrderByDescending(t => t.Began).ToList();
        if (!ShouldProcess(target, $"Write the dependency graph and {timelines.Count} run timeline(s) as HTML"))
            return;
        var projectName = project?.Name ?? timelines.Select(t => t.Project).FirstOrDefault(p => p is not null);
        var html = RestartReportHtml.Render(projectName is null ? "Restart report" : $"Restart report: {projectName}", nodes, timelines, DateTimeOffset.Now);
        Try(() => { AtomicFile.WriteAllText(target, html, ErrorIds.MetricExportFailed, "a file name ending in .html"); return true; });
        WriteVerbose($"Wrote {target}: run(s) {string.Join(", ", timelines.Select(t => t.RunId))}.");
        if (PassThru)
            WriteObject(InvokeProvider.Item.Get(new[] { target }, force: true, literalPath: true), enumerateCollection: true);
    }

    private string Sources() => MetricsPath is not null ? $"'{ResolvePath(MetricsPath)}'" : string.Join(", ", Context.Directories.Select(d => $"'{d}'"));
}
