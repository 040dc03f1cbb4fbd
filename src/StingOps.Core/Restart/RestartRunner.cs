using System.Threading.Channels;
using StingOps.Core.Common;
using StingOps.Core.Engine;
using StingOps.Core.Graph;
using StingOps.Core.Health;
using StingOps.Core.Metrics;
using StingOps.Core.Project;

namespace StingOps.Core.Restart;

/// <summary>A restart that has been planned against the live project but not yet started.</summary>
public sealed record PreparedRestart(
    StingProject Project,
    RestartPlan Plan,
    IReadOnlyDictionary<string, ContainerSummary> Containers,
    /// <summary>Dependencies outside the plan that are not ready, as "service needs dependency (state)"; optional ones too.</summary>
    IReadOnlyList<UnreadyDependency> UnreadyDependencies)
{
    /// <summary>The unready dependencies that refuse the run (all but compose's <c>required: false</c> ones).</summary>
    public IReadOnlyList<UnreadyDependency> Blocking => UnreadyDependencies.Where(u => u.Required).ToList();
}

/// <summary>
/// One restart run from plan to outcome: reads the live project (no writes), refuses what cannot
/// succeed, takes the project's lock, runs the executor, records every outcome in the metrics files
/// (also of cancelled and refused runs) and releases the lock whatever happens.
/// </summary>
/// <param name="engine">The compose project's engine; null for a run that always brings its own executor (a Swarm stack).</param>
public sealed class RestartRunner(IContainerEngine? engine, TimeProvider time, string stateDirectory, string metricsDirectory, Func<string, string>? redact = null)
{
    private IContainerEngine Engine => engine ?? throw new InvalidOperationException("a compose run needs the container engine");

