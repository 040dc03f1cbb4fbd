namespace StingOps.Core.Engine;

/// <summary>
/// The few Docker Engine operations a restart needs. Small on purpose: the executor is tested against a
/// fake, and <see cref="Docker.DockerContainerEngine"/> is the one real implementation.
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
    /// <param name="options">User, privileges, directory and added environment of the command (lifecycle hooks); null: the container's.</param>
    Task<ExecResult> ExecAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken, ExecOptions? options = null);

    /// <summary>The last <paramref name="lines"/> lines of stdout+stderr.</summary>
    Task<string> GetLogTailAsync(string containerId, int lines, CancellationToken cancellationToken);

    /// <summary>Container events of one project from now on, until cancelled.</summary>
    /// <remarks>
    /// Lazy, like every async iterator: nothing is subscribed until the first MoveNextAsync. When the caller
    /// must act only once the subscription is live, use <see cref="SubscribeEventsAsync"/> instead.
    /// Cancellation ends the enumeration with an OperationCanceledException; a lost connection ends it with a
    /// StingException(StingEngineUnavailable).
    /// </remarks>
    IAsyncEnumerable<EngineEvent> WatchEventsAsync(string project, CancellationToken cancellationToken);

    /// <summary>
    /// Subscribes to the project's container events and returns once the subscription is live: every event
    /// the engine records after this call started is delivered (events of actions taken after it returns
    /// cannot be missed). Read it with <c>await foreach</c>; dispose it to unsubscribe.
    /// </summary>
    /// <remarks>
    /// The default implementation (for fakes) pumps <see cref="WatchEventsAsync"/> in the background and is
    /// only as live as that method is on its first step; <see cref="Docker.DockerContainerEngine"/> overrides it.
    /// </remarks>
    Task<IEngineEventSubscription> SubscribeEventsAsync(string project, CancellationToken cancellationToken)
        => Task.FromResult<IEngineEventSubscription>(new PumpedEventSubscription(WatchEventsAsync(project, CancellationToken.None), DateTimeOffset.UtcNow));

    /// <summary>Renames a container (e.g. to keep the old one aside during a recreate).</summary>
    /// <exception cref="StingException">StingContainerNotFound; StingEngineOperationFailed when the name is taken.</exception>
    Task RenameAsync(string containerId, string newName, CancellationToken cancellationToken)
        => throw new NotSupportedException($"{GetType().Name} does not implement {nameof(RenameAsync)}.");

    /// <summary>Removes a container; <paramref name="force"/> kills it first when running. Its volumes are kept.
    /// A container that no longer exists is not an error.</summary>
    Task RemoveAsync(string containerId, bool force, CancellationToken cancellationToken)
        => throw new NotSupportedException($"{GetType().Name} does not implement {nameof(RemoveAsync)}.");

    /// <summary>The engine's inspect document for the container, verbatim (for snapshots); null when it does not exist.
    /// Contains the environment: secret-bearing, store it only where only the user can read it.</summary>
    Task<string?> GetInspectJsonAsync(string containerId, CancellationToken cancellationToken)
        => throw new NotSupportedException($"{GetType().Name} does not implement {nameof(GetInspectJsonAsync)}.");

    /// <summary>
    /// Creates (does not start) a container named <paramref name="name"/> from a saved inspect document: its
    /// Config (image pinned to the saved image ID unless the saved image name still resolves to it), HostConfig,
    /// labels, networks and its anonymous volumes (re-attached, so their data survives). Returns the new id.
    /// </summary>
    Task<string> CreateFromSnapshotAsync(string inspectJson, string name, CancellationToken cancellationToken)
        => throw new NotSupportedException($"{GetType().Name} does not implement {nameof(CreateFromSnapshotAsync)}.");
}

/// <summary>
/// A live event subscription: enumerate it (once) for the events, dispose it to unsubscribe. Enumeration ends
/// with OperationCanceledException when the enumerating token is cancelled or the subscription disposed, and
/// with StingException(StingEngineUnavailable) when the engine connection is lost.
/// </summary>
public interface IEngineEventSubscription : IAsyncEnumerable<EngineEvent>, IAsyncDisposable
{
    /// <summary>Events from this instant on (engine clock) are delivered; earlier ones are not.</summary>
    DateTimeOffset Since { get; }
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
    IReadOnlyList<string>? HealthTest,
    /// <summary>Config.Cmd: compose's <c>command</c>, else the image's.</summary>
    IReadOnlyList<string>? Command = null,
    /// <summary>Config.Entrypoint: compose's <c>entrypoint</c>, else the image's.</summary>
    IReadOnlyList<string>? Entrypoint = null)
{
    public bool IsRunning => State == "running";
}

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
