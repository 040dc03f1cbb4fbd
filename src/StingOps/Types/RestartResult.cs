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
    /// <summary>Short enough for a table: what happened. The long part of a failure is in <see cref="Diagnostics"/>.</summary>
    public string Message { get; init; } = "";
    /// <summary>Why a service failed, at length: the last health check's output and the container's last log lines, one
    /// per line, secrets masked; null when there is nothing beyond Message. Shown by Format-List and -Verbose, and in the error.</summary>
    public string? Diagnostics { get; init; }

    public override string ToString() => $"{Service}: {Status}";
}
