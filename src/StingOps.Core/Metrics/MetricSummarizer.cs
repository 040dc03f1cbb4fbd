using StingOps.Core.Common;

namespace StingOps.Core.Metrics;

/// <summary>Aggregate of recorded restarts for one service, or for all (<see cref="Service"/> = <c>*</c>).</summary>
/// <param name="Service">The service name, or <c>*</c> for all services together.</param>
/// <param name="Restarts">Restarts that were attempted and came to an outcome: Succeeded + Failed + RolledBack.</param>
/// <param name="Succeeded">Restarts with status Succeeded.</param>
/// <param name="Failed">Restarts with status Failed or RolledBack (a rollback follows a failed restart).</param>
/// <param name="Skipped">Not restarts: services skipped (e.g. a dependency failed); not in <paramref name="Restarts"/>.</param>
/// <param name="Cancelled">Not restarts: interrupted before an outcome; not in <paramref name="Restarts"/>.</param>
/// <param name="SuccessRate">Succeeded / Restarts, 0..1; null when there were no restarts.</param>
/// <param name="Mean">Mean duration of the restarts (all outcomes); null when there were none.</param>
/// <param name="P50">Median duration, nearest-rank (see <see cref="MetricSummarizer.Percentile"/>).</param>
/// <param name="P95">95th percentile duration, nearest-rank.</param>
/// <param name="Max">Longest restart.</param>
public sealed record MetricSummary(
    string Service,
    int Restarts,
    int Succeeded,
    int Failed,
    int Skipped,
    int Cancelled,
    double? SuccessRate,
    TimeSpan? Mean,
    TimeSpan? P50,
    TimeSpan? P95,
    TimeSpan? Max)
{
    /// <summary>The <see cref="Service"/> value of the all-services row.</summary>
    public const string AllServices = "*";
}

/// <summary>Aggregates recorded restarts (the restart reliability plan's "Monitoring &amp; Alerting": success rate, duration).</summary>
public static class MetricSummarizer
{
    /// <summary>
    /// One <see cref="MetricSummary"/> per service that appears in <paramref name="records"/>, ordered by
    /// name (ordinal), then one for all services (<c>*</c>). Nothing when there are no records.
    /// </summary>
    /// <remarks>
    /// <para>Counted as restarts: <c>Succeeded</c>, <c>Failed</c> and <c>RolledBack</c> (a restart that was
    /// attempted and came to an outcome). <c>Failed</c> counts Failed plus RolledBack: a rollback is the
    /// consequence of a failed restart. <c>Skipped</c> (never attempted, e.g. a dependency failed) and
    /// <c>Cancelled</c> (interrupted, no outcome) are not restarts: they are reported in their own columns
    /// and take no part in the success rate or the durations. This matches STING's shell
    /// <c>restart_metrics.csv</c>, where every line is a restart that ran, success or failure.</para>
    /// <para>Durations (Mean, P50, P95, Max) are over all counted restarts, successful or not, as STING's
    /// shell would average its csv. Mean is rounded to whole ticks.</para>
    /// </remarks>
    public static IReadOnlyList<MetricSummary> Summarize(IEnumerable<RestartMetricRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var list = records.ToList();
        if (list.Count == 0) return [];
        var result = list
            .GroupBy(r => r.Service, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Aggregate(g.Key, g.ToList()))
            .ToList();
        result.Add(Aggregate(MetricSummary.AllServices, list));
        return result;
    }

    private static MetricSummary Aggregate(string service, List<RestartMetricRecord> rows)
    {
        var restarts = rows.Where(r => r.IsRestart).ToList();
        var succeeded = restarts.Count(r => r.Status == OutcomeStatus.Succeeded);
        var durations = restarts.Select(r => r.Duration).Order().ToArray();
        return new MetricSummary(
            service,
            Restarts: restarts.Count,
            Succeeded: succeeded,
            Failed: restarts.Count - succeeded,
            Skipped: rows.Count(r => r.Status == OutcomeStatus.Skipped),
            Cancelled: rows.Count(r => r.Status == OutcomeStatus.Cancelled),
            SuccessRate: restarts.Count == 0 ? null : (double)succeeded / restarts.Count,
            Mean: durations.Length == 0 ? null : Mean(durations),
            P50: durations.Length == 0 ? null : Percentile(durations, 50),
            P95: durations.Length == 0 ? null : Percentile(durations, 95),
            Max: durations.Length == 0 ? null : durations[^1]);
    }

    private static TimeSpan Mean(TimeSpan[] values)
    {
        Int128 sum = 0;
        foreach (var v in values) sum += v.Ticks;
        // Round half away from zero, in integers.
        var n = values.Length;
        var q = sum / n;
        var r = sum % n;
        if (r * 2 >= n) q += 1;
        return TimeSpan.FromTicks((long)q);
    }

    /// <summary>
    /// The nearest-rank percentile: with the N values sorted ascending as x₁ ≤ x₂ ≤ … ≤ x_N, the P-th
    /// percentile (0 &lt; P ≤ 100) is x_k with k = ⌈P/100 × N⌉, the smallest value such that at least P% of
    /// the values are less than or equal to it. It is always one of the observed values (no
    /// interpolation). Examples: the P50 of 1s, 2s, 3s, 4s is 2s; the P95 of 20 values is the 19th
    /// smallest; the P95 of fewer than 20 values is the largest.
    /// </summary>
    /// <param name="sortedAscending">The values, sorted ascending; at least one.</param>
    /// <param name="percentile">P, an integer in 1..100.</param>
    public static TimeSpan Percentile(IReadOnlyList<TimeSpan> sortedAscending, int percentile)
    {
        ArgumentNullException.ThrowIfNull(sortedAscending);
        if (sortedAscending.Count == 0) throw new ArgumentException("At least one value is needed.", nameof(sortedAscending));
        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        // k = ceil(P * N / 100), in integers: 0.95 * 20 is 19.000000000000004 in floating point.
        var n = (long)sortedAscending.Count;
        var k = (percentile * n + 99) / 100;
        return sortedAscending[(int)Math.Max(1, k) - 1];
    }
}
