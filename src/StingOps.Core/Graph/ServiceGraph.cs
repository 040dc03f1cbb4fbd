using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Configuration;

namespace StingOps.Core.Graph;

/// <summary>One service in the graph: its edges in both directions and its display wave.</summary>
public sealed class ServiceNode
{
    internal ServiceNode(ComposeService service) => Service = service;

    public ComposeService Service { get; }
    public string Name => Service.Name;
    /// <summary>Compose edges plus the restart configuration's extra edges (service_healthy).</summary>
    public IReadOnlyList<ServiceDependency> Dependencies { get; internal set; } = [];
    public IReadOnlyList<string> Dependents { get; internal set; } = [];
    /// <summary>Length of the longest dependency chain below this service (0 = depends on nothing).</summary>
    public int Wave { get; internal set; }
}

/// <summary>
/// The dependency graph of the services that take part: the enabled ones plus any disabled-by-profile
/// service whose container runs anyway (the restart reliability plan's issue 5: an observability service under a profile shown as "log-forwarder: Not Found").
/// Construction validates: undefined and disabled dependencies, cycles.
/// </summary>
public sealed class ServiceGraph
{
    private readonly Dictionary<string, ServiceNode> _nodes;

    private ServiceGraph(Dictionary<string, ServiceNode> nodes, IReadOnlyList<string> order, IReadOnlyList<string> warnings)
    {
        _nodes = nodes;
        TopologicalOrder = order;
        Warnings = warnings;
    }

    /// <summary>Every node, dependencies before dependents; ties broken by name so output is stable.</summary>
    public IReadOnlyList<string> TopologicalOrder { get; }
    public IReadOnlyList<string> Warnings { get; }
    public IEnumerable<ServiceNode> Nodes => TopologicalOrder.Select(n => _nodes[n]);
    public int Count => _nodes.Count;

    public bool Contains(string name) => _nodes.ContainsKey(name);
    public ServiceNode this[string name] => _nodes[name];
    public bool TryGet(string name, out ServiceNode node) => _nodes.TryGetValue(name, out node!);

    /// <param name="alsoIncluded">Disabled services that nevertheless take part (their container runs).</param>
    public static ServiceGraph Build(ComposeProject project, RestartOptions options, IReadOnlyCollection<string>? alsoIncluded = null)
    {
        var warnings = new List<string>();
        var byName = project.Services.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var nodes = new Dictionary<string, ServiceNode>(StringComparer.Ordinal);
        foreach (var s in project.Services)
        {
            if (s.Enabled || (alsoIncluded?.Contains(s.Name) ?? false))
                nodes[s.Name] = new ServiceNode(s);
        }

        foreach (var name in options.Services.Keys.Where(k => !byName.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal))
            warnings.Add($"{options.Source}: restart_configuration.service_specific.{name}: no such service in the compose project; ignored.");

        foreach (var node in nodes.Values)
        {
            var deps = new List<ServiceDependency>();
            foreach (var dep in node.Service.DependsOn)
            {
                if (!CheckTarget(node.Name, dep.Service, dep.Required, "depends_on", byName, nodes, warnings))
                    continue;
                deps.Add(dep);
            }
            foreach (var extra in options.For(node.Name).DependsOn)
            {
                if (deps.Any(d => d.Service == extra))
                    continue;
                if (!CheckTarget(node.Name, extra, true, "restart_configuration depends_on", byName, nodes, warnings))
                    continue;
                deps.Add(new ServiceDependency(extra, DependencyCondition.ServiceHealthy));
            }
            node.Dependencies = deps;
        }

        var dependents = nodes.Keys.ToDictionary(k => k, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var node in nodes.Values)
        {
            foreach (var dep in node.Dependencies)
                dependents[dep.Service].Add(node.Name);
        }
        foreach (var (name, list) in dependents)
        {
            list.Sort(StringComparer.Ordinal);
            nodes[name].Dependents = list;
        }

        var order = SortAndCheckCycles(nodes);
        foreach (var name in order)
        {
            var node = nodes[name];
            node.Wave = node.Dependencies.Count == 0 ? 0 : node.Dependencies.Max(d => nodes[d.Service].Wave) + 1;
        }
        return new ServiceGraph(nodes, order, warnings);
    }

