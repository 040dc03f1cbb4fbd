using StingOps.Core.EnvFiles;

namespace StingOps.Core.Compose;

/// <summary>A compose project after loading, merging and interpolation: what a restart needs to know.</summary>
public sealed class ComposeProject
{
    public required string Name { get; init; }
    public required string ProjectDirectory { get; init; }
    /// <summary>Files in merge order, absolute paths (including an override file that was picked up).</summary>
    public required IReadOnlyList<string> ComposeFiles { get; init; }
    /// <summary>Active profiles the project was loaded with.</summary>
    public required IReadOnlyList<string> ActiveProfiles { get; init; }
    /// <summary>Every service, enabled or not, ordered by name (ordinal).</summary>
    public required IReadOnlyList<ComposeService> Services { get; init; }
    /// <summary>Non-fatal findings, e.g. an unset variable interpolated as empty (names only, never values).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    private Dictionary<string, ComposeService>? _byName;

    /// <summary>The service with this name, or null; indexed on first use because planners call it per service.</summary>
    public ComposeService? Find(string name)
    {
        var byName = _byName ??= Services.GroupBy(s => s.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        return byName.GetValueOrDefault(name);
    }
}

public sealed class ComposeService
{
    public required string Name { get; init; }
    public IReadOnlyList<ServiceDependency> DependsOn { get; init; } = [];
    public IReadOnlyList<string> Profiles { get; init; } = [];
    /// <summary>False when the service has profiles and none of them is active.</summary>
    public bool Enabled { get; init; } = true;
    public HealthCheckSpec? HealthCheck { get; init; }
    public IReadOnlyList<EnvFileReference> EnvFiles { get; init; } = [];
    /// <summary>The service's <c>environment:</c> after interpolation (null values: taken from the shell by compose).</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();
    /// <summary>The service's <c>labels:</c> after interpolation and merging (a bare key has a null value).</summary>
    public IReadOnlyDictionary<string, string?> Labels { get; init; } = new Dictionary<string, string?>();
    /// <summary>compose <c>command</c> as the engine receives it (a string is split as a shell would); null: the image's.</summary>
    public IReadOnlyList<string>? Command { get; init; }
    /// <summary>compose <c>entrypoint</c> as the engine receives it; null: the image's.</summary>
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public string? ContainerName { get; init; }
    public string? Image { get; init; }
    public bool HasBuild { get; init; }
    public TimeSpan? StopGracePeriod { get; init; }
    /// <summary>compose <c>stop_signal</c> (e.g. SIGINT); null: the image's (SIGTERM by default).</summary>
    public string? StopSignal { get; init; }
    /// <summary>compose <c>post_start</c> (compose 2.30+): run in the container, in order, after each start.</summary>
    public IReadOnlyList<ServiceHook> PostStart { get; init; } = [];
    /// <summary>compose <c>pre_stop</c> (compose 2.30+): run in the running container, in order, before each stop.</summary>
    public IReadOnlyList<ServiceHook> PreStop { get; init; } = [];
    /// <summary>compose <c>scale</c> / <c>deploy.replicas</c>; null when not set (compose runs one). 0 means none run.</summary>
    public int? Replicas { get; init; }
    public string? Restart { get; init; }
    public string? NetworkMode { get; init; }
    /// <summary>Where the service's definition starts (file:line), for messages.</summary>
    public string? Source { get; init; }
}

public enum DependencyCondition
{
    ServiceStarted,
    ServiceHealthy,
    ServiceCompletedSuccessfully,
}

/// <param name="Restart">compose's <c>restart: true</c>: restarting the dependency restarts this service too.</param>
/// <param name="Required">compose's <c>required: false</c>: a missing dependency is tolerated.</param>
public sealed record ServiceDependency(
    string Service,
    DependencyCondition Condition = DependencyCondition.ServiceStarted,
    bool Restart = false,
    bool Required = true);

/// <summary>One lifecycle hook: a command run in the service's container through the engine's exec, as compose runs it.</summary>
public sealed class ServiceHook
{
    /// <summary>The argv (a string is split into words as compose does, no shell).</summary>
    public required IReadOnlyList<string> Command { get; init; }
    public string? User { get; init; }
    public bool Privileged { get; init; }
    public string? WorkingDir { get; init; }
    /// <summary>Added to the container's environment for this command (a null value: taken from the shell by compose).</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();
    /// <summary>file:line of the hook, for messages.</summary>
    public string? Source { get; init; }

    public override string ToString() => string.Join(' ', Command);
}

/// <summary>A compose healthcheck. <see cref="Test"/> is null for NONE/disabled.</summary>
public sealed class HealthCheckSpec
{
    /// <summary>The command as compose gives it to the engine: ["CMD", ...] or ["CMD-SHELL", "..."]; null when disabled.</summary>
    public IReadOnlyList<string>? Test { get; init; }
    public bool Disabled { get; init; }
    public TimeSpan? Interval { get; init; }
    public TimeSpan? Timeout { get; init; }
    public int? Retries { get; init; }
    public TimeSpan? StartPeriod { get; init; }
    /// <summary>Probe interval during the start period (compose <c>start_interval</c>).</summary>
    public TimeSpan? StartInterval { get; init; }
}
