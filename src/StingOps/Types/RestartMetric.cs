namespace StingOps;

/// <summary>One recorded restart of one service (docs/types.md: StingOps.RestartMetric), read from
/// <c>restart_metrics.jsonl</c> or STING's shell-format <c>restart_metrics.csv</c>.</summary>
public sealed class RestartMetric
{
    /// <summary>When the service's restart finished, with the offset it was recorded in.</summary>
    public DateTimeOffset Timestamp { get; init; }
    /// <summary>The Restart-StingService run; null for rows STING's shell wrote.</summary>
    public string? RunId { get; init; }
    /// <summary>The compose project; null for rows STING's shell wrote and rows recorded before StingOps recorded projects.</summary>
    public string? Project { get; init; }
    public string Service { get; init; } = "";
    /// <summary>Stop to ready. Rows from the csv file carry whole seconds.</summary>
    public TimeSpan Duration { get; init; }
    /// <summary>Start to ready, on a first attempt that became ready; null otherwise and for STING's shell rows.</summary>
    public TimeSpan? StartToReady { get; init; }
    /// <summary>What the run was expected to take when it began (its estimate from the project's history); null without one.</summary>
    public TimeSpan? ExpectedRunDuration { get; init; }
    public RestartStatus Status { get; init; }
    /// <summary>The service's wave in the run's plan; null when unknown (STING's shell rows, older StingOps).</summary>
    public int? Wave { get; init; }
    /// <summary>When its stop was requested; null when it was not stopped, and for rows without phase times (STING's shell, older StingOps).</summary>
    public DateTimeOffset? StopRequestedAt { get; init; }
    /// <summary>When it was stopped.</summary>
    public DateTimeOffset? StoppedAt { get; init; }
    /// <summary>When its start request returned.</summary>
    public DateTimeOffset? StartedAt { get; init; }
    /// <summary>When it was ready.</summary>
    public DateTimeOffset? ReadyAt { get; init; }
    /// <summary>Restart attempts; null when unknown (STING's shell rows).</summary>
    public int? Attempts { get; init; }
    /// <summary>Null when unknown (STING's shell rows, or a reason this version does not know).</summary>
    public FailureReason? FailureReason { get; init; }
    /// <summary>Why a service did not succeed, and a note on a run far slower than its estimate; never a secret value.</summary>
    public string? Message { get; init; }

    public override string ToString() => $"{Timestamp:yyyy-MM-dd'T'HH:mm:sszzz} {Service}: {Status}";
}
