using StingOps.Core.Common;
using StingOps.Core.Metrics;

namespace StingOps.Core.Tests.Metrics;

public class MetricSummarizerTests
{
    private static readonly DateTimeOffset T0 = new(2025, 7, 1, 2, 0, 0, TimeSpan.Zero);

    private static RestartMetricRecord R(string service, double seconds, OutcomeStatus status = OutcomeStatus.Succeeded) =>
        new(T0, service, TimeSpan.FromSeconds(seconds), status);

    [Fact]
    public void Known_answers_per_service_and_for_all()
    {
        var records = new List<RestartMetricRecord>();
        // db: 1..20 s; 5 and 10 failed, 15 rolled back; plus 2 skipped and 1 cancelled that are not restarts.
        for (var i = 1; i <= 20; i++)
            records.Add(R("db", i, i switch { 5 or 10 => OutcomeStatus.Failed, 15 => OutcomeStatus.RolledBack, _ => OutcomeStatus.Succeeded }));
        records.Add(R("db", 0, OutcomeStatus.Skipped));
        records.Add(R("db", 0, OutcomeStatus.Skipped));
        records.Add(R("db", 99, OutcomeStatus.Cancelled));
        records.AddRange([R("web", 3), R("web", 1), R("web", 2)]);
        records.Add(R("worker", 0, OutcomeStatus.Skipped));
        Shuffle(records, seed: 7);

        var s = MetricSummarizer.Summarize(records);

        Assert.Equal(["db", "web", "worker", "*"], s.Select(x => x.Service).ToArray());
        Assert.Equal(new MetricSummary("db", 20, 17, 3, 2, 1, 0.85, Sec(10.5), Sec(10), Sec(19), Sec(20)), s[0]);
        Assert.Equal(new MetricSummary("web", 3, 3, 0, 0, 0, 1.0, Sec(2), Sec(2), Sec(3), Sec(3)), s[1]);
        Assert.Equal(new MetricSummary("worker", 0, 0, 0, 1, 0, null, null, null, null, null), s[2]);
        // *: 23 restarts: 1..20 and 1,2,3. Sorted: 1,1,2,2,3,3,4,5,...,20. P50: k=ceil(11.5)=12 -> 9s; P95: k=ceil(21.85)=22 -> 19s.
        var all = s[3];
        Assert.Equal((23, 20, 3, 3, 1), (all.Restarts, all.Succeeded, all.Failed, all.Skipped, all.Cancelled));
        Assert.Equal(20.0 / 23, all.SuccessRate!.Value, 12);
        Assert.Equal(TimeSpan.FromTicks(93_913_043), all.Mean); // 216 s / 23, rounded to ticks
        Assert.Equal(Sec(9), all.P50);
        Assert.Equal(Sec(19), all.P95);
        Assert.Equal(Sec(20), all.Max);
    }

    [Fact]
    public void No_records_no_rows()
    {
        Assert.Empty(MetricSummarizer.Summarize([]));
    }

