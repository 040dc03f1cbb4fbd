using System.Management.Automation;
using StingOps.Core.Metrics;

namespace StingOps.Commands;

/// <summary>
/// <para type="synopsis">Gets recorded restarts, or their per-service aggregate.</para>
/// <para type="description">Reads the restart metrics: restart_metrics.jsonl (every field) and STING's
/// shell-format restart_metrics.csv (timestamp,service,duration,status, as STING's shell writes it) side by
/// side, each restart once. Without -Path the directory is the restart configuration's metrics_dir, else
/// $env:STING_LOG_DIR, else $XDG_STATE_HOME/stingops, else ~/.local/state/stingops; no compose project is
/// needed. Malformed lines are reported as warnings naming file and line, and skipped.</para>
/// <para type="description">-Summary returns one StingOps.RestartMetricSummary per service, then one for
/// all services together (Service '*'). Restarts counts Succeeded, Failed and RolledBack rows; RolledBack
/// counts as Failed; Skipped and Cancelled rows are counted apart and take no part in SuccessRate or the
/// durations. P50 and P95 use the nearest-rank definition: with the N durations sorted ascending, the P-th
/// percentile is the k-th smallest, where k = ceiling(P/100 × N); it is always an observed duration, never
/// interpolated (so the P95 of fewer than 20 restarts is the longest one).</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "StingRestartMetric", DefaultParameterSetName = "Record")]
[OutputType(typeof(RestartMetric), ParameterSetName = new[] { "Record" })]
[OutputType(typeof(RestartMetricSummary), ParameterSetName = new[] { "Summary" })]
public sealed class GetStingRestartMetricCommand : StingMetricCmdlet
{
    private readonly List<string> _services = [];

    /// <summary>Service names; wildcards allowed. Binds Name (Get-StingService) and Service (RestartResult) from the pipeline.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Service { get; set; }

    /// <summary>Only restarts recorded at or after this time (a DateTime without kind is local time).</summary>
    [Parameter]
    public DateTime? Since { get; set; }

    /// <summary>Only restarts recorded in this span before now. With -Since, the later bound applies.</summary>
    [Parameter]
    [ValidatePositiveTimeSpan]
    public TimeSpan? Last { get; set; }

    /// <summary>Aggregate per service (plus '*' for all): counts, success rate, mean, nearest-rank P50 and P95, max.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Summary")]
    public SwitchParameter Summary { get; set; }

    /// <summary>A metrics directory or one metrics file (.csv in STING's shell format, or .jsonl). Default: the resolved metrics directory.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    protected override void ProcessRecord()
    {
        if (Service is not null)
            _services.AddRange(Service);
    }

    protected override void EndProcessing()
    {
        var query = new MetricQuery
        {
            Services = _services.Count == 0 ? null : _services,
            Since = Since is { } s ? new DateTimeOffset(s.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(s, DateTimeKind.Local) : s) : null,
            Last = Last,
        };
        var records = ReadRecords(Path, query);

        if (Summary)
        {
            foreach (var summary in MetricSummarizer.Summarize(records))
                WriteObject(MetricMapper.ToSummary(summary));
            return;
        }
        foreach (var record in records)
            WriteObject(MetricMapper.ToMetric(record));
    }
}

/// <summary>Rejects a zero or negative TimeSpan at parameter binding.</summary>
internal sealed class ValidatePositiveTimeSpanAttribute : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var value = arguments is PSObject o ? o.BaseObject : arguments;
        if (value is TimeSpan t && t <= TimeSpan.Zero)
            throw new ValidationMetadataException($"The time span must be positive; got {t}.");
    }
}
