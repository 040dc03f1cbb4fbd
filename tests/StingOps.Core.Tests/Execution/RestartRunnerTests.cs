using StingOps.Core.Compose;
using StingOps.Core.Configuration;
using StingOps.Core.Execution;
using StingOps.Core.Graph;
using StingOps.Core.State;

namespace StingOps.Core.Tests.Execution;

public sealed class RestartRunnerTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "stingops-runnertest-" + Guid.NewGuid().ToString("N"));
    private string StateDir => Path.Combine(_root, "state");
    private string MetricsDir => Path.Combine(_root, "metrics");

    /// <summary>A tiny project on the fake engine, instantly ready, on the real clock: a run takes milliseconds.</summary>
    private static (FakeEngine Engine, StingProject Project) TinyProject(params string[] services)
    {
        var engine = new FakeEngine(TimeProvider.System);
        foreach (var s in services)
            engine.Add(s).StartupDelay = TimeSpan.Zero;
        var compose = new ComposeProject
        {
            Name = "proj",
            ProjectDirectory = "/tmp/proj",
            ComposeFiles = ["/tmp/proj/compose.yaml"],
            ActiveProfiles = [],
            Services = services.Select(s => new ComposeService { Name = s, HealthCheck = new HealthCheckSpec { Test = ["CMD", "true"] } }).ToList(),
        };
        var location = new ProjectLocation { ComposeFiles = compose.ComposeFiles, ProjectDirectory = compose.ProjectDirectory, ProjectName = "proj" };
        return (engine, StingProject.Create(location, compose, new RestartOptions { MaxRetries = 1, LockTimeout = TimeSpan.Zero }));
    }

    [Fact]
    public async Task StartAsync_ResultStreamEnded_LockIsAlreadyFree_BackToBackRunsAreNeverRefused()
    {
        var (engine, project) = TinyProject("db", "app");
        var runner = new RestartRunner(engine, TimeProvider.System, StateDir, MetricsDir);

        // The old order (complete the stream, then release the lock) lost this race most of the time.
        for (var run = 0; run < 50; run++)
        {
            var prepared = await runner.PrepareAsync(project, new RestartRequest(), default);
            var events = await runner.StartAsync(prepared, $"run-{run}", default);
            var finished = 0;
            await foreach (var e in events.ReadAllAsync())
                if (e is ServiceFinished f && f.Outcome.Status == OutcomeStatus.Succeeded)
                    finished++;
            Assert.Equal(2, finished);

            // The instant the stream ended: lock_timeout 0 must find the project free.
            using var next = await RestartLock.AcquireAsync(StateDir, "proj", TimeSpan.Zero, TimeProvider.System, default);
        }
    }

    [Fact]
    public async Task StartAsync_RunCancelled_LockIsFreeWhenTheStreamEnds()
    {
        var (engine, project) = TinyProject("db", "app");
        var runner = new RestartRunner(engine, TimeProvider.System, StateDir, MetricsDir);
        for (var run = 0; run < 20; run++)
        {
            var prepared = await runner.PrepareAsync(project, new RestartRequest(), default);
            using var cts = new CancellationTokenSource();
            var events = await runner.StartAsync(prepared, $"run-{run}", cts.Token);
            cts.Cancel();
            var outcomes = new List<ServiceOutcome>();
            await foreach (var e in events.ReadAllAsync())
                if (e is ServiceFinished f)
                    outcomes.Add(f.Outcome);
            Assert.Equal(2, outcomes.Count);
            Assert.All(outcomes, o => Assert.Contains(o.Status, new[] { OutcomeStatus.Succeeded, OutcomeStatus.Cancelled }));

            using var next = await RestartLock.AcquireAsync(StateDir, "proj", TimeSpan.Zero, TimeProvider.System, default);
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }
}
