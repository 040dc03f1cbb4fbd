using System.Threading.Channels;
using StingOps.Core.Compose;
using StingOps.Core.Configuration;
using StingOps.Core.Engine;
using StingOps.Core.Graph;
using StingOps.Core.Recreate;

namespace StingOps.Core.Execution;

/// <summary>
/// Runs a restart plan eagerly over the dependency graph: a service stops once every dependent of it in
/// the plan has stopped, and starts the moment its own dependencies satisfy their conditions — never
/// wave by wave. A failed service's dependents are not started on top of it; independent branches go on.
/// Cancellation lets container operations in flight finish and starts nothing new.
/// </summary>
public sealed class RestartExecutor
{
    private static readonly TimeSpan DefaultStopGrace = TimeSpan.FromSeconds(10);

    private readonly IContainerEngine _engine;
    private readonly IProbeRunner _probes;
    private readonly TimeProvider _time;
    private readonly RestartOptions _options;
    private readonly Func<string, string> _redact;
    private readonly IServiceRecreator? _recreator;

    /// <param name="recreator">-Recreate: the services it handles are recreated (with rollback) instead of started again.</param>
    public RestartExecutor(IContainerEngine engine, IProbeRunner probes, TimeProvider time, RestartOptions options, Func<string, string>? redact = null,
        IServiceRecreator? recreator = null)
    {
        _recreator = recreator;
        _engine = engine;
        _probes = probes;
        _time = time;
        _options = options;
        _redact = redact ?? (s => s);
    }

    /// <summary>
    /// Starts the run and returns its events; the run ends when the reader has drained them.
    /// <paramref name="containers"/> maps each planned service to its container (absent: not created).
    /// </summary>
    public ChannelReader<RestartEvent> Run(
        RestartPlan plan, string project, string runId, IReadOnlyDictionary<string, ContainerSummary> containers,
        CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<RestartEvent>(new UnboundedChannelOptions { SingleReader = true });
        _ = Task.Run(async () =>
        {
            try
            {
                await new RunState(this, plan, project, runId, containers, channel.Writer).ExecuteAsync(cancellationToken).ConfigureAwait(false);
                channel.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                channel.Writer.TryComplete(ex);
            }
        }, CancellationToken.None);
        return channel.Reader;
    }

    /// <summary>The state of one run: one task per service, coordinated through completion sources.</summary>
    private sealed class RunState(
        RestartExecutor owner, RestartPlan plan, string project, string runId,
        IReadOnlyDictionary<string, ContainerSummary> containers, ChannelWriter<RestartEvent> events)
    {
        private readonly Dictionary<string, TaskCompletionSource<bool>> _stopped = Sources(plan);
        private readonly Dictionary<string, TaskCompletionSource<bool>> _started = Sources(plan);
        private readonly Dictionary<string, TaskCompletionSource<bool>> _ready = Sources(plan);
        private readonly Dictionary<string, TaskCompletionSource<bool>> _completed = Sources(plan);
        private volatile string? _criticalFailure;
        private ReadinessWaiter _waiter = null!;
        private EngineEventHub? _hub;

        private TimeProvider Time => owner._time;
        private IContainerEngine Engine => owner._engine;

        private static Dictionary<string, TaskCompletionSource<bool>> Sources(RestartPlan plan) =>
            plan.Steps.ToDictionary(s => s.Service, _ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously), StringComparer.Ordinal);

        public async Task ExecuteAsync(CancellationToken cancellationToken)
        {
            _hub = await EngineEventHub.StartAsync(Engine, project, Warn, cancellationToken).ConfigureAwait(false);
            await using var hub = _hub;
            _waiter = new ReadinessWaiter(Engine, owner._probes, _hub, Time, owner._options.HealthCheckInterval, owner._redact);
            var tasks = plan.Steps.Select(step => Task.Run(() => RunServiceAsync(step, cancellationToken), CancellationToken.None));
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }

        private void Warn(string message) => events.TryWrite(new RunWarning(Time.GetUtcNow(), message));

        private void Phase(string service, ServicePhase phase, string? detail = null) =>
            events.TryWrite(new ServicePhaseChanged(Time.GetUtcNow(), service, phase, detail));

