using StingOps.Core.Common;
using StingOps.Core.Configuration;
using StingOps.Core.Restart;
using StingOps.Core.Tests.Engine;

namespace StingOps.Core.Tests.Restart;

/// <summary>The engine misbehaving under a run: events that fail or end, a daemon that goes away for seconds.</summary>
public sealed class EngineFaultTests
{
    private static readonly RestartOptions Options = new() { MaxRetries = 1, HealthCheckInterval = TimeSpan.FromSeconds(1), DefaultTimeout = TimeSpan.FromSeconds(30) };

    private static ExecutorHarness Chain()
    {
        var h = new ExecutorHarness();
        h.Service("db");
        h.Service("app", "db");
        h.Service("frontend", "app");
        return h;
    }

    private static List<string> Notes(ExecutorHarness h)
    {
        lock (h.Events)
            return h.Events.OfType<RunNote>().Select(n => n.Message).ToList();
    }

    private static void AssertInOrder(ExecutorHarness h)
    {
        // A dependent started only once its dependency was ready, whatever the engine did.
        Assert.True(h.Engine.TimeOf("app", "start") >= h.Engine.TimeOf("db", "start") + TimeSpan.FromMilliseconds(500));
        Assert.True(h.Engine.TimeOf("frontend", "start") >= h.Engine.TimeOf("app", "start") + TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task Run_EventSubscriptionFailsAtStart_CompletesByProbing_AndSaysSo()
    {
        var h = Chain();
        for (var i = 0; i < 1000; i++)
            h.Engine.EventScripts.Enqueue(new EventStreamScript(EventStreamEnd.SubscribeFails));

        var outcomes = await h.RunAsync(Options);

        Assert.Equal(3, outcomes.Count);
        Assert.All(outcomes, o => Assert.Equal(OutcomeStatus.Succeeded, o.Status));
        AssertInOrder(h);
        var notes = Notes(h);
        Assert.Single(notes, n => n.StartsWith("Engine events unavailable (", StringComparison.Ordinal) && n.Contains("relying on probing until they are back"));
        Assert.DoesNotContain(notes, n => n.StartsWith("Engine events resumed", StringComparison.Ordinal));
        // It kept trying, on a capped backoff: more than once, far fewer than once per fake 50 ms step.
        Assert.InRange(h.Engine.Subscriptions, 2, 200);
    }

    [Theory]
    [InlineData(EventStreamEnd.Ends)]
    [InlineData(EventStreamEnd.Breaks)]
    public async Task Run_EventStreamEndsMidRun_Resubscribes_SaysSoOncePerOutage(EventStreamEnd end)
    {
        var h = Chain();
        h.Engine.EventScripts.Enqueue(new EventStreamScript(end, AfterEvents: 1));

        var outcomes = await h.RunAsync(Options);

        Assert.All(outcomes, o => Assert.Equal(OutcomeStatus.Succeeded, o.Status));
        AssertInOrder(h);
        var notes = Notes(h);
        Assert.Single(notes, n => n.StartsWith("Engine events unavailable (", StringComparison.Ordinal));
        Assert.Single(notes, n => n == "Engine events resumed.");
        Assert.True(notes.FindIndex(n => n.StartsWith("Engine events unavailable", StringComparison.Ordinal)) < notes.IndexOf("Engine events resumed."));
        Assert.True(h.Engine.Subscriptions >= 2);
    }

    [Fact]
    public async Task Run_TwoOutagesOfTheEventStream_EachSaidOnce()
    {
        var h = Chain();
        h.Engine.EventScripts.Enqueue(new EventStreamScript(EventStreamEnd.Ends, AfterEvents: 1));
        h.Engine.EventScripts.Enqueue(new EventStreamScript(EventStreamEnd.SubscribeFails));
        h.Engine.EventScripts.Enqueue(new EventStreamScript(EventStreamEnd.Breaks, AfterEvents: 1));

        var outcomes = await h.RunAsync(Options);

        Assert.All(outcomes, o => Assert.Equal(OutcomeStatus.Succeeded, o.Status));
        var notes = Notes(h);
        Assert.Equal(2, notes.Count(n => n.StartsWith("Engine events unavailable (", StringComparison.Ordinal)));
        Assert.Equal(2, notes.Count(n => n == "Engine events resumed."));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Run_DaemonRestartsWhileADependencyStarts_EveryServiceStillSucceedsInOrder(bool unlessStopped)
    {
        var h = Chain();
        foreach (var s in new[] { "db", "app", "frontend" })
            h.Engine.ContainersOf(s).Single().Behaviour.RestartUnlessStopped = unlessStopped;
        var outage = false;

        // db has started but is not ready yet (500 ms start-up) when the daemon goes away for 8 s.
        var outcomes = await h.RunAsync(Options, cancelWhen: t =>
        {
            if (!outage && h.Engine.OpsOf("db").Any(o => o.Operation == "start"))
            {
                outage = true;
                h.Engine.BeginOutage(TimeSpan.FromSeconds(8));
            }
            return false;
        });

        Assert.True(outage);
        Assert.All(outcomes, o => Assert.Equal(OutcomeStatus.Succeeded, o.Status));
        Assert.All(outcomes, o => Assert.Equal(1, o.Attempts));
        // Nothing started before the daemon came back and db was ready again.
        var back = h.Engine.TimeOf("", "back");
        Assert.True(h.Engine.TimeOf("app", "start") >= back);
        AssertInOrder(h);
    }

    [Fact]
    public async Task Run_DaemonAwayWhileStoppingAndStarting_StopAndStartAreRetriedWithinTheTimeout()
    {
        var h = Chain();

        // The daemon goes away at the run's first stop (not at its first tick of fake time: by then the run may
        // have stopped frontend already), so that stop, and everything after it, meet an absent engine.
        h.Engine.OutageAtFirstStop = TimeSpan.FromSeconds(6);
        var outcomes = await h.RunAsync(Options);
        Assert.Null(h.Engine.OutageAtFirstStop);

        Assert.All(outcomes, o => Assert.Equal(OutcomeStatus.Succeeded, o.Status));
        Assert.Contains(Notes(h), n => n.Contains("the engine is unavailable", StringComparison.Ordinal));
        AssertInOrder(h);
    }

    [Fact]
    public async Task Run_DaemonAwayLongerThanTheTimeout_FailsWithAClearReason()
    {
        var h = Chain();
        var outage = false;
        var options = new RestartOptions { MaxRetries = 1, HealthCheckInterval = TimeSpan.FromSeconds(1), DefaultTimeout = TimeSpan.FromSeconds(5) };

        var outcomes = await h.RunAsync(options, cancelWhen: t =>
        {
            if (!outage && h.Engine.OpsOf("db").Any(o => o.Operation == "start"))
            {
                outage = true;
                h.Engine.BeginOutage(TimeSpan.FromSeconds(60));
            }
            return false;
        });

        var db = outcomes.Single(o => o.Service == "db");
        Assert.Equal(OutcomeStatus.Failed, db.Status);
        Assert.Equal(OutcomeReason.Engine, db.Reason);
        Assert.Contains("the engine was unavailable", db.Message);
        Assert.All(outcomes.Where(o => o.Service != "db"), o => Assert.Equal(OutcomeStatus.Skipped, o.Status));
    }

    [Fact]
    public async Task Run_DaemonRestartStopsAServiceAlreadyReady_TheRunWarnsItIsDownNow()
    {
        var h = Chain();
        h.Service("solo").StartupDelay = TimeSpan.FromMilliseconds(100);
        h.Engine.ContainersOf("db").Single().Behaviour.StartupDelay = TimeSpan.FromSeconds(3);
        foreach (var s in new[] { "db", "app", "frontend" })
            h.Engine.ContainersOf(s).Single().Behaviour.RestartUnlessStopped = true;
        var outage = false;

        // solo (restart: "no") is ready long before app starts; the daemon goes away as app starts.
        var outcomes = await h.RunAsync(Options, cancelWhen: t =>
        {
            if (!outage && h.Engine.OpsOf("app").Any(o => o.Operation == "start"))
            {
                outage = true;
                h.Engine.BeginOutage(TimeSpan.FromSeconds(5));
            }
            return false;
        });

        Assert.True(outage);
        var solo = outcomes.Single(o => o.Service == "solo");
        Assert.Equal(OutcomeStatus.Succeeded, solo.Status);
        Assert.True(solo.ReadyAt < h.Engine.TimeOf("", "outage"));
        List<string> warnings;
        lock (h.Events)
            warnings = h.Events.OfType<RunWarning>().Select(w => w.Message).ToList();
        var warning = Assert.Single(warnings, w => w.StartsWith("The engine was unavailable during the run", StringComparison.Ordinal));
        Assert.Contains("solo became ready before and is not running now", warning);
        Assert.DoesNotContain("db", warning);
    }

    [Fact]
    public async Task Run_DaemonRestartAfterADependencyWasReady_ItIsLookedAtAgainBeforeItsDependentStarts()
    {
        var h = new ExecutorHarness();
        h.Service("db");
        h.Service("slow").StartupDelay = TimeSpan.FromSeconds(6);
        h.Service("app", "db", "slow");
        var outage = false;

        // db is ready, app still waits for slow, when the daemon goes away; it brings nothing back (restart: "no").
        var outcomes = await h.RunAsync(Options, cancelWhen: t =>
        {
            bool dbReady;
            lock (h.Events)
                dbReady = h.Events.OfType<ServicePhaseChanged>().Any(p => p.Service == "db" && p.Phase == ServicePhase.Ready);
            if (!outage && dbReady)
            {
                outage = true;
                h.Engine.BeginOutage(TimeSpan.FromSeconds(3));
            }
            return false;
        });

        Assert.True(outage);
        Assert.All(outcomes, o => Assert.Equal(OutcomeStatus.Succeeded, o.Status));
        // db was started again after the outage, and app only once db was ready again (500 ms start-up).
        var dbStarts = h.Engine.OpsOf("db").Where(o => o.Operation == "start").Select(o => o.Time).ToList();
        Assert.Equal(2, dbStarts.Count);
        Assert.True(dbStarts[1] >= h.Engine.TimeOf("", "back"));
        Assert.True(h.Engine.TimeOf("app", "start") >= dbStarts[1] + TimeSpan.FromMilliseconds(500));
        Assert.Contains(Notes(h), n => n.StartsWith("db: the engine was unavailable after it became ready", StringComparison.Ordinal));
    }
}
