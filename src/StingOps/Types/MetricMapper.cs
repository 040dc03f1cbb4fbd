using Metrics = StingOps.Core.Metrics;

namespace StingOps;

/// <summary>Turns the core's metric records into the contract's PowerShell-facing types.</summary>
internal static class MetricMapper
{
    public static RestartMetric ToMetric(Metrics.RestartMetricRecord r) => new()
    {
        Timestamp = r.Timestamp,
        RunId = r.RunId,
        Service = r.Service,
        Duration = r.Duration,
        Status = Enum.Parse<RestartStatus>(r.Status.ToString()),
        Attempts = r.Attempts,
        FailureReason = Enum.TryParse<FailureReason>(r.FailureReason?.Trim(), ignoreCase: true, out var reason)
            && Enum.IsDefined(reason) ? reason : null,
        Message = r.Message,
    };

    public static RestartMetricSummary ToSummary(Metrics.RestartMetricSummary s) => new()
    {
        Service = s.Service,
        Restarts = s.Restarts,
        Succeeded = s.Succeeded,
        Failed = s.Failed,
        Skipped = s.Skipped,
        Cancelled = s.Cancelled,
        SuccessRate = s.SuccessRate,
        Mean = s.Mean,
        P50 = s.P50,
        P95 = s.P95,
        Max = s.Max,
    };

    public static RestartAlert ToAlert(Metrics.RestartAlertResult a) => new()
    {
        Rule = Enum.Parse<RestartAlertRule>(a.Rule.ToString()),
        Triggered = a.Triggered,
        Observed = a.Observed,
        Threshold = a.Threshold,
        Message = a.Message,
    };
}
