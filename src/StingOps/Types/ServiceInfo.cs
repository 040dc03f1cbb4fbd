namespace StingOps;

/// <summary>A compose service joined with its live container (docs/types.md: StingOps.ServiceInfo).</summary>
public sealed class ServiceInfo
{
    public string Name { get; init; } = "";
    public string Project { get; init; } = "";
    public ServiceState State { get; init; }
    public ServiceHealth Health { get; init; }
    public string[] DependsOn { get; init; } = [];
    public string[] Dependents { get; init; } = [];
    public string[] Profiles { get; init; } = [];
    /// <summary>Takes part in the project: no profiles, an active profile, or its container runs anyway.</summary>
    public bool Enabled { get; init; }
    public int Wave { get; init; }
    public bool Critical { get; init; }
    public string? ContainerId { get; init; }
    public string? ContainerName { get; init; }
    public string? Image { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    /// <summary>The effective readiness probe, described.</summary>
    public string HealthCheck { get; init; } = "";
    /// <summary>A Swarm stack's service (-StackName): its tasks desired/running/healthy; null for a compose project's.</summary>
    public ReplicaCount? Replicas { get; init; }
    /// <summary>A Swarm stack's service: the nodes its tasks run on (a stingops.node label, else host name and node id).</summary>
    public string[] Nodes { get; init; } = [];

    public override string ToString() => Name;
}

/// <summary>A Swarm service's tasks (StingOps.ServiceInfo.Replicas): shown as desired/running/healthy, "-" without a healthcheck.</summary>
public sealed class ReplicaCount
{
    public long Desired { get; init; }
    public long Running { get; init; }
    /// <summary>Swarm calls a task with a healthcheck running only once healthy: equal to Running then; null without a healthcheck.</summary>
    public long? Healthy { get; init; }

    public override string ToString() => $"{Desired}/{Running}/{(Healthy is { } h ? h.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-")}";
}