        private async Task RunServiceAsync(PlanStep step, CancellationToken cancellationToken)
        {
            var tracker = new Tracker(runId, step);
            ServiceOutcome outcome;
            try
            {
                outcome = await RestartAsync(step, tracker, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                outcome = tracker.Outcome(OutcomeStatus.Cancelled, OutcomeReason.Cancelled,
                    tracker.StoppedAt is null ? "run cancelled before the service was touched"
                    : tracker.StartedAt is null ? "run cancelled: the service was stopped and not started again"
                    : "run cancelled while waiting for the service to become ready");
            }
            catch (Exception ex)
            {
                outcome = tracker.Outcome(OutcomeStatus.Failed, OutcomeReason.Engine, owner._redact(ex.Message));
            }

            if (outcome.Status == OutcomeStatus.Failed && step.Critical)
                _criticalFailure ??= step.Service;
            // Whatever happened, release everyone waiting on this service.
            _stopped[step.Service].TrySetResult(tracker.StoppedAt is not null || !containers.ContainsKey(step.Service));
            _started[step.Service].TrySetResult(false);
            _ready[step.Service].TrySetResult(false);
            _completed[step.Service].TrySetResult(false);
            if (outcome.Status != OutcomeStatus.Succeeded)
                Phase(step.Service, ServicePhase.Failed, outcome.Message);
            events.TryWrite(new ServiceFinished(Time.GetUtcNow(), outcome));
        }

        private async Task<ServiceOutcome> RestartAsync(PlanStep step, Tracker tracker, CancellationToken cancellationToken)
        {
            // Stop: after every dependent in the plan has stopped.
            var dependents = plan.Graph[step.Service].Dependents.Where(plan.Contains).Select(d => _stopped[d].Task);
            await Task.WhenAll(dependents).WaitAsync(cancellationToken).ConfigureAwait(false);
            containers.TryGetValue(step.Service, out var container);
            if (container is not null)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Phase(step.Service, ServicePhase.Stopping);
                // Not cancelled with the run: an operation in flight finishes.
                await Engine.StopAsync(container.Id, step.StopGracePeriod ?? DefaultStopGrace, CancellationToken.None).ConfigureAwait(false);
                tracker.StoppedAt = Time.GetUtcNow();
                Phase(step.Service, ServicePhase.Stopped);
            }
            _stopped[step.Service].TrySetResult(true);

            // Start: the moment every dependency in the plan satisfies its condition.
            foreach (var dep in step.DependsOn.Where(d => plan.Contains(d.Service)))
            {
                var satisfied = dep.Condition switch
                {
                    DependencyCondition.ServiceStarted => _started[dep.Service].Task,
                    DependencyCondition.ServiceCompletedSuccessfully => _completed[dep.Service].Task,
                    _ => _ready[dep.Service].Task,
                };
                if (!await satisfied.WaitAsync(cancellationToken).ConfigureAwait(false))
                {
                    return tracker.Outcome(OutcomeStatus.Skipped, OutcomeReason.Dependency,
                        $"not started: dependency '{dep.Service}' did not become {Describe(dep.Condition)}" +
                        (tracker.StoppedAt is null ? "" : "; the service is left stopped"));
                }
            }
            if (_criticalFailure is { } critical)
            {
                return tracker.Outcome(OutcomeStatus.Skipped, OutcomeReason.Dependency,
                    $"not started: critical service '{critical}' failed" + (tracker.StoppedAt is null ? "" : "; the service is left stopped"));
            }
            if (container is null)
            {
                return tracker.Outcome(OutcomeStatus.Failed, OutcomeReason.Engine,
                    $"no container for service '{step.Service}' in project '{project}'; create it first (docker compose up -d {step.Service})");
            }
            return await StartAndWaitAsync(step, container, tracker, cancellationToken).ConfigureAwait(false);
        }

