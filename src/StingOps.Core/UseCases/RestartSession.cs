using System.Threading.Channels;
using StingOps.Core.Common;
using StingOps.Core.Compose.Cli;
using StingOps.Core.Drift;
using StingOps.Core.Engine;
using StingOps.Core.Graph;
using StingOps.Core.Metrics;
using StingOps.Core.Preflight;
using StingOps.Core.Project;
using StingOps.Core.Restart;

namespace StingOps.Core.UseCases;

/// <summary>What a run does to the services it plans: the verbs of Restart-, Start-, Stop- and Repair-StingService.</summary>
public enum SessionOperation { Restart, Start, Stop, Repair }

/// <summary>What the caller asked of a run (Restart-, Start-, Stop- or Repair-StingService's parameters).</summary>
public sealed record RestartSessionRequest
{
    public SessionOperation Operation { get; init; } = SessionOperation.Restart;
    /// <summary>Start: also start what the named services depend on, transitively.</summary>
    public bool IncludeDependencies { get; init; }
    /// <summary>Service names or wildcard patterns; empty: the whole project.</summary>
    public IReadOnlyList<string> Names { get; init; } = [];
    public bool IncludeDependents { get; init; }
    /// <summary>Recreate the requested services whose configuration changed (all requested ones with <see cref="Force"/>).</summary>
    public bool Recreate { get; init; }
    /// <summary>Overrides every service's timeout, the recreation's compose call included.</summary>
    public TimeSpan? Timeout { get; init; }
    public bool NoRollback { get; init; }
    /// <summary>Skips the prerequisite checks and restarts even when a dependency outside the request is not ready.</summary>
    public bool Force { get; init; }
    /// <summary>A maintenance window ('cron;duration') that overrides the config's maintenance_window.</summary>
    public string? MaintenanceWindow { get; init; }
    /// <summary>Restart, Start: the caller's step before anything stops (-BeforeRestart); overrides the config's before_restart.</summary>
    public BeforeRestartStep? BeforeRestart { get; init; }
}

/// <summary>A line for the caller to show: Verbose is the run's story, Warning needs the operator's eye.</summary>
public sealed record SessionMessage(bool IsWarning, string Text)
{
    public static SessionMessage Verbose(string text) => new(false, text);
    public static SessionMessage Warning(string text) => new(true, text);
}

/// <summary>A restart looked at and planned, not yet started: what the caller shows and confirms.</summary>
/// <param name="Refusal">Set when the run must not start (a failed prerequisite): throw it after showing <paramref name="Messages"/>.</param>
public sealed record PreparedSession(
    RestartSessionRequest Request,
    PreparedRestart Restart,
    RecreateChoice? Recreate,
    IReadOnlyList<SessionMessage> Messages,
    StingException? Refusal)
{
    public RestartPlan Plan => Restart.Plan;
}

/// <summary>A started (or refused) run: its events end when the run does.</summary>
/// <param name="Refused">The run was refused for unready dependencies: the events are only the outcomes that say so.</param>
public sealed record SessionRun(string RunId, ChannelReader<RestartEvent> Events, IReadOnlyList<SessionMessage> Messages, bool Refused);

