using StingOps.Core.Common;
using StingOps.Core.Engine;
using StingOps.Core.Graph;
using StingOps.Core.Restart;
using StingOps.Core.UseCases;

namespace StingOps;

/// <summary>Turns core results into the contract's PowerShell-facing types.</summary>
internal static class Mapper
{
    /// <param name="redact">Masks env-file secrets: a probe command may carry one literally.</param>
    public static ServiceInfo ToServiceInfo(ServiceStatus s, string project, Func<string, string> redact) => new()
    {
        Name = s.Service.Name,
        Project = project,
        State = ToState(s.State),
        Health = s.Container is null && s.Swarm is null ? (s.State == "unknown" ? ServiceHealth.Unknown : ServiceHealth.None) : ToHealth(s.Health),
        DependsOn = s.DependsOn.ToArray(),
        Dependents = s.Dependents.ToArray(),
        Profiles = s.Service.Profiles.ToArray(),
        Enabled = s.Enabled,
        Wave = s.Wave,
        Critical = s.Critical,
        ContainerId = s.Container?.Id,
        ContainerName = s.Container?.Name,
        Image = s.Container?.Image ?? s.Service.Image,
        StartedAt = null,
        HealthCheck = s.Swarm is null ? redact(s.Probe.ToString()) : "every task running (Swarm waits for each task's healthcheck)",
        Replicas = s.Swarm is { } swarm ? new ReplicaCount { Desired = swarm.Desired, Running = swarm.Running, Healthy = swarm.Healthy } : null,
        Nodes = s.Swarm?.Nodes.ToArray() ?? [],
    };

    public static ServiceInfo WithDetails(ServiceInfo info, ContainerDetails d) => new()
    {
        Name = info.Name,
        Project = info.Project,
        State = ToState(d.State),
        Health = ToHealth(d.Health),
        DependsOn = info.DependsOn,
        Dependents = info.Dependents,
        Profiles = info.Profiles,
        Enabled = info.Enabled,
        Wave = info.Wave,
        Critical = info.Critical,
        ContainerId = d.Id,
        ContainerName = d.Name,
        Image = d.Image,
        StartedAt = d.StartedAt,
        HealthCheck = info.HealthCheck,
    };

    public static ServiceState ToState(string state) => state switch
    {
        "running" => ServiceState.Running,
        "restarting" => ServiceState.Restarting,
        "paused" => ServiceState.Paused,
        "exited" => ServiceState.Exited,
        "dead" => ServiceState.Dead,
        "created" => ServiceState.Created,
        "notcreated" => ServiceState.NotCreated,
        "disabled" => ServiceState.Disabled,
        _ => ServiceState.Unknown,
    };

    public static ServiceHealth ToHealth(string? health) => health switch
    {
        null => ServiceHealth.None,
        "healthy" => ServiceHealth.Healthy,
        "unhealthy" => ServiceHealth.Unhealthy,
        "starting" => ServiceHealth.Starting,
        _ => ServiceHealth.Unknown,
    };

    /// <param name="redact">Masks env-file secrets: a probe command may carry one literally.</param>
    public static RestartPlanStep ToPlanStep(PlanStep s, Func<string, string> redact, ServiceEstimate? estimate = null) => new()
    {
        ExpectedStartToReady = estimate?.StartToReady,
        ExpectedReadyAfter = estimate?.ReadyAfter,
        Service = s.Service,
        Wave = s.Wave,
        DependsOn = s.DependencyNames.ToArray(),
        DependsOnCondition = s.DependsOn.ToDictionary(d => d.Service, d => ComposeCondition(d.Condition)),
        Timeout = s.Timeout,
        HealthCheck = redact(s.Probe.ToString()),
        Critical = s.Critical,
    };

    private static string ComposeCondition(Core.Compose.DependencyCondition c) => c switch
    {
        Core.Compose.DependencyCondition.ServiceStarted => "service_started",
        Core.Compose.DependencyCondition.ServiceCompletedSuccessfully => "service_completed_successfully",
        _ => "service_healthy",
    };

    public static RestartResult ToResult(ServiceOutcome o) => new()
    {
        RunId = o.RunId,
        Service = o.Service,
        Status = ToStatus(o.Status),
        FailureReason = ToReason(o.Reason),
        Attempts = o.Attempts,
        Wave = o.Wave,
        StoppedAt = o.StoppedAt,
        StartedAt = o.StartedAt,
        ReadyAt = o.ReadyAt,
        Duration = o.Duration,
        Message = o.Message,
        Diagnostics = o.Diagnostics,
    };

    // Spelled out, not bridged by name: the PowerShell enums are public contract and must not follow a
    // rename in the core; a new core member fails here, at the first test, instead of at a user's prompt.
    public static RestartStatus ToStatus(OutcomeStatus status) => status switch
    {
        OutcomeStatus.Succeeded => RestartStatus.Succeeded,
        OutcomeStatus.Failed => RestartStatus.Failed,
        OutcomeStatus.RolledBack => RestartStatus.RolledBack,
        OutcomeStatus.Skipped => RestartStatus.Skipped,
        OutcomeStatus.Cancelled => RestartStatus.Cancelled,
        OutcomeStatus.Started => RestartStatus.Started,
        OutcomeStatus.AlreadyRunning => RestartStatus.AlreadyRunning,
        OutcomeStatus.Stopped => RestartStatus.Stopped,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static FailureReason ToReason(OutcomeReason reason) => reason switch
    {
        OutcomeReason.None => FailureReason.None,
        OutcomeReason.Timeout => FailureReason.Timeout,
        OutcomeReason.Dependency => FailureReason.Dependency,
        OutcomeReason.HealthCheck => FailureReason.HealthCheck,
        OutcomeReason.Engine => FailureReason.Engine,
        OutcomeReason.Prerequisite => FailureReason.Prerequisite,
        OutcomeReason.Cancelled => FailureReason.Cancelled,
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };
}

/// <summary>Mapping of the pre-flight and env-file types.</summary>
internal static class PreflightMapper
{
    public static PrerequisiteResult ToResult(Core.Preflight.PrerequisiteCheckResult r) => new()
    {
        Check = r.Check.ToString(),
        Target = r.Target,
        Passed = r.Passed,
        Severity = r.Severity == Core.Preflight.PrerequisiteCheckSeverity.Error ? PrerequisiteSeverity.Error : PrerequisiteSeverity.Warning,
        Message = r.Message,
    };

    public static EnvironmentFileFinding ToFinding(Core.EnvFiles.EnvFileFinding f) => new()
    {
        Path = f.Path,
        Line = f.Line,
        Key = f.Key,
        Problem = f.Problem,
        Code = f.Code.ToString(),
        Severity = f.Severity.ToString(),
    };
}
