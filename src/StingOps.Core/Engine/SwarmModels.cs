namespace StingOps.Core.Engine;

/// <param name="LocalNodeState">The engine's word: inactive, pending, active, error, locked.</param>
/// <param name="IsManager">Whether this node can manage the swarm (ControlAvailable): only a manager lists and updates services.</param>
public sealed record SwarmMembership(string LocalNodeState, bool IsManager, string? NodeId)
{
    public bool IsActive => LocalNodeState == "active";
}

/// <param name="State">ready, down, unknown, disconnected.</param>
/// <param name="Availability">active, pause, drain.</param>
/// <param name="Role">manager or worker.</param>
public sealed record SwarmNode(string Id, string Hostname, string Role, string Availability, string State, bool IsLeader,
    IReadOnlyDictionary<string, string> Labels)
{
    public bool IsReady => State == "ready";

    /// <summary>The node's name for people: nodes of one machine share its hostname, so a stingops.node label wins.</summary>
    public string DisplayName => Labels.TryGetValue("stingops.node", out var label) && label.Length > 0 ? label : $"{Hostname} ({Id[..Math.Min(12, Id.Length)]})";
}

/// <summary>Swarm's account of a service's last update (UpdateStatus); null before any update.</summary>
/// <param name="State">updating, paused, completed, rollback_started, rollback_paused, rollback_completed.</param>
public sealed record SwarmUpdateStatus(string State, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, string? Message)
{
    public bool IsRollback => State.StartsWith("rollback_", StringComparison.Ordinal);
}

/// <summary>One service of a stack as the manager holds it.</summary>
/// <param name="Name">The swarm name, "stack_service".</param>
/// <param name="Version">The spec's version index: an update names it, so concurrent changes refuse.</param>
/// <param name="ForceUpdate">TaskTemplate.ForceUpdate: a new task is of the current spec when it carries this value.</param>
/// <param name="Replicas">Desired replicas; null for a global service (one task per eligible node).</param>
/// <param name="DesiredTasks">ServiceStatus.DesiredTasks (global services: the eligible nodes); null when the engine did not say.</param>
/// <param name="HasHealthCheck">The task template has a healthcheck: then Swarm calls a task running only once it is healthy.</param>
/// <param name="SpecJson">The spec verbatim, for an update that must change nothing but ForceUpdate.</param>
/// <param name="HasPreviousSpec">Swarm keeps a previous spec to roll back to.</param>
public sealed record SwarmService(
    string Id,
    string Name,
    string Stack,
    ulong Version,
    ulong ForceUpdate,
    long? Replicas,
    long? DesiredTasks,
    long? RunningTasks,
    string Image,
    bool HasHealthCheck,
    SwarmUpdateStatus? UpdateStatus,
    string SpecJson,
    bool HasPreviousSpec,
    IReadOnlyDictionary<string, string> Labels)
{
    public bool IsGlobal => Replicas is null;

    /// <summary>The compose service it was deployed from: its name without the "stack_" prefix.</summary>
    public string ComposeName => Name.StartsWith(Stack + "_", StringComparison.Ordinal) ? Name[(Stack.Length + 1)..] : Name;
}

/// <summary>One task of a service: one replica's attempt on one node.</summary>
/// <param name="State">new … assigned, accepted, preparing, ready, starting, running, complete, shutdown, failed, rejected, remove, orphaned.</param>
/// <param name="DesiredState">What the orchestrator wants of it: running, shutdown, …</param>
/// <param name="ForceUpdate">Spec.ForceUpdate of the task: which spec of its service it runs.</param>
/// <param name="Error">Status.Err: why the task failed, when it did.</param>
public sealed record SwarmTask(
    string Id,
    string ServiceId,
    string? NodeId,
    long? Slot,
    string State,
    string DesiredState,
    ulong ForceUpdate,
    DateTimeOffset? Timestamp,
    string? Message,
    string? Error,
    string? ContainerId,
    int? ExitCode)
{
    public bool IsRunning => State == "running";

    /// <summary>The task ended for good (it will not run again; the orchestrator may start another in its slot).</summary>
    public bool HasEnded => State is "complete" or "shutdown" or "failed" or "rejected" or "remove" or "orphaned";
}
