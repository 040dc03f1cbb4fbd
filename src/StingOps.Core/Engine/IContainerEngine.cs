namespace StingOps.Core.Engine;

/// <summary>
/// The few Docker Engine operations a restart needs. Small on purpose: the executor is tested against a
/// fake, and <see cref="Docker.DockerContainerEngine"/> is the one real implementation. What only a recreate
/// needs is <see cref="IContainerSnapshots"/>.
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
    Task<ExecResult> ExecAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, ExecOptions? options, CancellationToken cancellationToken);

    /// <summary>The last <paramref name="lines"/> lines of stdout+stderr.</summary>
    Task<string> GetLogTailAsync(string containerId, int lines, CancellationToken cancellationToken);

    /// <summary>
    /// Subscribes to the project's container events and returns once the subscription is live: every event
    /// the engine records after this call started is delivered (events of actions taken after it returns
    /// cannot be missed). Read it with <c>await foreach</c>; dispose it to unsubscribe.
    /// </summary>
    Task<IEngineEventSubscription> SubscribeEventsAsync(string project, CancellationToken cancellationToken);
}
