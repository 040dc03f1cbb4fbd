using StingOps.Core.Compose;
using StingOps.Core.Engine;
using StingOps.Core.Graph;
using StingOps.Core.Project;

namespace StingOps.Core.Health;

/// <summary>A dependency outside a plan that does not satisfy its condition: "service needs dependency (observed)".</summary>
/// <param name="Required">False for compose's <c>required: false</c>: warned about, never a reason to refuse.</param>
public sealed record UnreadyDependency(string Service, string Dependency, string Observed, bool Required = true);

/// <summary>
/// Judges the dependencies a plan does not restart (its external dependencies): each must already satisfy its
/// compose condition. Reads only. Used by <see cref="RestartRunner.PrepareAsync"/> and by the Dependencies
/// prerequisite check, so both refuse for the same reasons.
/// </summary>
public sealed class DependencyReadiness(IContainerEngine engine, TimeProvider time, Func<string, string>? redact = null)
{
    /// <summary>Empty for a whole-project plan (it has no external dependencies worth judging).</summary>
    public async Task<IReadOnlyList<UnreadyDependency>> FindUnreadyAsync(
        StingProject project, RestartPlan plan, IReadOnlyDictionary<string, ContainerSummary> containers, CancellationToken cancellationToken)
    {
        var unready = new List<UnreadyDependency>();
        if (plan.WholeProject)
            return unready;
        var observations = new Dictionary<(string, DependencyCondition), string?>();
        foreach (var (service, dependency) in plan.ExternalDependencies)
        {
            var key = (dependency.Service, dependency.Condition);
            if (!observations.TryGetValue(key, out var observed))
                observations[key] = observed = await ObserveAsync(project, dependency, containers, cancellationToken).ConfigureAwait(false);
            if (observed is not null)
                unready.Add(new UnreadyDependency(service, dependency.Service, observed, dependency.Required));
        }
        return unready;
    }

    /// <summary>
    /// Null when the dependency satisfies its condition; otherwise what was seen instead. A running
    /// dependency that is still starting gets dependency_wait_time to become ready.
    /// </summary>
    private async Task<string?> ObserveAsync(StingProject project, ServiceDependency dependency,
        IReadOnlyDictionary<string, ContainerSummary> containers, CancellationToken cancellationToken)
    {
        if (!containers.TryGetValue(dependency.Service, out var summary))
            return "no container";
        if (dependency.Condition == DependencyCondition.ServiceCompletedSuccessfully)
            return summary.State == "exited" ? null : summary.State;
        if (summary.State != "running")
            return summary.State;
        if (dependency.Condition == DependencyCondition.ServiceStarted)
            return null;
        var service = project.Compose.Find(dependency.Service)!;
        var probe = RestartPlan.EffectiveProbe(service, project.Options.For(service.Name));
        var waiter = new ReadinessWaiter(engine, new ProbeRunner(engine), null, time, project.Options.HealthCheckInterval, redact ?? (s => s));
        var outcome = await waiter.WaitAsync(service.Name, summary.Id, probe, service.HealthCheck, project.Options.DependencyWaitTime, cancellationToken).ConfigureAwait(false);
        return outcome.Ready ? null : $"not ready: {outcome.Message}";
    }
}
