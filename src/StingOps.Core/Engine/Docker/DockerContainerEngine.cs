using StingOps.Core.Common;

namespace StingOps.Core.Engine.Docker;

/// <summary>
/// <see cref="IContainerEngine"/> over the Docker Engine API (Docker.DotNet.Enhanced, no pinned API version:
/// requests go to unversioned paths, which every engine answers in its own current version).
/// </summary>
/// <remarks>
/// <para>Every call is bounded (see <see cref="DockerEngineOptions"/>) and honours its token. Idempotent calls
/// (info, list, inspect, logs, start, stop, remove, subscribing to events) are retried on transient failures
/// (connection refused/reset, an attempt timing out, 5xx on reads, 502-504 on start/stop) through a Polly
/// pipeline; 404/409 and runtime errors are never retried.</para>
/// <para>Errors leave as <see cref="StingException"/>: StingEngineUnavailable (cannot connect, or no answer in
/// time), StingContainerNotFound, StingEngineOperationFailed (the engine refused). Caller cancellation leaves
/// as OperationCanceledException. No Docker.DotNet type crosses this class's public surface.</para>
/// <para>The <see cref="TimeProvider"/> drives timeouts and retry delays. Timestamps sent to the engine (the
/// event subscription's <c>since</c>) use the real clock, since the engine stamps events with its own.</para>
/// <para>Thread-safe: make one per endpoint and share it; dispose it at the end.</para>
/// <para>Snapshots, event streams and the swarm calls go through a small raw HTTP client (<c>RawEngineHttp</c>) beside
/// Docker.DotNet: a snapshot must survive verbatim (fields the library's model lacks included), and the
/// library's only event API that reports when the stream is established is marked obsolete.</para>
/// </remarks>
public sealed class DockerContainerEngine : IContainerEngine, IContainerSnapshots, ISwarmEngine
{
    private readonly DockerTransport _transport;
    private readonly DockerQueries _queries;
    private readonly DockerLifecycle _lifecycle;
    private readonly DockerExec _exec;
    private readonly DockerEvents _events;
    private readonly DockerSnapshots _snapshots;
    private readonly DockerSwarm _swarm;

    public DockerContainerEngine(Uri endpoint, TimeProvider? timeProvider = null)
        : this(endpoint, DockerEngineOptions.Default, timeProvider)
    {
    }

    public DockerContainerEngine(string endpoint, TimeProvider? timeProvider = null)
        : this(DockerEndpoint.ParseHost(endpoint, "the endpoint argument"), DockerEngineOptions.Default, timeProvider)
    {
    }

    /// <exception cref="StingException">StingEngineUnavailable (InvalidArgument) for endpoints that are not supported (ssh://, fd://).</exception>
    public DockerContainerEngine(Uri endpoint, DockerEngineOptions? options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _transport = new DockerTransport(endpoint, options ?? DockerEngineOptions.Default, timeProvider ?? TimeProvider.System);
        _queries = new DockerQueries(_transport);
        _lifecycle = new DockerLifecycle(_transport);
        _exec = new DockerExec(_transport);
        _events = new DockerEvents(_transport);
        _snapshots = new DockerSnapshots(_transport, _lifecycle);
        _swarm = new DockerSwarm(_transport);
    }

    public string Endpoint => _transport.Endpoint;

    public Task<EngineInfo> GetInfoAsync(CancellationToken cancellationToken) =>
        _queries.GetInfoAsync(cancellationToken);

    public Task<IReadOnlyList<ContainerSummary>> ListProjectContainersAsync(string project, CancellationToken cancellationToken) =>
        _queries.ListProjectContainersAsync(project, cancellationToken);

    public Task<ContainerDetails?> InspectAsync(string containerId, CancellationToken cancellationToken) =>
        _queries.InspectAsync(containerId, cancellationToken);

    public Task<string> GetLogTailAsync(string containerId, int lines, CancellationToken cancellationToken) =>
        _queries.GetLogTailAsync(containerId, lines, cancellationToken);

    public Task StopAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken) =>
        _lifecycle.StopAsync(containerId, gracePeriod, cancellationToken);

    public Task StartAsync(string containerId, CancellationToken cancellationToken) =>
        _lifecycle.StartAsync(containerId, cancellationToken);

    public Task<ExecResult> ExecAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, ExecOptions? options, CancellationToken cancellationToken) =>
        _exec.ExecAsync(containerId, command, timeout, options, cancellationToken);

    /// <summary>Container events of one project from now on, until cancelled.</summary>
    /// <remarks>
    /// Lazy, like every async iterator: nothing is subscribed until the first MoveNextAsync. When the caller
    /// must act only once the subscription is live, use <see cref="SubscribeEventsAsync"/> instead.
    /// Cancellation ends the enumeration with an OperationCanceledException; a lost connection ends it with a
    /// StingException(StingEngineUnavailable).
    /// </remarks>
    public IAsyncEnumerable<EngineEvent> WatchEventsAsync(string project, CancellationToken cancellationToken) =>
        _events.WatchEventsAsync(project, cancellationToken);

    /// <inheritdoc cref="DockerEvents.SubscribeEventsAsync"/>
    public Task<IEngineEventSubscription> SubscribeEventsAsync(string project, CancellationToken cancellationToken) =>
        _events.SubscribeEventsAsync(project, cancellationToken);

    public Task RenameAsync(string containerId, string newName, CancellationToken cancellationToken) =>
        _lifecycle.RenameAsync(containerId, newName, cancellationToken);

    public Task RemoveAsync(string containerId, bool force, CancellationToken cancellationToken) =>
        _lifecycle.RemoveAsync(containerId, force, cancellationToken);

    public Task<string?> GetInspectJsonAsync(string containerId, CancellationToken cancellationToken) =>
        _snapshots.GetInspectJsonAsync(containerId, cancellationToken);

    public Task<string> CreateFromSnapshotAsync(string inspectJson, string name, CancellationToken cancellationToken) =>
        _snapshots.CreateFromSnapshotAsync(inspectJson, name, cancellationToken);

    public Task<SwarmMembership> GetSwarmMembershipAsync(CancellationToken cancellationToken) =>
        _swarm.GetMembershipAsync(cancellationToken);

    public Task<IReadOnlyList<SwarmNode>> ListNodesAsync(CancellationToken cancellationToken) =>
        _swarm.ListNodesAsync(cancellationToken);

    public Task<IReadOnlyList<SwarmService>> ListStackServicesAsync(string stack, CancellationToken cancellationToken) =>
        _swarm.ListStackServicesAsync(stack, cancellationToken);

    public Task<SwarmService?> InspectServiceAsync(string serviceId, CancellationToken cancellationToken) =>
        _swarm.InspectServiceAsync(serviceId, cancellationToken);

    public Task<IReadOnlyList<SwarmTask>> ListTasksAsync(string serviceId, CancellationToken cancellationToken) =>
        _swarm.ListTasksAsync(serviceId, cancellationToken);

    public Task<ulong> ForceUpdateAsync(SwarmService service, CancellationToken cancellationToken) =>
        _swarm.ForceUpdateAsync(service, cancellationToken);

    public Task RollbackAsync(SwarmService service, CancellationToken cancellationToken) =>
        _swarm.RollbackAsync(service, cancellationToken);

    public void Dispose() => _transport.Dispose();
}
