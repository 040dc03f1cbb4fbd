namespace StingOps;

/// <summary>One step of the ordered plan a restart would run (docs/types.md: StingOps.RestartPlanStep).</summary>
public sealed class RestartPlanStep
{
    public string Service { get; init; } = "";
    public int Wave { get; init; }
    public string[] DependsOn { get; init; } = [];
    /// <summary>Each dependency's compose condition: service_started, service_healthy or service_completed_successfully.</summary>
    public IReadOnlyDictionary<string, string> DependsOnCondition { get; init; } = new Dictionary<string, string>();
    public TimeSpan Timeout { get; init; }
    public string HealthCheck { get; init; } = "";
    public bool Critical { get; init; }
    /// <summary>The median start to ready of its recorded first-attempt starts; null with too few of them.</summary>
    public TimeSpan? ExpectedStartToReady { get; init; }
    /// <summary>When it is expected ready, from the run's start (the critical path to it); null when it or a service it waits for has too little history.</summary>
    public TimeSpan? ExpectedReadyAfter { get; init; }

    public override string ToString() => Service;
}
