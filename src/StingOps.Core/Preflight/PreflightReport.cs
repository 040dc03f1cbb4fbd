using StingOps.Core.Drift;
using StingOps.Core.Engine;
using StingOps.Core.Graph;

namespace StingOps.Core.Preflight;

/// <summary>The checks' results and what they observed on the way, for the run that follows.</summary>
/// <param name="Containers">Each service's container; null when the engine could not be asked (a failed DockerEngine check says why).</param>
/// <param name="Drift">Null without containers.</param>
public sealed record PreflightReport(
    IReadOnlyList<PrerequisiteCheckResult> Results,
    IReadOnlyDictionary<string, ContainerSummary>? Containers,
    RestartPlan Plan,
    DriftSurvey? Drift)
{
    public IReadOnlyList<PrerequisiteCheckResult> Blocking => Results.Where(r => r.IsBlocking).ToList();
}
