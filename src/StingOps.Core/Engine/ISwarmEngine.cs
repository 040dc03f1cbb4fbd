namespace StingOps.Core.Engine;

/// <summary>
/// What a restart of a Docker Swarm stack asks of a manager node: the swarm's nodes, a stack's services and their
/// tasks, and the two changes a restart makes (a forced update, Swarm's own rollback). The unit is a service,
/// never a container: the containers run on other nodes, out of the manager's reach.
/// <see cref="Docker.DockerContainerEngine"/> implements it over the Engine API; the swarm executor is tested
/// against a fake. Every method honours its token; none waits without a bound.
/// </summary>
public interface ISwarmEngine
{
    /// <summary>The endpoint this engine talks to, for messages.</summary>
    string Endpoint { get; }

    /// <summary>Whether this engine is in a swarm and can manage it (from /info).</summary>
    /// <exception cref="Common.StingException">StingEngineUnavailable when the engine does not answer.</exception>
    Task<SwarmMembership> GetSwarmMembershipAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<SwarmNode>> ListNodesAsync(CancellationToken cancellationToken);

    /// <summary>The services labelled com.docker.stack.namespace=<paramref name="stack"/>, with their task counts.</summary>
    Task<IReadOnlyList<SwarmService>> ListStackServicesAsync(string stack, CancellationToken cancellationToken);

    /// <summary>Null when the service no longer exists.</summary>
    Task<SwarmService?> InspectServiceAsync(string serviceId, CancellationToken cancellationToken);

    /// <summary>Every task the manager still holds for the service (old ones included, as the engine keeps history).</summary>
    Task<IReadOnlyList<SwarmTask>> ListTasksAsync(string serviceId, CancellationToken cancellationToken);

    /// <summary>
    /// What <c>docker service update --force</c> does: the service's spec as it is, with TaskTemplate.ForceUpdate
    /// bumped, at the version read (so a change made meanwhile by someone else refuses, rather than being undone).
    /// Swarm then replaces the tasks by the service's own update_config. Returns the new ForceUpdate value.
    /// </summary>
    /// <exception cref="Common.StingException">StingEngineOperationFailed when the manager refuses (e.g. out of sequence).</exception>
    Task<ulong> ForceUpdateAsync(SwarmService service, CancellationToken cancellationToken);

    /// <summary>What <c>docker service rollback</c> does: back to the service's previous spec, by its rollback_config.</summary>
    Task RollbackAsync(SwarmService service, CancellationToken cancellationToken);
}
