namespace StingOps.Core.Engine;

/// <summary>
/// The few Docker Engine operations a restart needs. Small on purpose: the executor is tested against a
/// fake, and <see cref="DockerContainerEngine"/> is the one real implementation.
/// Every method honours its token; none waits without a bound.
/// </summary>
public interface IContainerEngine : IDisposable
{
    /// <summary>The endpoint this engine talks to (e.g. unix:///var/run/docker.sock), for messages.</summary>
    string Endpoint { get; }

    /// <summary>Throws StingException(StingEngineUnavailable) naming the endpoint when it does not answer.</summary>
    Task<EngineInfo> GetInfoAsync(CancellationToken cancellationToken);

    /// <summary>All containers (running or not) labelled com.docker.compose.project=project, oneoff=False.</summary>
    Task<IReadOnlyList<ContainerSummary>> ListProjectContainersAsync(string project, CancellationToken cancellationToken);

    /// <summary>Null when the container no longer exists.</summary>
    Task<ContainerDetails?> InspectAsync(string containerId, CancellationToken cancellationToken);

    Task StopAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken);

    Task StartAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>Runs a command inside a running container; output is truncated to a few KiB.</summary>
    Task<ExecResult> ExecAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>The last <paramref name="lines"/> lines of stdout+stderr.</summary>
    Task<string> GetLogTailAsync(string containerId, int lines, CancellationToken cancellationToken);

    /// <summary>Container events of one project from now on, until cancelled.</summary>
    IAsyncEnumerable<EngineEvent> WatchEventsAsync(string project, CancellationToken cancellationToken);
}

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
    IReadOnlyDictionary<string, string> Labels);

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
    IReadOnlyList<string>? HealthTest)
{
    public bool IsRunning => State == "running";
}

public sealed record ExecResult(int ExitCode, string Output);

/// <param name="Action">start, die, stop, kill, restart, health_status: healthy, health_status: unhealthy, ...</param>
public sealed record EngineEvent(
    string ContainerId,
    string Service,
    string Action,
    DateTimeOffset Time,
    int? ExitCode);
