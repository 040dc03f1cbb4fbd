namespace StingOps.Core.Engine;

public sealed record EngineInfo(
    string Endpoint,
    string ServerVersion,
    string ApiVersion,
    string DockerRootDir,
    long? MemoryTotalBytes,
    string? OperatingSystem);

/// <param name="State">The engine's state word: created, running, paused, restarting, removing, exited, dead.</param>
/// <param name="Health">healthy, unhealthy, starting, or null when the container has no healthcheck.</param>
public sealed record ContainerSummary(
    string Id,
    string Name,
    string Project,
    string Service,
    string State,
    string? Health,
    string Image,
    DateTimeOffset Created,
    IReadOnlyDictionary<string, string> Labels)
{
    /// <summary>The exit code of an exited container ("Exited (0) 3 minutes ago"); null while it runs or when the engine does not say.</summary>
    public int? ExitCode { get; init; }
}

public sealed record ContainerDetails(
    string Id,
    string Name,
    string Service,
    string State,
    string? Health,
    /// <summary>Output of the most recent health probe, when the engine ran one.</summary>
    string? LastHealthOutput,
    int? ExitCode,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    int RestartCount,
    string Image,
    string ImageId,
    /// <summary>KEY=VALUE strings as the engine reports them. Secret-bearing: never print.</summary>
    IReadOnlyList<string> Environment,
    IReadOnlyDictionary<string, string> Labels,
    /// <summary>The compose healthcheck as the engine holds it (["CMD-SHELL", "..."]), or null.</summary>
    IReadOnlyList<string>? HealthTest,
    /// <summary>Config.Cmd: compose's <c>command</c>, else the image's.</summary>
    IReadOnlyList<string>? Command = null,
    /// <summary>Config.Entrypoint: compose's <c>entrypoint</c>, else the image's.</summary>
    IReadOnlyList<string>? Entrypoint = null,
    /// <summary>
    /// State.Health.Log, oldest first: the engine keeps only the last 5 probe results, and keeps them across
    /// restarts of the container and of the daemon, so older entries may belong to an earlier start.
    /// Null when the engine reported no health state (the container has no healthcheck).
    /// </summary>
    IReadOnlyList<HealthProbe>? HealthLog = null)
{
    public bool IsRunning => State == "running";
}

/// <summary>One health probe the engine ran: when it began and ended, and its exit code (0 = passed).</summary>
public sealed record HealthProbe(DateTimeOffset Start, DateTimeOffset End, int ExitCode);

/// <summary>How an exec runs, beyond its command: what compose's lifecycle hooks may set.</summary>
/// <param name="Environment">KEY=VALUE entries added to the container's environment.</param>
public sealed record ExecOptions(string? User = null, bool Privileged = false, string? WorkingDir = null, IReadOnlyList<string>? Environment = null);

/// <param name="ExitCode">The command's exit code; 124 when it timed out (see <see cref="TimedOut"/>), 126 when the
/// container was not running (or the runtime could not start the command), -1 when the engine did not report one.</param>
/// <param name="Output">stdout and stderr interleaved, at most a few KiB.</param>
public sealed record ExecResult(int ExitCode, string Output)
{
    /// <summary>The engine refused the exec because the container was not running (no command ran).</summary>
    public bool ContainerNotRunning { get; init; }

    /// <summary>The exit code <see cref="IContainerEngine.ExecAsync"/> reports when the command ran out of time.</summary>
    public const int TimeoutExitCode = 124;

    /// <summary>The exit code <see cref="IContainerEngine.ExecAsync"/> reports when the container was not running.</summary>
    public const int NotRunningExitCode = 126;

    /// <summary>The command did not finish within its timeout; it was abandoned (the engine has no way to kill an exec).</summary>
    public bool TimedOut { get; init; }

    /// <summary>The output was cut at the size limit.</summary>
    public bool Truncated { get; init; }
}

/// <param name="Action">start, die, stop, kill, restart, health_status: healthy, health_status: unhealthy, ...</param>
public sealed record EngineEvent(
    string ContainerId,
    string Service,
    string Action,
    DateTimeOffset Time,
    int? ExitCode);
