using StingOps.Core.Compose;
using StingOps.Core.Engine;

namespace StingOps.Core.Drift;

/// <summary>
/// How each service's container differs from its compose files, judged once per run against one baseline; the
/// pre-flight reports it and a -Recreate run acts on the same survey.
/// </summary>
public sealed record DriftSurvey(DriftBaseline Baseline, IReadOnlyDictionary<string, ConfigDrift> ByService)
{
    /// <summary>The drift of each service that has a container (running or stopped), by config hash where the baseline has a comparable one.</summary>
    public static async Task<DriftSurvey> TakeAsync(IContainerEngine engine, IEnumerable<ComposeService> services,
        IReadOnlyDictionary<string, ContainerSummary> byService, Func<string, string?> shellEnvironment, DriftBaseline baseline,
        CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, ConfigDrift>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            if (!byService.TryGetValue(service.Name, out var summary))
                continue;
            var details = await engine.InspectAsync(summary.Id, cancellationToken).ConfigureAwait(false);
            if (details is not null)
            {
                var hash = baseline.ExpectedHashFor(summary, out var note);
                result[service.Name] = DriftDetector.Detect(service, details, shellEnvironment, hash, note, hashIsExact: DriftBaseline.HashIsExact(service));
            }
        }
        return new DriftSurvey(baseline, result);
    }
}
