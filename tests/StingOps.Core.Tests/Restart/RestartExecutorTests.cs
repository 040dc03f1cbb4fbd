using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Configuration;
using StingOps.Core.Graph;
using StingOps.Core.Restart;

namespace StingOps.Core.Tests.Restart;

public sealed class RestartExecutorTests
{
    private static ServiceOutcome Of(List<ServiceOutcome> outcomes, string service) => outcomes.Single(o => o.Service == service);

    [Fact]
    public async Task Run_FullRestart_EveryServiceSucceedsOnce()
    {
        var h = new ExecutorHarness();
        h.Service("db");
        h.Service("vault");
        h.Service("app", "db", "vault");
        h.Service("frontend", "app");

        var outcomes = await h.RunAsync();

        Assert.Equal(4, outcomes.Count);
        Assert.All(outcomes, o => Assert.Equal(OutcomeStatus.Succeeded, o.Status));
        Assert.All(outcomes, o => Assert.Equal(1, o.Attempts));
        Assert.All(outcomes, o => Assert.NotNull(o.Duration));
    }

    [Fact]
    public async Task Run_StopsDependentsBeforeDependencies_AndStartsDependenciesFirst()
    {
        var h = new ExecutorHarness();
        h.Service("db");
        h.Service("app", "db");
        h.Service("frontend", "app");

        await h.RunAsync();

        var log = h.Engine.Log.ToList();
        int Index(string op, string svc) => log.FindIndex(l => l.Operation == op && l.Service == svc);
        Assert.True(Index("stop", "frontend") < Index("stop", "app"));
        Assert.True(Index("stop", "app") < Index("stop", "db"));
        // A dependent starts only once its dependency is ready (db needs 500 ms).
        Assert.True(h.Engine.TimeOf("app", "start") >= h.Engine.TimeOf("db", "start") + TimeSpan.FromMilliseconds(500));
        Assert.True(h.Engine.TimeOf("frontend", "start") >= h.Engine.TimeOf("app", "start") + TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task Run_DependencyStopsAtTheDependentsDeath_NotWhenItsStopCallReturns()
    {
        var h = new ExecutorHarness();
        h.Service("db");
        h.Service("app", "db").StopCleanup = TimeSpan.FromSeconds(5);

        var outcomes = await h.RunAsync();

        // db's stop went out while app's stop call was still cleaning up; app started only after its call ended.
        Assert.True(h.Engine.TimeOf("db", "stop") < h.Engine.TimeOf("app", "stopped"));
        Assert.True(h.Engine.TimeOf("app", "start") >= h.Engine.TimeOf("app", "stopped"));
        Assert.All(outcomes, o => Assert.Equal(OutcomeStatus.Succeeded, o.Status));
    }

    [Fact]
    public async Task Run_SlowBranch_DoesNotDelayIndependentBranch()
    {
        var h = new ExecutorHarness();
        h.Service("slow").StartupDelay = TimeSpan.FromSeconds(20);
        h.Service("slow-child", "slow");
        h.Service("fast").StartupDelay = TimeSpan.FromSeconds(1);
        h.Service("fast-child", "fast").StartupDelay = TimeSpan.FromSeconds(1);

        var outcomes = await h.RunAsync(new RestartOptions { MaxRetries = 1, DefaultTimeout = TimeSpan.FromSeconds(60) });

        // Not wave by wave: fast-child (wave 1) is ready long before slow (wave 0) is.
        Assert.True(Of(outcomes, "fast-child").ReadyAt < Of(outcomes, "slow").ReadyAt);
        Assert.True(Of(outcomes, "fast-child").ReadyAt < Of(outcomes, "slow").StartedAt + TimeSpan.FromSeconds(5));
        Assert.All(outcomes, o => Assert.Equal(OutcomeStatus.Succeeded, o.Status));
    }

    [Fact]
    public async Task Run_DependentStartsPromptlyAfterDependencyIsReady()
    {
        var h = new ExecutorHarness();
        h.Service("db").StartupDelay = TimeSpan.FromSeconds(3);
        h.Service("app", "db");

        await h.RunAsync(new RestartOptions { MaxRetries = 1, HealthCheckInterval = TimeSpan.FromSeconds(5) });

        // Probing backs off from 100 ms towards 5 s; an event-free probe loop still sees readiness within ~1.6x of the gap.
        var gap = h.Engine.TimeOf("app", "start") - (h.Engine.TimeOf("db", "start") + TimeSpan.FromSeconds(3));
        Assert.InRange(gap, TimeSpan.Zero, TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Run_NeverHealthyService_FailsWithTimeout_DependentsSkipped_OtherBranchesSucceed()
    {
        var h = new ExecutorHarness();
        h.Service("db").NeverHealthy = true;
        h.Service("app", "db");
        h.Service("frontend", "app");
        h.Service("chroma");
        h.Service("knowledge", "chroma");

        var outcomes = await h.RunAsync(new RestartOptions { MaxRetries = 1, DefaultTimeout = TimeSpan.FromSeconds(10) });

        Assert.Equal((OutcomeStatus.Failed, OutcomeReason.Timeout), (Of(outcomes, "db").Status, Of(outcomes, "db").Reason));
        Assert.Contains("not ready within 10s", Of(outcomes, "db").Message);
        Assert.Equal((OutcomeStatus.Skipped, OutcomeReason.Dependency), (Of(outcomes, "app").Status, Of(outcomes, "app").Reason));
        Assert.Equal((OutcomeStatus.Skipped, OutcomeReason.Dependency), (Of(outcomes, "frontend").Status, Of(outcomes, "frontend").Reason));
        Assert.Equal(OutcomeStatus.Succeeded, Of(outcomes, "chroma").Status);
        Assert.Equal(OutcomeStatus.Succeeded, Of(outcomes, "knowledge").Status);
        // Nothing was started on top of the failed service.
        Assert.DoesNotContain(h.Engine.OpsOf("app"), o => o.Operation == "start");
        Assert.DoesNotContain(h.Engine.OpsOf("frontend"), o => o.Operation == "start");
    }

    [Fact]
    public async Task Run_Timeout_KeepsTheMessageShort_AndCarriesDiagnostics_WithSecretsRedacted()
    {
        var h = new ExecutorHarness();
        h.Service("db").NeverHealthy = true;

        var outcomes = await h.RunAsync(new RestartOptions { MaxRetries = 1, DefaultTimeout = TimeSpan.FromSeconds(2) });

        var db = Of(outcomes, "db");
        // The message stays short enough for a table; the long part is the diagnostics, a line each.
        Assert.StartsWith("not ready within 2s", db.Message);
        Assert.DoesNotContain("last", db.Message);
        var diagnostics = db.Diagnostics!.Split('\n');
        Assert.StartsWith("last health check: ", diagnostics[0]);
        Assert.Contains("last log lines:", diagnostics);
        Assert.DoesNotContain("fake-secret-value", db.Diagnostics);
    }

    [Fact]
    public async Task Run_CrashOnFirstStart_RetriedAndSucceeds()
    {
        var h = new ExecutorHarness();
        h.Service("db").CrashingStarts = 1;

        var outcomes = await h.RunAsync(new RestartOptions { MaxRetries = 3 });

        Assert.Equal(OutcomeStatus.Succeeded, Of(outcomes, "db").Status);
        Assert.Equal(2, Of(outcomes, "db").Attempts);
    }

    [Fact]
    public async Task Run_CrashEveryStart_FailsFast_AfterMaxRetries()
    {
        var h = new ExecutorHarness();
        h.Service("db").CrashingStarts = 10;

        var outcomes = await h.RunAsync(new RestartOptions { MaxRetries = 3, DefaultTimeout = TimeSpan.FromSeconds(60) });

        var db = Of(outcomes, "db");
        Assert.Equal((OutcomeStatus.Failed, OutcomeReason.HealthCheck), (db.Status, db.Reason));
        Assert.Equal(3, db.Attempts);
        Assert.Contains("exited with code 1", db.Message);
        // Fails on the exit, not at the 60 s timeout.
        Assert.True(h.Time.GetUtcNow() - db.StoppedAt!.Value < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Run_Retry_NeverRestartsAServiceUnderAServiceStartedDependentAlreadyRunning()
    {
        var h = new ExecutorHarness();
        var redis = h.Service("redis");
        redis.CrashAfter = TimeSpan.FromSeconds(2);
        redis.StartupDelay = TimeSpan.FromSeconds(3);
        h.Service("worker", [new ServiceDependency("redis", DependencyCondition.ServiceStarted)]);

        var outcomes = await h.RunAsync(new RestartOptions { MaxRetries = 3 });

        // worker started the moment redis did; restarting redis beneath it would break the order.
        Assert.Single(h.Engine.OpsOf("redis"), o => o.Operation == "start");
        Assert.True(h.Engine.TimeOf("worker", "start") >= h.Engine.TimeOf("redis", "start"));
        var result = Of(outcomes, "redis");
        Assert.Equal((OutcomeStatus.Failed, 1), (result.Status, result.Attempts));
        Assert.Contains("not retried: worker already started on it", result.Message);
    }

    [Fact]
    public async Task Run_ServiceStartedDependencyThatDiesAtItsStart_IsRetried_AndItsDependentStartsAfterTheRetry()
    {
        var h = new ExecutorHarness();
        h.Service("redis").CrashingStarts = 1;
        h.Service("worker", [new ServiceDependency("redis", DependencyCondition.ServiceStarted)]);

        var outcomes = await h.RunAsync(new RestartOptions { MaxRetries = 3, HealthCheckInterval = TimeSpan.FromSeconds(1) });

        // The first start died at once: worker did not start on the dead redis, so redis could be retried beneath it.
        // (The fake notices that death at once; the race with a dependency whose death is noticed late is the soak's kill cycle.)
        Assert.All(outcomes, o => Assert.Equal(OutcomeStatus.Succeeded, o.Status));
        Assert.Equal(2, Of(outcomes, "redis").Attempts);
        var redisStarts = h.Engine.OpsOf("redis").Where(o => o.Operation == "start").Select(o => o.Time).ToList();
        Assert.Equal(2, redisStarts.Count);
        Assert.True(h.Engine.Log.ToList().FindLastIndex(l => l.Operation == "start" && l.Service == "redis") < h.Engine.Log.ToList().FindIndex(l => l.Operation == "start" && l.Service == "worker"), string.Join("; ", h.Engine.Log.Select(l => $"{l.Time:ss.fff} {l.Operation} {l.Service}")));
    }

    [Fact]
    public async Task Run_StopWhoseDieEventComesAfterTheStopReturned_IsNotTakenForADeathOfTheNextStart()
    {
        var h = new ExecutorHarness();
        var redis = h.Service("redis");
        redis.StartupDelay = TimeSpan.FromSeconds(3);
        // Docker 26: the stop call returns, then the engine logs the death; redis's start is requested in between,
        // and that "die" has arrived by the time the start call returns.
        redis.DieEventAfterStopReturns = TimeSpan.FromMilliseconds(200);
        redis.StartCallTakes = TimeSpan.FromMilliseconds(500);
        h.Service("worker", [new ServiceDependency("redis", DependencyCondition.ServiceStarted)]);

        var outcomes = await h.RunAsync();

        Assert.All(outcomes, o => Assert.Equal(OutcomeStatus.Succeeded, o.Status));
        // worker starts on redis's start, not on its readiness 3 s later (as it did when the stop's late "die" was
        // taken for a death of the new start).
        var redisStart = h.Engine.OpsOf("redis").Single(o => o.Operation == "start").Time;
        var workerStart = h.Engine.OpsOf("worker").Single(o => o.Operation == "start").Time;
        Assert.True(workerStart - redisStart < TimeSpan.FromSeconds(1), $"redis started {redisStart:ss.fff}, worker {workerStart:ss.fff}");
        Assert.DoesNotContain(h.Events.OfType<RunNote>(), n => n.Message.Contains("died", StringComparison.Ordinal));
        Assert.Empty(h.Events.OfType<RunWarning>());
    }

    [Fact]
    public async Task Run_DependencyKilledAfterItWasReady_ItsDependentIsNotStartedOnTheDeadContainer()
    {
        var h = new ExecutorHarness();
        h.Service("app");
        h.Service("db").StartupDelay = TimeSpan.FromSeconds(6);
        h.Service("worker", [new ServiceDependency("app", DependencyCondition.ServiceStarted), new ServiceDependency("db", DependencyCondition.ServiceHealthy)]);
        // app is ready within a second; the kill comes while worker still waits for db (the soak's kill cycle once saw
        // worker start 1.9 s after app died, on a dependency that no step of the run would start again).
        h.Engine.KillAfter("app", TimeSpan.FromSeconds(2.5));

        var outcomes = await h.RunAsync();

        Assert.Equal(OutcomeStatus.Succeeded, Of(outcomes, "app").Status);
        Assert.Equal(OutcomeStatus.Succeeded, Of(outcomes, "db").Status);
        var worker = Of(outcomes, "worker");
        Assert.Equal(OutcomeStatus.Skipped, worker.Status);
        Assert.Equal(OutcomeReason.Dependency, worker.Reason);
        Assert.Contains("dependency 'app' died after it was ready and is not running again", worker.Message);
        Assert.DoesNotContain(h.Engine.OpsOf("worker"), o => o.Operation == "start");
        // Its result says Succeeded; the run says that it is down now.
        Assert.Contains(h.Events.OfType<RunWarning>(), w => w.Message.StartsWith("app became ready and died later in the run, and is not running now", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_DependencyCrashedAfterItWasReady_AndRevivedByItsPolicy_ItsDependentStartsOnceItIsReadyAgain()
    {
        var h = new ExecutorHarness();
        h.Service("app");
        h.Service("db").StartupDelay = TimeSpan.FromSeconds(6);
        h.Service("worker", "app", "db");
        h.Engine.KillAfter("app", TimeSpan.FromSeconds(2.5), revivedAfter: TimeSpan.FromSeconds(5));

        var outcomes = await h.RunAsync();

        Assert.All(outcomes, o => Assert.Equal(OutcomeStatus.Succeeded, o.Status));
        var revived = h.Engine.TimeOf("app", "revived");
        var workerStart = h.Engine.TimeOf("worker", "start");
        // Ready again means its probe passed after the revival: the fake's start-up delay (500 ms) later.
        Assert.True(workerStart >= revived + TimeSpan.FromMilliseconds(500), $"worker started at {workerStart:ss.fff}, app revived at {revived:ss.fff}");
        Assert.DoesNotContain(h.Events.OfType<RunWarning>(), w => w.Message.Contains("died later in the run", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_Retry_RestartsWhenNoDependentStartedYet_AndDependentWaitsForTheNewStart()
    {
        var h = new ExecutorHarness();
        h.Service("db").CrashingStarts = 1;
        h.Service("redis", "db");
        h.Service("worker", [new ServiceDependency("redis", DependencyCondition.ServiceStarted)]);

        var outcomes = await h.RunAsync(new RestartOptions { MaxRetries = 3 });

        Assert.All(outcomes, o => Assert.Equal(OutcomeStatus.Succeeded, o.Status));
        Assert.Equal(2, Of(outcomes, "db").Attempts);
        Assert.True(h.Engine.TimeOf("redis", "start") > h.Engine.TimeOf("db", "start"));
    }

    [Fact]
    public async Task Run_ProbeThatCannotRun_TimesOutWithoutRestartingTheContainer()
    {
        var h = new ExecutorHarness();
        h.Service("db").ExecFails = true;

        var options = new RestartOptions
        {
            MaxRetries = 3,
            DefaultTimeout = TimeSpan.FromSeconds(5),
            Services = new Dictionary<string, ServiceRestartOptions> { ["db"] = new() { HealthCheck = new ProbeSpec(ProbeKind.Command, "pg_isready") } },
        };

        var outcomes = await h.RunAsync(options);

        var db = Of(outcomes, "db");
        Assert.Equal((OutcomeStatus.Failed, OutcomeReason.Timeout, 1), (db.Status, db.Reason, db.Attempts));
        Assert.Contains("the probe could not run", db.Message);
        Assert.Single(h.Engine.OpsOf("db"), o => o.Operation == "start");
    }

    [Fact]
    public async Task Run_CriticalServiceFails_NothingNewStarts_RunningBranchesFinish()
    {
        var h = new ExecutorHarness();
        h.Service("vault").NeverHealthy = true;
        h.Service("chroma").StartupDelay = TimeSpan.FromSeconds(8);
        h.Service("knowledge", "chroma");
        var options = new RestartOptions
        {
            MaxRetries = 1,
            DefaultTimeout = TimeSpan.FromSeconds(30),
            Services = new Dictionary<string, ServiceRestartOptions> { ["vault"] = new() { Critical = true, Timeout = TimeSpan.FromSeconds(3) } },
        };

        var outcomes = await h.RunAsync(options);

        Assert.Equal(OutcomeStatus.Failed, Of(outcomes, "vault").Status);
        // chroma was already starting when vault failed: it finishes; knowledge would start after: it does not.
        Assert.Equal(OutcomeStatus.Succeeded, Of(outcomes, "chroma").Status);
        Assert.Equal((OutcomeStatus.Skipped, OutcomeReason.Dependency), (Of(outcomes, "knowledge").Status, Of(outcomes, "knowledge").Reason));
        Assert.Contains("critical service 'vault' failed", Of(outcomes, "knowledge").Message);
    }

    [Fact]
    public async Task Run_ServiceStartedCondition_DoesNotWaitForHealth()
    {
        var h = new ExecutorHarness();
        h.Service("db").StartupDelay = TimeSpan.FromSeconds(10);
        h.Service("worker", [new ServiceDependency("db", DependencyCondition.ServiceStarted)]);

        await h.RunAsync();

        Assert.True(h.Engine.TimeOf("worker", "start") < h.Engine.TimeOf("db", "start") + TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Run_CompletedSuccessfullyCondition_WaitsForExitZero()
    {
        var h = new ExecutorHarness();
        h.Service("migrate").ExitsWith = 0;
        h.Service("app", [new ServiceDependency("migrate", DependencyCondition.ServiceCompletedSuccessfully)]);

        var outcomes = await h.RunAsync();

        Assert.Equal(OutcomeStatus.Succeeded, Of(outcomes, "migrate").Status);
        Assert.Equal(OutcomeStatus.Succeeded, Of(outcomes, "app").Status);
    }

    [Fact]
    public async Task Run_CompletedWithNonZeroExit_DependentSkipped()
    {
        var h = new ExecutorHarness();
        h.Service("migrate").ExitsWith = 3;
        h.Service("app", [new ServiceDependency("migrate", DependencyCondition.ServiceCompletedSuccessfully)]);

        var outcomes = await h.RunAsync();

        Assert.Equal(OutcomeStatus.Failed, Of(outcomes, "migrate").Status);
        Assert.Equal(OutcomeStatus.Skipped, Of(outcomes, "app").Status);
    }

    [Fact]
    public async Task Run_CancelledWhileWaiting_ReportsCancelled_AndStartsNothingNew()
    {
        var h = new ExecutorHarness();
        h.Service("db").StartupDelay = TimeSpan.FromSeconds(30);
        h.Service("app", "db");
        var start = h.Time.GetUtcNow();

        var outcomes = await h.RunAsync(new RestartOptions { MaxRetries = 1, DefaultTimeout = TimeSpan.FromSeconds(60) },
            cancelWhen: t => t.GetUtcNow() - start > TimeSpan.FromSeconds(5));

        Assert.All(outcomes, o => Assert.Equal(OutcomeStatus.Cancelled, o.Status));
        Assert.All(outcomes, o => Assert.Equal(OutcomeReason.Cancelled, o.Reason));
        Assert.DoesNotContain(h.Engine.OpsOf("app"), o => o.Operation == "start");
        Assert.Contains("stopped and not started again", Of(outcomes, "app").Message);
    }

    [Fact]
    public async Task Run_NamedService_OnlyThatServiceIsTouched()
    {
        var h = new ExecutorHarness();
        h.Service("db");
        h.Service("app", "db");

        var outcomes = await h.RunAsync(request: new RestartRequest { Names = ["app"] });

        Assert.Equal("app", Assert.Single(outcomes).Service);
        Assert.Empty(h.Engine.OpsOf("db"));
    }

    [Fact]
    public async Task Run_IncludeDependents_RestartsTheClosure()
    {
        var h = new ExecutorHarness();
        h.Service("db");
        h.Service("app", "db");
        h.Service("frontend", "app");
        h.Service("chroma");

        var outcomes = await h.RunAsync(request: new RestartRequest { Names = ["db"], IncludeDependents = true });

        Assert.Equal(["app", "db", "frontend"], outcomes.Select(o => o.Service).Order().ToArray());
    }
}