        private async Task<ServiceOutcome> StartAndWaitAsync(PlanStep step, ContainerSummary container, Tracker tracker, CancellationToken cancellationToken)
        {
            if (owner._recreator is { } recreator && recreator.Handles(step.Service) && !IsOneShot(step))
                return await RecreateAsync(recreator, step, tracker, cancellationToken).ConfigureAwait(false);
            var attempts = Math.Max(1, owner._options.MaxRetries);
            ReadinessOutcome? last = null;
            for (var attempt = 1; attempt <= attempts; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                tracker.Attempts = attempt;
                if (attempt > 1)
                {
                    Phase(step.Service, ServicePhase.Stopping, $"attempt {attempt} of {attempts}");
                    await Engine.StopAsync(container.Id, step.StopGracePeriod ?? DefaultStopGrace, CancellationToken.None).ConfigureAwait(false);
                }
                Phase(step.Service, ServicePhase.Starting, attempt > 1 ? $"attempt {attempt} of {attempts}" : null);
                await Engine.StartAsync(container.Id, CancellationToken.None).ConfigureAwait(false);
                tracker.StartedAt ??= Time.GetUtcNow();
                _started[step.Service].TrySetResult(true);

                if (IsOneShot(step))
                {
                    Phase(step.Service, ServicePhase.WaitingForHealth, "waiting for it to complete");
                    last = await _waiter.WaitForExitAsync(container.Id, step.Timeout, cancellationToken).ConfigureAwait(false);
                    if (last.Ready)
                        _completed[step.Service].TrySetResult(true);
                }
                else
                {
                    Phase(step.Service, ServicePhase.WaitingForHealth, step.Probe.ToString());
                    last = await _waiter.WaitAsync(step.Service, container.Id, step.Probe, step.ComposeHealthCheck, step.Timeout, cancellationToken, restartCountBaseline: 0).ConfigureAwait(false);
                }
                if (last.Ready)
                {
                    tracker.ReadyAt = last.ReadyAt;
                    _ready[step.Service].TrySetResult(true);
                    Phase(step.Service, ServicePhase.Ready);
                    return tracker.Outcome(OutcomeStatus.Succeeded, OutcomeReason.None,
                        attempt == 1 ? "ready" : $"ready after {attempt} attempts");
                }
                if (last.Reason == OutcomeReason.Engine)
                    break;
            }
            return tracker.Outcome(OutcomeStatus.Failed, last!.Reason,
                attempts > 1 ? $"{last.Message} (after {tracker.Attempts} attempts)" : last.Message);
        }

        /// <summary>One attempt: the recreator replaces the stopped container and rolls back when the new one fails.</summary>
        private async Task<ServiceOutcome> RecreateAsync(IServiceRecreator recreator, PlanStep step, Tracker tracker, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            tracker.Attempts = 1;
            tracker.StartedAt = Time.GetUtcNow();
            var result = await recreator.RecreateAsync(
                step.Service,
                id =>
                {
                    _started[step.Service].TrySetResult(true);
                    Phase(step.Service, ServicePhase.WaitingForHealth, step.Probe.ToString());
                    return _waiter.WaitAsync(step.Service, id, step.Probe, step.ComposeHealthCheck, step.Timeout, cancellationToken, restartCountBaseline: 0);
                },
                detail => Phase(step.Service, ServicePhase.Starting, detail),
                cancellationToken).ConfigureAwait(false);
            if (result.Ready)
            {
                // The new container, or the old one brought back: either way dependents may start on it.
                tracker.ReadyAt = result.ReadyAt;
                _ready[step.Service].TrySetResult(true);
                Phase(step.Service, ServicePhase.Ready);
            }
            return tracker.Outcome(result.Status, result.Reason, result.Message);
        }

        /// <summary>A service some dependent waits on to complete (service_completed_successfully): a one-shot job.</summary>
        private bool IsOneShot(PlanStep step) =>
            plan.Graph[step.Service].Dependents.Any(d =>
                plan.Graph[d].Dependencies.Any(e => e.Service == step.Service && e.Condition == DependencyCondition.ServiceCompletedSuccessfully));

        private static string Describe(DependencyCondition condition) => condition switch
        {
            DependencyCondition.ServiceStarted => "started",
            DependencyCondition.ServiceCompletedSuccessfully => "completed successfully",
            _ => "ready",
        };

        /// <summary>Times and attempts of one service, turned into its outcome at the end.</summary>
        private sealed class Tracker(string runId, PlanStep step)
        {
            public DateTimeOffset? StoppedAt;
            public DateTimeOffset? StartedAt;
            public DateTimeOffset? ReadyAt;
            public int Attempts;

            public ServiceOutcome Outcome(OutcomeStatus status, OutcomeReason reason, string message) =>
                new(runId, step.Service, status, reason, Attempts, step.Wave, StoppedAt, StartedAt, ReadyAt, message);
        }
    }
}
