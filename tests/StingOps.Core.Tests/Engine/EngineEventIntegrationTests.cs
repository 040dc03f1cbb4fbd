using System.Diagnostics;
using StingOps.Core.Engine;
using Xunit.Abstractions;

namespace StingOps.Core.Tests.Engine;

/// <summary>The event stream against the real engine: delivery, liveness, filtering, cancellation.</summary>
[Trait("Category", "Integration")]
public sealed class EngineEventIntegrationTests(DockerEngineFixture fx, ITestOutputHelper output) : IClassFixture<DockerEngineFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    /// <summary>Reads events until <paramref name="until"/> has been seen, or fails after <paramref name="timeout"/>.</summary>
    private static async Task<List<EngineEvent>> CollectAsync(IEngineEventSubscription subscription, Func<List<EngineEvent>, bool> until, TimeSpan timeout)
    {
        var seen = new List<EngineEvent>();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var e in subscription.WithCancellation(cts.Token))
            {
                seen.Add(e);
                if (until(seen))
                {
                    return seen;
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
        }
        throw new TimeoutException($"Expected events not seen within {timeout}; saw: {string.Join(", ", seen.Select(e => $"{e.Service}:{e.Action}"))}");
    }

    [IntegrationFact]
    public async Task Stop_and_start_produce_die_stop_start_and_health_events()
    {
        var project = fx.NewProject();
        var id = await fx.CreateAsync(project, new TestContainerSpec("web", "sh", "-c", "touch /tmp/ready; exec sleep 600")
        {
            HealthCommand = "test -f /tmp/ready",
            HealthInterval = TimeSpan.FromMilliseconds(300),
        });
        await DockerEngineFixture.WaitForAsync(() => fx.Engine.InspectAsync(id, CancellationToken.None), d => d?.Health == "healthy", Bound, "web healthy");

        await using var subscription = await fx.Engine.SubscribeEventsAsync(project, CancellationToken.None);
        var sw = Stopwatch.StartNew();
        await fx.Engine.StopAsync(id, TimeSpan.FromSeconds(5), CancellationToken.None);
        await fx.Engine.StartAsync(id, CancellationToken.None);

        var events = await CollectAsync(subscription, seen => seen.Any(e => e.Action == "health_status: healthy"), Bound);
        foreach (var e in events)
        {
            output.WriteLine($"{e.Time:HH:mm:ss.fff} {e.Service} {e.Action} {e.ExitCode}");
        }
        output.WriteLine($"healthy again {sw.ElapsedMilliseconds} ms after the stop was sent");

        Assert.All(events, e => Assert.Equal(id, e.ContainerId));
        Assert.All(events, e => Assert.Equal("web", e.Service));
        var actions = events.Select(e => e.Action).ToList();
        Assert.Contains("die", actions);
        Assert.Contains("stop", actions);
        Assert.Contains("start", actions);
        Assert.True(actions.IndexOf("die") < actions.IndexOf("start"));
        Assert.True(actions.IndexOf("start") < actions.IndexOf("health_status: healthy"));
        // init forwards SIGTERM to sleep: 143.
        Assert.NotNull(events.First(e => e.Action == "die").ExitCode);
        // The healthcheck's exec_create/exec_start/exec_die are filtered out by the engine.
        Assert.DoesNotContain(actions, a => a.StartsWith("exec_", StringComparison.Ordinal));
        Assert.All(events, e => Assert.InRange(e.Time, subscription.Since.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1)));
    }

    [IntegrationFact]
    public async Task A_subscription_is_live_when_it_returns()
    {
        // Subscribe, then act at once: the very first event of the action must arrive, every time.
        var project = fx.NewProject();
        var id = await fx.CreateAsync(project, new TestContainerSpec("flip", "sleep", "600"));
        for (var round = 0; round < 6; round++)
        {
            await using var subscription = await fx.Engine.SubscribeEventsAsync(project, CancellationToken.None);
            string expected;
            if (round % 2 == 0)
            {
                await fx.Engine.StopAsync(id, TimeSpan.Zero, CancellationToken.None);
                expected = "die";
            }
            else
            {
                await fx.Engine.StartAsync(id, CancellationToken.None);
                expected = "start";
            }
            var events = await CollectAsync(subscription, seen => seen.Any(e => e.Action == expected), TimeSpan.FromSeconds(10));
            Assert.Contains(events, e => e.Action == expected && e.ContainerId == id);
        }
    }

    [IntegrationFact]
    public async Task Events_of_other_projects_and_one_off_containers_are_not_delivered()
    {
        var project = fx.NewProject();
        var other = fx.NewProject();
        await using var subscription = await fx.Engine.SubscribeEventsAsync(project, CancellationToken.None);

        await fx.CreateAsync(other, new TestContainerSpec("web", "sleep", "600"));
        await fx.CreateAsync(project, new TestContainerSpec("web", "sleep", "600") { OneOff = "True" });
        var mine = await fx.CreateAsync(project, new TestContainerSpec("web", "sleep", "600"));

        var events = await CollectAsync(subscription, seen => seen.Any(e => e.Action == "start"), Bound);
        Assert.All(events, e => Assert.Equal(mine, e.ContainerId));
        Assert.Equal(["create", "start"], events.Select(e => e.Action));
    }

    [IntegrationFact]
    public async Task Cancelling_WatchEvents_ends_the_enumeration_promptly()
    {
        var project = fx.NewProject();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var sw = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in fx.Engine.WatchEventsAsync(project, cts.Token))
            {
            }
        });
        sw.Stop();
        output.WriteLine($"ended {sw.ElapsedMilliseconds} ms after start (cancelled at 300 ms)");
        // Without the cancellation the enumeration never ends: any end within the bound is the cancellation at work.
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), $"took {sw.Elapsed}");
    }

    [IntegrationFact]
    public async Task WatchEvents_delivers_events_too()
    {
        var project = fx.NewProject();
        using var cts = new CancellationTokenSource(Bound);
        var first = new TaskCompletionSource<EngineEvent>();
        var watcher = Task.Run(async () =>
        {
            await foreach (var e in fx.Engine.WatchEventsAsync(project, cts.Token))
            {
                first.TrySetResult(e);
                break;
            }
        });
        // WatchEventsAsync has no liveness signal: give it a moment to subscribe (that is what SubscribeEventsAsync is for).
        await Task.Delay(500);
        await fx.CreateAsync(project, new TestContainerSpec("web", "sleep", "600"));
        var e = await first.Task.WaitAsync(Bound);
        Assert.Equal("create", e.Action);
        await watcher.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
