using StingOps.Core.Compose;
using StingOps.Core.Configuration;
using StingOps.Core.Engine;
using StingOps.Core.Graph;

namespace StingOps.Core.UseCases;

/// <summary>A compose service joined with its live container; the core's view of a ServiceInfo.</summary>
public sealed record ServiceStatus(
    ComposeService Service,
    /// <summary>running, exited, ... as the engine says; "notcreated" or "disabled" when there is no container to ask.</summary>
    string State,
    string? Health,
    bool Enabled,
    int Wave,
    IReadOnlyList<string> DependsOn,
    IReadOnlyList<string> Dependents,
    bool Critical,
    ProbeSpec Probe,
    ContainerSummary? Container)
{
    /// <summary>A Swarm stack's service (-StackName): its tasks and nodes; null for a compose project's.</summary>
    public SwarmReplicas? Swarm { get; init; }
}

/// <summary>A Swarm service's tasks: wanted, running, and healthy (null without a healthcheck), and the nodes they run on.</summary>
public sealed record SwarmReplicas(long Desired, long Running, long? Healthy, IReadOnlyList<string> Nodes);

public static class ServiceInventory
{
    /// <param name="containers">Null when offline: states are then unknown, not "not created".</param>
    public static IReadOnlyList<ServiceStatus> Join(ComposeProject project, ServiceGraph graph, RestartOptions options, IReadOnlyList<ContainerSummary>? containers)
    {
        var byService = containers is null ? null : ServiceContainers.ByService(containers);
        var waves = DisplayWaves(project, graph);
        return project.Services.Select(s =>
        {
            ContainerSummary? c = null;
            byService?.TryGetValue(s.Name, out c);
            var inGraph = graph.TryGet(s.Name, out var node);
            var state = c?.State ?? (!inGraph ? "disabled" : byService is null ? "unknown" : "notcreated");
            var config = options.For(s.Name);
            return new ServiceStatus(
                s,
                state,
                c?.Health,
                inGraph,
                waves[s.Name],
                inGraph ? node.Dependencies.Select(d => d.Service).ToArray() : s.DependsOn.Select(d => d.Service).ToArray(),
                inGraph ? node.Dependents : [],
                config.Critical,
                RestartPlan.EffectiveProbe(s, config),
                c);
        }).ToList();
    }

    /// <summary>Waves for display: from the graph where the service takes part, else over its compose edges.</summary>
    private static Dictionary<string, int> DisplayWaves(ComposeProject project, ServiceGraph graph)
    {
        var waves = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
            waves[node.Name] = node.Wave;
        int WaveOf(string name, int depth)
        {
            if (waves.TryGetValue(name, out var w))
                return w;
            var s = project.Find(name);
            // Depth guards against cycles among services the graph never validated (disabled ones).
            if (s is null || depth > project.Services.Count)
                return 0;
            w = s.DependsOn.Count == 0 ? 0 : s.DependsOn.Max(d => WaveOf(d.Service, depth + 1)) + 1;
            waves[name] = w;
            return w;
        }
        foreach (var s in project.Services)
            WaveOf(s.Name, 0);
        return waves;
    }
}
