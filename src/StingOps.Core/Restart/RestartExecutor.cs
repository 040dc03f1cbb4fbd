using System.Threading.Channels;
using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Configuration;
using StingOps.Core.Engine;
using StingOps.Core.Graph;
using StingOps.Core.Health;

namespace StingOps.Core.Restart;

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
    private readonly LifecycleHooks _hooks;

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
        _hooks = new LifecycleHooks(engine, _redact);
    }

    /// <summary>Each service's start to ready from its recent history; a service missing here is probed on today's schedule.</summary>
    public IReadOnlyDictionary<string, ReadyTimeEstimate> History { get; init; } = new Dictionary<string, ReadyTimeEstimate>();

    /// <summary>
    /// Starts the run and returns its events; the run ends when the reader has drained them.
    /// <paramref name="containers"/> maps each planned service to its container (absent: not created).
    /// </summary>
    /// <param name="record">Told of each lifecycle event synchronously, before the engine is asked to act on it
    /// (the run journal: a stop must be on disk before it happens, or a kill in between leaves it unreported).</param>
    public ChannelReader<RestartEvent> Run(
        RestartPlan plan, string project, string runId, IReadOnlyDictionary<string, ContainerSummary> containers,
        CancellationToken cancellationToken, Action<RestartEvent>? record = null)
    {
        var channel = Channel.CreateUnbounded<RestartEvent>(new UnboundedChannelOptions { SingleReader = true });
        _ = Task.Run(async () =>
        {
            try
            {
                await new RunState(this, plan, project, runId, containers, channel.Writer, record ?? (_ => { })).ExecuteAsync(cancellationToken).ConfigureAwait(false);
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
        IReadOnlyDictionary<string, ContainerSummary> containers, ChannelWriter<RestartEvent> events, Action<RestartEvent> record)
    {
        private readonly Dictionary<string, TaskCompletionSource<bool>> _stopped = Sources(plan);
        // The current attempt's start: a retry replaces it, unless a dependent already started on it (_gate guards both).
        private readonly Dictionary<string, TaskCompletionSource<bool>> _started = Sources(plan);
        private readonly Dictionary<string, List<string>> _startedOnTop = plan.Steps.ToDictionary(s => s.Service, _ => new List<string>(), StringComparer.Ordinal);
        // Per service, its current attempt's death after its start request, as the engine's events report it (_gate guards it).
        private readonly Dictionary<string, Task> _diedSinceStart = new(StringComparer.Ordinal);
        private readonly object _gate = new();
        private readonly Dictionary<string, TaskCompletionSource<bool>> _ready = Sources(plan);
        private readonly Dictionary<string, TaskCompletionSource<bool>> _completed = Sources(plan);
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _succeeded = new(StringComparer.Ordinal);
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> _readyAt = new(StringComparer.Ordinal);
        // One look per dependency per engine outage, shared by its dependents (_gate guards it).
        private readonly Dictionary<string, (DateTimeOffset Since, Task<bool> Check)> _recheck = new(StringComparer.Ordinal);
        // One wait per death of a ready dependency for its restart policy to revive it, shared by its dependents (_gate guards it).
        private readonly Dictionary<string, (Task Death, Task<bool> Check)> _revival = new(StringComparer.Ordinal);
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _diedAfterReady = new(StringComparer.Ordinal);
        private volatile string? _criticalFailure;
        private ReadinessWaiter _waiter = null!;
        private EngineEventHub? _hub;

        private TimeProvider Time => owner._time;
        private IContainerEngine Engine => owner._engine;

        private static Dictionary<string, TaskCompletionSource<bool>> Sources(RestartPlan plan) =>
            plan.Steps.ToDictionary(s => s.Service, _ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously), StringComparer.Ordinal);

        public async Task ExecuteAsync(CancellationToken cancellationToken)
        {
            _hub = await EngineEventHub.StartAsync(Engine, project, Time, Note, cancellationToken).ConfigureAwait(false);
            await using var hub = _hub;
            _waiter = new ReadinessWaiter(Engine, owner._probes, _hub, Time, owner._options.HealthCheckInterval, owner._redact);
            var runStart = Time.GetUtcNow();
            var tasks = plan.Steps.Select(step => Task.Run(() => RunServiceAsync(step, cancellationToken), CancellationToken.None));
            await Task.WhenAll(tasks).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
                return;
            var outage = _hub.EventsLostSince(runStart);
            var died = _succeeded.Keys.Where(s => _diedAfterReady.ContainsKey(s) || DiedSinceStart(s)).ToHashSet(StringComparer.Ordinal);
            if (outage || died.Count > 0)
                await WarnOfReadyServicesNowDownAsync(outage, died).ConfigureAwait(false);
        }

        /// <summary>
        /// A service reported ready may be down by the end of the run, which its result cannot say: an engine that went
        /// away (dockerd restarted) stopped every container and its restart policies bring back only some; or the
        /// service itself died after it was ready (a crash, a docker kill). One list call after the run tells.
        /// </summary>
        private async Task WarnOfReadyServicesNowDownAsync(bool outage, IReadOnlySet<string> diedAfterReady)
        {
            if (_succeeded.IsEmpty)
                return;
            IReadOnlyList<ContainerSummary> now;
            try
            {
                now = await Engine.ListProjectContainersAsync(project, CancellationToken.None).ConfigureAwait(false);
            }
            catch (StingException e)
            {
                events.TryWrite(new RunWarning(Time.GetUtcNow(), $"The engine was unavailable during the run, and whether the services that were ready before still run cannot be told now: {owner._redact(e.Message)}"));
                return;
            }
            var running = now.Where(c => c.State == "running").Select(c => c.Service).ToHashSet(StringComparer.Ordinal);
            var down = _succeeded.Keys.Where(s => !running.Contains(s)).Order(StringComparer.Ordinal).ToList();
            // The daemon's own stop is a death too (its events may arrive before the stream breaks): with an outage, say that.
            var stoppedByOutage = outage ? down : [];
            var died = outage ? [] : down.Where(diedAfterReady.Contains).ToList();
            if (stoppedByOutage.Count > 0)
                events.TryWrite(new RunWarning(Time.GetUtcNow(),
                    $"The engine was unavailable during the run: {string.Join(", ", stoppedByOutage)} became ready before and {(stoppedByOutage.Count == 1 ? "is" : "are")} not running now " +
                    "(the engine's restart policy did not bring them back). Run Restart-StingService again to start them in dependency order."));
            if (died.Count > 0)
                events.TryWrite(new RunWarning(Time.GetUtcNow(),
                    $"{string.Join(", ", died)} became ready and died later in the run, and {(died.Count == 1 ? "is" : "are")} not running now " +
                    "(no restart policy brought them back; what needs them was not started on them). Run Restart-StingService again to start them in dependency order."));
        }

        private void Note(string message) => events.TryWrite(new RunNote(Time.GetUtcNow(), message));

        private void Phase(string service, ServicePhase phase, string? detail = null) =>
            Emit(new ServicePhaseChanged(Time.GetUtcNow(), service, phase, detail));

        private void Emit(RestartEvent e)
        {
            record(e);
            events.TryWrite(e);
        }

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
            StartedSignal(step.Service).TrySetResult(false);
            _ready[step.Service].TrySetResult(false);
            _completed[step.Service].TrySetResult(false);
            if (outcome.Status is OutcomeStatus.Succeeded or OutcomeStatus.Started or OutcomeStatus.AlreadyRunning)
                _succeeded[step.Service] = true;
            else if (outcome.Status != OutcomeStatus.Stopped)
                Phase(step.Service, ServicePhase.Failed, outcome.Message);
            Emit(new ServiceFinished(Time.GetUtcNow(), outcome));
        }

        private async Task<ServiceOutcome> RestartAsync(PlanStep step, Tracker tracker, CancellationToken cancellationToken)
        {
            containers.TryGetValue(step.Service, out var container);
            if (step.Action == StepAction.Keep)
                return await KeepAsync(step, container, tracker, cancellationToken).ConfigureAwait(false);
            if (step.Action == StepAction.Stop && container is not { State: "running" or "restarting" or "paused" })
            {
                _stopped[step.Service].TrySetResult(true);
                return tracker.Outcome(OutcomeStatus.Stopped, OutcomeReason.None, container is null ? "no container: nothing to stop" : "already stopped");
            }
            // Stop: after every dependent in the plan has stopped.
            var dependents = plan.Graph[step.Service].Dependents.Where(plan.Contains).ToList();
            var stopped = await Task.WhenAll(dependents.Select(d => _stopped[d].Task)).WaitAsync(cancellationToken).ConfigureAwait(false);
            // A stop that a dependent survived (its pre_stop hook failed) must not strand it on a stopped dependency.
            if (step.Action == StepAction.Stop && dependents.Where((_, i) => !stopped[i]).ToList() is { Count: > 0 } running)
            {
                _stopped[step.Service].TrySetResult(false);
                return tracker.Outcome(OutcomeStatus.Skipped, OutcomeReason.Dependency,
                    $"not stopped: {string.Join(", ", running.Order(StringComparer.Ordinal))} still {(running.Count == 1 ? "runs" : "run")} on it");
            }
            if (container is not null && step.Action != StepAction.Start)
            {
                cancellationToken.ThrowIfCancellationRequested();
                tracker.StopRequestedAt = Time.GetUtcNow();
                Phase(step.Service, ServicePhase.Stopping);
                // As compose: a failing pre_stop hook leaves the container running.
                if (await PreStopAsync(step, container, cancellationToken).ConfigureAwait(false) is { } hookFailure)
                    return tracker.Outcome(OutcomeStatus.Failed, OutcomeReason.HealthCheck, hookFailure + "; the service was not stopped");
                var died = _hub!.WhenDied(container.Id, Time.GetUtcNow());
                // Not cancelled with the run: an operation in flight finishes.
                var stop = StopAsync(step, container, cancellationToken);
                // Once it is dead its dependencies may stop; its own start still waits for the stop call to end.
                await Task.WhenAny(stop, died).ConfigureAwait(false);
                if (!stop.IsCompleted)
                    MarkStopped(step.Service, tracker);
                await stop.ConfigureAwait(false);
                MarkStopped(step.Service, tracker);
            }
            _stopped[step.Service].TrySetResult(true);
            if (step.Action == StepAction.Stop)
                return tracker.Outcome(OutcomeStatus.Stopped, OutcomeReason.None, "stopped");

            // Start: the moment every dependency in the plan satisfies its condition.
            if (await WaitForDependenciesAsync(step, cancellationToken).ConfigureAwait(false) is { } unmet)
            {
                // A dependency that the cancel itself stopped short says nothing about this service: it was cancelled too.
                cancellationToken.ThrowIfCancellationRequested();
                return tracker.Outcome(OutcomeStatus.Skipped, OutcomeReason.Dependency,
                    $"not started: dependency '{unmet.Dependency.Service}' {unmet.What}" +
                    (tracker.StoppedAt is null ? "" : "; the service is left stopped"));
            }
            if (_criticalFailure is { } critical)
            {
                ReleaseClaims(step);
                return tracker.Outcome(OutcomeStatus.Skipped, OutcomeReason.Dependency,
                    $"not started: critical service '{critical}' failed" + (tracker.StoppedAt is null ? "" : "; the service is left stopped"));
            }
            if (container is null)
            {
                ReleaseClaims(step);
                if (OnlyOptionalFor(step.Service) is { } needers)
                    return tracker.Outcome(OutcomeStatus.Skipped, OutcomeReason.None,
                        $"no container for service '{step.Service}': not started; only {needers} need it, as an optional dependency (required: false)");
                return tracker.Outcome(OutcomeStatus.Failed, OutcomeReason.Engine,
                    $"no container for service '{step.Service}' in project '{project}'; create it first (docker compose up -d {step.Service})");
            }
            return await StartAndWaitAsync(step, container, tracker, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>A dependency a service cannot start on, and what became of it (for the message: "dependency 'x' ...").</summary>
        private sealed record Unmet(ServiceDependency Dependency, string What)
        {
            public Unmet(ServiceDependency dependency) : this(dependency, $"did not become {Describe(dependency.Condition)}") { }
        }

        /// <summary>
        /// Waits until every in-plan dependency meets its condition; null when they all do, else the first that
        /// cannot. Claims its service_started dependencies, so none of them is restarted by a retry beneath it.
        /// </summary>
        private async Task<Unmet?> WaitForDependenciesAsync(PlanStep step, CancellationToken cancellationToken)
        {
            var dependencies = step.DependsOn.Where(d => plan.Contains(d.Service)).ToList();
            var without = new HashSet<string>(StringComparer.Ordinal);
            while (true)
            {
                var startedSignals = new Dictionary<string, TaskCompletionSource<bool>>(StringComparer.Ordinal);
                foreach (var dep in dependencies)
                {
                    Task<bool> satisfied;
                    if (dep.Condition == DependencyCondition.ServiceStarted)
                    {
                        var signal = StartedSignal(dep.Service);
                        startedSignals[dep.Service] = signal;
                        satisfied = signal.Task;
                    }
                    else
                    {
                        satisfied = dep.Condition == DependencyCondition.ServiceCompletedSuccessfully ? _completed[dep.Service].Task : _ready[dep.Service].Task;
                    }
                    if (!await satisfied.WaitAsync(cancellationToken).ConfigureAwait(false) && !GoOnWithout(step, dep, without, startedSignals))
                        return new Unmet(dep);
                }
                // Once all are met (the engine may have gone away while the last ones were awaited).
                foreach (var dep in dependencies.Where(d => d.Condition != DependencyCondition.ServiceCompletedSuccessfully && !without.Contains(d.Service)))
                {
                    if (!await StillUpAsync(dep.Service, waitReady: dep.Condition == DependencyCondition.ServiceHealthy, step.Timeout, cancellationToken).ConfigureAwait(false)
                        && !GoOnWithout(step, dep, without, startedSignals))
                        return new Unmet(dep);
                }
                // A dependency that became ready and died since (a crash, a docker kill) is done with: no step of this
                // run starts it again, only its restart policy can. A dependent starts on it once that brought it back.
                foreach (var dep in dependencies.Where(d => d.Condition != DependencyCondition.ServiceCompletedSuccessfully && !without.Contains(d.Service)
                             && !plan.Graph.IsOneShotJob(d.Service) && ReadyThenDied(d.Service)))
                {
                    if (!await RevivedAsync(dep.Service, waitReady: dep.Condition == DependencyCondition.ServiceHealthy, step.Timeout, cancellationToken).ConfigureAwait(false)
                        && !GoOnWithout(step, dep, without, startedSignals))
                        return new Unmet(dep, "died after it was ready and is not running again");
                }
                // A service_started dependency that died after its start (and is not ready yet) is not started any more: a
                // dependent claiming it now would run on a dead dependency and bar its retry. Wait for its next attempt.
                if (startedSignals.Keys.FirstOrDefault(d => !without.Contains(d) && DiedSinceStart(d) && !_ready[d].Task.IsCompleted) is { } dead)
                {
                    Note($"{step.Service}: its dependency '{dead}' died after it started; waiting for it to be ready again.");
                    var dependency = dependencies.First(d => d.Service == dead);
                    if (!await _ready[dead].Task.WaitAsync(cancellationToken).ConfigureAwait(false) && !GoOnWithout(step, dependency, without, startedSignals))
                        return new Unmet(dependency);
                    continue;
                }
                lock (_gate)
                {
                    // A dependency that began a retry meanwhile has a new start to wait for.
                    if (startedSignals.All(p => ReferenceEquals(_started[p.Key], p.Value)))
                    {
                        foreach (var dep in startedSignals.Keys)
                            _startedOnTop[dep].Add(step.Service);
                        return null;
                    }
                }
            }
        }

        /// <summary>
        /// compose's <c>required: false</c>: an optional dependency that failed is warned about (once), not claimed and
        /// not waited for. False for a required one: the service cannot start.
        /// </summary>
        private bool GoOnWithout(PlanStep step, ServiceDependency dependency, HashSet<string> without, Dictionary<string, TaskCompletionSource<bool>> startedSignals)
        {
            if (dependency.Required)
                return false;
            startedSignals.Remove(dependency.Service);
            if (without.Add(dependency.Service))
                events.TryWrite(new RunWarning(Time.GetUtcNow(),
                    $"{step.Service}: starting without its optional dependency '{dependency.Service}' (required: false), which did not become {Describe(dependency.Condition)}."));
            return true;
        }

        /// <summary>The dependents of a service when every one of them needs it only optionally (required: false); else null.</summary>
        private string? OnlyOptionalFor(string service)
        {
            var dependents = plan.Graph[service].Dependents.Order(StringComparer.Ordinal).ToList();
            var optional = dependents.Count > 0 && dependents.All(d => plan.Graph[d].Dependencies.Where(e => e.Service == service).All(e => !e.Required));
            return optional ? string.Join(", ", dependents) : null;
        }

        /// <summary>
        /// A dependency that became ready before the engine went away is neither ready nor even running for that:
        /// dockerd's restart stopped every container and its restart policies bring some back, out of any order.
        /// So it is looked at again (started again if the daemon left it stopped, then probed for a
        /// service_healthy dependent) before a dependent starts on it.
        /// </summary>
        private Task<bool> StillUpAsync(string service, bool waitReady, TimeSpan timeout, CancellationToken cancellationToken)
        {
            if (!_readyAt.TryGetValue(service, out var readyAt) || !_hub!.EventsLostSince(readyAt))
                return Task.FromResult(true);
            var key = waitReady ? service + "|ready" : service + "|running";
            lock (_gate)
            {
                if (_recheck.TryGetValue(key, out var earlier) && !_hub.EventsLostSince(earlier.Since))
                    return earlier.Check;
                var check = RecheckAsync(service, waitReady, timeout, cancellationToken);
                _recheck[key] = (Time.GetUtcNow(), check);
                return check;
            }
        }

        private async Task<bool> RecheckAsync(string service, bool waitReady, TimeSpan timeout, CancellationToken cancellationToken)
        {
            await Task.Yield();
            if (!containers.TryGetValue(service, out var container))
                return false;
            var step = plan.Steps.First(s => s.Service == service);
            Note($"{service}: the engine was unavailable after it became ready; looking again before starting what needs it.");
            var details = await EngineOutage.RetryAsync(() => Engine.InspectAsync(container.Id, CancellationToken.None), timeout, Time, null, cancellationToken).ConfigureAwait(false);
            if (details is null)
            {
                Note($"{service}: its container is gone after the engine outage; what needs it is not started.");
                return false;
            }
            if (details.State is "exited" or "dead" or "created")
            {
                Phase(service, ServicePhase.Starting, "again: the engine restart stopped it");
                await EngineOutage.RetryAsync(() => Engine.StartAsync(container.Id, CancellationToken.None), timeout, Time, null, cancellationToken).ConfigureAwait(false);
                if (await PostStartAsync(step, container, timeout, cancellationToken).ConfigureAwait(false) is { } hookFailure)
                {
                    Note($"{service}: {hookFailure}; what needs it is not started.");
                    return false;
                }
            }
            if (!waitReady)
                return true;
            var outcome = await _waiter.WaitAsync(service, container.Id, step.Probe, step.ComposeHealthCheck, timeout, cancellationToken).ConfigureAwait(false);
            if (outcome.Ready)
                _readyAt[service] = outcome.ReadyAt ?? Time.GetUtcNow();
            else
                Note($"{service}: not ready again after the engine outage ({outcome.Message}); what needs it is not started.");
            return outcome.Ready;
        }

        /// <summary>Whether the service became ready in this run and its container died since.</summary>
        private bool ReadyThenDied(string service) =>
            _ready[service].Task is { IsCompletedSuccessfully: true, Result: true } && DiedSinceStart(service);

        /// <summary>
        /// Waits for a dependency that died after it was ready to run again (and, for a service_healthy dependent, to
        /// be ready again): only its restart policy brings it back, so a container the engine does not report as
        /// restarting stays down, and what needs it is not started.
        /// </summary>
        private Task<bool> RevivedAsync(string service, bool waitReady, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var key = waitReady ? service + "|ready" : service + "|running";
            lock (_gate)
            {
                var death = _diedSinceStart[service];
                if (_revival.TryGetValue(key, out var earlier) && ReferenceEquals(earlier.Death, death))
                    return earlier.Check;
                var check = AwaitRevivalAsync(service, waitReady, timeout, cancellationToken);
                _revival[key] = (death, check);
                return check;
            }
        }

        private async Task<bool> AwaitRevivalAsync(string service, bool waitReady, TimeSpan timeout, CancellationToken cancellationToken)
        {
            await Task.Yield();
            _diedAfterReady[service] = true;
            var container = containers[service];
            var step = plan.Steps.First(s => s.Service == service);
            var began = Time.GetTimestamp();
            var pause = ReadinessWaiter.FirstInterval;
            Note($"{service}: it died after it was ready; what needs it waits for its restart policy to bring it back.");
            while (true)
            {
                var looked = Time.GetUtcNow();
                var details = await EngineOutage.RetryAsync(() => Engine.InspectAsync(container.Id, CancellationToken.None), timeout, Time, null, cancellationToken).ConfigureAwait(false);
                if (details is null)
                {
                    Note($"{service}: its container is gone since it died; what needs it is not started.");
                    return false;
                }
                if (details.IsRunning)
                {
                    // Its new life may die too: watched from before this look, so no death in between goes unseen.
                    lock (_gate)
                        _diedSinceStart[service] = _hub!.WhenDied(container.Id, looked);
                    break;
                }
                var left = timeout - Time.GetElapsedTime(began);
                // "restarting": the policy starts it again after its back-off. Anything else stays down (a docker kill or stop,
                // no policy, or one that gave up).
                if (details.State != "restarting" || left <= TimeSpan.Zero)
                {
                    Note($"{service}: it died after it was ready and is {details.State} (exit code {details.ExitCode ?? -1}); what needs it is not started.");
                    return false;
                }
                await Task.Delay(pause < left ? pause : left, Time, cancellationToken).ConfigureAwait(false);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.TicksPerSecond));
            }
            if (!waitReady)
                return true;
            var remaining = timeout - Time.GetElapsedTime(began);
            var outcome = await _waiter.WaitAsync(service, container.Id, step.Probe, step.ComposeHealthCheck,
                remaining > TimeSpan.Zero ? remaining : TimeSpan.FromTicks(1), cancellationToken).ConfigureAwait(false);
            if (outcome.Ready)
                _readyAt[service] = outcome.ReadyAt ?? Time.GetUtcNow();
            else
                Note($"{service}: its restart policy brought it back after it died, and it is not ready again ({outcome.Message}); what needs it is not started.");
            return outcome.Ready;
        }

        private void MarkStopped(string service, Tracker tracker)
        {
            if (tracker.StoppedAt is not null)
                return;
            tracker.StoppedAt = Time.GetUtcNow();
            Phase(service, ServicePhase.Stopped);
            _stopped[service].TrySetResult(true);
        }

        /// <summary>Stops the container, trying again while the engine is away (within the service's timeout).</summary>
        private Task StopAsync(PlanStep step, ContainerSummary container, CancellationToken cancellationToken) =>
            EngineOutage.RetryAsync(() => Engine.StopAsync(container.Id, step.StopGracePeriod ?? DefaultStopGrace, CancellationToken.None), step.Timeout, Time,
                reason => Note($"{step.Service}: the engine is unavailable ({owner._redact(reason)}); trying to stop it again for up to {DurationText.Seconds(step.Timeout)}."),
                cancellationToken);

        private Task<string?> PreStopAsync(PlanStep step, ContainerSummary container, CancellationToken cancellationToken) =>
            RunHooksAsync(step, container, "pre_stop", step.PreStop, ServicePhase.Stopping, step.Timeout, cancellationToken);

        private Task<string?> PostStartAsync(PlanStep step, ContainerSummary container, TimeSpan timeout, CancellationToken cancellationToken) =>
            RunHooksAsync(step, container, "post_start", step.PostStart, ServicePhase.Starting, timeout, cancellationToken);

        /// <summary>Null when there are none or all passed; otherwise what failed.</summary>
        private async Task<string?> RunHooksAsync(PlanStep step, ContainerSummary container, string kind, IReadOnlyList<ServiceHook> hooks,
            ServicePhase phase, TimeSpan timeout, CancellationToken cancellationToken)
        {
            if (hooks.Count == 0)
                return null;
            Phase(step.Service, phase, $"running its {kind} hooks");
            return await owner._hooks.RunAsync(container.Id, kind, hooks, timeout, Time, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Not starting after all: the dependencies it claimed may be retried again.</summary>
        private void ReleaseClaims(PlanStep step)
        {
            lock (_gate)
            {
                foreach (var dep in step.DependsOn)
                    if (_startedOnTop.TryGetValue(dep.Service, out var claims))
                        claims.Remove(step.Service);
            }
        }

        private bool DiedSinceStart(string service)
        {
            lock (_gate)
                return _diedSinceStart.TryGetValue(service, out var died) && died.IsCompleted;
        }

        private TaskCompletionSource<bool> StartedSignal(string service)
        {
            lock (_gate)
                return _started[service];
        }

        /// <summary>A retry restarts the container: refused once a service_started dependent runs on this attempt.</summary>
        private string? BeginRetry(string service)
        {
            lock (_gate)
            {
                if (_startedOnTop[service].Count > 0)
                    return string.Join(", ", _startedOnTop[service].Order(StringComparer.Ordinal));
                if (_started[service].Task.IsCompleted)
                    _started[service] = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                return null;
            }
        }

        private async Task<ServiceOutcome> StartAndWaitAsync(PlanStep step, ContainerSummary container, Tracker tracker, CancellationToken cancellationToken)
        {
            if (owner._recreator is { } recreator && recreator.Handles(step.Service) && !IsOneShot(step))
                return await RecreateAsync(recreator, step, tracker, cancellationToken).ConfigureAwait(false);
            var attempts = Math.Max(1, owner._options.MaxRetries);
            ReadinessOutcome? last = null;
            tracker.Attempts = 1;
            for (var attempt = 1; attempt <= attempts; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (attempt > 1)
                {
                    if (BeginRetry(step.Service) is { } dependents)
                    {
                        return tracker.Outcome(OutcomeStatus.Failed, last!.Reason,
                            $"{last.Message} (not retried: {dependents} already started on it)", last.Diagnostics);
                    }
                    tracker.Attempts = attempt;
                    tracker.StopRequestedAt ??= Time.GetUtcNow();
                    Phase(step.Service, ServicePhase.Stopping, $"attempt {attempt} of {attempts}");
                    if (await PreStopAsync(step, container, cancellationToken).ConfigureAwait(false) is { } hookFailure)
                        return tracker.Outcome(OutcomeStatus.Failed, OutcomeReason.HealthCheck, $"{last!.Message}; not retried: {hookFailure}", last.Diagnostics);
                    await StopAsync(step, container, cancellationToken).ConfigureAwait(false);
                    // A Start step's first stop is its retry's.
                    tracker.StoppedAt ??= Time.GetUtcNow();
                }
                var attemptStarted = Time.GetTimestamp();
                var detail = attempt > 1 ? $"attempt {attempt} of {attempts}" : null;
                var restartedAfterOutage = false;
                while (true)
                {
                    Phase(step.Service, ServicePhase.Starting, detail);
                    lock (_gate)
                        _diedSinceStart[step.Service] = _hub!.WhenDiedAfterStart(container.Id);
                    await EngineOutage.RetryAsync(() => Engine.StartAsync(container.Id, CancellationToken.None), step.Timeout, Time,
                        reason => Note($"{step.Service}: the engine is unavailable ({owner._redact(reason)}); trying to start it again for up to {DurationText.Seconds(step.Timeout)}."),
                        cancellationToken).ConfigureAwait(false);
                    tracker.StartedAt ??= Time.GetUtcNow();
                    // The service's whole timeout counts from its start, as it always did (and as its message says);
                    // only a start again after an engine outage gets what is left of it.
                    var left = restartedAfterOutage ? step.Timeout - Time.GetElapsedTime(attemptStarted) : step.Timeout;
                    if (left <= TimeSpan.Zero)
                        left = TimeSpan.FromTicks(1);
                    // Before service_started dependents go: what the hook prepares (a chown, a migration) is theirs too.
                    // The hooks get the service's timeout, and the readiness wait its own after them (compose bounds neither).
                    if (await PostStartAsync(step, container, left, cancellationToken).ConfigureAwait(false) is { } hookFailure)
                        return tracker.Outcome(OutcomeStatus.Failed, OutcomeReason.HealthCheck, hookFailure);
                    StartedSignal(step.Service).TrySetResult(true);

                    if (IsOneShot(step))
                    {
                        Phase(step.Service, ServicePhase.WaitingForHealth, "waiting for it to complete");
                        last = await _waiter.WaitForExitAsync(container.Id, left, cancellationToken).ConfigureAwait(false);
                        if (last.Ready)
                            _completed[step.Service].TrySetResult(true);
                    }
                    else
                    {
                        Phase(step.Service, ServicePhase.WaitingForHealth, step.Probe.ToString());
                        // Only a first start follows the history's schedule: a retry or a start again after an outage
                        // begins later than the times were measured from.
                        var expected = attempt == 1 && !restartedAfterOutage ? owner.History.GetValueOrDefault(step.Service) : null;
                        last = await _waiter.WaitAsync(step.Service, container.Id, step.Probe, step.ComposeHealthCheck, left, cancellationToken,
                            restartCountBaseline: 0, expected: expected).ConfigureAwait(false);
                        tracker.Probes += last.Probes;
                    }
                    // A daemon restart stopped it (no restart policy brought it back): start it again, within the same timeout.
                    if (!last.StoppedByEngineOutage || Time.GetElapsedTime(attemptStarted) >= step.Timeout)
                        break;
                    detail = "again: the engine restart stopped it";
                    restartedAfterOutage = true;
                }
                if (last.Ready)
                {
                    tracker.ReadyAt = last.ReadyAt;
                    _readyAt[step.Service] = last.ReadyAt ?? Time.GetUtcNow();
                    _ready[step.Service].TrySetResult(true);
                    Phase(step.Service, ServicePhase.Ready);
                    return tracker.Outcome(step.Action == StepAction.Start ? OutcomeStatus.Started : OutcomeStatus.Succeeded, OutcomeReason.None,
                        attempt == 1 ? "ready" : $"ready after {attempt} attempts");
                }
                // Restarting helps neither an engine failure nor a probe the engine could not run (the container may be fine).
                if (last.Reason == OutcomeReason.Engine || last.ProbeInconclusive)
                    break;
            }
            return tracker.Outcome(OutcomeStatus.Failed, last!.Reason,
                attempts > 1 ? $"{last.Message} (after {tracker.Attempts} attempts)" : last.Message, last.Diagnostics);
        }

        /// <summary>
        /// A service the run leaves alone: nothing is stopped or started, its readiness is confirmed (at once when the
        /// engine already says healthy) and releases its dependents. A completed one-shot job is not run again.
        /// </summary>
        private async Task<ServiceOutcome> KeepAsync(PlanStep step, ContainerSummary? container, Tracker tracker, CancellationToken cancellationToken)
        {
            _stopped[step.Service].TrySetResult(true);
            if (container is null)
                return tracker.Outcome(OutcomeStatus.Failed, OutcomeReason.Engine,
                    $"no container for service '{step.Service}' in project '{project}'; create it first (docker compose up -d {step.Service})");
            lock (_gate)
                _diedSinceStart[step.Service] = _hub!.WhenDied(container.Id, Time.GetUtcNow());
            StartedSignal(step.Service).TrySetResult(true);
            ReadinessOutcome outcome;
            if (IsOneShot(step))
            {
                Phase(step.Service, ServicePhase.WaitingForHealth, "already started: waiting for it to complete");
                outcome = await _waiter.WaitForExitAsync(container.Id, step.Timeout, cancellationToken).ConfigureAwait(false);
                if (!outcome.Ready)
                    return tracker.Outcome(OutcomeStatus.Failed, outcome.Reason, outcome.Message, outcome.Diagnostics);
                _completed[step.Service].TrySetResult(true);
                return tracker.Outcome(OutcomeStatus.Skipped, OutcomeReason.None, step.Why ?? "completed successfully; not run again");
            }
            Phase(step.Service, ServicePhase.WaitingForHealth, $"already running: {step.Probe}");
            outcome = await _waiter.WaitAsync(step.Service, container.Id, step.Probe, step.ComposeHealthCheck, step.Timeout, cancellationToken).ConfigureAwait(false);
            tracker.Probes += outcome.Probes;
            if (!outcome.Ready)
                return tracker.Outcome(OutcomeStatus.Failed, outcome.Reason,
                    $"running, not ready: {outcome.Message} (it was left alone; Restart-StingService restarts it)", outcome.Diagnostics);
            _readyAt[step.Service] = outcome.ReadyAt ?? Time.GetUtcNow();
            _ready[step.Service].TrySetResult(true);
            Phase(step.Service, ServicePhase.Ready);
            return tracker.Outcome(OutcomeStatus.AlreadyRunning, OutcomeReason.None, step.Why ?? "running and ready: left alone");
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
                    StartedSignal(step.Service).TrySetResult(true);
                    Phase(step.Service, ServicePhase.WaitingForHealth, step.Probe.ToString());
                    return _waiter.WaitAsync(step.Service, id, step.Probe, step.ComposeHealthCheck, step.Timeout, cancellationToken, restartCountBaseline: 0);
                },
                detail => Phase(step.Service, ServicePhase.Starting, detail),
                cancellationToken).ConfigureAwait(false);
            if (result.Ready)
            {
                // The new container, or the old one brought back: either way dependents may start on it.
                tracker.ReadyAt = result.ReadyAt;
                _readyAt[step.Service] = result.ReadyAt ?? Time.GetUtcNow();
                _ready[step.Service].TrySetResult(true);
                Phase(step.Service, ServicePhase.Ready);
            }
            return tracker.Outcome(result.Status, result.Reason, result.Message, result.Diagnostics);
        }

        /// <summary>A service some dependent waits on to complete (service_completed_successfully): a one-shot job.</summary>
        private bool IsOneShot(PlanStep step) =>
            plan.Graph.IsOneShotJob(step.Service);

        private static string Describe(DependencyCondition condition) => condition switch
        {
            DependencyCondition.ServiceStarted => "started",
            DependencyCondition.ServiceCompletedSuccessfully => "completed successfully",
            _ => "ready",
        };

        /// <summary>Times and attempts of one service, turned into its outcome at the end.</summary>
        private sealed class Tracker(string runId, PlanStep step)
        {
            public DateTimeOffset? StopRequestedAt;
            public DateTimeOffset? StoppedAt;
            public DateTimeOffset? StartedAt;
            public DateTimeOffset? ReadyAt;
            public int Attempts;
            public ProbeTally Probes;

            public ServiceOutcome Outcome(OutcomeStatus status, OutcomeReason reason, string message, string? diagnostics = null) =>
                new(runId, step.Service, status, reason, Attempts, step.Wave, StoppedAt, StartedAt, ReadyAt, message)
                {
                    Probes = Probes,
                    StopRequestedAt = StopRequestedAt,
                    Diagnostics = diagnostics,
                };
        }
    }
}
