namespace StingOps;

/// <summary>The outcome of one service in one restart run (docs/types.md: StingOps.RestartResult).</summary>
public sealed class RestartResult
{
    public string RunId { get; init; } = "";
    public string Service { get; init; } = "";
    public RestartStatus Status { get; init; }
    public FailureReason FailureReason { get; init; }
    public int Attempts { get; init; }
    public int Wave { get; init; }
    public DateTimeOffset? StoppedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? ReadyAt { get; init; }
    /// <summary>From stop to ready.</summary>
    public TimeSpan? Duration { get; init; }
    public string Message { get; init; } = "";

    public override string ToString() => $"{Service}: {Status}";
}
