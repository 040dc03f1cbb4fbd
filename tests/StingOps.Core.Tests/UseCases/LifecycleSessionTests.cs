using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Configuration;
using StingOps.Core.Graph;
using StingOps.Core.Preflight;
using StingOps.Core.Project;
using StingOps.Core.Restart;
using StingOps.Core.Tests.Engine;
using StingOps.Core.Tests.Preflight;
using StingOps.Core.UseCases;
using StingOps.Core.Compose.Cli;
using StingOps.Core.Engine;
using StingOps.Core.EnvFiles;

namespace StingOps.Core.Tests.UseCases;

/// <summary>Start and Stop through the session: what each plans from the containers' state, and what Stop refuses.</summary>
public sealed class LifecycleSessionTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("stingops-lifecycletest-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>db, app (needs db), web (needs app), log (optional for web), instantly ready on the fake engine.</summary>
    /// <param name="dbEnvFile">An env file for db (the pre-flight checks that it exists).</param>
    private (FakeEngine Engine, RestartSession Session) Session(string? dbEnvFile = null)
    {
        var engine = new FakeEngine(TimeProvider.System);
        foreach (var s in new[] { "db", "app", "web", "log" })
            engine.Add(s).StartupDelay = TimeSpan.Zero;
        var compose = new ComposeProject
        {
            Name = "proj",
            ProjectDirectory = _root,
            ComposeFiles = [Path.Combine(_root, "compose.yaml")],
            ActiveProfiles = [],
            Services =
            [
                new ComposeService { Name = "db", EnvFiles = dbEnvFile is null ? [] : [new EnvFileReference(dbEnvFile)] },
                new ComposeService { Name = "log" },
                new ComposeService { Name = "app", DependsOn = [new ServiceDependency("db", DependencyCondition.ServiceStarted)] },
                new ComposeService
                {
                    Name = "web",
                    DependsOn = [new ServiceDependency("app", DependencyCondition.ServiceStarted), new ServiceDependency("log", DependencyCondition.ServiceStarted, Required: false)],
                },
            ],
        };
        var location = new ProjectLocation { ComposeFiles = compose.ComposeFiles, ProjectDirectory = _root, ProjectName = "proj" };
        var project = StingProject.Create(location, compose, new RestartOptions { MaxRetries = 1, LockTimeout = TimeSpan.Zero });
        var environment = new Dictionary<string, string?> { ["XDG_STATE_HOME"] = Path.Combine(_root, "state"), ["STING_LOG_DIR"] = Path.Combine(_root, "metrics") };
        var checker = new PrerequisiteChecker(() => engine, TimeProvider.System, Path.Combine(_root, "state"), environment, new FakeResources(),
            (_, _) => Task.FromResult<ComposeCliInfo?>(null), (_, _, _) => throw new InvalidOperationException("no v2 CLI here"));
        return (engine, new RestartSession(project, engine, null, environment, TimeProvider.System, s => s, checker));
    }

    private static async Task<List<ServiceOutcome>> RunAsync(RestartSession session, PreparedSession prepared)
    {
        var run = await session.StartAsync(prepared, default);
        var outcomes = new List<ServiceOutcome>();
        await foreach (var e in run.Events.ReadAllAsync())
            if (e is ServiceFinished f)
                outcomes.Add(f.Outcome);
        return outcomes;
    }

    private static async Task StopAsync(FakeEngine engine, params string[] services)
    {
        foreach (var s in services)
            await engine.StopAsync(engine.IdOf(s), TimeSpan.FromSeconds(1), default);
        engine.Log.Clear();
    }

    [Fact]
    public async Task Start_of_the_project_starts_only_what_is_stopped()
    {
        var (engine, session) = Session();
        await StopAsync(engine, "app", "web");

        var prepared = await session.PrepareAsync(new RestartSessionRequest { Operation = SessionOperation.Start }, default);
        Assert.Equal(StepAction.Keep, prepared.Plan.ByService["db"].Action);
        Assert.Equal(StepAction.Start, prepared.Plan.ByService["app"].Action);
        var outcomes = await RunAsync(session, prepared);

        Assert.Equal(OutcomeStatus.AlreadyRunning, outcomes.Single(o => o.Service == "db").Status);
        Assert.Equal(OutcomeStatus.Started, outcomes.Single(o => o.Service == "app").Status);
        Assert.Equal(OutcomeStatus.Started, outcomes.Single(o => o.Service == "web").Status);
        Assert.Equal(["app", "web"], engine.Log.Where(l => l.Operation == "start").Select(l => l.Service).Order());
        Assert.DoesNotContain(engine.Log, l => l.Operation == "stop");
    }

    [Fact]
    public async Task Start_of_a_service_whose_dependency_is_stopped_is_refused_unless_it_includes_its_dependencies()
    {
        var (engine, session) = Session();
        await StopAsync(engine, "db", "app");

        var refused = await RunAsync(session, await session.PrepareAsync(new RestartSessionRequest { Operation = SessionOperation.Start, Names = ["app"] }, default));
        Assert.Equal(OutcomeStatus.Failed, refused.Single().Status);
        Assert.Contains("-IncludeDependencies", refused.Single().Message);
        Assert.DoesNotContain(engine.Log, l => l.Operation == "start");

        var outcomes = await RunAsync(session, await session.PrepareAsync(
            new RestartSessionRequest { Operation = SessionOperation.Start, Names = ["app"], IncludeDependencies = true }, default));
        Assert.Equal(["app", "db"], outcomes.Select(o => o.Service).Order());
        Assert.All(outcomes, o => Assert.Equal(OutcomeStatus.Started, o.Status));
    }

    [Fact]
    public async Task Stop_that_would_strand_a_running_dependent_is_refused_and_touches_nothing()
    {
        var (engine, session) = Session();

        var prepared = await session.PrepareAsync(new RestartSessionRequest { Operation = SessionOperation.Stop, Names = ["db"] }, default);

        Assert.Equal(ErrorIds.StopWouldStrandDependents, prepared.Refusal?.ErrorId);
        Assert.Contains("app (needs db)", prepared.Refusal!.Message);
        Assert.DoesNotContain("web", prepared.Refusal.Message);
        Assert.DoesNotContain(engine.Log, l => l.Operation == "stop");
    }

    [Fact]
    public async Task Stop_with_its_dependents_stops_them_first_and_an_optional_dependent_strands_nothing()
    {
        var (engine, session) = Session();

        var outcomes = await RunAsync(session, await session.PrepareAsync(
            new RestartSessionRequest { Operation = SessionOperation.Stop, Names = ["db"], IncludeDependents = true }, default));
        Assert.Equal(["app", "db", "web"], outcomes.Select(o => o.Service).Order());
        Assert.All(outcomes, o => Assert.Equal(OutcomeStatus.Stopped, o.Status));
        Assert.Equal(["web", "app", "db"], engine.Log.Where(l => l.Operation == "stop").Select(l => l.Service));

        var log = await session.PrepareAsync(new RestartSessionRequest { Operation = SessionOperation.Stop, Names = ["log"] }, default);
        Assert.Null(log.Refusal);
    }

    [Fact]
    public async Task Stop_forced_warns_of_what_it_strands()
    {
        var (_, session) = Session();

        var prepared = await session.PrepareAsync(new RestartSessionRequest { Operation = SessionOperation.Stop, Names = ["app"], Force = true }, default);

        Assert.Null(prepared.Refusal);
        Assert.Contains(prepared.Messages, m => m.IsWarning && m.Text.Contains("web (needs app)"));
    }

    [Fact]
    public async Task Stop_strands_nothing_on_a_dependency_that_is_already_stopped_and_declining_a_dependent_refuses_again()
    {
        var (engine, session) = Session();
        await StopAsync(engine, "db");
        Assert.Null((await session.PrepareAsync(new RestartSessionRequest { Operation = SessionOperation.Stop, Names = ["db"] }, default)).Refusal);

        var (_, fresh) = Session();
        var prepared = await fresh.PrepareAsync(new RestartSessionRequest { Operation = SessionOperation.Stop, Names = ["app"], IncludeDependents = true }, default);
        Assert.Null(prepared.Refusal);
        var narrowed = await fresh.WithoutAsync(prepared, ["web"], default);
        Assert.Equal(ErrorIds.StopWouldStrandDependents, narrowed.Refusal?.ErrorId);
    }

    [Fact]
    public async Task Only_a_restart_waits_for_the_maintenance_window()
    {
        var (_, session) = Session();
        var closed = "0 3 31 2 *;1m";   // February 31st: never open

        await Assert.ThrowsAsync<StingException>(() => session.PrepareAsync(new RestartSessionRequest { MaintenanceWindow = closed }, default));
        foreach (var operation in new[] { SessionOperation.Start, SessionOperation.Repair, SessionOperation.Stop })
            Assert.Null((await session.PrepareAsync(new RestartSessionRequest { Operation = operation, MaintenanceWindow = closed, IncludeDependents = true }, default)).Refusal);
    }

    [Fact]
    public async Task Start_with_its_dependencies_checks_their_env_files_too()
    {
        var (_, session) = Session(dbEnvFile: Path.Combine(_root, "missing-db.env"));

        var alone = await session.PrepareAsync(new RestartSessionRequest { Operation = SessionOperation.Start, Names = ["app"] }, default);
        var with = await session.PrepareAsync(new RestartSessionRequest { Operation = SessionOperation.Start, Names = ["app"], IncludeDependencies = true }, default);

        Assert.Null(alone.Refusal);
        Assert.Equal(ErrorIds.PrerequisiteFailed, with.Refusal?.ErrorId);
        Assert.Contains("EnvironmentFile [db]", with.Refusal!.Message);
        Assert.DoesNotContain("-Force", with.Refusal.Message);
    }

    [Fact]
    public void Start_leaves_a_completed_one_shot_job_alone_and_starts_one_that_failed()
    {
        var graph = ServiceGraph.Build(new ComposeProject
        {
            Name = "proj", ProjectDirectory = _root, ComposeFiles = [], ActiveProfiles = [],
            Services =
            [
                new ComposeService { Name = "migrate" },
                new ComposeService { Name = "seed" },
                new ComposeService { Name = "app", DependsOn = [new("migrate", DependencyCondition.ServiceCompletedSuccessfully), new("seed", DependencyCondition.ServiceCompletedSuccessfully)] },
            ],
        }, RestartOptions.Defaults);
        ContainerSummary Exited(string service, int code) =>
            new("id-" + service, "proj-" + service + "-1", "proj", service, "exited", null, "img", DateTimeOffset.UnixEpoch, new Dictionary<string, string>()) { ExitCode = code };
        var containers = new Dictionary<string, ContainerSummary> { ["migrate"] = Exited("migrate", 0), ["seed"] = Exited("seed", 2), ["app"] = Exited("app", 0) };

        var plan = LifecyclePlans.Start(graph, RestartOptions.Defaults, [], includeDependencies: false, containers, null);

        Assert.Equal(StepAction.Keep, plan.ByService["migrate"].Action);
        Assert.Equal("completed successfully", plan.ByService["migrate"].Why);
        Assert.Equal(StepAction.Start, plan.ByService["seed"].Action);
        Assert.Equal("not running (exited with code 2)", plan.ByService["seed"].Why);
        Assert.Equal(StepAction.Start, plan.ByService["app"].Action);
    }
}
