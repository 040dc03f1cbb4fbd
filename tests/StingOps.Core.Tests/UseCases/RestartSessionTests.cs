using Microsoft.Extensions.Time.Testing;
using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Compose.Cli;
using StingOps.Core.Configuration;
using StingOps.Core.Preflight;
using StingOps.Core.Project;
using StingOps.Core.Restart;
using StingOps.Core.Tests.Engine;
using StingOps.Core.Tests.Preflight;
using StingOps.Core.UseCases;

namespace StingOps.Core.Tests.UseCases;

public sealed class RestartSessionTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("stingops-sessiontest-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>db and app (app needs db), instantly ready on the fake engine; the pre-flight's CLI and resources faked.</summary>
    private (FakeEngine Engine, RestartSession Session) Session(TimeProvider? windowClock = null, RestartOptions? options = null)
    {
        var engine = new FakeEngine(TimeProvider.System);
        foreach (var s in new[] { "db", "app" })
            engine.Add(s).StartupDelay = TimeSpan.Zero;
        var compose = new ComposeProject
        {
            Name = "proj",
            ProjectDirectory = _root,
            ComposeFiles = [Path.Combine(_root, "compose.yaml")],
            ActiveProfiles = [],
            Services =
            [
                new ComposeService { Name = "db" },
                new ComposeService { Name = "app", DependsOn = [new ServiceDependency("db", DependencyCondition.ServiceStarted)] },
            ],
        };
        var location = new ProjectLocation { ComposeFiles = compose.ComposeFiles, ProjectDirectory = _root, ProjectName = "proj" };
        var project = StingProject.Create(location, compose, options ?? new RestartOptions { MaxRetries = 1, LockTimeout = TimeSpan.Zero });
        var environment = new Dictionary<string, string?> { ["XDG_STATE_HOME"] = Path.Combine(_root, "state"), ["STING_LOG_DIR"] = Path.Combine(_root, "metrics") };
        var time = windowClock ?? TimeProvider.System;
        var checker = new PrerequisiteChecker(() => engine, time, Path.Combine(_root, "state"), environment, new FakeResources(),
            (_, _) => Task.FromResult<ComposeCliInfo?>(null), (_, _, _) => throw new InvalidOperationException("no v2 CLI here"));
        return (engine, new RestartSession(project, engine, null, environment, time, s => s, checker));
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

    [Fact]
    public async Task A_run_acts_on_what_the_preflight_saw_the_containers_are_listed_once()
    {
        var (engine, session) = Session();

        var prepared = await session.PrepareAsync(new RestartSessionRequest(), default);
        Assert.Null(prepared.Refusal);
        var outcomes = await RunAsync(session, prepared);

        Assert.Equal(["app", "db"], outcomes.Select(o => o.Service).Order());
        Assert.All(outcomes, o => Assert.Equal(OutcomeStatus.Succeeded, o.Status));
        Assert.Equal(1, engine.ListCalls);
    }

    [Fact]
    public async Task A_declined_service_is_left_alone_and_the_rest_restarts()
    {
        var (engine, session) = Session();
        var prepared = await session.PrepareAsync(new RestartSessionRequest(), default);

        var narrowed = await session.WithoutAsync(prepared, ["db"], default);
        var outcomes = await RunAsync(session, narrowed);

        Assert.False(narrowed.Plan.WholeProject);
        Assert.Equal(["app"], outcomes.Select(o => o.Service));
        Assert.Equal(OutcomeStatus.Succeeded, outcomes[0].Status);
        Assert.DoesNotContain(engine.OpsOf("db"), op => op.Operation is "stop" or "start");
        Assert.Contains(engine.OpsOf("app"), op => op.Operation == "start");
    }

    [Fact]
    public async Task Outside_the_maintenance_window_it_refuses_before_asking_the_engine_anything()
    {
        // 02:00 UTC; the window opens at 03:00 for an hour.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero));
        var (engine, session) = Session(clock);

        var ex = await Assert.ThrowsAsync<StingException>(() => session.PrepareAsync(new RestartSessionRequest { MaintenanceWindow = "0 3 * * *;1h" }, default));

        Assert.Equal(ErrorIds.OutsideMaintenanceWindow, ex.ErrorId);
        Assert.Equal(0, engine.ListCalls);
        Assert.Empty(engine.Log);
    }

    [Fact]
    public async Task A_failed_prerequisite_is_a_refusal_after_the_checks_messages_and_nothing_is_touched()
    {
        var (engine, session) = Session(options: new RestartOptions { MaxRetries = 1, LockTimeout = TimeSpan.Zero, MinimumFreeSpaceGB = 1e9 });

        var prepared = await session.PrepareAsync(new RestartSessionRequest(), default);

        Assert.NotNull(prepared.Refusal);
        Assert.Equal(ErrorIds.PrerequisiteFailed, prepared.Refusal!.ErrorId);
        Assert.Contains("DiskSpace", prepared.Refusal.Message);
        Assert.Contains(prepared.Messages, m => !m.IsWarning && m.Text.StartsWith("Prerequisite DockerEngine", StringComparison.Ordinal));
        Assert.DoesNotContain(engine.Log, l => l.Operation is "stop" or "start");
    }
}
