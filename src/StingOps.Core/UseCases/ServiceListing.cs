using StingOps.Core.Common;
using StingOps.Core.Engine;
using StingOps.Core.Project;
using StingOps.Core.Restart;
using StingOps.Core.Swarm;

namespace StingOps.Core.UseCases;

/// <param name="Services">The services asked for (all without names), joined with their containers.</param>
/// <param name="UnknownNames">Exact names (not patterns) that name no service.</param>
/// <param name="InterruptedRun">What a restart killed mid-run left behind, when one did.</param>
public sealed record ServiceList(IReadOnlyList<ServiceStatus> Services, IReadOnlyList<string> UnknownNames, string? InterruptedRun);

/// <summary>The listing use case (Get-StingService): the project's services as the engine sees them, or offline from the files alone.</summary>
public static class ServiceListing
{
    /// <param name="engine">Null: offline, states are unknown.</param>
    public static async Task<ServiceList> ListAsync(StingProject project, IContainerEngine? engine, IReadOnlyList<string> names,
        IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        var containers = engine is null ? null : await engine.ListProjectContainersAsync(project.Name, cancellationToken).ConfigureAwait(false);
        var interrupted = InterruptedRun(project, containers, environment);
        var statuses = ServiceInventory.Join(project.Compose, project.Graph(containers), project.Options, containers);
        var unknown = names.Where(n => !Wildcard.IsPattern(n) && statuses.All(s => s.Service.Name != n)).ToList();
        var wanted = statuses.Where(s => names.Count == 0 || names.Any(n => Wildcard.Matches(n, s.Service.Name))).ToList();
        return new ServiceList(wanted, unknown, interrupted);
    }

    /// <summary>
    /// A Swarm stack's services (-StackName): the compose files' services joined with the stack's, as converged (running),
    /// converging (restarting), paused by a failed update (paused), scaled to zero (exited) or not deployed (notcreated).
    /// </summary>
    public static async Task<ServiceList> ListStackAsync(StingProject project, ISwarmEngine engine, IReadOnlyList<string> names,
        IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        var stack = await SwarmStack.ReadAsync(engine, project.Name, cancellationToken).ConfigureAwait(false);
        var statuses = ServiceInventory.Join(project.Compose, project.Graph(), project.Options, []).Select(s => WithSwarm(s, stack)).ToList();
        var unknown = names.Where(n => !Wildcard.IsPattern(n) && statuses.All(s => s.Service.Name != n)).ToList();
        var wanted = statuses.Where(s => names.Count == 0 || names.Any(n => Wildcard.Matches(n, s.Service.Name))).ToList();
        return new ServiceList(wanted, unknown, InterruptedRun(project, null, environment));
    }

    private static ServiceStatus WithSwarm(ServiceStatus status, SwarmStack stack)
    {
        if (!stack.Services.TryGetValue(status.Service.Name, out var service))
            return status with { State = status.Enabled ? "notcreated" : "disabled" };
        var now = stack.StateOf(status.Service.Name);
        var state = now.State switch
        {
            ConvergenceState.Failed => "paused",
            ConvergenceState.Converged => now.Desired == 0 ? "exited" : "running",
            _ => "restarting",
        };
        var health = !service.HasHealthCheck ? null : now.State switch
        {
            ConvergenceState.Converged => now.Desired == 0 ? null : "healthy",
            ConvergenceState.Failed => "unhealthy",
            _ => "starting",
        };
        // Swarm calls a task with a healthcheck running only once it is healthy: the running ones are the healthy ones.
        return status with
        {
            State = state,
            Health = health,
            Swarm = new SwarmReplicas(now.Desired, now.Running, service.HasHealthCheck ? now.Running : null, stack.NodesOf(status.Service.Name)),
        };
    }

    /// <summary>A restart killed mid-run may have left services stopped: which, and whether they still are (offline: unknown).</summary>
    private static string? InterruptedRun(StingProject project, IReadOnlyList<ContainerSummary>? containers, IReadOnlyDictionary<string, string?> environment)
    {
        if (RunJournal.FindInterrupted(StateDirectory.Resolve(environment), project.Name) is not { } run)
            return null;
        var byService = containers is null ? null : ServiceContainers.ByService(containers);
        return run.Describe(byService is null ? null : s => byService.TryGetValue(s, out var c) && c.State == "running");
    }
}