/// <summary>
/// The restart use case: the pre-flight runs once and hands its containers, plan and drift to the run; the session
/// owns the maintenance window, the choice of what to recreate, the snapshots, the state and metrics folders and
/// the timeouts. The caller binds, shows the plan, confirms and drains; it decides nothing.
/// </summary>
/// <param name="snapshots">The engine's snapshot side, which -Recreate needs (save, and roll back); null for a plain restart.</param>
/// <param name="checker">The pre-flight; by default the real one (a seam for tests, which fake the compose CLI).</param>
public sealed class RestartSession(StingProject project, IContainerEngine engine, IContainerSnapshots? snapshots,
    IReadOnlyDictionary<string, string?> environment, TimeProvider time, Func<string, string> redact, PrerequisiteChecker? checker = null) : ILifecycleSession
{
    private readonly string _stateDirectory = StateDirectory.Resolve(environment);

    private RestartRunner Runner => new(engine, time, _stateDirectory, ProjectMetrics.Directory(project, environment), redact);

    /// <summary>How long the plan is expected to take, from the project's recorded runs (reads the metrics only).</summary>
    public RunEstimate Estimate(RestartPlan plan) => RunEstimate.Of(plan, Runner.ReadHistory(project.Name));

    /// <summary>
    /// Reads only. Throws for what the caller asked wrongly (outside the maintenance window, an unknown service); a
    /// failed prerequisite comes back as <see cref="PreparedSession.Refusal"/>, after the checks' messages.
    /// </summary>
    public async Task<PreparedSession> PrepareAsync(RestartSessionRequest request, CancellationToken cancellationToken)
    {
        // Only a restart waits for its window: what brings services up (a boot-time Repair) must never be refused for the hour.
        if (request.Operation == SessionOperation.Restart)
            MaintenanceGate.EnsureOpen(project, request.MaintenanceWindow, time);
        if (request.Operation == SessionOperation.Stop)
            return await PrepareStopAsync(request, cancellationToken).ConfigureAwait(false);
        var messages = new List<SessionMessage>();
        var regenerates = BeforeRestart.Of(project, request) is not null;
        if (regenerates)
            messages.Add(SessionMessage.Verbose("The env files are validated after the before-restart step, which runs under the lock before anything stops."));
        PreparedRestart prepared;
        DriftSurvey? drift = null;
        if (request.Force)
        {
            messages.Add(SessionMessage.Warning("-Force: the prerequisite checks are skipped."));
            prepared = await Runner.PrepareAsync(project, new RestartRequest { Names = request.Names, IncludeDependents = request.IncludeDependents, Timeout = request.Timeout },
                cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var report = await Checker().InspectAsync(project, new PrerequisiteOptions
            {
                Names = request.Names, IncludeDependents = request.IncludeDependents, IncludeDependencies = request.IncludeDependencies,
                Recreate = request.Recreate, Timeout = request.Timeout,
                // Both are judged by the run itself with their own outcomes: per-service Dependency results, StingRestartLocked.
                CheckDependencies = false, CheckLock = false,
                // The step regenerates them: what they hold now says nothing.
                CheckEnvironmentFiles = !regenerates,
            }, cancellationToken).ConfigureAwait(false);
            messages.AddRange(Describe(report.Results, request.Recreate));
            if (Refuse(report, request.Operation) is { } refusal)
                return new PreparedSession(request, new PreparedRestart(project, report.Plan, report.Containers ?? new Dictionary<string, ContainerSummary>(), []), null, messages, refusal);
            // Start and Repair judge their outside dependencies on their own plan, below.
            prepared = request.Operation == SessionOperation.Restart
                ? await Runner.PrepareAsync(project, report.Plan, report.Containers!, cancellationToken).ConfigureAwait(false)
                : new PreparedRestart(project, report.Plan, report.Containers!, []);
            drift = report.Drift;
        }
        if (request.Operation is SessionOperation.Start or SessionOperation.Repair)
            prepared = await Runner.PrepareAsync(project, await PlanAsync(request, prepared, cancellationToken).ConfigureAwait(false), prepared.Containers,
                cancellationToken).ConfigureAwait(false);
        RecreateChoice? recreate = null;
        if (request.Recreate)
        {
            drift ??= await SurveyAsync(prepared, cancellationToken).ConfigureAwait(false);
            recreate = RecreateChoice.Make(project, prepared, drift, request, k => environment.GetValueOrDefault(k), messages);
        }
        return new PreparedSession(request, prepared, recreate, messages, null);
    }

    /// <summary>The same session without the services the caller declined (per-service -Confirm); dependency readiness is judged again.</summary>
    public async Task<PreparedSession> WithoutAsync(PreparedSession session, IReadOnlyCollection<string> declined, CancellationToken cancellationToken)
    {
        if (declined.Count == 0)
            return session;
        var plan = session.Plan.Without(declined);
        if (session.Request.Operation == SessionOperation.Stop)
            return StopSession(session.Request, new PreparedRestart(project, plan, session.Restart.Containers, []));
        var restart = await Runner.PrepareAsync(project, plan, session.Restart.Containers, cancellationToken).ConfigureAwait(false);
        return session with { Restart = restart, Recreate = session.Recreate?.Without(declined), Messages = [] };
    }

    /// <summary>
    /// Starts the run (takes the lock, saves the snapshots of what it recreates). A run whose outside dependencies are
    /// not ready is refused without touching anything unless forced.
    /// </summary>
    public async Task<SessionRun> StartAsync(PreparedSession session, CancellationToken cancellationToken)
    {
        var runner = Runner;
        var runId = RestartRunner.NewRunId(time);
        var prepared = session.Restart;
        var messages = new List<SessionMessage>();
        if (SessionRefusals.UnreadyDependencies(runner, session, runId, time, messages) is { } refused)
            return refused;
        var recreator = session.Recreate is { } choice
            ? await choice.PrepareRecreatorAsync(engine, snapshots ?? throw new InvalidOperationException("-Recreate needs the engine's snapshots"), project, _stateDirectory, runId,
                rollback: !session.Request.NoRollback && project.Options.RollbackEnabled, redact, messages, cancellationToken).ConfigureAwait(false)
            : null;
        var before = BeforeRestart.Of(project, session.Request);
        try
        {
            var events = await runner.StartAsync(prepared, runId, cancellationToken, recreator,
                before is null ? null : token => RunBeforeRestartAsync(before, token)).ConfigureAwait(false);
            return new SessionRun(runId, events, messages, Refused: false);
        }
        catch
        {
            foreach (var snapshot in recreator?.Snapshots ?? [])
                SnapshotStore.Delete(snapshot);
            throw;
        }
    }

    /// <summary>Start: what does not run is started, what runs is left alone. Repair: what is out of order, judged from every container's state.</summary>
    private async Task<RestartPlan> PlanAsync(RestartSessionRequest request, PreparedRestart restart, CancellationToken cancellationToken)
    {
        var graph = restart.Plan.Graph;
        if (request.Operation == SessionOperation.Start)
            return LifecyclePlans.Start(graph, project.Options, request.Names, request.IncludeDependencies, restart.Containers, request.Timeout);
        var scope = request.Names.Count == 0 ? [] : RestartPlan.ResolveNames(graph, request.Names);
        var details = await StartupOrder.InspectAllAsync(engine, restart.Containers, cancellationToken).ConfigureAwait(false);
        var choices = StartupOrder.Judge(graph, scope, details, s => RestartPlan.EffectiveProbe(graph[s].Service, project.Options.For(s)),
            RunJournal.FindInterrupted(_stateDirectory, project.Name), ReadinessRecord.Read(_stateDirectory, project.Name));
        return RestartPlan.Of(graph, project.Options, choices, request.Timeout);
    }

    /// <summary>
    /// Stop needs no pre-flight (nothing starts), only the engine and the containers; it refuses to leave running
    /// services on a stopped dependency unless they are stopped too (-IncludeDependents) or it is forced.
    /// </summary>
    private async Task<PreparedSession> PrepareStopAsync(RestartSessionRequest request, CancellationToken cancellationToken)
    {
        await engine.GetInfoAsync(cancellationToken).ConfigureAwait(false);
        var containers = ServiceContainers.ByService(await engine.ListProjectContainersAsync(project.Name, cancellationToken).ConfigureAwait(false));
        var plan = LifecyclePlans.Stop(project.Graph(containers.Values.ToList()), project.Options, request.Names, request.IncludeDependents, containers, request.Timeout);
        return StopSession(request, new PreparedRestart(project, plan, containers, []));
    }

    /// <summary>A stop as planned (again after -Confirm declined some of it), refused when it would strand running dependents.</summary>
    private PreparedSession StopSession(RestartSessionRequest request, PreparedRestart prepared)
    {
        var stranded = LifecyclePlans.Stranded(prepared.Plan, prepared.Containers);
        if (stranded.Count == 0)
            return new PreparedSession(request, prepared, null, [], null);
        var list = string.Join(", ", stranded.Select(s => $"{s.Service} (needs {s.Dependency})"));
        if (request.Force)
            return new PreparedSession(request, prepared, null, [SessionMessage.Warning($"-Force: stopping although {list} keep running on it.")], null);
        return new PreparedSession(request, prepared, null, [], new StingException(ErrorIds.StopWouldStrandDependents, StingErrorKind.InvalidOperation,
            $"Stopping would leave running services on a stopped dependency: {list}. Nothing was touched. " +
            "Use -IncludeDependents to stop them first, or -Force to stop anyway.", target: stranded[0].Service));
    }

    /// <summary>
    /// Under the lock, before anything stops: the step runs, then the env files it wrote are validated. Either failing
    /// refuses the run untouched, with the step's output masked by the secrets of the env files before and after it.
    /// </summary>
    private async Task RunBeforeRestartAsync(BeforeRestartStep step, CancellationToken cancellationToken)
    {
        var timeout = project.Options.BeforeRestartTimeout;
        var outcome = await step(timeout, cancellationToken).ConfigureAwait(false);
        var regenerated = project.CreateRedactor();
        string Mask(string text) => regenerated(redact(text));
        if (!outcome.Succeeded)
            throw BeforeRestart.Failed(outcome, project.Name, Mask);
        var errors = project.EnvFileErrors(k => environment.GetValueOrDefault(k));
        if (errors.Count > 0)
            throw new StingException(ErrorIds.EnvironmentFileInvalid, StingErrorKind.InvalidData,
                Mask($"After the before-restart step, {errors.Count} env-file problem(s); nothing was touched:{Environment.NewLine}" +
                    string.Join(Environment.NewLine, errors.Select(e => $"  {e.Service}: {e.Finding}"))), target: project.Name);
    }

    private PrerequisiteChecker Checker() => checker ?? new(() => engine, time, _stateDirectory, environment);

    private async Task<DriftSurvey> SurveyAsync(PreparedRestart prepared, CancellationToken cancellationToken)
    {
        // The CLI of the generation that made the containers recreates them, and (v2) its config hash judges drift.
        var madeBy = ComposeGenerations.OfProject(prepared.Containers.Values.Select(c => c.Labels));
        var baseline = await DriftBaseline.DetectAsync(token => ComposeCli.DetectAsync(environment, madeBy, token), ComposeCli.LikelyFound(environment, madeBy),
            (c, token) => ComposeConfigHashes.ReadAsync(c, project.Compose, token), cancellationToken).ConfigureAwait(false);
        var services = prepared.Plan.Steps.Select(s => project.Compose.Find(s.Service)!);
        return await DriftSurvey.TakeAsync(engine, services, prepared.Containers, k => environment.GetValueOrDefault(k), baseline, cancellationToken).ConfigureAwait(false);
    }

    internal static IEnumerable<SessionMessage> Describe(IEnumerable<PrerequisiteCheckResult> results, bool recreate)
    {
        foreach (var r in results)
        {
            if (r.Passed || (recreate && r.Check == PrerequisiteCheck.ConfigDrift))
                yield return SessionMessage.Verbose($"Prerequisite {r.Check} [{r.Target}]: {(r.Passed ? "passed" : "will be applied")}: {r.Message}");
            else if (!r.IsBlocking)
                yield return SessionMessage.Warning($"{r.Check} [{r.Target}]: {r.Message}");
        }
    }

    private StingException? Refuse(PreflightReport report, SessionOperation operation) =>
        SessionRefusals.Prerequisites(report.Blocking, $"the {operation.ToString().ToLowerInvariant()} of project '{project.Name}'", project.Name,
            "Test-StingPrerequisite", forceSkips: operation == SessionOperation.Restart);

}