    private static bool CheckTarget(string from, string to, bool required, string via,
        Dictionary<string, ComposeService> all, Dictionary<string, ServiceNode> included, List<string> warnings)
    {
        if (included.ContainsKey(to))
            return true;
        if (!all.TryGetValue(to, out var target))
        {
            if (!required)
            {
                warnings.Add($"Service '{from}' depends on undefined service '{to}' (required: false); ignored.");
                return false;
            }
            throw new StingException(ErrorIds.UndefinedDependency, StingErrorKind.InvalidData,
                $"Service '{from}' depends on undefined service '{to}' ({via}{At(all[from])}).", target: from);
        }
        if (!required)
        {
            warnings.Add($"Service '{from}' depends on '{to}', which is disabled by its profiles (required: false); ignored.");
            return false;
        }
        var profiles = string.Join(", ", target.Profiles);
        throw new StingException(ErrorIds.DisabledDependency, StingErrorKind.InvalidData,
            $"Service '{from}' depends on '{to}', which is disabled because none of its profiles ({profiles}) is active{At(all[from])}. Activate a profile with -Profile, or remove the dependency.",
            target: from);
    }

    private static string At(ComposeService s) => s.Source is null ? "" : $"; defined at {s.Source}";

    /// <summary>Kahn's algorithm with a name-ordered ready set; whatever remains holds a cycle, which is then named.</summary>
    private static List<string> SortAndCheckCycles(Dictionary<string, ServiceNode> nodes)
    {
        var pending = nodes.Values.ToDictionary(n => n.Name, n => n.Dependencies.Count, StringComparer.Ordinal);
        var ready = new SortedSet<string>(pending.Where(p => p.Value == 0).Select(p => p.Key), StringComparer.Ordinal);
        var order = new List<string>(nodes.Count);
        while (ready.Count > 0)
        {
            var next = ready.Min!;
            ready.Remove(next);
            order.Add(next);
            foreach (var dependent in nodes[next].Dependents)
            {
                if (--pending[dependent] == 0)
                    ready.Add(dependent);
            }
        }
        if (order.Count < nodes.Count)
        {
            var cycle = FindCycle(nodes, pending.Where(p => p.Value > 0).Select(p => p.Key).ToHashSet());
            throw new StingException(ErrorIds.DependencyCycle, StingErrorKind.InvalidData,
                $"Dependency cycle: {string.Join(" -> ", cycle)}.", target: cycle[0]);
        }
        return order;
    }

    private static List<string> FindCycle(Dictionary<string, ServiceNode> nodes, HashSet<string> remaining)
    {
        // Every remaining node has a dependency among the remaining ones, so walking dependencies must revisit a node.
        var start = remaining.Order(StringComparer.Ordinal).First();
        var path = new List<string>();
        var seenAt = new Dictionary<string, int>(StringComparer.Ordinal);
        var current = start;
        while (!seenAt.ContainsKey(current))
        {
            seenAt[current] = path.Count;
            path.Add(current);
            current = nodes[current].Dependencies.Select(d => d.Service).Where(remaining.Contains).Order(StringComparer.Ordinal).First();
        }
        var cycle = path.Skip(seenAt[current]).ToList();
        cycle.Add(current);
        return cycle;
    }

    /// <summary>The given services plus everything that depends on them, transitively.</summary>
    public HashSet<string> WithDependents(IEnumerable<string> services) =>
        Closure(services, n => n.Dependents);

    /// <summary>A one-shot job: some service depends on it with <c>service_completed_successfully</c>, so it is meant to exit.</summary>
    public bool IsOneShotJob(string service) =>
        _nodes[service].Dependents.Any(d => _nodes[d].Dependencies.Any(e => e.Service == service && e.Condition == DependencyCondition.ServiceCompletedSuccessfully));

    /// <summary>The given services plus everything they depend on, transitively (dependencies outside the graph left out).</summary>
    public HashSet<string> WithDependencies(IEnumerable<string> services) =>
        Closure(services, n => n.Dependencies.Select(d => d.Service).Where(_nodes.ContainsKey));

    /// <summary>
    /// The given services plus the dependents that compose's <c>restart: true</c> ties to them, transitively:
    /// compose restarts those whenever their dependency restarts.
    /// </summary>
    public HashSet<string> WithRestartCascade(IEnumerable<string> services) =>
        Closure(services, n => n.Dependents.Where(d => _nodes[d].Dependencies.Any(e => e.Service == n.Name && e.Restart)));

    private HashSet<string> Closure(IEnumerable<string> start, Func<ServiceNode, IEnumerable<string>> next)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>(start);
        while (queue.Count > 0)
        {
            var name = queue.Dequeue();
            if (!result.Add(name))
                continue;
            foreach (var n in next(_nodes[name]))
                queue.Enqueue(n);
        }
        return result;
    }
}
