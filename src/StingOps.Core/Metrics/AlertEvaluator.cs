using System.Globalization;
using StingOps.Core.Common;
using StingOps.Core.Configuration;

namespace StingOps.Core.Metrics;

/// <summary>The alert conditions of the restart reliability plan ("Monitoring &amp; Alerting").</summary>
public enum AlertRule
{
    /// <summary>"Restart takes longer than 5 minutes".</summary>
    RestartTooSlow,
    /// <summary>"Any service fails to start after restart".</summary>
    ServiceFailedAfterRestart,
    /// <summary>"Dependency chain breaks during restart".</summary>
    DependencyChainBroken,
    /// <summary>"More than 3 restart failures in 24 hours".</summary>
    RepeatedFailures,
    /// <summary>"Environment file validation failures".</summary>
    EnvironmentValidationFailed,
}

/// <summary>One rule's verdict. <see cref="Observed"/> and <see cref="Threshold"/> are short human-readable texts.</summary>
public sealed record RestartAlertResult(AlertRule Rule, bool Triggered, string Observed, string Threshold, string Message);

/// <summary>Evaluates the alert rules over recorded restarts.</summary>
public static class AlertEvaluator
{
    /// <summary>
    /// One <see cref="RestartAlertResult"/> per <see cref="AlertRule"/>, in enum order, triggered or not.
    /// </summary>
    /// <param name="records">Recorded restarts (all of them; this method applies the time bounds).</param>
    /// <param name="thresholds">The limits (config.yml; by default the restart reliability plan's: 5m, more than 3 in 24h).</param>
    /// <param name="since">Only records with <c>Timestamp &gt;= since</c> are considered. Null: the last
    /// <see cref="AlertThresholds.RepeatedFailuresWindow"/> (24 h) before now, so that an old failure does not
    /// alert forever.</param>
    /// <param name="environmentValidationFailures">Environment-file findings the caller got from
    /// validating the project's env files now (e.g. <c>Test-StingEnvironmentFile</c>); 0 when not checked.</param>
    /// <param name="timeProvider">Now.</param>
    /// <remarks>
    /// <list type="bullet">
    /// <item><b>RestartTooSlow</b>: a restart longer than <see cref="AlertThresholds.SlowRestart"/> (strictly), or a run
    /// far longer than the estimate its rows recorded (<see cref="SlowRun"/>). A restart is a run: the records sharing a
    /// RunId, from the earliest start (Timestamp − Duration) to the latest Timestamp; a record without RunId (STING's
    /// shell) is a restart of its own, its Duration.</item>
    /// <item><b>ServiceFailedAfterRestart</b>: any Failed or RolledBack record.</item>
    /// <item><b>DependencyChainBroken</b>: any record that is not Succeeded with FailureReason Dependency
    /// (a service skipped or failed because a dependency did not come back).</item>
    /// <item><b>RepeatedFailures</b>: more than <see cref="AlertThresholds.RepeatedFailures"/> Failed or RolledBack
    /// records in the last <see cref="AlertThresholds.RepeatedFailuresWindow"/> (and not before <paramref name="since"/>).</item>
    /// <item><b>EnvironmentValidationFailed</b>: <paramref name="environmentValidationFailures"/> plus the runs refused
    /// by pre-restart validation (records not Succeeded with FailureReason Prerequisite; one per RunId, or per
    /// record without RunId) is above zero.</item>
    /// </list>
    /// </remarks>
    public static IReadOnlyList<RestartAlertResult> Evaluate(
        IEnumerable<RestartMetricRecord> records,
        AlertThresholds thresholds,
        DateTimeOffset? since,
        int environmentValidationFailures,
        TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(thresholds);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfNegative(environmentValidationFailures);

        var now = timeProvider.GetUtcNow();
        var windowStart = now - thresholds.RepeatedFailuresWindow;
        var from = since ?? windowStart;
        var scope = records.Where(r => r.Timestamp >= from).OrderBy(r => r.Timestamp.UtcTicks).ToList();
        var sinceText = since is null
            ? $"in the last {DurationText.Format(thresholds.RepeatedFailuresWindow)}"
            : $"since {Time(from)}";

        return
        [
            RestartTooSlow(scope, thresholds.SlowRestart, sinceText),
            ServiceFailedAfterRestart(scope, sinceText),
            DependencyChainBroken(scope, sinceText),
            RepeatedFailures(scope, thresholds, from > windowStart ? from : windowStart),
            EnvironmentValidationFailed(scope, environmentValidationFailures, sinceText),
        ];
    }

