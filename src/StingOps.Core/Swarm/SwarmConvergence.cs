using StingOps.Core.Engine;

namespace StingOps.Core.Swarm;

public enum ConvergenceState
{
    /// <summary>Swarm is still replacing tasks, or the new ones are not all running yet.</summary>
    Converging,
    /// <summary>Every desired task runs the wanted spec (and, with a healthcheck, is healthy: Swarm calls a task running only then).</summary>
    Converged,
    /// <summary>Swarm gave up on the update (paused it, or rolled it back by the service's failure_action).</summary>
    Failed,
}

/// <summary>Where a service stands against the spec it should run: the counts, and why when it failed.</summary>
/// <param name="Desired">Tasks wanted: the replicas, or a global service's eligible nodes.</param>
/// <param name="Running">Running tasks of the wanted spec, on nodes that are up.</param>
/// <param name="Started">Tasks of the wanted spec whose container started (starting: waiting for health, or running).</param>
/// <param name="Detail">For people: "2/3 running", or Swarm's word on a failure with the last task error.</param>
public sealed record Convergence(ConvergenceState State, long Desired, long Running, long Started, string Detail)
{
    /// <summary>
    /// Judges a service against the spec it should run (its tasks of <paramref name="forceUpdate"/>). Tasks on nodes that are
    /// not ready do not count either way: a lost node's tasks are reported running until the manager gives up on them.
    /// </summary>
    /// <param name="rollingBack">The spec is the one a rollback returns to: Swarm's rollback_completed is success, not failure.</param>
    public static Convergence Judge(SwarmService service, ulong forceUpdate, IReadOnlyList<SwarmTask> tasks, IReadOnlySet<string> readyNodes, bool rollingBack = false)
    {
        // Live: what the orchestrator wants to run, including a replacement still being prepared (desired "ready"
        // while the task it replaces stops), on nodes that are up.
        var live = tasks.Where(t => t.DesiredState is "running" or "ready" && (t.NodeId is null || readyNodes.Contains(t.NodeId))).ToList();
        var wanted = live.Where(t => t.ForceUpdate == forceUpdate).ToList();
        var running = wanted.LongCount(t => t.IsRunning);
        var started = running + wanted.LongCount(t => t.State == "starting");
        // A global service wants one task per eligible node that is up. The engine's DesiredTasks counts tasks, not
        // nodes, and swings while a node's task is replaced; the live tasks' nodes do not.
        var desired = service.Replicas ?? live.Where(t => t.NodeId is not null).Select(t => t.NodeId).Distinct().LongCount();
        var update = service.UpdateStatus;
        var failed = rollingBack
            ? update?.State is "rollback_paused" or "paused"
            : update?.State is "paused" or "rollback_started" or "rollback_paused" or "rollback_completed";
        if (failed)
        {
            var why = update!.Message is { Length: > 0 } message ? message : $"update {update.State}";
            return new Convergence(ConvergenceState.Failed, desired, running, started, LastError(tasks, forceUpdate) is { } error ? $"{why}; {error}" : why);
        }
        // Completed is not enough: Swarm completes an update that skipped a node it lost. Every live task must run the wanted spec.
        // Nor is it needed when a node was lost under the update: Swarm waits for that node's task for ever (an update has no
        // timeout), while every node that is up runs the wanted spec; the run says which node was not updated.
        var lostNode = tasks.Any(t => t.NodeId is not null && !readyNodes.Contains(t.NodeId) && !t.HasEnded);
        var settled = update is null || update.State is "completed" || (rollingBack && update.State == "rollback_completed")
            || (lostNode && update.State is "updating" or "rollback_started");
        var done = running >= desired && live.All(t => t.ForceUpdate == forceUpdate && t.IsRunning);
        if (settled && done)
            return new Convergence(ConvergenceState.Converged, desired, running, started, $"{running}/{desired} running");
        var pending = wanted.LongCount(t => t.State == "pending");
        var progress = $"{running}/{desired} running" + (started > running ? $", {started - running} starting (waiting for health)" : "")
            + (pending > 0 ? $", {pending} pending (no node can take it)" : "")
            + (done && !settled ? $", Swarm's update still {update!.State}" : "");
        return new Convergence(ConvergenceState.Converging, desired, running, started, LastError(tasks, forceUpdate) is { } last ? $"{progress}; last error: {last}" : progress);
    }

    /// <summary>
    /// The newest end of a task of the wanted spec, as "task 3 failed: ..." (what the operator needs first). A task that
    /// Swarm killed as unhealthy ends "complete" (exit 0) when its process stops cleanly on SIGTERM: that counts too.
    /// </summary>
    public static string? LastError(IReadOnlyList<SwarmTask> tasks, ulong forceUpdate) =>
        tasks.Where(t => t.ForceUpdate == forceUpdate && t.State is "failed" or "rejected" or "complete" && (t.Error ?? t.Message) is not null)
            .OrderByDescending(t => t.Timestamp)
            .Select(t => $"task{(t.Slot is { } slot ? $" {slot}" : "")} {t.State}: {t.Error ?? t.Message}" + (t.ExitCode is { } code ? $" (exit {code})" : ""))
            .FirstOrDefault();
}
