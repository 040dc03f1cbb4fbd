using StingOps.Core.Common;
using StingOps.Core.Metrics;
using StingOps.Core.Report;

namespace StingOps.Core.Tests.Report;

public class RunTimelineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 3, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    /// <summary>A row as the runner records it: phase times in seconds from T0 (null: not reached).</summary>
    internal static RestartMetricRecord Row(string service, OutcomeStatus status, double? requested, double? stopped, double? started, double? ready,
        double? recorded = null, int wave = 0, string? message = null) =>
        new(At(recorded ?? ready ?? started ?? stopped ?? 0), service,
            ready is { } r ? TimeSpan.FromSeconds(r - (stopped ?? started ?? r)) : TimeSpan.Zero, status)
        {
            RunId = "run-1",
            Project = "proj",
            Wave = wave,
            Phases = new PhaseTimes(requested is { } a ? At(a) : null, stopped is { } b ? At(b) : null, started is { } c ? At(c) : null, ready is { } d ? At(d) : null),
            Message = message,
        };

    private static Func<string, IReadOnlyList<string>> Graph(params (string Service, string[] DependsOn)[] edges)
    {
        var map = edges.ToDictionary(e => e.Service, e => (IReadOnlyList<string>)e.DependsOn);
        return s => map.GetValueOrDefault(s) ?? [];
    }

    [Fact]
    public void The_critical_path_follows_the_dependency_each_service_waited_for_last()
    {
        // db and cache restart together; api needs both and starts when db (the later) is ready; web needs api.
        var rows = new[]
        {
            Row("web", OutcomeStatus.Succeeded, 0, 0.5, 9.1, 12, wave: 2),
            Row("api", OutcomeStatus.Succeeded, 0.6, 1.0, 6.1, 9, wave: 1),
            Row("db", OutcomeStatus.Succeeded, 1.1, 1.6, 1.7, 6, wave: 0),
            Row("cache", OutcomeStatus.Succeeded, 1.1, 1.3, 1.4, 2.5, wave: 0),
        };
        var timeline = RunTimeline.Build(rows, Graph(("web", ["api"]), ("api", ["db", "cache"])));

        Assert.Equal(["db", "api", "web"], timeline.CriticalPath);
        Assert.Equal(["cache", "db", "api", "web"], timeline.Bars.Select(b => b.Service));  // by wave, then start
        Assert.Equal([false, true, true, true], timeline.Bars.Select(b => b.OnCriticalPath));
        Assert.Equal(T0, timeline.Began);
        Assert.Equal(At(12), timeline.Ended);
        Assert.Equal("run-1", timeline.RunId);
        Assert.Equal("proj", timeline.Project);
    }

    [Fact]
    public void A_dependency_ready_before_the_service_itself_was_stopped_did_not_hold_it_up()
    {
        // Start-StingService: db was already ready; app's own stop and start took the time.
        var rows = new[]
        {
            Row("db", OutcomeStatus.Succeeded, 0, 0.2, 0.3, 1),
            Row("app", OutcomeStatus.Succeeded, 2, 3, 3.1, 8, wave: 1),
        };
        Assert.Equal(["app"], RunTimeline.Build(rows, Graph(("app", ["db"]))).CriticalPath);
    }

    [Fact]
    public void A_service_started_dependency_released_its_dependent_when_it_started()
    {
        // knowledge needs chroma only started (depends_on: [chroma]): it started before chroma was ready.
        var rows = new[]
        {
            Row("chroma", OutcomeStatus.Succeeded, 1.1, 1.3, 1.8, 2.9),
            Row("knowledge", OutcomeStatus.Failed, 0.8, 1.1, 2.3, null, recorded: 18, wave: 1),
        };
        Assert.Equal(["chroma", "knowledge"], RunTimeline.Build(rows, Graph(("knowledge", ["chroma"]))).CriticalPath);
    }

    [Fact]
    public void A_skipped_service_recorded_when_the_run_ended_does_not_end_the_path()
    {
        var rows = new[]
        {
            Row("db", OutcomeStatus.Succeeded, 0.5, 1, 1.2, 5),
            Row("app", OutcomeStatus.Failed, 0, 0.4, 5.1, null, recorded: 9, wave: 1, message: "health check failed"),
            Row("web", OutcomeStatus.Skipped, 0, 0.2, null, null, recorded: 9, wave: 2, message: "not started: dependency 'app' failed"),
        };
        var timeline = RunTimeline.Build(rows, Graph(("web", ["app"]), ("app", ["db"])));

        Assert.Equal(["db", "app"], timeline.CriticalPath);
        var app = timeline.Bars.Single(b => b.Service == "app");
        Assert.Equal(At(9), app.Ended);  // never ready: the bar runs to its recorded outcome
        Assert.Equal("health check failed", app.Message);
    }

    [Fact]
    public void A_row_without_phase_times_is_one_bar_ending_when_it_was_recorded()
    {
        // STING's shell rows, and rows older StingOps wrote: a timestamp and a duration only.
        var old = new RestartMetricRecord(At(30), "db", TimeSpan.FromSeconds(12), OutcomeStatus.Succeeded) { RunId = "run-1" };
        var timeline = RunTimeline.Build([old], Graph());

        var bar = Assert.Single(timeline.Bars);
        Assert.Equal(At(18), bar.Began);
        Assert.Equal(At(30), bar.Ended);
        Assert.Null(bar.Wave);
        Assert.Equal(["db"], timeline.CriticalPath);
    }
}
