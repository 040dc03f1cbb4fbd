using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Engine;
using StingOps.Core.Graph;
using StingOps.Core.Restart;

namespace StingOps.Core.Tests.Restart;

/// <summary>The executor's Start, Keep and Stop steps (Start-, Stop- and Repair-StingService), against the fake engine.</summary>
public sealed class StepActionTests
{
    private static ServiceOutcome Of(List<ServiceOutcome> outcomes, string service) => outcomes.Single(o => o.Service == service);

    private static Dictionary<string, StepChoice> Choices(params (string Service, StepAction Action)[] choices) =>
        choices.ToDictionary(c => c.Service, c => new StepChoice(c.Action), StringComparer.Ordinal);

    [Fact]
    public async Task Start_StartsWhatIsStopped_AfterItsDependencies_AndLeavesWhatRunsAlone()
    {
        var h = new ExecutorHarness();
        h.Service("db");
        h.Service("vault");
        h.Service("app", "db", "vault");
        await h.Engine.StopAsync(h.Engine.IdOf("db"), TimeSpan.FromSeconds(1), default);
        await h.Engine.StopAsync(h.Engine.IdOf("app"), TimeSpan.FromSeconds(1), default);
        h.Engine.Log.Clear();

        var outcomes = await h.RunAsync(choices: Choices(("db", StepAction.Start), ("vault", StepAction.Keep), ("app", StepAction.Start)));

        Assert.Equal(OutcomeStatus.Started, Of(outcomes, "db").Status);
        Assert.Equal(OutcomeStatus.Started, Of(outcomes, "app").Status);
        Assert.Equal(OutcomeStatus.AlreadyRunning, Of(outcomes, "vault").Status);
        Assert.DoesNotContain(h.Engine.Log, l => l.Operation == "stop");
        Assert.DoesNotContain(h.Engine.Log, l => l.Service == "vault" && l.Operation == "start");
        Assert.True(h.Engine.TimeOf("app", "start") >= h.Engine.TimeOf("db", "start") + TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task Keep_OfAServiceThatNeverBecomesReady_FailsWithoutTouchingIt_AndItsDependentIsNotStarted()
    {
        var h = new ExecutorHarness();
        h.Service("db").NeverHealthy = true;
        h.Service("app", "db");
        await h.Engine.StopAsync(h.Engine.IdOf("app"), TimeSpan.FromSeconds(1), default);
        h.Engine.Log.Clear();

        var outcomes = await h.RunAsync(new() { MaxRetries = 1, HealthCheckInterval = TimeSpan.FromSeconds(1), DefaultTimeout = TimeSpan.FromSeconds(5) },
            choices: Choices(("db", StepAction.Keep), ("app", StepAction.Start)));

        Assert.Equal(OutcomeStatus.Failed, Of(outcomes, "db").Status);
        Assert.Contains("running, not ready", Of(outcomes, "db").Message);
        Assert.Equal(OutcomeStatus.Skipped, Of(outcomes, "app").Status);
        Assert.Empty(h.Engine.Log);
    }

    [Fact]
    public async Task Stop_StopsDependentsFirst_StartsNothing_AndReportsWhatWasAlreadyStopped()
    {
        var h = new ExecutorHarness();
        h.Service("db");
        h.Service("app", "db");
        h.Service("frontend", "app");
        h.Service("worker", "db");
        await h.Engine.StopAsync(h.Engine.IdOf("worker"), TimeSpan.FromSeconds(1), default);
        h.Engine.Log.Clear();

        var outcomes = await h.RunAsync(choices: Choices(("db", StepAction.Stop), ("app", StepAction.Stop), ("frontend", StepAction.Stop), ("worker", StepAction.Stop)));

        Assert.All(outcomes, o => Assert.Equal(OutcomeStatus.Stopped, o.Status));
        Assert.Equal("already stopped", Of(outcomes, "worker").Message);
        var log = h.Engine.Log.ToList();
        Assert.DoesNotContain(log, l => l.Operation == "start");
        Assert.DoesNotContain(log, l => l.Operation == "stop" && l.Service == "worker");
        int Index(string svc) => log.FindIndex(l => l.Operation == "stop" && l.Service == svc);
        Assert.True(Index("frontend") < Index("app") && Index("app") < Index("db"));
        Assert.All(h.Engine.ContainersOf("db").Concat(h.Engine.ContainersOf("app")), c => Assert.NotEqual("running", c.State));
    }

    [Fact]
    public async Task Stop_leaves_a_dependency_running_when_a_dependent_survived_its_stop()
    {
        var h = new ExecutorHarness();
        h.Service("db");
        h.Service("app", "db").Hook = (_, _) => new ExecResult(1, "refusing: backup in progress");
        h.Configure("app", preStop: [new ServiceHook { Command = ["drain"] }]);

        var outcomes = await h.RunAsync(choices: Choices(("db", StepAction.Stop), ("app", StepAction.Stop)));

        Assert.Equal(OutcomeStatus.Failed, Of(outcomes, "app").Status);
        Assert.Equal(OutcomeStatus.Skipped, Of(outcomes, "db").Status);
        Assert.Equal("not stopped: app still runs on it", Of(outcomes, "db").Message);
        Assert.DoesNotContain(h.Engine.Log, l => l.Operation == "stop");
    }
}
