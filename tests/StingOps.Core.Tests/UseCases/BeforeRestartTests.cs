using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Compose.Cli;
using StingOps.Core.Configuration;
using StingOps.Core.EnvFiles;
using StingOps.Core.Preflight;
using StingOps.Core.Project;
using StingOps.Core.Restart;
using StingOps.Core.Tests.Engine;
using StingOps.Core.Tests.Preflight;
using StingOps.Core.UseCases;

namespace StingOps.Core.Tests.UseCases;

/// <summary>The step before a restart (the seed's env regeneration): under the lock, before anything stops, env files judged after it.</summary>
public sealed class BeforeRestartTests : IDisposable
{
    private const string Secret = "s3cr3t-token-value";
    private readonly string _root = Directory.CreateTempSubdirectory("stingops-beforetest-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string EnvFile => Path.Combine(_root, "db.env");

    /// <summary>db (env file db.env) and app (needs db) on the fake engine; <paramref name="command"/> is the config's before_restart.</summary>
    private (FakeEngine Engine, RestartSession Session) Session(string? command = null)
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
                new ComposeService { Name = "db", EnvFiles = [new EnvFileReference(EnvFile)] },
                new ComposeService { Name = "app", DependsOn = [new ServiceDependency("db", DependencyCondition.ServiceStarted)] },
            ],
        };
        var location = new ProjectLocation { ComposeFiles = compose.ComposeFiles, ProjectDirectory = _root, ProjectName = "proj" };
        var options = new RestartOptions { MaxRetries = 1, LockTimeout = TimeSpan.Zero, BeforeRestart = command, BeforeRestartTimeout = TimeSpan.FromSeconds(20) };
        var project = StingProject.Create(location, compose, options);
        var environment = new Dictionary<string, string?> { ["XDG_STATE_HOME"] = Path.Combine(_root, "state"), ["STING_LOG_DIR"] = Path.Combine(_root, "metrics") };
        var checker = new PrerequisiteChecker(() => engine, TimeProvider.System, Path.Combine(_root, "state"), environment, new FakeResources(),
            (_, _) => Task.FromResult<ComposeCliInfo?>(null), (_, _, _) => throw new InvalidOperationException("no v2 CLI here"));
        return (engine, new RestartSession(project, engine, null, environment, TimeProvider.System, project.CreateRedactor(), checker));
    }

    private static async Task<List<ServiceOutcome>> DrainAsync(SessionRun run)
    {
        var outcomes = new List<ServiceOutcome>();
        await foreach (var e in run.Events.ReadAllAsync())
            if (e is ServiceFinished f)
                outcomes.Add(f.Outcome);
        return outcomes;
    }

    [Fact]
    public async Task A_failing_step_refuses_the_run_untouched_with_its_output_masked_and_frees_the_lock()
    {
        File.WriteAllText(EnvFile, $"DB_PASSWORD={Secret}\n");
        var (engine, session) = Session();
        var ran = 0;
        var prepared = await session.PrepareAsync(new RestartSessionRequest
        {
            BeforeRestart = (_, _) => { ran++; return Task.FromResult(new BeforeRestartOutcome($"vault said no; token {Secret}", "exited with code 3")); },
        }, default);

        var refusal = await Assert.ThrowsAsync<StingException>(() => session.StartAsync(prepared, default));

        Assert.Equal(1, ran);
        Assert.Equal(ErrorIds.BeforeRestartFailed, refusal.ErrorId);
        Assert.Contains("exited with code 3", refusal.Message);
        Assert.Contains("vault said no", refusal.Message);
        Assert.DoesNotContain(Secret, refusal.Message);
        Assert.DoesNotContain(engine.Log, l => l.Operation is "stop" or "start");
        // The lock went with the refusal: the next run takes it.
        var next = await DrainAsync(await session.StartAsync(await session.PrepareAsync(new RestartSessionRequest(), default), default));
        Assert.All(next, o => Assert.Equal(OutcomeStatus.Succeeded, o.Status));
    }

    [Fact]
    public async Task The_env_files_are_judged_after_the_step_that_writes_them_not_before()
    {
        // Missing now: a run without the step is refused by the pre-flight.
        var (_, plain) = Session();
        Assert.NotNull((await plain.PrepareAsync(new RestartSessionRequest(), default)).Refusal);

        var (engine, session) = Session($"printf 'DB_PASSWORD={Secret}\\n' > db.env");
        var prepared = await session.PrepareAsync(new RestartSessionRequest(), default);
        Assert.Null(prepared.Refusal);
        var outcomes = await DrainAsync(await session.StartAsync(prepared, default));

        Assert.Equal($"DB_PASSWORD={Secret}\n", File.ReadAllText(EnvFile));
        Assert.All(outcomes, o => Assert.Equal(OutcomeStatus.Succeeded, o.Status));
        Assert.Contains(engine.Log, l => l.Operation == "stop");
    }

    [Fact]
    public async Task A_step_that_leaves_an_env_file_broken_refuses_the_run_untouched()
    {
        var (engine, session) = Session("echo 'DB_PASSWORD=\"unclosed' > db.env; echo done");
        var prepared = await session.PrepareAsync(new RestartSessionRequest(), default);

        var refusal = await Assert.ThrowsAsync<StingException>(() => session.StartAsync(prepared, default));

        Assert.Equal(ErrorIds.EnvironmentFileInvalid, refusal.ErrorId);
        Assert.Contains("After the before-restart step", refusal.Message);
        Assert.DoesNotContain(engine.Log, l => l.Operation is "stop" or "start");
    }

    [Fact]
    public async Task The_configured_command_fails_on_a_non_zero_exit_and_a_timeout()
    {
        var (_, failing) = Session("echo broken; exit 4");
        var refusal = await Assert.ThrowsAsync<StingException>(async () => await failing.StartAsync(await failing.PrepareAsync(new RestartSessionRequest(), default), default));
        Assert.Contains("exited with code 4", refusal.Message);
        Assert.Contains("broken", refusal.Message);

        var outcome = await BeforeRestartCommand.For("sleep 30", _root)(TimeSpan.FromMilliseconds(300), default);
        Assert.False(outcome.Succeeded);
        Assert.Contains("did not finish within", outcome.Failure);
    }

    [Fact]
    public async Task Stop_does_not_run_the_configured_step()
    {
        File.WriteAllText(EnvFile, "DB_PASSWORD=x\n");
        var (_, session) = Session("exit 9");
        var prepared = await session.PrepareAsync(new RestartSessionRequest { Operation = SessionOperation.Stop, Names = ["app"] }, default);

        var outcomes = await DrainAsync(await session.StartAsync(prepared, default));

        Assert.Equal(OutcomeStatus.Stopped, outcomes.Single().Status);
    }
}
