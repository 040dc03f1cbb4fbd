using StingOps.Core.Metrics;
using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Configuration;
using StingOps.Core.Graph;
using StingOps.Core.Project;
using StingOps.Core.Restart;
using StingOps.Core.Tests.Engine;

namespace StingOps.Core.Tests.Restart;

public sealed class RestartRunnerTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "stingops-runnertest-" + Guid.NewGuid().ToString("N"));
    private string StateDir => Path.Combine(_root, "state");
    private string MetricsDir => Path.Combine(_root, "metrics");

    /// <summary>A tiny project on the fake engine, instantly ready, on the real clock: a run takes milliseconds.</summary>
    private static (FakeEngine Engine, StingProject Project) TinyProject(params string[] services) => TinyProject(false, services);

    /// <param name="chain">Each service depends on the one before it (service_healthy).</param>
    private static (FakeEngine Engine, StingProject Project) TinyProject(bool chain, params string[] services)
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
            Services = services.Select((s, i) => new ComposeService
            {
                Name = s,
                HealthCheck = new HealthCheckSpec { Test = ["CMD", "true"] },
                DependsOn = chain && i > 0 ? [new ServiceDependency(services[i - 1], DependencyCondition.ServiceHealthy)] : [],
            }).ToList(),
        };
        var location = new ProjectLocation { ComposeFiles = compose.ComposeFiles, ProjectDirectory = compose.ProjectDirectory, ProjectName = "proj" };
        return (engine, StingProject.Create(location, compose, new RestartOptions { MaxRetries = 1, LockTimeout = TimeSpan.Zero }));
    }

    /// <summary>One whole run of the project, as run-1, to its end: the outcomes it finished with.</summary>
    private async Task<List<ServiceOutcome>> RunOnceAsync(FakeEngine engine, StingProject project)
    {
        var runner = new RestartRunner(engine, TimeProvider.System, StateDir, MetricsDir);
        var prepared = await runner.PrepareAsync(project, new RestartRequest(), default);
        var outcomes = new List<ServiceOutcome>();
        await foreach (var e in (await runner.StartAsync(prepared, "run-1", default)).ReadAllAsync())
            if (e is ServiceFinished f)
                outcomes.Add(f.Outcome);
        return outcomes;
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
    public async Task StartAsync_RecordsWhenItSawEachRestartedServiceReady_PerContainer()
    {
        var (engine, project) = TinyProject(chain: true, "db", "app");
        var outcomes = await RunOnceAsync(engine, project);

        var record = ReadinessRecord.Read(StateDir, "proj");
        foreach (var o in outcomes)
        {
            Assert.Equal(engine.IdOf(o.Service), record[o.Service].ContainerId);
            Assert.Equal(o.ReadyAt, record[o.Service].ReadyAt);
        }
        Assert.Equal(2, record.Count);
    }

    [Fact]
    public async Task StartAsync_RecordsTheProjectAndEachFirstAttemptsStartToReady()
    {
        var (engine, project) = TinyProject(chain: true, "db", "app");
        var outcomes = await RunOnceAsync(engine, project);

        var rows = MetricStore.Read(MetricsDir);
        Assert.Equal(2, rows.Count);
        foreach (var row in rows)
        {
            var o = outcomes.Single(x => x.Service == row.Service);
            Assert.Equal("proj", row.Project);
            Assert.Equal(o.ReadyAt - o.StartedAt, row.StartToReady);
            // What the report's timeline draws: every phase, in order.
            Assert.Equal(new PhaseTimes(o.StopRequestedAt, o.StoppedAt, o.StartedAt, o.ReadyAt), row.Phases);
            Assert.True(row.Phases.StopRequestedAt <= row.Phases.StoppedAt && row.Phases.StoppedAt <= row.Phases.StartedAt
                && row.Phases.StartedAt <= row.Phases.ReadyAt, $"{row.Service}: {row.Phases}");
            Assert.Equal(o.Wave, row.Wave);
        }
        Assert.Equal(1, rows.Single(r => r.Service == "app").Wave);
    }

    [Fact]
    public async Task StartAsync_RecordsWhyAServiceDidNotSucceed_AndNoMessageForOneThatDid()
    {
        var (engine, project) = TinyProject(chain: true, "db", "app");
        engine.ContainersOf("db")[0].Behaviour.ExitsWith = 3;
        var outcomes = await RunOnceAsync(engine, project);

        var rows = MetricStore.Read(MetricsDir);
        Assert.Equal(2, rows.Count);
        foreach (var row in rows)
        {
            var o = outcomes.Single(x => x.Service == row.Service);
            Assert.NotEqual(OutcomeStatus.Succeeded, o.Status);
            Assert.Equal(o.Message, row.Message);
        }
        Assert.Contains("db", rows.Single(r => r.Service == "app").Message);
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
            // Cancelled is reported, not interrupted: no journal is left behind.
            Assert.False(File.Exists(RunJournal.PathFor(StateDir, "proj")));

            using var next = await RestartLock.AcquireAsync(StateDir, "proj", TimeSpan.Zero, TimeProvider.System, default);
        }
    }

    [Fact]
    public async Task StartAsync_AStopIsInTheJournalBeforeTheEngineIsAskedForIt()
    {
        // A run killed between the stop call and a later journal write must still report the service it stopped.
        var (engine, project) = TinyProject("db", "app", "chroma");
        var unrecorded = new System.Collections.Concurrent.ConcurrentBag<string>();
        engine.OnStop = service =>
        {
            if (RunJournal.Read(StateDir, "proj") is not { } journal || !journal.LeftStopped.Contains(service))
                unrecorded.Add(service);
        };
        var runner = new RestartRunner(engine, TimeProvider.System, StateDir, MetricsDir);
        var prepared = await runner.PrepareAsync(project, new RestartRequest(), default);

        await foreach (var _ in (await runner.StartAsync(prepared, "run-w", default)).ReadAllAsync()) { }

        Assert.Equal(3, engine.Log.Count(l => l.Operation == "stop"));
        Assert.Empty(unrecorded);
    }

    [Fact]
    public async Task StartAsync_WritesTheJournalAsTheRunGoes_AndRemovesItWhenTheRunEnds()
    {
        var (engine, project) = TinyProject(chain: true, "db", "app");
        // db is held not ready until the journal has been looked at, so the run is surely still going then.
        var db = engine.ContainersOf("db").Single().Behaviour;
        db.NeverHealthy = true;
        var runner = new RestartRunner(engine, TimeProvider.System, StateDir, MetricsDir);
        var prepared = await runner.PrepareAsync(project, new RestartRequest(), default);
        var events = await runner.StartAsync(prepared, "run-j", default);
        JournaledRun? whileRunning = null;
        var finished = 0;

        await foreach (var e in events.ReadAllAsync())
        {
            if (e is ServicePhaseChanged { Service: "db", Phase: ServicePhase.WaitingForHealth } && whileRunning is null)
            {
                // Each event is in the journal before the caller sees it.
                whileRunning = RunJournal.Read(StateDir, "proj");
                db.NeverHealthy = false;
            }
            if (e is ServiceFinished { Outcome.Status: OutcomeStatus.Succeeded })
                finished++;
        }

        Assert.Equal(2, finished);
        Assert.NotNull(whileRunning);
        Assert.Equal("run-j", whileRunning.RunId);
        Assert.False(whileRunning.Completed);
        Assert.Equal(["db", "app"], whileRunning.Services);
        Assert.Contains(whileRunning.Entries, x => x is { Event: JournalEntry.Stopped, Service: "db" });
        Assert.Contains(whileRunning.Entries, x => x is { Event: JournalEntry.Started, Service: "db" });
        Assert.Equal(["app"], whileRunning.LeftStopped);
        Assert.False(File.Exists(RunJournal.PathFor(StateDir, "proj")));
    }

    [Fact]
    public async Task StartAsync_AfterAnInterruptedRun_WarnsNamingIt_AndReplacesItsJournal()
    {
        var (engine, project) = TinyProject("db", "app");
        Directory.CreateDirectory(StateDir);
        File.WriteAllText(RunJournal.PathFor(StateDir, "proj"),
            "{\"event\":\"run\",\"at\":\"2026-11-29T02:00:00+00:00\",\"runId\":\"r-killed\",\"pid\":999999,\"services\":[\"db\",\"app\"]}\n" +
            "{\"event\":\"stopped\",\"at\":\"2026-11-29T02:00:01+00:00\",\"service\":\"app\"}\n{\"event\":\"sto");
        var runner = new RestartRunner(engine, TimeProvider.System, StateDir, MetricsDir);
        var prepared = await runner.PrepareAsync(project, new RestartRequest(), default);

        var events = await runner.StartAsync(prepared, "run-next", default);
        var all = new List<RestartEvent>();
        await foreach (var e in events.ReadAllAsync())
            all.Add(e);

        var warning = Assert.IsType<RunWarning>(all[0]);
        Assert.Contains("Restart run r-killed (pid 999999, started 2026-11-29 02:00:00Z) was interrupted and left app stopped; running again: app", warning.Message);
        Assert.All(all.OfType<ServiceFinished>(), f => Assert.Equal(OutcomeStatus.Succeeded, f.Outcome.Status));
        Assert.False(File.Exists(RunJournal.PathFor(StateDir, "proj")));
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }
}
