using StingOps.Core.Graph;
using StingOps.Core.Restart;

namespace StingOps.Core.UseCases;

/// <summary>
/// One run of Restart-, Start-, Stop- or Repair-StingService from request to results, whatever orchestrates the
/// services: a compose project (<see cref="RestartSession"/>) or a Swarm stack (<see cref="SwarmSession"/>). The
/// cmdlet picks one, once, and drives it the same way: prepare, show, confirm, start, drain.
/// </summary>
public interface ILifecycleSession
{
    /// <summary>How long the plan is expected to take, from the project's recorded runs (reads the metrics only).</summary>
    RunEstimate Estimate(RestartPlan plan);

    /// <summary>Reads only. Throws for what was asked wrongly; a failed prerequisite comes back as <see cref="PreparedSession.Refusal"/>.</summary>
    Task<PreparedSession> PrepareAsync(RestartSessionRequest request, CancellationToken cancellationToken);

    /// <summary>The same session without the services the caller declined (per-service -Confirm).</summary>
    Task<PreparedSession> WithoutAsync(PreparedSession session, IReadOnlyCollection<string> declined, CancellationToken cancellationToken);

    /// <summary>Starts the run (takes the lock); refused, touching nothing, when a dependency outside it is not ready and it is not forced.</summary>
    Task<SessionRun> StartAsync(PreparedSession session, CancellationToken cancellationToken);
}
