using StingOps.Core.Metrics;

namespace StingOps;

/// <summary>Turns the core's metric records into the contract's PowerShell-facing types.</summary>
internal static class MetricMapper
{
    public static RestartMetric ToMetric(RestartMetricRecord r) => new()
    {
        Timestamp = r.Timestamp,
        RunId = r.RunId,
        Project = r.Project,
        Service = r.Service,
        Duration = r.Duration,
        StartToReady = r.StartToReady,
        ExpectedRunDuration = r.ExpectedRunDuration,
        Status = Mapper.ToStatus(r.Status),
        Attempts = r.Attempts,
        Wave = r.Wave,
        StopRequestedAt = r.Phases.StopRequestedAt,
        StoppedAt = r.Phases.StoppedAt,
        StartedAt = r.Phases.StartedAt,
        ReadyAt = r.Phases.ReadyAt,
        FailureReason = r.FailureReason is { } reason ? Mapper.ToReason(reason) : null,
        Message = r.Message,
    };

    public static RestartMetricSummary ToSummary(MetricSummary s) => new()
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

    public static RestartAlert ToAlert(RestartAlertResult a) => new()
    {
        Rule = ToRule(a.Rule),
        Triggered = a.Triggered,
        Observed = a.Observed,
        Threshold = a.Threshold,
        Message = a.Message,
    };

    private static RestartAlertRule ToRule(AlertRule rule) => rule switch
    {
        AlertRule.RestartTooSlow => RestartAlertRule.RestartTooSlow,
        AlertRule.ServiceFailedAfterRestart => RestartAlertRule.ServiceFailedAfterRestart,
        AlertRule.DependencyChainBroken => RestartAlertRule.DependencyChainBroken,
        AlertRule.RepeatedFailures => RestartAlertRule.RepeatedFailures,
        AlertRule.EnvironmentValidationFailed => RestartAlertRule.EnvironmentValidationFailed,
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, null),
    };
}
