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

    public override string ToString() => Name;
}
