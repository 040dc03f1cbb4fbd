using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Configuration;

namespace StingOps.Core.Graph;

/// <summary>What the caller asked to restart.</summary>
public sealed record RestartRequest
{
    /// <summary>Service names or wildcard patterns; empty means the whole project.</summary>
    public IReadOnlyList<string> Names { get; init; } = [];
    public bool IncludeDependents { get; init; }
    /// <summary>-TimeoutSec: overrides every service's timeout.</summary>
    public TimeSpan? Timeout { get; init; }
}

/// <summary>What a run does to one service of its plan.</summary>
public enum StepAction
{
    /// <summary>Stop it once its dependents in the plan have stopped, start it again once its dependencies are ready, wait until it is ready.</summary>
    Restart,
    /// <summary>Start it (it is not running) once its dependencies are ready, and wait until it is ready.</summary>
    Start,
    /// <summary>Touch nothing: it runs (or, a one-shot job, completed); its readiness is confirmed and gates its dependents.</summary>
    Keep,
    /// <summary>Stop it once its dependents in the plan have stopped; start nothing.</summary>
    Stop,
}

/// <summary>A step's action and, where the run chose it from what it found, why (shown by -WhatIf).</summary>
public sealed record StepChoice(StepAction Action, string? Why = null);

/// <summary>One service of a plan, with everything the executor needs to restart and judge it.</summary>
public sealed record PlanStep(
    string Service,
    int Wave,
    IReadOnlyList<ServiceDependency> DependsOn,
    TimeSpan Timeout,
    ProbeSpec Probe,
    bool Critical,
    TimeSpan? StopGracePeriod,
    HealthCheckSpec? ComposeHealthCheck)
{
    public IEnumerable<string> DependencyNames => DependsOn.Select(d => d.Service);
    /// <summary>compose <c>post_start</c> hooks: run after every start of the container.</summary>
    public IReadOnlyList<ServiceHook> PostStart { get; init; } = [];
    /// <summary>compose <c>pre_stop</c> hooks: run before every stop of the running container.</summary>
    public IReadOnlyList<ServiceHook> PreStop { get; init; } = [];
    public StepAction Action { get; init; } = StepAction.Restart;
    /// <summary>Why the action was chosen (Repair: "started 2.1 s before vault was ready"); null when it was asked for.</summary>
    public string? Why { get; init; }
}

/// <summary>
/// The ordered restart plan: steps in execution order (wave, then name). The executor does not run it
/// wave by wave; waves are only the display order. Dependencies outside the plan are "external": they
/// must already be ready, since the plan does not restart them.
/// </summary>
public sealed class RestartPlan
{
    private RestartPlan(ServiceGraph graph, IReadOnlyList<PlanStep> steps, bool wholeProject)
    {
        Graph = graph;
        Steps = steps;
        WholeProject = wholeProject;
        ByService = steps.ToDictionary(s => s.Service, StringComparer.Ordinal);
    }

    public ServiceGraph Graph { get; }
    public IReadOnlyList<PlanStep> Steps { get; }
    public IReadOnlyDictionary<string, PlanStep> ByService { get; }
    public bool WholeProject { get; }

    public bool Contains(string service) => ByService.ContainsKey(service);

    /// <summary>Dependencies of planned services that the plan does not restart.</summary>
    public IEnumerable<(string Service, ServiceDependency Dependency)> ExternalDependencies =>
        Steps.SelectMany(s => s.DependsOn.Where(d => !Contains(d.Service)).Select(d => (s.Service, d)));

    public static RestartPlan Create(ServiceGraph graph, RestartOptions options, RestartRequest request)
    {
        var wholeProject = request.Names.Count == 0;
        var selected = wholeProject
            ? new HashSet<string>(graph.TopologicalOrder, StringComparer.Ordinal)
            : ResolveNames(graph, request.Names);
        if (request.IncludeDependents)
            selected = graph.WithDependents(selected);
        selected = graph.WithRestartCascade(selected);

        var steps = graph.Nodes
            .Where(n => selected.Contains(n.Name))
            .OrderBy(n => n.Wave).ThenBy(n => n.Name, StringComparer.Ordinal)
            .Select(n => ToStep(n, options, request.Timeout))
            .ToList();
        return new RestartPlan(graph, steps, wholeProject);
    }

    /// <summary>
    /// A plan of exactly the given services, each with its own action (Start, Stop, Repair: chosen from the
    /// containers' state, not from a restart cascade). Whole project when it holds every service.
    /// </summary>
    public static RestartPlan Of(ServiceGraph graph, RestartOptions options, IReadOnlyDictionary<string, StepChoice> choices, TimeSpan? timeout)
    {
        var steps = graph.Nodes
            .Where(n => choices.ContainsKey(n.Name))
            .OrderBy(n => n.Wave).ThenBy(n => n.Name, StringComparer.Ordinal)
            .Select(n => ToStep(n, options, timeout) with { Action = choices[n.Name].Action, Why = choices[n.Name].Why })
            .ToList();
        return new RestartPlan(graph, steps, wholeProject: steps.Count == graph.TopologicalOrder.Count);
    }

    /// <summary>
    /// The plan without the given services (declined one by one at -Confirm): they are left as they are, so for the
    /// services that remain they are outside dependencies, and the plan is no longer the whole project.
    /// </summary>
    public RestartPlan Without(IReadOnlyCollection<string> services) =>
        services.Count == 0 ? this : new RestartPlan(Graph, Steps.Where(s => !services.Contains(s.Service)).ToList(), wholeProject: false);

    /// <summary>Exact names must exist; a wildcard pattern that matches nothing is an error too, so a typo never restarts nothing silently.</summary>
    public static HashSet<string> ResolveNames(ServiceGraph graph, IEnumerable<string> names)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var matches = Wildcard.IsPattern(name)
                ? graph.TopologicalOrder.Where(s => Wildcard.Matches(name, s)).ToList()
                : graph.Contains(name) ? [name] : [];
            if (matches.Count == 0)
            {
                throw new StingException(ErrorIds.UnknownService, StingErrorKind.ObjectNotFound,
                    $"No service '{name}' in the project (known: {string.Join(", ", graph.TopologicalOrder.Order(StringComparer.Ordinal))}).",
                    target: name);
            }
            result.UnionWith(matches);
        }
        return result;
    }

    private static PlanStep ToStep(ServiceNode node, RestartOptions options, TimeSpan? timeoutOverride)
    {
        var config = options.For(node.Name);
        return new PlanStep(
            node.Name,
            node.Wave,
            node.Dependencies,
            timeoutOverride ?? options.TimeoutFor(node.Name),
            EffectiveProbe(node.Service, config),
            config.Critical,
            node.Service.StopGracePeriod,
            node.Service.HealthCheck)
        {
            PostStart = node.Service.PostStart,
            PreStop = node.Service.PreStop,
        };
    }

    /// <summary>The config's health_check if given, else the compose healthcheck, else "running".</summary>
    public static ProbeSpec EffectiveProbe(ComposeService service, ServiceRestartOptions config)
    {
        if (config.HealthCheck is { } configured)
            return configured;
        if (service.HealthCheck is { Disabled: false, Test: { Count: > 0 } test } && test[0] != "NONE")
            return new ProbeSpec(ProbeKind.Docker, DescribeTest(test));
        return new ProbeSpec(ProbeKind.Running);
    }

    private static string DescribeTest(IReadOnlyList<string> test) =>
        test[0] switch
        {
            "CMD-SHELL" => string.Join(' ', test.Skip(1)),
            "CMD" => string.Join(' ', test.Skip(1)),
            _ => string.Join(' ', test),
        };
}
