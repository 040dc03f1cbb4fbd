using StingOps.Core.Common;
using StingOps.Core.Configuration;
using StingOps.Core.Health;
using StingOps.Core.Restart;

namespace StingOps.Core.Tests.Restart;

/// <summary>The probe schedule that learns from each service's recorded start to ready (fake engine, fake time).</summary>
public sealed class ProbeScheduleTests
{
    private static readonly RestartOptions Options = new() { MaxRetries = 1, HealthCheckInterval = TimeSpan.FromSeconds(1), DefaultTimeout = TimeSpan.FromSeconds(120) };

    private static TimeSpan Seconds(double s) => TimeSpan.FromSeconds(s);

    private static async Task<ServiceOutcome> RestartSlowAsync(TimeSpan startup, ReadyTimeEstimate? history, bool pollsInside = true)
    {
        var h = new ExecutorHarness();
        var slow = h.Service("slow");
        slow.StartupDelay = startup;
        slow.PollsInside = pollsInside;
        if (history is not null)
            h.History["slow"] = history;
        var outcome = Assert.Single(await h.RunAsync(Options));
        Assert.Equal(OutcomeStatus.Succeeded, outcome.Status);
        return outcome;
    }

    private static TimeSpan SeenLate(ServiceOutcome o, TimeSpan startup) => o.ReadyAt!.Value - (o.StartedAt!.Value + startup);

    [Fact]
    public async Task With_history_a_slow_start_costs_half_the_probes_or_less_and_is_seen_as_soon()
    {
        var startup = Seconds(20);
        var today = await RestartSlowAsync(startup, null);
        var learnt = await RestartSlowAsync(startup, ReadyTimeEstimate.From([Seconds(19.5), Seconds(20), Seconds(20.5), Seconds(20.2)]));

        // Today: a 3 s poll window after another from the start (7 execs, a test every 100 ms). With history: sparse
        // tests every 6.5 s while it is quiet (until 17.55 s), then one window over the likely span.
        Assert.True(learnt.Probes.Execs * 2 <= today.Probes.Execs, $"with history {learnt.Probes}, without {today.Probes}");
        Assert.True(learnt.Probes.Runs * 2 <= today.Probes.Runs, $"with history {learnt.Probes}, without {today.Probes}");
        Assert.True(learnt.Probes.Execs > 0);
        // The dense phase begins before the earliest recorded time: readiness is seen no later than without history.
        Assert.True(SeenLate(learnt, startup) <= SeenLate(today, startup) + TimeSpan.FromMilliseconds(100),
            $"seen {SeenLate(learnt, startup)} late with history, {SeenLate(today, startup)} without");
    }

    [Fact]
    public async Task A_service_faster_than_its_history_is_seen_within_one_sparse_interval()
    {
        var history = ReadyTimeEstimate.From([Seconds(40), Seconds(42), Seconds(44)])!;
        var outcome = await RestartSlowAsync(Seconds(5), history);

        Assert.True(SeenLate(outcome, Seconds(5)) <= history.SparseInterval + TimeSpan.FromMilliseconds(100),
            $"seen {SeenLate(outcome, Seconds(5))} late; sparse interval {history.SparseInterval}");
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.5)]   // a sparse probe at 1 s would have been a second exec (the bench saw vault's, 1.7 s, cost two)
    [InlineData(8.0)]   // today: three 3 s windows
    public async Task A_service_with_a_short_history_waits_quietly_then_polls_once(double seconds)
    {
        var startup = Seconds(seconds);
        var today = await RestartSlowAsync(startup, null);
        var learnt = await RestartSlowAsync(startup, ReadyTimeEstimate.From([Seconds(seconds - 0.05), startup, Seconds(seconds + 0.05)]));

        Assert.Equal(1, learnt.Probes.Execs);
        Assert.True(learnt.Probes.Runs * 2 <= today.Probes.Runs, $"with history {learnt.Probes}, without {today.Probes}");
        Assert.True(SeenLate(learnt, startup) <= SeenLate(today, startup) + TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Without_history_every_probe_is_counted()
    {
        var outcome = await RestartSlowAsync(Seconds(2), null, pollsInside: false);
        // Without the poll loop each exec is answered at once: one test per exec.
        Assert.True(outcome.Probes.Execs >= 5, outcome.Probes.ToString());
        Assert.Equal(outcome.Probes.Execs, outcome.Probes.Runs);
    }

    [Fact]
    public void The_estimate_needs_three_starts_and_uses_the_newest_twenty()
    {
        Assert.Null(ReadyTimeEstimate.From([Seconds(1), Seconds(2)]));
        var e = ReadyTimeEstimate.From([Seconds(3), Seconds(1), Seconds(2)])!;
        Assert.Equal((Seconds(1), Seconds(2), Seconds(3), 3), (e.Early, e.Typical, e.Late, e.Samples));

        // 30 old starts of 100 s, then 20 of 10..29 s: only the newest 20 count.
        var times = Enumerable.Repeat(Seconds(100), 30).Concat(Enumerable.Range(10, 20).Select(s => Seconds(s)));
        var recent = ReadyTimeEstimate.From(times)!;
        Assert.Equal((Seconds(11), Seconds(19), Seconds(27), 20), (recent.Early, recent.Typical, recent.Late, recent.Samples));
        Assert.Equal(Seconds(11 - 1.1), recent.QuietUntil);
        // 11 s / 3 is shorter than the 5 s floor; a 9.9 s quiet spell is not worth two sparse probes: it is waited out.
        Assert.Equal(Seconds(5), recent.SparseInterval);
        Assert.False(recent.ProbesWhileQuiet);
        // A fast service: the margin is at least 0.3 s.
        var fast = ReadyTimeEstimate.From([Seconds(0.9), Seconds(1), Seconds(1.1)])!;
        Assert.Equal(Seconds(0.6), fast.QuietUntil);
        Assert.False(fast.ProbesWhileQuiet);
        // A slow one: a third of its early time, sparse probes while quiet.
        var slow = ReadyTimeEstimate.From([Seconds(30), Seconds(31), Seconds(32)])!;
        Assert.Equal((Seconds(10), Seconds(27)), (slow.SparseInterval, slow.QuietUntil));
        Assert.True(slow.ProbesWhileQuiet);
    }
}
