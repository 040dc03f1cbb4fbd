namespace StingOps.Core.Engine.Docker;

/// <summary>
/// Bounds and retry policy of <see cref="DockerContainerEngine"/>. The defaults suit an interactive shell
/// and a maintenance script alike; tests shorten them.
/// </summary>
public sealed record DockerEngineOptions
{
    public static DockerEngineOptions Default { get; } = new();

    /// <summary>GetInfoAsync (the "is the engine there" call) and establishing the event stream, retries included.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>One attempt of a read (list, inspect, logs) or of rename/remove/create/exec-create.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A read with all its retries.</summary>
    public TimeSpan ReadBudget { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>One attempt of starting a container (the runtime may take a while: mounts, init, hooks).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Added to the grace period of a stop: the engine waits the grace period, kills, then answers.</summary>
    public TimeSpan StopSlack { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after the first attempt, for transient failures of idempotent calls only.</summary>
    public int MaxRetryAttempts { get; init; } = 2;

    /// <summary>First retry delay; doubles per attempt, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Exec output kept (stdout and stderr together); the rest is read and dropped.</summary>
    public int MaxExecOutputBytes { get; init; } = 4096;

    /// <summary>Log tail kept (the end of it) by GetLogTailAsync.</summary>
    public int MaxLogBytes { get; init; } = 64 * 1024;

    /// <summary>LastHealthOutput is cut to this many characters.</summary>
    public int MaxHealthOutputChars { get; init; } = 1024;
}
