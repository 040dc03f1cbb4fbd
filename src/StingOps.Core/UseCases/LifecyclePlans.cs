using StingOps.Core.Configuration;
using StingOps.Core.Engine;
using StingOps.Core.Graph;

namespace StingOps.Core.UseCases;

/// <summary>A running service that a stop would leave on a stopped dependency.</summary>
public sealed record StrandedDependent(string Service, string Dependency);

/// <summary>
/// The plans of Start and Stop, chosen from the containers' state: Start starts what does not run and leaves what
/// runs alone; Stop stops what runs, dependents first. Neither restarts anything.
/// </summary>
public static class LifecyclePlans
{
    /// <param name="names">Empty: the whole project.</param>
    /// <param name="includeDependencies">Also start what the named services need (else a stopped dependency refuses the run).</param>
    public static RestartPlan Start(ServiceGraph graph, RestartOptions options, IReadOnlyList<string> names, bool includeDependencies,
        IReadOnlyDictionary<string, ContainerSummary> containers, TimeSpan? timeout)
    {
        var selected = Select(graph, names);
        if (includeDependencies)
            selected = graph.WithDependencies(selected);
        var choices = selected.ToDictionary(s => s, s => Choose(graph, s, containers), StringComparer.Ordinal);
        return RestartPlan.Of(graph, options, choices, timeout);
    }

    /// <param name="includeDependents">Also stop everything that depends on the named services, transitively.</param>
    public static RestartPlan Stop(ServiceGraph graph, RestartOptions options, IReadOnlyList<string> names, bool includeDependents,
        IReadOnlyDictionary<string, ContainerSummary> containers, TimeSpan? timeout)
    {
        var selected = Select(graph, names);
        if (includeDependents)
            selected = graph.WithDependents(selected);
        var choices = selected.ToDictionary(s => s, s => new StepChoice(StepAction.Stop, IsUp(containers, s) ? null : "already stopped"), StringComparer.Ordinal);
        return RestartPlan.Of(graph, options, choices, timeout);
    }

    /// <summary>
    /// Running services outside the plan whose required dependency the plan stops: stopping would strand them on
    /// it (an optional, <c>required: false</c>, dependency strands nothing, nor does one already stopped).
    /// </summary>
    public static IReadOnlyList<StrandedDependent> Stranded(RestartPlan plan, IReadOnlyDictionary<string, ContainerSummary> containers) =>
        plan.Steps
            .Where(step => IsUp(containers, step.Service))
            .SelectMany(step => plan.Graph[step.Service].Dependents
                .Where(d => !plan.Contains(d) && IsUp(containers, d)
                    && plan.Graph[d].Dependencies.Any(e => e.Service == step.Service && e.Required))
                .Select(d => new StrandedDependent(d, step.Service)))
            .OrderBy(s => s.Service, StringComparer.Ordinal).ThenBy(s => s.Dependency, StringComparer.Ordinal)
            .ToList();

    /// <summary>What runs is left alone, and so is a one-shot job that completed (service_completed_successfully is met).</summary>
    private static StepChoice Choose(ServiceGraph graph, string service, IReadOnlyDictionary<string, ContainerSummary> containers)
    {
        if (!containers.TryGetValue(service, out var c))
            return new StepChoice(StepAction.Start, "no container");
        if (IsUp(containers, service))
            return new StepChoice(StepAction.Keep);
        if (graph.IsOneShotJob(service) && c is { State: "exited", ExitCode: 0 })
            return new StepChoice(StepAction.Keep, "completed successfully");
        return new StepChoice(StepAction.Start, c.ExitCode is { } code ? $"not running ({c.State} with code {code})" : $"not running ({c.State})");
    }

    private static HashSet<string> Select(ServiceGraph graph, IReadOnlyList<string> names) =>
        names.Count == 0 ? new HashSet<string>(graph.TopologicalOrder, StringComparer.Ordinal) : RestartPlan.ResolveNames(graph, names);

    private static bool IsUp(IReadOnlyDictionary<string, ContainerSummary> containers, string service) =>
        containers.TryGetValue(service, out var c) && c.State is "running" or "restarting" or "paused";
}
