using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Engine;
using StingOps.Core.Graph;
using StingOps.Core.Health;
using StingOps.Core.Project;
using StingOps.Core.Swarm;

namespace StingOps.Core.Preflight;

/// <summary>What the checks of a stack saw: the stack as read (null when the manager could not be asked) and the plan.</summary>
public sealed record SwarmPreflightReport(IReadOnlyList<PrerequisiteCheckResult> Results, SwarmStack? Stack, RestartPlan Plan)
{
    public IReadOnlyList<PrerequisiteCheckResult> Blocking => Results.Where(r => r.IsBlocking).ToList();
}

/// <summary>
/// The pre-flight of a Swarm stack (-StackName): the compose files and config load, the engine is a manager, every
/// node is ready and active, the stack holds every planned service, the deployed images are the files' (drift), the
/// dependencies outside the request have converged, and the lock is free. Reads only.
/// </summary>
public sealed class SwarmPrerequisites(Func<ISwarmEngine> connect, string stateDirectory)
{
    public async Task<SwarmPreflightReport> InspectAsync(StingProject project, PrerequisiteOptions options, CancellationToken cancellationToken)
    {
        var results = new List<PrerequisiteCheckResult> { PrerequisiteChecker.ComposePassed(project.Compose) };
        results.AddRange(PrerequisiteChecker.ConfigurationResults(project.Options));
        var graph = project.Graph();
        var plan = RestartPlan.Create(graph, project.Options, new RestartRequest { Names = options.Names, IncludeDependents = options.IncludeDependents, Timeout = options.Timeout });
        var stack = await ReadStackAsync(project.Name, results, cancellationToken).ConfigureAwait(false);
        if (stack is not null)
        {
            results.AddRange(NodeResults(stack));
            results.AddRange(ServiceResults(project, plan, stack));
            if (options.CheckDependencies)
                results.AddRange(DependencyResults(plan, stack));
        }
        if (options.CheckLock)
            results.Add(PrerequisiteChecker.CheckLock(stateDirectory, project));
        return new SwarmPreflightReport(results, stack, plan);
    }

    /// <summary>Dependencies outside the plan that have not converged: the run refuses on them as a compose run does on unready ones.</summary>
    public static IReadOnlyList<UnreadyDependency> Unready(RestartPlan plan, SwarmStack stack) =>
        plan.ExternalDependencies
            .Select(e => (e.Service, e.Dependency.Service, Observed: !stack.Services.ContainsKey(e.Dependency.Service) ? "not deployed"
                : stack.StateOf(e.Dependency.Service) is { State: not ConvergenceState.Converged } c ? $"not converged ({c.Detail})" : null))
            .Where(u => u.Observed is not null)
            .Select(u => new UnreadyDependency(u.Item1, u.Item2, u.Observed!))
            .ToList();

