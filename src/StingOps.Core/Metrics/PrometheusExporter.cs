using System.Globalization;
using System.Text;
using StingOps.Core.Common;

namespace StingOps.Core.Metrics;

/// <summary>
/// Writes recorded restarts in the Prometheus text exposition format, for node_exporter's textfile
/// collector (<c>--collector.textfile.directory</c>; the file name must end in <c>.prom</c>).
/// </summary>
/// <remarks>
/// Series (all derived from the whole metrics history, so pass every record, not a filtered subset,
/// or the counters go backwards).
/// Every series also carries <c>project</c>, the compose project (when known), so that the files of two projects on
/// one host, which the collector merges, never collide.
/// <list type="bullet">
/// <item><c>stingops_restarts_total{service,status}</c> counter, status one of <c>succeeded</c>,
/// <c>failed</c>, <c>rolled_back</c>, <c>skipped</c>, <c>cancelled</c> (all five per service, zeros included).</item>
/// <item><c>stingops_restart_last_duration_seconds{service}</c> gauge: the most recent restart (Succeeded,
/// Failed or RolledBack).</item>
/// <item><c>stingops_restart_last_success_timestamp_seconds{service}</c> gauge: Unix time the most recent
/// successful restart finished; absent for a service that never restarted successfully.</item>
/// <item><c>stingops_restart_duration_seconds{service}</c> histogram over Succeeded, Failed and RolledBack
/// restarts, buckets <see cref="DurationBuckets"/> plus <c>+Inf</c>.</item>
/// <item><c>stingops_metrics_generated_timestamp_seconds{project}</c> gauge: when the file was written (the project label when one project is exported).</item>
/// </list>
/// The file is replaced atomically: written to a hidden temporary file in the same directory (a name not
/// ending in <c>.prom</c>, so the collector never picks it up), flushed to disk, then renamed over the target.
/// A scraper sees the old file or the new one, never half of one. The file is created 0644: node_exporter
/// usually runs as another user, and these numbers are not secret.
/// </remarks>
public static class PrometheusExporter
{
    /// <summary>Upper bounds (seconds) of the duration histogram's buckets: around the restart reliability plan's targets of
    /// a 2-minute average restart and its 5-minute alert.</summary>
    public static IReadOnlyList<double> DurationBuckets { get; } = [1, 5, 10, 15, 30, 45, 60, 90, 120, 180, 300, 600, 900, 1800];

    // Restart outcomes only: what Start, Stop and Repair report (Started, Stopped, AlreadyRunning) is in the jsonl, not here.
    private static readonly (OutcomeStatus Status, string Label)[] StatusLabels =
    [
        (OutcomeStatus.Succeeded, "succeeded"),
        (OutcomeStatus.Failed, "failed"),
        (OutcomeStatus.RolledBack, "rolled_back"),
        (OutcomeStatus.Skipped, "skipped"),
        (OutcomeStatus.Cancelled, "cancelled"),
    ];

    /// <summary>Writes <see cref="Render"/>'s text to <paramref name="path"/>, atomically.</summary>
    /// <exception cref="StingException"><c>StingMetricExportFailed</c> naming the path when the directory
    /// does not exist or the file cannot be written.</exception>
    /// <param name="project">The project every record belongs to (rows of STING's shell name none); null: each record's own.</param>
    public static void Write(IEnumerable<RestartMetricRecord> records, string path, TimeProvider timeProvider, string? project = null) =>
        AtomicFile.WriteAllText(path, Render(records, timeProvider, project), ErrorIds.MetricExportFailed, "a file name ending in .prom");

