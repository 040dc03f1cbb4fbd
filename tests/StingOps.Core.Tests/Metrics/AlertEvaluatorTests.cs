using Microsoft.Extensions.Time.Testing;
using StingOps.Core.Common;
using StingOps.Core.Configuration;
using StingOps.Core.Metrics;

namespace StingOps.Core.Tests.Metrics;

public class AlertEvaluatorTests
{
    private static readonly DateTimeOffset Now = new(2025, 7, 10, 12, 0, 0, TimeSpan.Zero);
    private static readonly FakeTimeProvider Time = new(Now);
    private static readonly AlertThresholds Defaults = new();

    private static RestartMetricRecord R(TimeSpan ago, string service, double seconds, OutcomeStatus status = OutcomeStatus.Succeeded,
        string? run = null, OutcomeReason? reason = null) =>
        new(Now - ago, service, TimeSpan.FromSeconds(seconds), status) { RunId = run, FailureReason = reason };

    private static TimeSpan Min(double m) => TimeSpan.FromMinutes(m);
    private static TimeSpan H(double h) => TimeSpan.FromHours(h);

    private static RestartAlertResult Eval(AlertRule rule, IEnumerable<RestartMetricRecord> records, DateTimeOffset? since = null,
        int env = 0, AlertThresholds? t = null) =>
        AlertEvaluator.Evaluate(records, t ?? Defaults, since, env, Time).Single(a => a.Rule == rule);

    [Fact]
    public void Returns_one_result_per_rule_in_order_and_none_trigger_on_healthy_history()
    {
        var results = AlertEvaluator.Evaluate(
            [R(H(1), "db", 20), R(H(1), "api", 40), R(H(2), "web", 0, OutcomeStatus.Skipped, reason: OutcomeReason.None), R(H(3), "x", 1, OutcomeStatus.Cancelled, reason: OutcomeReason.Cancelled)],
            Defaults, since: null, environmentValidationFailures: 0, Time);

        Assert.Equal(Enum.GetValues<AlertRule>(), results.Select(r => r.Rule).ToArray());
        Assert.All(results, r => Assert.False(r.Triggered, r.Message));
        Assert.All(results, r => Assert.False(string.IsNullOrWhiteSpace(r.Observed + r.Threshold + r.Message)));
    }

    [Fact]
    public void Empty_history_triggers_nothing()
    {
        var results = AlertEvaluator.Evaluate([], Defaults, null, 0, Time);
        Assert.Equal(5, results.Count);
        Assert.All(results, r => Assert.False(r.Triggered));
        Assert.Equal("no restarts", results[0].Observed);
    }

    [Fact]
    public void RestartTooSlow_measures_a_run_from_first_start_to_last_finish()
    {
        // Each service is quick, but the run took 6 minutes: db stopped at -10m, api ready at -4m.
        var run = new[] { R(Min(10) - TimeSpan.FromSeconds(30), "db", 30, run: "r1"), R(Min(4), "api", 60, run: "r1") };
        var a = Eval(AlertRule.RestartTooSlow, run);
        Assert.True(a.Triggered);
        Assert.Equal("> 5m, or > 2x its estimate", a.Threshold);
        Assert.Contains("6m", a.Observed);
        Assert.Contains("run r1", a.Message);

        // The same rows without a run id are two quick restarts.
        Assert.False(Eval(AlertRule.RestartTooSlow, run.Select(r => r with { RunId = null })).Triggered);
    }

    [Fact]
    public void RestartTooSlow_is_strictly_longer_than_the_threshold()
    {
        Assert.False(Eval(AlertRule.RestartTooSlow, [R(H(1), "db", 300)]).Triggered);
        var a = Eval(AlertRule.RestartTooSlow, [R(H(1), "db", 301), R(H(1), "web", 10)]);
        Assert.True(a.Triggered);
        Assert.Contains("5m1s", a.Observed);
        Assert.Contains("db at", a.Message);
        // A configured threshold.
        Assert.True(Eval(AlertRule.RestartTooSlow, [R(H(1), "db", 61)], t: new AlertThresholds { SlowRestart = Min(1) }).Triggered);
    }

    [Fact]
    public void RestartTooSlow_fires_for_a_run_far_longer_than_its_recorded_estimate()
    {
        // 45 s against an estimate of 12 s: short of 5 minutes, but far over what its history led to expect.
        RestartMetricRecord[] Run(string id, double seconds, double? expected) =>
            [R(H(1) + TimeSpan.FromSeconds(seconds - 1), "db", 1, run: id) with { ExpectedRunDuration = expected is { } e ? TimeSpan.FromSeconds(e) : null },
             R(H(1), "api", 1, run: id) with { ExpectedRunDuration = expected is { } e2 ? TimeSpan.FromSeconds(e2) : null }];

        var slow = Eval(AlertRule.RestartTooSlow, Run("r1", 45, 12));
        Assert.True(slow.Triggered);
        Assert.Contains("run r1 (45s, expected 12s)", slow.Message);

        // Twice the estimate but less than 10 s over it (noise of a short run), under 2x, or without an estimate: not slow.
        Assert.False(Eval(AlertRule.RestartTooSlow, Run("r2", 9, 4)).Triggered);
        Assert.False(Eval(AlertRule.RestartTooSlow, Run("r3", 45, 30)).Triggered);
        Assert.False(Eval(AlertRule.RestartTooSlow, Run("r4", 45, null)).Triggered);
    }

