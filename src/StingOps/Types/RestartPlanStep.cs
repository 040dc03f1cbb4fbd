namespace StingOps;

/// <summary>One step of the ordered plan a restart would run (CONTRACT.md: StingOps.RestartPlanStep).</summary>
public sealed class RestartPlanStep
{
    public string Service { get; init; } = "";
    public int Wave { get; init; }
    public string[] DependsOn { get; init; } = [];
    public TimeSpan Timeout { get; init; }
    public string HealthCheck { get; init; } = "";
    public bool Critical { get; init; }

    public override string ToString() => Service;
}
