namespace StingOps.Core.Configuration;

/// <summary>The <c>restart_configuration:</c> section of config.yml (docs/configuration.md), with defaults filled in.</summary>
public sealed class RestartOptions
{
    public TimeSpan DefaultTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public int MaxRetries { get; init; } = 3;
    public TimeSpan HealthCheckInterval { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan DependencyWaitTime { get; init; } = TimeSpan.FromSeconds(10);
    public bool RollbackEnabled { get; init; } = true;
    public TimeSpan LockTimeout { get; init; } = TimeSpan.Zero;
    /// <summary>A cron expression (5 fields) and a duration, when configured.</summary>
    public MaintenanceWindowSpec? MaintenanceWindow { get; init; }
    public string? MetricsDirectory { get; init; }
    /// <summary>before_restart: a shell command run under the lock before anything stops (regenerates the env files); null: none.</summary>
    public string? BeforeRestart { get; init; }
    /// <summary>before_restart_timeout: how long the before_restart command (or -BeforeRestart) may run.</summary>
    public TimeSpan BeforeRestartTimeout { get; init; } = TimeSpan.FromMinutes(5);
    public double? MinimumFreeSpaceGB { get; init; }
    /// <summary>minimum_available_memory_mb: when set, less available memory refuses a restart (unset: a warning below 256 MiB).</summary>
    public double? MinimumAvailableMemoryMB { get; init; }
    public IReadOnlyDictionary<string, ServiceRestartOptions> Services { get; init; } = new Dictionary<string, ServiceRestartOptions>();
    /// <summary>Alert thresholds (issue 6), defaulting to the restart reliability plan's "Alert Conditions" (5m; more than 3 in 24h).</summary>
    public AlertThresholds Alerts { get; init; } = new();
    /// <summary>Where the section came from, for messages; null when built-in defaults are used.</summary>
    public string? Source { get; init; }
    /// <summary>Unknown keys and similar findings (file:line).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public static RestartOptions Defaults { get; } = new();

    /// <summary>A config file that exists but has no restart_configuration: section (the defaults apply): its path, for messages.</summary>
    public string? FileWithoutSection { get; init; }

    public ServiceRestartOptions For(string service) =>
        Services.TryGetValue(service, out var s) ? s : ServiceRestartOptions.Empty;

    public TimeSpan TimeoutFor(string service) => For(service).Timeout ?? DefaultTimeout;
}

public sealed class ServiceRestartOptions
{
    public static ServiceRestartOptions Empty { get; } = new();

    public TimeSpan? Timeout { get; init; }
    public bool Critical { get; init; }
    public ProbeSpec? HealthCheck { get; init; }
    /// <summary>Extra dependency edges (service_healthy) on top of compose's depends_on.</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];
    public IReadOnlyList<string> RequiredEnvironmentKeys { get; init; } = [];
}

public enum ProbeKind
{
    /// <summary>The container's docker health status (the compose healthcheck), probed actively by exec.</summary>
    Docker,
    /// <summary>A shell command run inside the container; exit 0 = ready.</summary>
    Command,
    Http,
    Tcp,
    /// <summary>Ready as soon as the container runs.</summary>
    Running,
}

/// <summary>A configured readiness probe. <see cref="Target"/> is the command, URL or host:port.</summary>
public sealed record ProbeSpec(ProbeKind Kind, string? Target = null, bool Insecure = false)
{
    public override string ToString() => Kind switch
    {
        ProbeKind.Command => $"command: {Target}",
        ProbeKind.Http => Insecure ? $"http: {Target} (insecure)" : $"http: {Target}",
        ProbeKind.Tcp => $"tcp: {Target}",
        ProbeKind.Running => "running",
        _ => Target is null ? "docker healthcheck" : $"docker healthcheck: {Target}",
    };
}

public sealed record MaintenanceWindowSpec(string Cron, TimeSpan Duration, string? TimeZone = null);

public sealed class AlertThresholds
{
    public TimeSpan SlowRestart { get; init; } = TimeSpan.FromMinutes(5);
    public int RepeatedFailures { get; init; } = 3;
    public TimeSpan RepeatedFailuresWindow { get; init; } = TimeSpan.FromHours(24);
}
