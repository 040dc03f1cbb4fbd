using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Configuration;
using StingOps.Core.Graph;
using StingOps.Core.Metrics;
using StingOps.Core.Restart;

namespace StingOps.Core.Tests.Restart;

public sealed class RunEstimateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 2, 0, 0, TimeSpan.Zero);

    private static ComposeService Svc(string name, params ServiceDependency[] deps) => new() { Name = name, DependsOn = deps };

    private static RestartPlan Plan(params ComposeService[] services) =>
        RestartPlan.Create(ServiceGraph.Build(new ComposeProject { Name = "p", ProjectDirectory = "/p", ComposeFiles = [], ActiveProfiles = [], Services = services },
            RestartOptions.Defaults), RestartOptions.Defaults, new RestartRequest());

    /// <summary>Three first-attempt restarts: start to ready as given, stop to ready 1 s more (the engine's part).</summary>
    private static IEnumerable<RestartMetricRecord> Runs(string service, params double[] readySeconds) =>
        readySeconds.Select((r, i) => new RestartMetricRecord(T0.AddMinutes(i), service, TimeSpan.FromSeconds(r + 1), OutcomeStatus.Succeeded)
        {
            StartToReady = TimeSpan.FromSeconds(r),
            Attempts = 1,
        });

    [Fact]
    public void The_critical_path_adds_each_services_engine_step_and_median_start_to_ready_after_what_it_waits_for()
    {
        var plan = Plan(
            Svc("db"),
            Svc("vault"),
            Svc("app", new ServiceDependency("db", DependencyCondition.ServiceHealthy), new ServiceDependency("vault", DependencyCondition.ServiceHealthy)),
            // A service_started dependent goes when app has started, not when it is ready.
            Svc("worker", new ServiceDependency("app", DependencyCondition.ServiceStarted)));
        var history = RestartHistory.From([.. Runs("db", 4, 5, 6), .. Runs("vault", 9, 10, 11), .. Runs("app", 2, 3, 30), .. Runs("worker", 1, 1, 1)]);

        var estimate = RunEstimate.Of(plan, history);

        // vault ready at 1 + 10 = 11 s; app started at 11 + 1 = 12 s, ready at 15 s; worker started at 13 s, ready at 14 s.
        Assert.Equal(TimeSpan.FromSeconds(15), estimate.Duration);
        Assert.Equal(["vault", "app"], estimate.CriticalPath);
        Assert.Equal(TimeSpan.FromSeconds(14), estimate.Services["worker"].ReadyAfter);
        Assert.Equal(TimeSpan.FromSeconds(3), estimate.Services["app"].StartToReady);
        Assert.Equal(TimeSpan.FromSeconds(1), estimate.Services["app"].EngineStep);
        Assert.Empty(estimate.WithoutHistory);
        Assert.Contains("about 15", estimate.Describe());
        Assert.True(estimate.IsFarExceededBy(TimeSpan.FromSeconds(31)));
        Assert.False(estimate.IsFarExceededBy(TimeSpan.FromSeconds(29)));
    }

    [Fact]
    public void A_service_with_too_little_history_leaves_the_run_without_a_duration_and_is_named()
    {
        var plan = Plan(Svc("db"), Svc("app", new ServiceDependency("db", DependencyCondition.ServiceHealthy)));
        var estimate = RunEstimate.Of(plan, RestartHistory.From([.. Runs("app", 1, 2, 3), .. Runs("db", 1, 2)]));

        Assert.Null(estimate.Duration);
        Assert.Equal(["db"], estimate.WithoutHistory);
        // app's own time is known; when it would be ready is not.
        Assert.Equal(TimeSpan.FromSeconds(2), estimate.Services["app"].StartToReady);
        Assert.Null(estimate.Services["app"].ReadyAfter);
        Assert.Contains("db", estimate.Describe());
        Assert.False(estimate.IsFarExceededBy(TimeSpan.FromHours(1)));
    }

    [Fact]
    public void History_counts_only_rows_with_a_start_to_ready_and_the_newest_twenty()
    {
        var old = Runs("db", [.. Enumerable.Repeat(100.0, 30)]);
        var shell = Enumerable.Range(0, 10).Select(i => new RestartMetricRecord(T0.AddDays(1).AddMinutes(i), "db", TimeSpan.FromSeconds(500), OutcomeStatus.Succeeded));
        var recent = Runs("db", [.. Enumerable.Repeat(2.0, 20)]).Select(r => r with { Timestamp = r.Timestamp.AddDays(2) });

        var history = RestartHistory.From([.. old, .. shell, .. recent]);

        Assert.Equal(TimeSpan.FromSeconds(2), history.ReadyTimes["db"].Typical);
        Assert.Equal(TimeSpan.FromSeconds(1), history.EngineSteps["db"]);
    }
}
