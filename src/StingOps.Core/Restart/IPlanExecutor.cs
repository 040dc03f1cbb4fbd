using System.Threading.Channels;
using StingOps.Core.Graph;
using StingOps.Core.Health;

namespace StingOps.Core.Restart;

/// <summary>
/// The orchestrator seam: what carries out a plan's steps and reports them as they happen. A compose project's
/// containers (<see cref="RestartExecutor"/>, the default) or a Swarm stack's services (Swarm.SwarmRestartExecutor);
/// chosen once per run by the session. The runner around it is the same for both: lock, journal, history, metrics.
/// </summary>
public interface IPlanExecutor
{
    /// <summary>Starts the run; its events end when it does, with one ServiceFinished per step.</summary>
    /// <param name="history">Each service's recorded start to ready (what the schedule and the estimate learn from).</param>
    /// <param name="record">Told of each lifecycle event synchronously, before the engine is asked to act on it (the run journal).</param>
    ChannelReader<RestartEvent> Run(RestartPlan plan, string runId, IReadOnlyDictionary<string, ReadyTimeEstimate> history,
        Action<RestartEvent> record, CancellationToken cancellationToken);
}
