using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Health;
using StingOps.Core.Metrics;
using StingOps.Core.Graph;

namespace StingOps.Core.Restart;

/// <summary>What one planned service is expected to take, from the project's history.</summary>
/// <param name="StartToReady">Its median start to ready.</param>
/// <param name="EngineStep">Its median stop and start call (the engine's part of a restart).</param>
/// <param name="ReadyAfter">When it is expected ready, counted from the run's start; null when a service it waits for has no history.</param>
public sealed record ServiceEstimate(string Service, TimeSpan StartToReady, TimeSpan EngineStep, TimeSpan? ReadyAfter);

/// <summary>
/// How long a plan is expected to take: its critical path over the recorded medians. Each service is ready its engine
/// step and start to ready after what it waits for (a service_healthy or service_completed_successfully dependency
/// ready, a service_started one started); a service left alone (Keep) is ready at once. Stops are counted in each
/// service's engine step, not ordered: dependents stop first, alongside the rest.
/// </summary>
/// <param name="Duration">The whole run; null unless every acting service has history.</param>
/// <param name="CriticalPath">The chain of services that ends last, first to last (empty without a duration).</param>
/// <param name="WithoutHistory">Acting services with too few recorded first-attempt starts to estimate.</param>
public sealed record RunEstimate(
    TimeSpan? Duration,
    IReadOnlyDictionary<string, ServiceEstimate> Services,
    IReadOnlyList<string> CriticalPath,
    IReadOnlyList<string> WithoutHistory)
{
    public static RunEstimate Of(RestartPlan plan, RestartHistory history)
    {
        var services = new Dictionary<string, ServiceEstimate>(StringComparer.Ordinal);
        var ready = new Dictionary<string, TimeSpan?>(StringComparer.Ordinal);
        var started = new Dictionary<string, TimeSpan?>(StringComparer.Ordinal);
        var previous = new Dictionary<string, string?>(StringComparer.Ordinal);
        var without = new List<string>();
        // Steps come dependencies first (by wave), so what a step waits for is known when it is reached.
        foreach (var step in plan.Steps.Where(s => s.Action != StepAction.Stop))
        {
            if (step.Action == StepAction.Keep)
            {
                ready[step.Service] = started[step.Service] = TimeSpan.Zero;
                continue;
            }
            if (!history.ReadyTimes.TryGetValue(step.Service, out var times))
            {
                without.Add(step.Service);
                ready[step.Service] = started[step.Service] = null;
                continue;
            }
            var engineStep = history.EngineSteps.GetValueOrDefault(step.Service);
            TimeSpan? after = TimeSpan.Zero;
            string? from = null;
            foreach (var dependency in step.DependsOn.Where(d => plan.Contains(d.Service)))
            {
                var at = dependency.Condition == DependencyCondition.ServiceStarted ? started[dependency.Service] : ready[dependency.Service];
                if (at is null) { after = null; break; }
                if (at > after) { after = at; from = dependency.Service; }
            }
            started[step.Service] = after + engineStep;
            ready[step.Service] = after + engineStep + times.Typical;
            previous[step.Service] = from;
            services[step.Service] = new ServiceEstimate(step.Service, times.Typical, engineStep, ready[step.Service]);
        }
        if (without.Count > 0 || services.Count == 0)
            return new RunEstimate(null, services, [], without);
        var last = services.Values.MaxBy(s => s.ReadyAfter!.Value)!;
        var path = new List<string>();
        for (var s = last.Service; s is not null; s = previous.GetValueOrDefault(s))
            path.Insert(0, s);
        return new RunEstimate(last.ReadyAfter, services, path, without);
    }

    /// <summary>One line for -WhatIf, -Verbose and Get-StingRestartPlan.</summary>
    public string Describe() => Duration is { } d
        ? $"Expected to take about {DurationText.Seconds(d)} (critical path {string.Join(" -> ", CriticalPath)}; medians of the recorded runs)."
        : WithoutHistory.Count > 0
            ? $"No estimate of the run's duration: too few recorded first-attempt starts of {string.Join(", ", WithoutHistory)} (an estimate needs {ReadyTimeEstimate.MinimumSamples} each)."
            : "No estimate of the run's duration: nothing in it starts.";

    /// <summary>Whether a run that took <paramref name="actual"/> exceeded this estimate by far.</summary>
    public bool IsFarExceededBy(TimeSpan actual) => Duration is { } expected && SlowRun.IsFarLonger(actual, expected);
}