    /// <summary>The exposition text (ends with a newline).</summary>
    /// <param name="project">As for <see cref="Write"/>.</param>
    public static string Render(IEnumerable<RestartMetricRecord> records, TimeProvider timeProvider, string? project = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var byService = records
            .GroupBy(r => (Project: project ?? r.Project ?? "", r.Service))
            .OrderBy(g => g.Key.Project, StringComparer.Ordinal).ThenBy(g => g.Key.Service, StringComparer.Ordinal)
            .Select(g => (Service: new ServiceLabels(g.Key.Project, g.Key.Service), Rows: g.OrderBy(r => r.Timestamp.UtcTicks).ToList()))
            .ToList();
        var sb = new StringBuilder();

        Family(sb, "stingops_restarts_total", "counter", "Restarts recorded in the StingOps metrics files, by service and outcome.");
        foreach (var (service, rows) in byService)
            foreach (var (status, label) in StatusLabels)
                Sample(sb, "stingops_restarts_total", service.With(("status", label)), rows.Count(r => r.Status == status));

        Family(sb, "stingops_restart_last_duration_seconds", "gauge", "Duration of the most recent restart of the service (any outcome), in seconds.");
        foreach (var (service, rows) in byService)
            if (rows.LastOrDefault(r => r.IsRestart) is { } last)
                Sample(sb, "stingops_restart_last_duration_seconds", service.With(), Seconds(last.Duration));

        Family(sb, "stingops_restart_last_success_timestamp_seconds", "gauge", "Unix time at which the most recent successful restart of the service finished.");
        foreach (var (service, rows) in byService)
            if (rows.LastOrDefault(r => r.Status == OutcomeStatus.Succeeded) is { } ok)
                Sample(sb, "stingops_restart_last_success_timestamp_seconds", service.With(), ok.Timestamp.ToUnixTimeMilliseconds() / 1000.0);

        Family(sb, "stingops_restart_duration_seconds", "histogram", "Restart durations (succeeded, failed and rolled back), in seconds.");
        foreach (var (service, rows) in byService)
        {
            var durations = rows.Where(r => r.IsRestart).Select(r => Seconds(r.Duration)).ToList();
            foreach (var le in DurationBuckets)
                Sample(sb, "stingops_restart_duration_seconds_bucket", service.With(("le", Number(le))), durations.Count(d => d <= le));
            Sample(sb, "stingops_restart_duration_seconds_bucket", service.With(("le", "+Inf")), durations.Count);
            Sample(sb, "stingops_restart_duration_seconds_sum", service.With(), (double)rows.Where(r => r.IsRestart).Sum(r => (decimal)r.Duration.Ticks) / TimeSpan.TicksPerSecond);
            Sample(sb, "stingops_restart_duration_seconds_count", service.With(), durations.Count);
        }

        Family(sb, "stingops_metrics_generated_timestamp_seconds", "gauge", "Unix time at which StingOps wrote this file.");
        Sample(sb, "stingops_metrics_generated_timestamp_seconds", string.IsNullOrEmpty(project) ? [] : [("project", project)], timeProvider.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
        return sb.ToString();
    }

    /// <summary>A series' project (omitted when unknown) and service labels, then its own.</summary>
    private readonly record struct ServiceLabels(string Project, string Service)
    {
        public (string Name, string Value)[] With(params (string Name, string Value)[] more) =>
            [.. Project.Length > 0 ? [("project", Project)] : Array.Empty<(string, string)>(), ("service", Service), .. more];
    }

    private static double Seconds(TimeSpan t) => (double)(decimal)t.Ticks / TimeSpan.TicksPerSecond;

    private static void Family(StringBuilder sb, string name, string type, string help) =>
        sb.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(help)).Append('\n')
          .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder sb, string name, (string Name, string Value)[] labels, double value)
    {
        sb.Append(name);
        if (labels.Length > 0)
        {
            sb.Append('{');
            for (var i = 0; i < labels.Length; i++)
            {
                if (i > 0) sb.Append(',');
                sb.Append(labels[i].Name).Append("=\"").Append(EscapeLabelValue(labels[i].Value)).Append('"');
            }
            sb.Append('}');
        }
        sb.Append(' ').Append(Number(value)).Append('\n');
    }

    /// <summary>A sample value or <c>le</c>: shortest round-trip form, invariant culture; <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.</summary>
    internal static string Number(double v) =>
        double.IsPositiveInfinity(v) ? "+Inf"
        : double.IsNegativeInfinity(v) ? "-Inf"
        : double.IsNaN(v) ? "NaN"
        : v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Label values: backslash, double quote and line feed escaped as <c>\\</c>, <c>\"</c>, <c>\n</c>.</summary>
    internal static string EscapeLabelValue(string s) =>
        s.Replace("\\", @"\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);

    /// <summary>HELP text: backslash and line feed escaped.</summary>
    internal static string EscapeHelp(string s) =>
        s.Replace("\\", @"\\", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);
}
