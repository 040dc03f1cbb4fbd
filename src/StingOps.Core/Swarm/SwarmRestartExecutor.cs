using System.Threading.Channels;
using StingOps.Core.Common;
using StingOps.Core.Engine;
using StingOps.Core.Graph;
using StingOps.Core.Health;
using StingOps.Core.Restart;

namespace StingOps.Core.Swarm;

/// <summary>
/// Restarts a Swarm stack's services in dependency order, eagerly: each service's forced update starts the moment
/// every dependency in the plan has converged (all its desired tasks of the new spec running, and healthy where it has
/// a healthcheck), so independent branches run side by side. Swarm replaces each service's tasks by the service's own
/// update_config (parallelism, delay, order, monitor, failure_action); this waits for it with the step's timeout. A
/// service that does not converge is rolled back with Swarm's rollback (unless disabled) and reported RolledBack; what
/// depends on it is Skipped and keeps running its current tasks. Swarm has no stop-then-start: a dependent is never
/// down while its dependencies update, so the order is the update order alone.
/// </summary>
public sealed class SwarmRestartExecutor(ISwarmEngine engine, IReadOnlyDictionary<string, SwarmService> services, TimeProvider time, bool rollback,
    Func<string, string>? redact = null) : IPlanExecutor
{
    /// <summary>How often a converging service is looked at (three manager reads: service, tasks, nodes).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    private readonly Func<string, string> _redact = redact ?? (s => s);
    private readonly ISwarmEngine _engine = engine;
    private readonly IReadOnlyDictionary<string, SwarmService> _services = services;
    private readonly TimeProvider _time = time;
    private readonly bool _rollback = rollback;

    public ChannelReader<RestartEvent> Run(RestartPlan plan, string runId, IReadOnlyDictionary<string, ReadyTimeEstimate> history,
        Action<RestartEvent> record, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<RestartEvent>(new UnboundedChannelOptions { SingleReader = true });
        _ = Task.Run(async () =>
        {
            try
            {
                var run = new RunState(this, plan, runId, channel.Writer, record);
                await Task.WhenAll(plan.Steps.Select(step => Task.Run(() => run.StepAsync(step, cancellationToken), CancellationToken.None))).ConfigureAwait(false);
                channel.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                channel.Writer.TryComplete(ex);
            }
        }, CancellationToken.None);
        return channel.Reader;
    }

    private sealed class RunState(SwarmRestartExecutor owner, RestartPlan plan, string runId, ChannelWriter<RestartEvent> events, Action<RestartEvent> record)
    {
        private readonly Dictionary<string, TaskCompletionSource<bool>> _converged =
            plan.Steps.ToDictionary(s => s.Service, _ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously), StringComparer.Ordinal);
        private volatile string? _criticalFailure;

        private TimeProvider Time => owner._time;
        private ISwarmEngine Engine => owner._engine;

        public async Task StepAsync(PlanStep step, CancellationToken cancellationToken)
        {
            var tracker = new Tracker(runId, step);
            ServiceOutcome outcome;
            try
            {
                outcome = await RestartAsync(step, tracker, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                outcome = tracker.Outcome(OutcomeStatus.Cancelled, OutcomeReason.Cancelled, tracker.StoppedAt is null
                    ? "run cancelled before the service was touched"
                    : "run cancelled while Swarm replaced the service's tasks; Swarm goes on with the update (docker service ps shows it)");
            }
            catch (Exception ex)
            {
                outcome = tracker.Outcome(OutcomeStatus.Failed, OutcomeReason.Engine, owner._redact(ex.Message));
            }
            if (outcome.Status is OutcomeStatus.Failed or OutcomeStatus.RolledBack && step.Critical)
                _criticalFailure ??= step.Service;
            _converged[step.Service].TrySetResult(outcome.Status == OutcomeStatus.Succeeded);
            if (outcome.Status != OutcomeStatus.Succeeded)
                Phase(step.Service, ServicePhase.Failed, outcome.Message);
            Emit(new ServiceFinished(Time.GetUtcNow(), outcome));
        }

        private async Task<ServiceOutcome> RestartAsync(PlanStep step, Tracker tracker, CancellationToken cancellationToken)
        {
            foreach (var dependency in step.DependencyNames.Where(plan.Contains))
                if (!await _converged[dependency].Task.WaitAsync(cancellationToken).ConfigureAwait(false))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    return tracker.Outcome(OutcomeStatus.Skipped, OutcomeReason.Dependency,
                        $"not restarted: dependency '{dependency}' did not converge; the service keeps running its current tasks");
                }
            if (_criticalFailure is { } critical)
                return tracker.Outcome(OutcomeStatus.Skipped, OutcomeReason.Dependency, $"not restarted: critical service '{critical}' failed");
            if (!owner._services.TryGetValue(step.Service, out var known))
                return tracker.Outcome(OutcomeStatus.Failed, OutcomeReason.Engine, $"service '{step.Service}' is not deployed in the stack");
            var service = await Engine.InspectServiceAsync(known.Id, cancellationToken).ConfigureAwait(false);
            if (service is null)
                return tracker.Outcome(OutcomeStatus.Failed, OutcomeReason.Engine, $"swarm service '{known.Name}' no longer exists");
            cancellationToken.ThrowIfCancellationRequested();

            var previous = service.ForceUpdate;
            Phase(step.Service, ServicePhase.Stopping, "forced update (docker service update --force)");
            tracker.StoppedAt = Time.GetUtcNow();
            var wanted = await Engine.ForceUpdateAsync(service, cancellationToken).ConfigureAwait(false);
            var deadline = tracker.StoppedAt.Value + step.Timeout;
            var (state, timedOut, down) = await WaitAsync(service, wanted, rollingBack: false, deadline, tracker, cancellationToken).ConfigureAwait(false);
            if (state.State == ConvergenceState.Converged)
            {
                tracker.ReadyAt = Time.GetUtcNow();
                tracker.StartedAt ??= tracker.ReadyAt;
                Phase(step.Service, ServicePhase.Ready, state.Detail);
                // A node that is down cannot be updated: say so rather than let "succeeded" claim the whole swarm.
                return tracker.Outcome(OutcomeStatus.Succeeded, OutcomeReason.None,
                    $"{state.Detail} of the new spec" + (service.HasHealthCheck ? ", healthy" : " (no healthcheck: running is all Swarm can tell)") +
                    (down.Count == 0 ? "" : $"; node(s) {string.Join(", ", down)} down, so not updated there"));
            }
            var reason = timedOut ? OutcomeReason.Timeout : OutcomeReason.HealthCheck;
            var failure = (timedOut ? $"did not converge within {DurationText.Seconds(step.Timeout)} ({state.Detail})" : $"Swarm: {state.Detail}") +
                (down.Count == 0 ? "" : $"; node(s) {string.Join(", ", down)} down");
            if (!owner._rollback)
                return tracker.Outcome(OutcomeStatus.Failed, reason, failure + "; left as Swarm has it (rollback disabled)");
            return await RollBackAsync(step, service, previous, failure, reason, tracker, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Swarm's own rollback to the spec before the forced update (unless its failure_action already started one), waited for with the step's timeout.</summary>
        private async Task<ServiceOutcome> RollBackAsync(PlanStep step, SwarmService service, ulong previous, string failure, OutcomeReason reason,
            Tracker tracker, CancellationToken cancellationToken)
        {
            var current = await Engine.InspectServiceAsync(service.Id, cancellationToken).ConfigureAwait(false)
                ?? throw new StingException(ErrorIds.EngineOperationFailed, StingErrorKind.ObjectNotFound, $"swarm service '{service.Name}' no longer exists", target: service.Name);
            if (current.UpdateStatus?.IsRollback == true)
                Note($"{step.Service}: Swarm is rolling the service back by its update_config failure_action.");
            else
            {
                Phase(step.Service, ServicePhase.Stopping, "rolling back to the previous spec (docker service rollback)");
                await Engine.RollbackAsync(current, cancellationToken).ConfigureAwait(false);
            }
            var (state, _, _) = await WaitAsync(current, previous, rollingBack: true, Time.GetUtcNow() + step.Timeout, null, cancellationToken).ConfigureAwait(false);
            return state.State == ConvergenceState.Converged
                ? tracker.Outcome(OutcomeStatus.RolledBack, reason, $"{failure}; rolled back to the previous spec ({state.Detail})")
                : tracker.Outcome(OutcomeStatus.Failed, reason, $"{failure}; the rollback did not complete either ({state.Detail})");
        }

        /// <summary>Polls until the service converges to the spec of <paramref name="forceUpdate"/>, fails, or the deadline passes.</summary>
        private async Task<(Convergence State, bool TimedOut, IReadOnlyList<string> DownNodes)> WaitAsync(SwarmService service, ulong forceUpdate, bool rollingBack, DateTimeOffset deadline,
            Tracker? tracker, CancellationToken cancellationToken)
        {
            while (true)
            {
                var current = await Engine.InspectServiceAsync(service.Id, cancellationToken).ConfigureAwait(false)
                    ?? throw new StingException(ErrorIds.EngineOperationFailed, StingErrorKind.ObjectNotFound, $"swarm service '{service.Name}' was removed during the run", target: service.Name);
                var tasks = await Engine.ListTasksAsync(service.Id, cancellationToken).ConfigureAwait(false);
                var nodes = await Engine.ListNodesAsync(cancellationToken).ConfigureAwait(false);
                var ready = nodes.Where(n => n.IsReady).Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
                var down = nodes.Where(n => !n.IsReady).Select(n => n.DisplayName).ToList();
                var state = Convergence.Judge(current, forceUpdate, tasks, ready, rollingBack);
                if (tracker is not null && tracker.StartedAt is null && state.Started > 0)
                {
                    tracker.StartedAt = Time.GetUtcNow();
                    Phase(tracker.Service, ServicePhase.WaitingForHealth, state.Detail);
                }
                if (state.State != ConvergenceState.Converging)
                    return (state, false, down);
                var left = deadline - Time.GetUtcNow();
                if (left <= TimeSpan.Zero)
                    return (state, true, down);
                await Task.Delay(left < owner.PollInterval ? left : owner.PollInterval, Time, cancellationToken).ConfigureAwait(false);
            }
        }

        private void Note(string message) => events.TryWrite(new RunNote(Time.GetUtcNow(), message));

        private void Phase(string service, ServicePhase phase, string? detail = null) =>
            Emit(new ServicePhaseChanged(Time.GetUtcNow(), service, phase, detail));

        private void Emit(RestartEvent e)
        {
            record(e);
            events.TryWrite(e);
        }
    }

    private sealed class Tracker(string runId, PlanStep step)
    {
        public string Service => step.Service;
        public DateTimeOffset? StoppedAt;
        public DateTimeOffset? StartedAt;
        public DateTimeOffset? ReadyAt;

        public ServiceOutcome Outcome(OutcomeStatus status, OutcomeReason reason, string message) =>
            // The forced update is the stop's request; Swarm replaces the tasks itself, so no moment of "stopped" is seen apart from it.
            new(runId, step.Service, status, reason, StoppedAt is null ? 0 : 1, step.Wave, StoppedAt, StartedAt, ReadyAt, message) { StopRequestedAt = StoppedAt };
    }
}