    private static RestartAlertResult RestartTooSlow(List<RestartMetricRecord> scope, TimeSpan limit, string sinceText)
    {
        var threshold = $"> {DurationText.Format(limit)}, or > {SlowRun.Factor:0.#}x its estimate";
        var restarts = scope
            .GroupBy(r => string.IsNullOrEmpty(r.RunId) ? null : r.RunId)
            .SelectMany(g => g.Key is null
                ? g.Select(r => (Label: $"{r.Service} at {Time(r.Timestamp)}", Duration: r.Duration, Expected: (TimeSpan?)null))
                : [(Label: $"run {g.Key}", Duration: g.Max(r => r.Timestamp) - g.Min(r => r.Timestamp - r.Duration), Expected: g.Max(r => r.ExpectedRunDuration))])
            .OrderByDescending(x => x.Duration)
            .ToList();
        if (restarts.Count == 0)
            return new(AlertRule.RestartTooSlow, false, "no restarts", threshold, $"No restarts recorded {sinceText}.");
        // A run far longer than its own history led to expect is slow however short: the stack has changed, or the engine.
        var slow = restarts.Where(x => x.Duration > limit || (x.Expected is { } e && SlowRun.IsFarLonger(x.Duration, e))).ToList();
        var slowest = restarts[0];
        var observed = $"slowest {DurationText.Format(slowest.Duration)} ({slowest.Label})";
        return slow.Count == 0
            ? new(AlertRule.RestartTooSlow, false, observed, threshold,
                $"No restart took longer than {DurationText.Format(limit)} or far longer than its estimate {sinceText}; the slowest took {DurationText.Format(slowest.Duration)}.")
            : new(AlertRule.RestartTooSlow, true, $"{slow.Count} over, " + observed, threshold,
                $"{Count(slow.Count, "restart")} took longer than {DurationText.Format(limit)} or far longer than its estimate {sinceText}: " +
                string.Join(", ", slow.Take(5).Select(x => $"{x.Label} ({DurationText.Format(x.Duration)}" +
                    (x.Expected is { } e && SlowRun.IsFarLonger(x.Duration, e) ? $", expected {DurationText.Format(e)}" : "") + ")")) + More(slow.Count, 5) + ".");
    }

    private static RestartAlertResult ServiceFailedAfterRestart(List<RestartMetricRecord> scope, string sinceText)
    {
        var failed = scope.Where(r => r.IsFailure).ToList();
        const string threshold = "> 0 failed restarts";
        if (failed.Count == 0)
            return new(AlertRule.ServiceFailedAfterRestart, false, "0", threshold, $"No service failed to come back after a restart {sinceText}.");
        var perService = PerService(failed);
        return new(AlertRule.ServiceFailedAfterRestart, true, $"{failed.Count} ({perService})", threshold,
            $"{Count(failed.Count, "restart")} failed {sinceText}: {perService}.");
    }

    private static RestartAlertResult DependencyChainBroken(List<RestartMetricRecord> scope, string sinceText)
    {
        var broken = scope
            .Where(r => r.Status != OutcomeStatus.Succeeded && r.FailureReason == OutcomeReason.Dependency)
            .ToList();
        const string threshold = "> 0 services skipped or failed for a dependency";
        if (broken.Count == 0)
            return new(AlertRule.DependencyChainBroken, false, "0", threshold, $"No dependency chain broke {sinceText}.");
        var perService = PerService(broken);
        return new(AlertRule.DependencyChainBroken, true, $"{broken.Count} ({perService})", threshold,
            $"{Count(broken.Count, "service restart")} skipped or failed because a dependency did not come back {sinceText}: {perService}.");
    }

    private static RestartAlertResult RepeatedFailures(List<RestartMetricRecord> scope, AlertThresholds t, DateTimeOffset windowStart)
    {
        var failures = scope.Where(r => r.Timestamp >= windowStart && r.IsFailure).ToList();
        var window = DurationText.Format(t.RepeatedFailuresWindow);
        var threshold = $"> {t.RepeatedFailures} in {window}";
        var observed = failures.Count == 0 ? $"0 in {window}" : $"{failures.Count} in {window} ({PerService(failures)})";
        var triggered = failures.Count > t.RepeatedFailures;
        return new(AlertRule.RepeatedFailures, triggered, observed, threshold,
            triggered
                ? $"{Count(failures.Count, "restart failure")} since {Time(windowStart)}, more than {t.RepeatedFailures}: {PerService(failures)}."
                : $"{Count(failures.Count, "restart failure")} since {Time(windowStart)}; the limit is {t.RepeatedFailures}.");
    }

    private static RestartAlertResult EnvironmentValidationFailed(List<RestartMetricRecord> scope, int reported, string sinceText)
    {
        var refusedRuns = scope
            .Where(r => r.Status != OutcomeStatus.Succeeded && r.FailureReason == OutcomeReason.Prerequisite)
            .Select(r => string.IsNullOrEmpty(r.RunId) ? $"{r.Service}@{r.Timestamp.UtcTicks}" : "run:" + r.RunId)
            .Distinct(StringComparer.Ordinal)
            .Count();
        const string threshold = "> 0";
        var total = reported + refusedRuns;
        var observed = $"{total} ({Count(reported, "environment file finding")}, {Count(refusedRuns, "run")} refused by prerequisite checks)";
        return total == 0
            ? new(AlertRule.EnvironmentValidationFailed, false, "0", threshold,
                $"No environment validation failure (no environment file finding, no run refused by prerequisite checks {sinceText}).")
            : new(AlertRule.EnvironmentValidationFailed, true, observed, threshold,
                $"Environment validation failed: {Count(reported, "environment file finding")}, {Count(refusedRuns, "restart run")} refused by prerequisite checks {sinceText}.");
    }

    private static string PerService(IEnumerable<RestartMetricRecord> rows) =>
        string.Join(", ", rows.GroupBy(r => r.Service, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Count() == 1 ? g.Key : $"{g.Key} ×{g.Count()}"));

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static string More(int total, int shown) => total > shown ? $" and {total - shown} more" : "";

    private static string Time(DateTimeOffset t) => t.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}