    /// <summary>Reads only: engine reachability, containers, plan, readiness of outside dependencies.</summary>
    public async Task<PreparedRestart> PrepareAsync(StingProject project, RestartRequest request, CancellationToken cancellationToken)
    {
        await Engine.GetInfoAsync(cancellationToken).ConfigureAwait(false);
        var containers = await Engine.ListProjectContainersAsync(project.Name, cancellationToken).ConfigureAwait(false);
        var graph = project.Graph(containers);
        var plan = RestartPlan.Create(graph, project.Options, request);
        return await PrepareAsync(project, plan, ServiceContainers.ByService(containers), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads only: the readiness of outside dependencies, for a plan made from containers already listed.</summary>
    public async Task<PreparedRestart> PrepareAsync(StingProject project, RestartPlan plan, IReadOnlyDictionary<string, ContainerSummary> containers,
        CancellationToken cancellationToken)
    {
        var unready = await new DependencyReadiness(Engine, time, redact).FindUnreadyAsync(project, plan, containers, cancellationToken).ConfigureAwait(false);
        return new PreparedRestart(project, plan, containers, unready);
    }

    /// <summary>Takes the lock (or throws StingRestartLocked) and starts the run; the lock is released when the events end.</summary>
    /// <param name="recreator">-Recreate: the services to recreate instead of restarting, snapshots already saved.</param>
    /// <param name="underLock">Runs once the lock is held, before anything is touched (before_restart); when it throws, the
    /// lock is released and the run does not start.</param>
    /// <param name="executor">What carries the plan out; null: the compose project's containers (a <see cref="RestartExecutor"/>).</param>
    public async Task<ChannelReader<RestartEvent>> StartAsync(PreparedRestart prepared, string runId, CancellationToken cancellationToken,
        IServiceRecreator? recreator = null, Func<CancellationToken, Task>? underLock = null, IPlanExecutor? executor = null)
    {
        var options = prepared.Project.Options;
        var lockHandle = await RestartLock.AcquireAsync(stateDirectory, prepared.Project.Name, options.LockTimeout, time, cancellationToken).ConfigureAwait(false);
        if (underLock is not null)
        {
            try
            {
                await underLock(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                lockHandle.Dispose();
                throw;
            }
        }
        var output = Channel.CreateUnbounded<RestartEvent>(new UnboundedChannelOptions { SingleReader = true });
        if (lockHandle.TakenOverFrom is { } stale)
            output.Writer.TryWrite(new RunWarning(time.GetUtcNow(), $"Took over a stale restart lock of pid {stale.Pid} (since {stale.Since:u}), which no longer runs."));
        // Holding the lock proves the writer of an unfinished journal is gone: that run was interrupted.
        foreach (var optional in prepared.UnreadyDependencies.Where(u => !u.Required))
            output.Writer.TryWrite(new RunWarning(time.GetUtcNow(),
                $"{optional.Service}: its optional dependency '{optional.Dependency}' (required: false) is {optional.Observed}; restarting without it."));
        if (RunJournal.Read(stateDirectory, prepared.Project.Name) is { Completed: false } interrupted)
            output.Writer.TryWrite(new RunWarning(time.GetUtcNow(), interrupted.Describe(s => prepared.Containers.TryGetValue(s, out var c) ? c.State == "running" : false)));
        var journal = new JournalKeeper(stateDirectory, prepared.Project.Name, runId, prepared.Plan.Steps.Select(s => s.Service).ToList(), time,
            message => output.Writer.TryWrite(new RunWarning(time.GetUtcNow(), message)));
        var history = ReadHistory(prepared.Project.Name, message => output.Writer.TryWrite(new RunNote(time.GetUtcNow(), message)));
        var estimate = RunEstimate.Of(prepared.Plan, history);
        executor ??= new ComposeExecution(prepared, readyTimes => new RestartExecutor(Engine, new ProbeRunner(Engine), time, options, redact, recreator) { History = readyTimes });
        var began = time.GetTimestamp();
        var events = executor.Run(prepared.Plan, runId, history.ReadyTimes, journal.Record, cancellationToken);
        _ = Task.Run(async () =>
        {
            var outcomes = new List<ServiceOutcome>();
            Exception? failure = null;
            try
            {
                await foreach (var e in events.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
                {
                    if (e is ServiceFinished f)
                        outcomes.Add(f.Outcome);
                    output.Writer.TryWrite(e);
                }
                var slow = SlowerThanEstimated(estimate, time.GetElapsedTime(began));
                if (slow is not null)
                    output.Writer.TryWrite(new RunNote(time.GetUtcNow(), slow));
                if (Record(prepared.Project.Name, outcomes, slow, estimate.Duration) is { } warning)
                    output.Writer.TryWrite(warning);
                if (RecordReadiness(prepared, outcomes) is { } unrecorded)
                    output.Writer.TryWrite(unrecorded);
            }
            catch (Exception ex)
            {
                Record(prepared.Project.Name, outcomes);
                failure = ex;
            }
            // The lock goes before the stream ends: a caller that starts the next run the moment this one's
            // results end must find the project free (success, failure and cancellation alike).
            try
            {
                // Every outcome is out (failed and cancelled ones too): nothing was interrupted.
                journal.Complete();
                lockHandle.Dispose();
            }
            finally
            {
                output.Writer.TryComplete(failure);
            }
        }, CancellationToken.None);
        return output.Reader;
    }

    /// <summary>
    /// A named restart whose outside dependencies are not ready touches nothing: the blocked services fail
    /// with reason Dependency, the rest of the plan is skipped. Recorded like any run.
    /// </summary>
    /// <param name="done">What the run would have done to them ("restarted", "started"), for the messages.</param>
    /// <param name="hint">How to get past the refusal ("use -Force to restart anyway").</param>
    public IReadOnlyList<ServiceOutcome> Refuse(PreparedRestart prepared, string runId, string done, string hint)
    {
        var blocked = prepared.Blocking.GroupBy(u => u.Service).ToDictionary(g => g.Key, g => g.ToList());
        var outcomes = prepared.Plan.Steps.Select(step => blocked.TryGetValue(step.Service, out var deps)
            ? new ServiceOutcome(runId, step.Service, OutcomeStatus.Failed, OutcomeReason.Dependency, 0, step.Wave, null, null, null,
                $"not {done}: " + string.Join("; ", deps.Select(d => $"dependency '{d.Dependency}' is {d.Observed}")) + $" ({hint})")
            : new ServiceOutcome(runId, step.Service, OutcomeStatus.Skipped, OutcomeReason.Dependency, 0, step.Wave, null, null, null,
                $"not {done}: the run was refused because a dependency outside it is not ready")).ToList();
        Record(prepared.Project.Name, outcomes);
        return outcomes;
    }

    /// <summary>Appends the outcomes to the metrics files; a failure to record never fails the run, it warns.</summary>
    /// <param name="note">A remark for every row of the run (a run far slower than its estimate).</param>
    /// <param name="expected">The run's estimate, for every row (RestartTooSlow judges the run against it).</param>
    private RunWarning? Record(string project, IReadOnlyCollection<ServiceOutcome> outcomes, string? note = null, TimeSpan? expected = null)
    {
        // A service left alone, found stopped or a job found completed had nothing happen to it: a boot-time Repair
        // must not fill the files with no-ops. Refused and cancelled runs are still recorded (their reason is not None).
        outcomes = outcomes.Where(o => !(o.Status is OutcomeStatus.AlreadyRunning or OutcomeStatus.Stopped or OutcomeStatus.Skipped
            && o.Reason == OutcomeReason.None && o.StoppedAt is null && o.StartedAt is null)).ToList();
        if (outcomes.Count == 0)
            return null;
        try
        {
            var now = time.GetUtcNow();
            new MetricStore(metricsDirectory, time).Append(outcomes.Select(o => new RestartMetricRecord(
                o.ReadyAt ?? now, o.Service, o.Duration ?? (o.StoppedAt is { } stopped ? now - stopped : TimeSpan.Zero),
                o.Status)
            {
                RunId = o.RunId,
                Project = project,
                StartToReady = StartToReady(o),
                ExpectedRunDuration = expected,
                Attempts = o.Attempts,
                Wave = o.Wave,
                Phases = new PhaseTimes(o.StopRequestedAt, o.StoppedAt, o.StartedAt, o.ReadyAt),
                FailureReason = o.Reason,
                Message = RecordedMessage(o, note),
            }));
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or StingException)
        {
            return new RunWarning(time.GetUtcNow(), $"Could not record restart metrics in {metricsDirectory}: {ex.Message}");
        }
    }

    /// <summary>Why a service did not succeed is what its row is read for later (the report names it), with the run's note;
    /// a success keeps only the note. Outcome messages are redacted where they are made.</summary>
    private static string? RecordedMessage(ServiceOutcome o, string? note)
    {
        if (o.Status == OutcomeStatus.Succeeded || string.IsNullOrEmpty(o.Message))
            return note;
        return note is null ? o.Message : $"{o.Message}; {note}";
    }

    /// <summary>The project's history in its metrics (what the probe schedule and the estimate learn from).</summary>
    public RestartHistory ReadHistory(string project, Action<string>? note = null) => RestartHistory.Read(metricsDirectory, project, time, note);

    /// <summary>Null unless the run took far longer than its estimate (then what to tell, and to record with its rows).</summary>
    private static string? SlowerThanEstimated(RunEstimate estimate, TimeSpan took) =>
        estimate.IsFarExceededBy(took)
            ? $"The run took {DurationText.Seconds(took)}, far longer than the {DurationText.Seconds(estimate.Duration!.Value)} its history led to expect (critical path {string.Join(" -> ", estimate.CriticalPath)})."
            : null;

    /// <summary>What history learns from: a first attempt's start to ready. A retried service's start is its first
    /// attempt's, so its time would count the failed ones.</summary>
    private static TimeSpan? StartToReady(ServiceOutcome o) =>
        o is { Status: OutcomeStatus.Succeeded or OutcomeStatus.Started, Attempts: 1, StartedAt: { } started, ReadyAt: { } ready } && ready >= started
            ? ready - started
            : null;

    /// <summary>When this run saw what it started become ready (Repair's evidence of order); a failure to write warns.</summary>
    private RunWarning? RecordReadiness(PreparedRestart prepared, IReadOnlyCollection<ServiceOutcome> outcomes)
    {
        var observed = outcomes
            .Where(o => o.Status is OutcomeStatus.Succeeded or OutcomeStatus.Started && o.ReadyAt is not null && prepared.Containers.ContainsKey(o.Service))
            .Select(o => new ObservedReadiness(o.Service, prepared.Containers[o.Service].Id, o.ReadyAt!.Value))
            .ToList();
        try
        {
            ReadinessRecord.Update(stateDirectory, prepared.Project.Name, observed);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new RunWarning(time.GetUtcNow(), $"Could not record when the services became ready in {stateDirectory}: {ex.Message}");
        }
    }

    /// <summary>The compose project's containers as the run's executor.</summary>
    private sealed class ComposeExecution(PreparedRestart prepared, Func<IReadOnlyDictionary<string, ReadyTimeEstimate>, RestartExecutor> create) : IPlanExecutor
    {
        public ChannelReader<RestartEvent> Run(RestartPlan plan, string runId, IReadOnlyDictionary<string, ReadyTimeEstimate> history,
            Action<RestartEvent> record, CancellationToken cancellationToken) =>
            create(history).Run(plan, prepared.Project.Name, runId, prepared.Containers, cancellationToken, record);
    }

    public static string NewRunId(TimeProvider time) => $"{time.GetUtcNow():yyyyMMddTHHmmssZ}-{Guid.NewGuid().ToString("N")[..8]}";
}
