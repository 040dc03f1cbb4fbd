using StingOps.Core.Engine;

namespace StingOps.Core.Swarm;

/// <summary>
/// A deployed stack as the manager holds it now: its services by compose name (the name without "stack_"), their
/// tasks and the swarm's nodes. One read, shared by the listing, the pre-flight and the run, so they judge alike.
/// </summary>
public sealed class SwarmStack
{
    private SwarmStack(string name, IReadOnlyDictionary<string, SwarmService> services, IReadOnlyDictionary<string, IReadOnlyList<SwarmTask>> tasks,
        IReadOnlyList<SwarmNode> nodes)
    {
        Name = name;
        Services = services;
        Tasks = tasks;
        Nodes = nodes;
        ReadyNodes = nodes.Where(n => n.IsReady).Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
    }

    public string Name { get; }
    public IReadOnlyDictionary<string, SwarmService> Services { get; }
    public IReadOnlyDictionary<string, IReadOnlyList<SwarmTask>> Tasks { get; }
    public IReadOnlyList<SwarmNode> Nodes { get; }
    public IReadOnlySet<string> ReadyNodes { get; }

    public static async Task<SwarmStack> ReadAsync(ISwarmEngine engine, string stack, CancellationToken cancellationToken)
    {
        var services = await engine.ListStackServicesAsync(stack, cancellationToken).ConfigureAwait(false);
        var nodes = await engine.ListNodesAsync(cancellationToken).ConfigureAwait(false);
        var tasks = await Task.WhenAll(services.Select(s => engine.ListTasksAsync(s.Id, cancellationToken))).ConfigureAwait(false);
        return new SwarmStack(stack,
            services.ToDictionary(s => s.ComposeName, StringComparer.Ordinal),
            services.Select((s, i) => (s.ComposeName, Tasks: tasks[i])).ToDictionary(p => p.ComposeName, p => p.Tasks, StringComparer.Ordinal),
            nodes);
    }

    /// <summary>Where the service stands now against its current spec: a completed rollback is as settled as a completed update.</summary>
    public Convergence StateOf(string composeName)
    {
        var service = Services[composeName];
        return Convergence.Judge(service, service.ForceUpdate, Tasks[composeName], ReadyNodes, rollingBack: service.UpdateStatus?.IsRollback == true);
    }

    /// <summary>The nodes the service's live tasks run on, by name (a stingops.node label, else host and id).</summary>
    public IReadOnlyList<string> NodesOf(string composeName)
    {
        var byId = Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        return Tasks[composeName].Where(t => t.DesiredState == "running" && t.NodeId is not null)
            .Select(t => byId.TryGetValue(t.NodeId!, out var node) ? node.DisplayName : t.NodeId!)
            .Distinct().Order(StringComparer.Ordinal).ToList();
    }
}