    private async Task<SwarmStack?> ReadStackAsync(string stackName, List<PrerequisiteCheckResult> results, CancellationToken cancellationToken)
    {
        ISwarmEngine engine;
        SwarmMembership membership;
        try
        {
            engine = connect();
            membership = await engine.GetSwarmMembershipAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (StingException ex)
        {
            results.Add(PrerequisiteChecker.Fail(PrerequisiteCheck.DockerEngine, ex.Target?.ToString() ?? "docker", ex.Message));
            return null;
        }
        results.Add(PrerequisiteChecker.Pass(PrerequisiteCheck.DockerEngine, engine.Endpoint, "answers"));
        if (!membership.IsActive || !membership.IsManager)
        {
            results.Add(PrerequisiteChecker.Fail(PrerequisiteCheck.SwarmManager, engine.Endpoint, !membership.IsActive
                ? $"this engine is not in an active swarm (its swarm state is '{membership.LocalNodeState}'); point DOCKER_HOST at a manager of the swarm the stack runs on"
                : "this engine is a swarm worker: only a manager lists and updates services; point DOCKER_HOST at a manager"));
            return null;
        }
        results.Add(PrerequisiteChecker.Pass(PrerequisiteCheck.SwarmManager, engine.Endpoint, $"a manager of an active swarm (node {membership.NodeId})"));
        try
        {
            return await SwarmStack.ReadAsync(engine, stackName, cancellationToken).ConfigureAwait(false);
        }
        catch (StingException ex)
        {
            results.Add(PrerequisiteChecker.Fail(PrerequisiteCheck.StackServices, stackName, $"reading the stack failed: {ex.Message}"));
            return null;
        }
    }

    private static IEnumerable<PrerequisiteCheckResult> NodeResults(SwarmStack stack)
    {
        var unwell = stack.Nodes.Where(n => !n.IsReady || n.Availability != "active").ToList();
        if (unwell.Count == 0)
        {
            yield return PrerequisiteChecker.Pass(PrerequisiteCheck.SwarmNodes, stack.Name, $"{stack.Nodes.Count} node(s) ready and active");
            yield break;
        }
        // A node that is down cannot take the new tasks it should (global services, spread replicas): a restart now
        // would concentrate the stack on fewer nodes. Drained or paused is the operator's choice: said, not refused.
        foreach (var n in unwell)
            yield return n.IsReady
                ? PrerequisiteChecker.Warn(PrerequisiteCheck.SwarmNodes, n.DisplayName, $"node is {n.Availability}: Swarm places no new task there")
                : PrerequisiteChecker.Fail(PrerequisiteCheck.SwarmNodes, n.DisplayName, $"node is {n.State}: bring it back (or remove it from the swarm) before restarting, or use -Force");
    }

    private static IEnumerable<PrerequisiteCheckResult> ServiceResults(StingProject project, RestartPlan plan, SwarmStack stack)
    {
        if (stack.Services.Count == 0)
        {
            yield return PrerequisiteChecker.Fail(PrerequisiteCheck.StackServices, stack.Name,
                $"no service carries the label com.docker.stack.namespace={stack.Name}: deploy it first (docker stack deploy -c <files> {stack.Name})");
            yield break;
        }
        var missing = plan.Steps.Select(s => s.Service).Where(s => !stack.Services.ContainsKey(s)).ToList();
        yield return missing.Count == 0
            ? PrerequisiteChecker.Pass(PrerequisiteCheck.StackServices, stack.Name, $"{plan.Steps.Count} planned service(s) deployed")
            : PrerequisiteChecker.Fail(PrerequisiteCheck.StackServices, stack.Name,
                $"not deployed in the stack: {string.Join(", ", missing)} (deploy the same compose files: docker stack deploy -c <files> {stack.Name})");
        var extra = stack.Services.Keys.Where(s => project.Compose.Find(s) is null).Order(StringComparer.Ordinal).ToList();
        if (extra.Count > 0)
            yield return PrerequisiteChecker.Warn(PrerequisiteCheck.StackServices, stack.Name,
                $"deployed but not in the compose files, so outside any plan: {string.Join(", ", extra)} (were other files deployed?)");
        foreach (var step in plan.Steps.Where(s => stack.Services.ContainsKey(s.Service)))
            foreach (var drift in Drift(project.Compose.Find(step.Service)!, stack.Services[step.Service]))
                yield return PrerequisiteChecker.Warn(PrerequisiteCheck.ConfigDrift, step.Service, drift + ": a restart keeps what is deployed (docker stack deploy applies the files)");
    }

    /// <summary>How the deployed service differs from its compose service, in what a restart's outcome depends on.</summary>
    private static IEnumerable<string> Drift(ComposeService wanted, SwarmService deployed)
    {
        if (wanted.Image is { } image && !SameImage(image, deployed.Image))
            yield return $"deployed image '{deployed.Image}' is not the compose file's '{image}'";
        if (wanted.Replicas is { } replicas && deployed.Replicas is { } running && replicas != running)
            yield return $"{running} replica(s) deployed, the compose file says {replicas}";
        var fileHasHealthCheck = wanted.HealthCheck is { Disabled: false, Test.Count: > 0 } && wanted.HealthCheck.Test[0] != "NONE";
        if (fileHasHealthCheck && !deployed.HasHealthCheck)
            yield return "deployed without the compose file's healthcheck, so its tasks count as ready once running";
    }

    private static IEnumerable<PrerequisiteCheckResult> DependencyResults(RestartPlan plan, SwarmStack stack)
    {
        if (plan.WholeProject)
            yield break;
        var unready = Unready(plan, stack);
        if (unready.Count == 0)
            yield return PrerequisiteChecker.Pass(PrerequisiteCheck.Dependencies, string.Join(", ", plan.Steps.Select(s => s.Service)),
                plan.ExternalDependencies.Any() ? "every dependency outside the request has converged" : "no dependency outside the request");
        foreach (var u in unready)
            yield return PrerequisiteChecker.Fail(PrerequisiteCheck.Dependencies, u.Service, $"needs '{u.Dependency}', which is {u.Observed}");
    }

    /// <summary>The stack pins what it deployed by digest ("image:tag@sha256:…") when a registry knew it: the tag is what the files name.</summary>
    private static bool SameImage(string wanted, string deployed)
    {
        static string WithoutDigest(string image) => image.Split('@')[0];
        static string WithTag(string image) => image.Contains(':', StringComparison.Ordinal) && image.LastIndexOf(':') > image.LastIndexOf('/') ? image : image + ":latest";
        return string.Equals(WithTag(WithoutDigest(wanted)), WithTag(WithoutDigest(deployed)), StringComparison.Ordinal);
    }
}
