namespace StingOps.Core.Metrics;

/// <summary>
/// The outcome of one service's restart as recorded in the metrics files. Mirrors the statuses of
/// <c>StingOps.RestartResult</c> (docs/types.md); STING's shell writes only <c>success</c>
/// (= <see cref="Succeeded"/>) and <c>failure</c> (= <see cref="Failed"/>).
/// </summary>
public enum RestartMetricStatus
{
    Succeeded,
    Failed,
    RolledBack,
    Skipped,
    Cancelled,
}

/// <summary>
/// The failure reasons of <c>StingOps.RestartResult.FailureReason</c> that the metrics code looks at.
/// <see cref="RestartMetricRecord.FailureReason"/> is a free string so that records written by newer
/// versions stay readable; compare with <see cref="Is"/> (case-insensitive).
/// </summary>
public static class RestartFailureReasons
{
    public const string None = "None";
    public const string Timeout = "Timeout";
    public const string Dependency = "Dependency";
    public const string HealthCheck = "HealthCheck";
    public const string Engine = "Engine";
    public const string Prerequisite = "Prerequisite";
    public const string Cancelled = "Cancelled";

    public static bool Is(string? reason, string expected) =>
        reason is not null && string.Equals(reason.Trim(), expected, StringComparison.OrdinalIgnoreCase);
}

/// <summary>One recorded restart of one service (a row of <c>restart_metrics.csv</c> / <c>.jsonl</c>).</summary>
/// <param name="Timestamp">
/// When the service's restart finished (STING's shell takes <c>date -Iseconds</c> after the restart), with
/// the offset it was recorded in.
/// </param>
/// <param name="Service">The compose service name.</param>
/// <param name="Duration">How long the restart took (stop to ready). The csv file holds whole seconds.</param>
/// <param name="Status">The outcome.</param>
public sealed record RestartMetricRecord(
    DateTimeOffset Timestamp,
    string Service,
    TimeSpan Duration,
    RestartMetricStatus Status)
{
    /// <summary>The run that restarted the service (one <c>Restart-StingService</c> call); null for rows written by STING's shell.</summary>
    public string? RunId { get; init; }

    /// <summary>Restart attempts made; null when unknown (STING's shell rows).</summary>
    public int? Attempts { get; init; }

    /// <summary><see cref="RestartFailureReasons"/>: None, Timeout, Dependency, HealthCheck, Engine, Prerequisite, Cancelled; null when unknown.</summary>
    public string? FailureReason { get; init; }

    /// <summary>A short human-readable note (never a secret value).</summary>
    public string? Message { get; init; }

    /// <summary>True for Succeeded, Failed and RolledBack: a restart that was attempted and came to an outcome.</summary>
    public bool IsRestart => Status is RestartMetricStatus.Succeeded or RestartMetricStatus.Failed or RestartMetricStatus.RolledBack;

    /// <summary>True for Failed and RolledBack (a rollback is what happens after a failed restart).</summary>
    public bool IsFailure => Status is RestartMetricStatus.Failed or RestartMetricStatus.RolledBack;
}
