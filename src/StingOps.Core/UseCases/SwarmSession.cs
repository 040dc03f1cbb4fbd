using StingOps.Core.Common;
using StingOps.Core.Engine;
using StingOps.Core.Graph;
using StingOps.Core.Preflight;
using StingOps.Core.Project;
using StingOps.Core.Restart;
using StingOps.Core.Swarm;

namespace StingOps.Core.UseCases;

/// <summary>
/// The restart use case on a Swarm stack (-StackName): the compose files give the graph, the manager gives the
/// services; the same planner, lock, journal, metrics and results as a compose run, with
/// <see cref="SwarmRestartExecutor"/> carrying the plan out. Only Restart has a meaning here: Swarm itself keeps
/// every deployed service at its desired tasks, so there is nothing stopped to start or out of order to repair, and
/// scaling to zero is not a stop (the service, its placement and its update history are all that is left of it).
/// </summary>
public sealed class SwarmSession(StingProject project, ISwarmEngine engine, IReadOnlyDictionary<string, string?> environment, TimeProvider time,
    Func<string, string> redact) : ILifecycleSession
{
    private readonly string _stateDirectory = StateDirectory.Resolve(environment);
    private SwarmStack? _stack;

    /// <summary>How often a converging service is looked at; tests of the session may shorten it.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    private RestartRunner Runner => new(null, time, _stateDirectory, ProjectMetrics.Directory(project, environment), redact);

    public RunEstimate Estimate(RestartPlan plan) => RunEstimate.Of(plan, Runner.ReadHistory(project.Name));

    public async Task<PreparedSession> PrepareAsync(RestartSessionRequest request, CancellationToken cancellationToken)
    {
        RefuseWhatSwarmHasNoMeaningFor(request);
        MaintenanceGate.EnsureOpen(project, request.MaintenanceWindow, time);
        var messages = new List<SessionMessage>();
        RestartPlan plan;
        StingException? refusal = null;
        if (request.Force)
        {
            messages.Add(SessionMessage.Warning("-Force: the prerequisite checks are skipped."));
            _stack = await SwarmStack.ReadAsync(engine, project.Name, cancellationToken).ConfigureAwait(false);
            plan = RestartPlan.Create(project.Graph(), project.Options, new RestartRequest { Names = request.Names, IncludeDependents = request.IncludeDependents, Timeout = request.Timeout });
        }
        else
        {
            var report = await new SwarmPrerequisites(() => engine, _stateDirectory).InspectAsync(project, new PrerequisiteOptions
            {
                Names = request.Names, IncludeDependents = request.IncludeDependents, Timeout = request.Timeout,
                // Judged by the run itself with their own outcomes, as for a compose project.
                CheckDependencies = false, CheckLock = false,
            }, cancellationToken).ConfigureAwait(false);
            messages.AddRange(RestartSession.Describe(report.Results, recreate: false));
            plan = report.Plan;
            _stack = report.Stack;
            refusal = Refuse(report);
        }
        var unready = _stack is null ? [] : SwarmPrerequisites.Unready(plan, _stack);
        return new PreparedSession(request, new PreparedRestart(project, plan, new Dictionary<string, ContainerSummary>(), unready), null, messages, refusal);
    }

    public Task<PreparedSession> WithoutAsync(PreparedSession session, IReadOnlyCollection<string> declined, CancellationToken cancellationToken)
    {
        if (declined.Count == 0)
            return Task.FromResult(session);
        var plan = session.Plan.Without(declined);
        var unready = _stack is null ? [] : SwarmPrerequisites.Unready(plan, _stack);
        return Task.FromResult(session with { Restart = session.Restart with { Plan = plan, UnreadyDependencies = unready }, Messages = [] });
    }

    public async Task<SessionRun> StartAsync(PreparedSession session, CancellationToken cancellationToken)
    {
        var stack = _stack ?? throw new InvalidOperationException("StartAsync before a successful PrepareAsync");
        var runner = Runner;
        var runId = RestartRunner.NewRunId(time);
        var prepared = session.Restart;
        var messages = new List<SessionMessage>();
        if (SessionRefusals.UnreadyDependencies(runner, session, runId, time, messages) is { } refused)
            return refused;
        var rollback = !session.Request.NoRollback && project.Options.RollbackEnabled;
        var executor = new SwarmRestartExecutor(engine, stack.Services, time, rollback, redact) { PollInterval = PollInterval };
        var before = BeforeRestart.Of(project, session.Request);
        var events = await runner.StartAsync(prepared, runId, cancellationToken, underLock: before is null ? null : token => RunBeforeRestartAsync(before, token),
            executor: executor).ConfigureAwait(false);
        return new SessionRun(runId, events, messages, Refused: false);
    }

    private void RefuseWhatSwarmHasNoMeaningFor(RestartSessionRequest request)
    {
        var why = request.Operation switch
        {
            SessionOperation.Stop => "Stop-StingService does not apply to a Swarm stack: Swarm keeps every deployed service at its desired tasks, and scaling " +
                "to zero is not a stop (nothing of the service is left running to start again in order). Use 'docker stack rm' to take the stack down, " +
                "or Restart-StingService -StackName to restart it in dependency order.",
            SessionOperation.Start => "Start-StingService does not apply to a Swarm stack: Swarm starts every deployed service's tasks itself and keeps them " +
                "running; there is nothing stopped to start. Deploy it with 'docker stack deploy', or restart it in dependency order with Restart-StingService -StackName.",
            SessionOperation.Repair => "Repair-StingService does not apply to a Swarm stack: Swarm replaces failed tasks itself and keeps no start order to repair " +
                "(it ignores depends_on). Restart-StingService -StackName restarts the stack in dependency order.",
            _ when request.Recreate => "-Recreate does not apply to a Swarm stack: 'docker stack deploy' applies changed compose files, with the services' own update_config.",
            _ => null,
        };
        if (why is not null)
            throw new StingException(ErrorIds.SwarmOperationNotSupported, StingErrorKind.InvalidOperation, why + " Nothing was touched.", target: project.Name);
    }

    /// <summary>The before-restart step under the lock; a failure refuses the run untouched, its output masked.</summary>
    private async Task RunBeforeRestartAsync(BeforeRestartStep step, CancellationToken cancellationToken)
    {
        var outcome = await step(project.Options.BeforeRestartTimeout, cancellationToken).ConfigureAwait(false);
        if (!outcome.Succeeded)
            throw BeforeRestart.Failed(outcome, project.Name, redact);
    }

    private StingException? Refuse(SwarmPreflightReport report) =>
        SessionRefusals.Prerequisites(report.Blocking, $"the restart of stack '{project.Name}'", project.Name,
            $"Test-StingPrerequisite -StackName {project.Name}", forceSkips: true);
}