    [Theory]
    [InlineData(new[] { 1, 2, 3, 4 }, 50, 2)]
    [InlineData(new[] { 1, 2, 3, 4 }, 95, 4)]
    [InlineData(new[] { 1, 2, 3, 4, 5 }, 50, 3)]
    [InlineData(new[] { 7 }, 50, 7)]
    [InlineData(new[] { 7 }, 95, 7)]
    [InlineData(new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 }, 95, 19)]  // exactly 19th, not 20th
    [InlineData(new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19 }, 95, 19)]
    [InlineData(new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 100, 10)]
    [InlineData(new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 1, 1)]
    [InlineData(new[] { 15, 20, 35, 40, 50 }, 30, 20)]   // the textbook example: ceil(1.5) = 2
    [InlineData(new[] { 15, 20, 35, 40, 50 }, 40, 20)]   // ceil(2.0) = 2
    public void Nearest_rank_percentile(int[] seconds, int p, int expected)
    {
        var sorted = seconds.Select(x => TimeSpan.FromSeconds(x)).Order().ToList();
        Assert.Equal(TimeSpan.FromSeconds(expected), MetricSummarizer.Percentile(sorted, p));
    }

    [Fact]
    public void Percentile_matches_a_reference_on_generated_data()
    {
        var rng = new Random(1234);
        for (var trial = 0; trial < 200; trial++)
        {
            var n = rng.Next(1, 120);
            var values = Enumerable.Range(0, n).Select(_ => TimeSpan.FromMilliseconds(rng.Next(0, 600_000))).Order().ToList();
            foreach (var p in new[] { 1, 25, 50, 90, 95, 99, 100 })
            {
                // Reference: the smallest value with at least p% of the values <= it.
                var reference = values.First(v => values.Count(x => x <= v) * 100 >= p * n);
                Assert.Equal(reference, MetricSummarizer.Percentile(values, p));
            }
        }
    }

    [Fact]
    public void Summarizes_a_csv_written_exactly_as_STINGs_shell_writes_it()
    {
        if (!Shell.Available) return;
        using var dir = new TestDirectory();
        Shell.Run($"LOG_DIR={Shell.Quote(dir.Path)}\n" + """
            log_restart_metric() {
                local service="$1"
                local duration="$2"
                local result="$3"

                local timestamp=$(date -Iseconds)
                local status=$( [ "$result" -eq 0 ] && echo "success" || echo "failure" )

                # Append to metrics log
                echo "${timestamp},${service},${duration},${status}" >> "${LOG_DIR}/restart_metrics.csv"
            }
            log_restart_metric svc 12 0
            log_restart_metric svc 20 0
            log_restart_metric svc 31 1
            log_restart_metric db 5 0
            """);
        var warnings = new List<MetricReadWarning>();

        var s = MetricSummarizer.Summarize(MetricStore.Read(dir.Path, onWarning: warnings.Add));

        Assert.Empty(warnings);
        Assert.Equal(new MetricSummary("db", 1, 1, 0, 0, 0, 1.0, Sec(5), Sec(5), Sec(5), Sec(5)), s[0]);
        Assert.Equal(new MetricSummary("svc", 3, 2, 1, 0, 0, 2.0 / 3, Sec(21), Sec(20), Sec(31), Sec(31)), s[1]);
        Assert.Equal(new MetricSummary("*", 4, 3, 1, 0, 0, 0.75, Sec(17), Sec(12), Sec(31), Sec(31)), s[2]);
    }

    [Fact]
    public void Summarizes_shell_and_module_rows_together_without_double_counting()
    {
        using var dir = new TestDirectory();
        var store = new MetricStore(dir.Path);
        store.Append(
            new RestartMetricRecord(T0, "db", TimeSpan.FromSeconds(10), OutcomeStatus.Succeeded) { RunId = "r" },
            new RestartMetricRecord(T0, "api", TimeSpan.FromSeconds(40), OutcomeStatus.RolledBack) { RunId = "r" },
            new RestartMetricRecord(T0, "web", TimeSpan.Zero, OutcomeStatus.Skipped) { RunId = "r" });
        File.AppendAllText(store.CsvPath, "2025-07-01T03:00:00+01:00,db,20,success\n");

        var all = MetricSummarizer.Summarize(store.Read()).Single(x => x.Service == "*");

        Assert.Equal((3, 2, 1, 1), (all.Restarts, all.Succeeded, all.Failed, all.Skipped));
        Assert.Equal(Sec(70.0 / 3), all.Mean);
    }

    private static TimeSpan Sec(double s) => TimeSpan.FromTicks((long)Math.Round(s * TimeSpan.TicksPerSecond, MidpointRounding.AwayFromZero));

    private static void Shuffle<T>(List<T> list, int seed)
    {
        var rng = new Random(seed);
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}