    [Theory]
    [InlineData(OutcomeStatus.Failed, true)]
    [InlineData(OutcomeStatus.RolledBack, true)]
    [InlineData(OutcomeStatus.Succeeded, false)]
    [InlineData(OutcomeStatus.Skipped, false)]
    [InlineData(OutcomeStatus.Cancelled, false)]
    public void ServiceFailedAfterRestart_fires_on_failed_and_rolled_back(OutcomeStatus status, bool fires)
    {
        var a = Eval(AlertRule.ServiceFailedAfterRestart, [R(H(1), "db", 10), R(H(1), "kratos", 45, status, reason: OutcomeReason.HealthCheck)]);
        Assert.Equal(fires, a.Triggered);
        if (fires) Assert.Contains("kratos", a.Observed);
    }

    [Theory]
    [InlineData(OutcomeStatus.Skipped, "Dependency", true)]
    [InlineData(OutcomeStatus.Failed, "dependency", true)]
    [InlineData(OutcomeStatus.Skipped, "None", false)]
    [InlineData(OutcomeStatus.Failed, "HealthCheck", false)]
    [InlineData(OutcomeStatus.Succeeded, "Dependency", false)]
    [InlineData(OutcomeStatus.Failed, null, false)]
    public void DependencyChainBroken_fires_on_a_service_held_back_by_a_dependency(OutcomeStatus status, string? reason, bool fires)
    {
        var a = Eval(AlertRule.DependencyChainBroken, [R(H(1), "db", 10, OutcomeStatus.Failed, "r", OutcomeReason.HealthCheck), R(H(1), "kratos", 0, status, "r", MetricFileFormat.ParseReason(reason))]);
        Assert.Equal(fires, a.Triggered);
        if (fires) Assert.Contains("kratos", a.Message);
    }

    [Fact]
    public void RepeatedFailures_fires_above_three_in_24h()
    {
        var three = new[] { R(H(1), "db", 5, OutcomeStatus.Failed), R(H(5), "db", 5, OutcomeStatus.RolledBack), R(H(23), "api", 5, OutcomeStatus.Failed) };
        var a = Eval(AlertRule.RepeatedFailures, three);
        Assert.False(a.Triggered);
        Assert.Equal("> 3 in 24h", a.Threshold);
        Assert.StartsWith("3 in 24h", a.Observed);

        var four = three.Append(R(Min(1), "web", 5, OutcomeStatus.Failed)).ToArray();
        a = Eval(AlertRule.RepeatedFailures, four);
        Assert.True(a.Triggered);
        Assert.Contains("db ×2", a.Observed);

        // A fourth failure 25 h ago is outside the window, even when -Since reaches back further.
        var old = three.Append(R(H(25), "web", 5, OutcomeStatus.Failed)).ToArray();
        Assert.False(Eval(AlertRule.RepeatedFailures, old).Triggered);
        Assert.False(Eval(AlertRule.RepeatedFailures, old, since: Now - H(48)).Triggered);
        // And -Since narrows it.
        Assert.False(Eval(AlertRule.RepeatedFailures, four, since: Now - H(2)).Triggered);
        // Configured limit and window.
        Assert.True(Eval(AlertRule.RepeatedFailures, three, t: new AlertThresholds { RepeatedFailures = 2 }).Triggered);
        Assert.False(Eval(AlertRule.RepeatedFailures, four, t: new AlertThresholds { RepeatedFailuresWindow = H(2) }).Triggered);
    }

    [Fact]
    public void Since_defaults_to_the_failure_window_so_old_failures_stop_alerting()
    {
        var old = new[] { R(H(30), "db", 400, OutcomeStatus.Failed, reason: OutcomeReason.Dependency) };
        Assert.DoesNotContain(AlertEvaluator.Evaluate(old, Defaults, null, 0, Time), a => a.Triggered);

        var since = AlertEvaluator.Evaluate(old, Defaults, Now - H(48), 0, Time);
        Assert.True(since.Single(a => a.Rule == AlertRule.RestartTooSlow).Triggered);
        Assert.True(since.Single(a => a.Rule == AlertRule.ServiceFailedAfterRestart).Triggered);
        Assert.True(since.Single(a => a.Rule == AlertRule.DependencyChainBroken).Triggered);
        Assert.Contains("since 2025-07-08T12:00:00+00:00", since[1].Message);
    }

    [Fact]
    public void EnvironmentValidationFailed_counts_reported_findings_and_runs_refused_by_prerequisites()
    {
        var fine = new[] { R(H(1), "db", 10) };
        Assert.False(Eval(AlertRule.EnvironmentValidationFailed, fine).Triggered);

        var a = Eval(AlertRule.EnvironmentValidationFailed, fine, env: 2);
        Assert.True(a.Triggered);
        Assert.StartsWith("2 ", a.Observed);

        // One run refused by its prerequisites records every service: one refused run, not three.
        var refused = new[]
        {
            R(H(1), "db", 0, OutcomeStatus.Skipped, "r9", OutcomeReason.Prerequisite),
            R(H(1), "api", 0, OutcomeStatus.Skipped, "r9", OutcomeReason.Prerequisite),
            R(H(1), "web", 0, OutcomeStatus.Failed, "r9", OutcomeReason.Prerequisite),
        };
        a = Eval(AlertRule.EnvironmentValidationFailed, refused);
        Assert.True(a.Triggered);
        Assert.StartsWith("1 ", a.Observed);
        Assert.Contains("1 run refused", a.Observed);
    }

    [Fact]
    public void Rejects_a_negative_finding_count()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AlertEvaluator.Evaluate([], Defaults, null, -1, Time));
    }
}
