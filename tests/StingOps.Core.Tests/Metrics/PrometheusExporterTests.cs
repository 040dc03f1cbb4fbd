using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using StingOps.Core.Common;
using StingOps.Core.Metrics;

namespace StingOps.Core.Tests.Metrics;

public class PrometheusExporterTests
{
    private static readonly DateTimeOffset Now = new(2025, 7, 10, 12, 0, 0, TimeSpan.Zero);
    private static readonly FakeTimeProvider Time = new(Now);

    private static RestartMetricRecord R(int minutesAgo, string service, double seconds, OutcomeStatus status = OutcomeStatus.Succeeded) =>
        new(Now.AddMinutes(-minutesAgo), service, TimeSpan.FromSeconds(seconds), status);

    private static List<RestartMetricRecord> Sample() =>
    [
        R(50, "db", 0.5), R(40, "db", 12), R(30, "db", 400, OutcomeStatus.Failed), R(20, "db", 3, OutcomeStatus.RolledBack),
        R(10, "db", 0, OutcomeStatus.Skipped),
        R(45, "vault", 60), R(5, "vault", 1800.25),
        R(15, "web", 0, OutcomeStatus.Cancelled),
    ];

    [Fact]
    public void Every_series_names_its_project_so_two_projects_files_never_collide()
    {
        var web = PrometheusExporter.Render([R(1, "api", 2)], Time, project: "web");
        var shop = PrometheusExporter.Render([R(1, "api", 2)], Time, project: "shop");
        var webSeries = SeriesOf(web);
        Assert.Empty(webSeries.Intersect(SeriesOf(shop)));
        Assert.Contains("stingops_restarts_total{project=\"web\",service=\"api\",status=\"succeeded\"}", webSeries);
        Assert.Contains("stingops_metrics_generated_timestamp_seconds{project=\"web\"}", webSeries);

        // Every project at once: each row's own project; a row that names none has no project label.
        var all = SeriesOf(PrometheusExporter.Render([R(1, "api", 2) with { Project = "web" }, R(2, "api", 3) with { Project = "shop" }, R(3, "api", 4)], Time));
        Assert.Contains("stingops_restart_duration_seconds_count{project=\"shop\",service=\"api\"}", all);
        Assert.Contains("stingops_restart_duration_seconds_count{project=\"web\",service=\"api\"}", all);
        Assert.Contains("stingops_restart_duration_seconds_count{service=\"api\"}", all);
        Assert.Contains("stingops_metrics_generated_timestamp_seconds", all);
    }

    private static HashSet<string> SeriesOf(string text) =>
        text.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(l => l[..l.LastIndexOf(' ')]).ToHashSet();

    [Fact]
    public void Writes_a_valid_exposition_with_the_expected_values()
    {
        using var dir = new TestDirectory();
        var path = dir.Combine("stingops.prom");

        PrometheusExporter.Write(Sample(), path, Time);

        var text = File.ReadAllText(path);
        var m = ExpositionParser.Parse(text);

        Assert.Equal("counter", m.Types["stingops_restarts_total"]);
        Assert.Equal("gauge", m.Types["stingops_restart_last_duration_seconds"]);
        Assert.Equal("gauge", m.Types["stingops_restart_last_success_timestamp_seconds"]);
        Assert.Equal("histogram", m.Types["stingops_restart_duration_seconds"]);
        Assert.All(m.Types.Keys, k => Assert.True(m.Help.ContainsKey(k), $"HELP for {k}"));

        Assert.Equal(2, m.Value("stingops_restarts_total", ("service", "db"), ("status", "succeeded")));
        Assert.Equal(1, m.Value("stingops_restarts_total", ("service", "db"), ("status", "failed")));
        Assert.Equal(1, m.Value("stingops_restarts_total", ("service", "db"), ("status", "rolled_back")));
        Assert.Equal(1, m.Value("stingops_restarts_total", ("service", "db"), ("status", "skipped")));
        Assert.Equal(0, m.Value("stingops_restarts_total", ("service", "db"), ("status", "cancelled")));
        Assert.Equal(1, m.Value("stingops_restarts_total", ("service", "web"), ("status", "cancelled")));
        Assert.Equal(15, m.Samples.Count(s => s.Name == "stingops_restarts_total")); // 3 services x 5 statuses

        Assert.Equal(3, m.Value("stingops_restart_last_duration_seconds", ("service", "db")));        // the rollback; the later skip is no restart
        Assert.Equal(1800.25, m.Value("stingops_restart_last_duration_seconds", ("service", "vault")));
        Assert.False(m.Has("stingops_restart_last_duration_seconds", ("service", "web")));

        Assert.Equal(Now.AddMinutes(-40).ToUnixTimeSeconds(), m.Value("stingops_restart_last_success_timestamp_seconds", ("service", "db")));
        Assert.Equal(Now.AddMinutes(-5).ToUnixTimeSeconds(), m.Value("stingops_restart_last_success_timestamp_seconds", ("service", "vault")));
        Assert.False(m.Has("stingops_restart_last_success_timestamp_seconds", ("service", "web")));

        // db restarts: 0.5, 12, 400, 3 s.
        Assert.Equal(1, m.Value("stingops_restart_duration_seconds_bucket", ("service", "db"), ("le", "1")));
        Assert.Equal(2, m.Value("stingops_restart_duration_seconds_bucket", ("service", "db"), ("le", "5")));
        Assert.Equal(3, m.Value("stingops_restart_duration_seconds_bucket", ("service", "db"), ("le", "15")));
        Assert.Equal(3, m.Value("stingops_restart_duration_seconds_bucket", ("service", "db"), ("le", "300")));
        Assert.Equal(4, m.Value("stingops_restart_duration_seconds_bucket", ("service", "db"), ("le", "600")));
        Assert.Equal(4, m.Value("stingops_restart_duration_seconds_bucket", ("service", "db"), ("le", "+Inf")));
        Assert.Equal(415.5, m.Value("stingops_restart_duration_seconds_sum", ("service", "db")));
        Assert.Equal(4, m.Value("stingops_restart_duration_seconds_count", ("service", "db")));
        // vault: 60 (le=60 is inclusive), 1800.25 (only +Inf).
        Assert.Equal(1, m.Value("stingops_restart_duration_seconds_bucket", ("service", "vault"), ("le", "60")));
        Assert.Equal(1, m.Value("stingops_restart_duration_seconds_bucket", ("service", "vault"), ("le", "1800")));
        Assert.Equal(2, m.Value("stingops_restart_duration_seconds_bucket", ("service", "vault"), ("le", "+Inf")));
        Assert.Equal(0, m.Value("stingops_restart_duration_seconds_count", ("service", "web")));

        Assert.Equal(Now.ToUnixTimeSeconds(), m.Value("stingops_metrics_generated_timestamp_seconds"));
    }

    [Fact]
    public void Label_values_are_escaped_and_parse_back_unchanged()
    {
        var odd = "we\"ird\\name\nx";
        var text = PrometheusExporter.Render([R(1, odd, 2)], Time);

        Assert.Contains("service=\"we\\\"ird\\\\name\\nx\"", text);
        var m = ExpositionParser.Parse(text);
        Assert.Equal(1, m.Value("stingops_restarts_total", ("service", odd), ("status", "succeeded")));
    }

    [Fact]
    public void Empty_history_is_still_a_valid_file()
    {
        var m = ExpositionParser.Parse(PrometheusExporter.Render([], Time));
        Assert.Single(m.Samples);
        Assert.Equal(4 + 1, m.Types.Count);
    }

    [Fact]
    public void Renders_with_invariant_numbers_under_any_culture()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            var text = PrometheusExporter.Render([R(1, "db", 2.5)], Time);
            Assert.Contains("stingops_restart_last_duration_seconds{service=\"db\"} 2.5\n", text);
            ExpositionParser.Parse(text);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public async Task Replaces_the_file_atomically_and_leaves_no_temporary_file()
    {
        using var dir = new TestDirectory();
        var path = dir.Combine("stingops.prom");
        var records = new List<RestartMetricRecord>();
        PrometheusExporter.Write(records, path, Time);

        var failures = new List<string>();
        var reads = 0;
        using var firstRead = new ManualResetEventSlim();
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                string text;
                try { text = File.ReadAllText(path); }
                catch (FileNotFoundException) { failures.Add("file missing during replace"); continue; }
                try { ExpositionParser.Parse(text); reads++; firstRead.Set(); }
                catch (Exception e) { failures.Add(e.Message); }
                Thread.Yield();
            }
        });
        // On a busy machine the reader may get its thread late: the replacements must overlap its reads.
        Assert.True(firstRead.Wait(TimeSpan.FromSeconds(60)), "the reader never read the file");
        for (var i = 0; i < 100; i++)
        {
            records.Add(R(i % 60, $"svc{i % 25}", i, (OutcomeStatus)(i % 5)));
            PrometheusExporter.Write(records, path, Time);
        }
        stop.Cancel();
        await reader;

        Assert.Empty(failures);
        Assert.True(reads > 0);
        Assert.Equal([path], Directory.GetFiles(dir.Path));
        Assert.Equal(100, ExpositionParser.Parse(File.ReadAllText(path)).Samples
            .Where(s => s.Name == "stingops_restarts_total").Sum(s => s.Value));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(path));
    }

    [Fact]
    public void A_missing_directory_is_StingMetricExportFailed()
    {
        using var dir = new TestDirectory();
        var e = Assert.Throws<StingException>(() => PrometheusExporter.Write([], dir.Combine("no", "x.prom"), Time));
        Assert.Equal("StingMetricExportFailed", e.ErrorId);
        Assert.Contains("x.prom", e.Message);
        e = Assert.Throws<StingException>(() => PrometheusExporter.Write([], dir.Path, Time));
        Assert.Equal("StingMetricExportFailed", e.ErrorId);
    }

    [Fact]
    public void The_validating_parser_rejects_broken_expositions()
    {
        // Guards the guard: each of these must fail the parser used above.
        string[] bad =
        [
            "stingops_x 1\n",                                                                  // no TYPE
            "# TYPE a gauge\na 1",                                                              // no final newline
            "# TYPE a gauge\na{l=\"x} 1\n",                                                     // unterminated label value
            "# TYPE a gauge\na{l=\"\\t\"} 1\n",                                                 // bad escape
            "# TYPE a gauge\na one\n",                                                          // bad value
            "# TYPE 1a gauge\n1a 1\n",                                                          // bad name
            "# TYPE a gauge\na 1\n# TYPE a gauge\n",                                            // TYPE twice
            "# TYPE a gauge\na 1\na 2\n",                                                       // duplicate series
            "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",   // not monotonic
            "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n",   // +Inf != count
            "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",                          // no +Inf
            "# TYPE a gauge\n# TYPE b gauge\na 1\nb 1\na{x=\"1\"} 1\n",                                 // family not contiguous
        ];
        foreach (var text in bad)
            Assert.ThrowsAny<FormatException>(() => ExpositionParser.Parse(text));
    }
}

/// <summary>
/// A strict reader of the Prometheus text exposition format (0.0.4), enough to validate what the
/// exporter writes: metric and label name syntax, label value escapes, sample values, HELP/TYPE once per
/// family and TYPE before the family's samples, families contiguous, no duplicate series, histograms with
/// monotonic buckets, a +Inf bucket equal to _count, and _sum.
/// </summary>
internal sealed partial class ExpositionParser
{
    public sealed record Series(string Name, IReadOnlyList<(string Name, string Value)> Labels, double Value)
    {
        public string Key => Name + "{" + string.Join(",", Labels.OrderBy(l => l.Name, StringComparer.Ordinal).Select(l => $"{l.Name}={l.Value}")) + "}";
    }

    public Dictionary<string, string> Types { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> Help { get; } = new(StringComparer.Ordinal);
    public List<Series> Samples { get; } = [];

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")] private static partial Regex MetricName();
    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")] private static partial Regex LabelName();

    public double Value(string name, params (string Name, string Value)[] labels) =>
        Find(name, labels)?.Value ?? throw new Xunit.Sdk.XunitException($"no series {name} {string.Join(",", labels)}");

    public bool Has(string name, params (string Name, string Value)[] labels) => Find(name, labels) is not null;

    private Series? Find(string name, (string Name, string Value)[] labels) =>
        Samples.SingleOrDefault(s => s.Name == name && s.Labels.Count == labels.Length && labels.All(l => s.Labels.Contains(l)));

    public static ExpositionParser Parse(string text)
    {
        var p = new ExpositionParser();
        if (text.Length > 0 && !text.EndsWith('\n')) throw new FormatException("the last line must end with a line feed");
        var lines = text.Split('\n');
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var finished = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        for (var i = 0; i < lines.Length - 1; i++)
        {
            var line = lines[i];
            var where = $"line {i + 1}";
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length >= 3 && parts[1] is "HELP" or "TYPE")
                {
                    var name = parts[2];
                    if (!MetricName().IsMatch(name)) throw new FormatException($"{where}: bad metric name '{name}'");
                    if (parts[1] == "TYPE")
                    {
                        if (parts.Length != 4 || parts[3] is not ("counter" or "gauge" or "histogram" or "summary" or "untyped"))
                            throw new FormatException($"{where}: bad TYPE");
                        if (!p.Types.TryAdd(name, parts[3])) throw new FormatException($"{where}: second TYPE for {name}");
                        if (p.Samples.Any(s => FamilyOf(s.Name, p.Types) == name)) throw new FormatException($"{where}: TYPE after samples of {name}");
                    }
                    else if (!p.Help.TryAdd(name, parts.Length == 4 ? parts[3] : "")) throw new FormatException($"{where}: second HELP for {name}");
                }
                continue;
            }
            var s = ParseSample(line, where);
            var family = FamilyOf(s.Name, p.Types);
            if (!p.Types.ContainsKey(family)) throw new FormatException($"{where}: sample of {s.Name} without a TYPE line before it");
            if (family != current)
            {
                if (current is not null) finished.Add(current);
                if (finished.Contains(family)) throw new FormatException($"{where}: samples of {family} are not contiguous");
                current = family;
            }
            if (!seen.Add(s.Key)) throw new FormatException($"{where}: duplicate series {s.Key}");
            if (p.Types[family] == "counter" && s.Value < 0) throw new FormatException($"{where}: negative counter");
            p.Samples.Add(s);
        }
        p.CheckHistograms();
        return p;
    }

    private static string FamilyOf(string sample, Dictionary<string, string> types)
    {
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
            if (sample.EndsWith(suffix, StringComparison.Ordinal) && types.TryGetValue(sample[..^suffix.Length], out var t) && t == "histogram")
                return sample[..^suffix.Length];
        return sample;
    }

    private static Series ParseSample(string line, string where)
    {
        var i = 0;
        while (i < line.Length && line[i] != '{' && line[i] != ' ') i++;
        var name = line[..i];
        if (!MetricName().IsMatch(name)) throw new FormatException($"{where}: bad metric name '{name}'");
        var labels = new List<(string, string)>();
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                if (i < line.Length && line[i] == '}') { i++; break; }
                var eq = line.IndexOf('=', i);
                if (eq < 0) throw new FormatException($"{where}: label without '='");
                var ln = line[i..eq];
                if (!LabelName().IsMatch(ln)) throw new FormatException($"{where}: bad label name '{ln}'");
                if (labels.Any(l => l.Item1 == ln)) throw new FormatException($"{where}: label {ln} twice");
                i = eq + 1;
                if (i >= line.Length || line[i] != '"') throw new FormatException($"{where}: label value not quoted");
                i++;
                var v = new StringBuilder();
                while (true)
                {
                    if (i >= line.Length) throw new FormatException($"{where}: unterminated label value");
                    var c = line[i++];
                    if (c == '"') break;
                    if (c == '\\')
                    {
                        if (i >= line.Length) throw new FormatException($"{where}: dangling backslash");
                        v.Append(line[i++] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            var e => throw new FormatException($"{where}: bad escape \\{e}"),
                        });
                    }
                    else v.Append(c);
                }
                labels.Add((ln, v.ToString()));
                if (i < line.Length && line[i] == ',') i++;
                else if (i >= line.Length || line[i] != '}') throw new FormatException($"{where}: expected ',' or '}}'");
            }
        }
        if (i >= line.Length || line[i] != ' ') throw new FormatException($"{where}: expected a space before the value");
        var rest = line[(i + 1)..].Split(' ');
        if (rest.Length is < 1 or > 2) throw new FormatException($"{where}: expected value [timestamp]");
        var value = ParseFloat(rest[0]) ?? throw new FormatException($"{where}: bad value '{rest[0]}'");
        if (rest.Length == 2 && !long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            throw new FormatException($"{where}: bad timestamp");
        return new Series(name, labels, value);
    }

    private static double? ParseFloat(string s) => s switch
    {
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null,
    };

    private void CheckHistograms()
    {
        foreach (var family in Types.Where(t => t.Value == "histogram").Select(t => t.Key))
        {
            var buckets = Samples.Where(s => s.Name == family + "_bucket").ToList();
            string Rest(Series s) => string.Join(",", s.Labels.Where(l => l.Name != "le").OrderBy(l => l.Name, StringComparer.Ordinal).Select(l => $"{l.Name}={l.Value}"));
            foreach (var group in buckets.GroupBy(Rest))
            {
                var ordered = group.Select(s =>
                {
                    var le = s.Labels.Where(l => l.Name == "le").Select(l => l.Value).SingleOrDefault()
                        ?? throw new FormatException($"{family}: bucket without le");
                    return (Le: ParseFloat(le) ?? throw new FormatException($"{family}: bad le '{le}'"), s.Value);
                }).ToList();
                for (var k = 1; k < ordered.Count; k++)
                {
                    if (ordered[k].Le <= ordered[k - 1].Le) throw new FormatException($"{family}{{{group.Key}}}: buckets not in increasing le order");
                    if (ordered[k].Value < ordered[k - 1].Value) throw new FormatException($"{family}{{{group.Key}}}: bucket counts decrease");
                }
                if (ordered.Count == 0 || !double.IsPositiveInfinity(ordered[^1].Le)) throw new FormatException($"{family}{{{group.Key}}}: no +Inf bucket");
                var count = Samples.SingleOrDefault(s => s.Name == family + "_count" && Rest(s) == group.Key)
                    ?? throw new FormatException($"{family}{{{group.Key}}}: no _count");
                if (count.Value != ordered[^1].Value) throw new FormatException($"{family}{{{group.Key}}}: +Inf bucket {ordered[^1].Value} != _count {count.Value}");
                if (!Samples.Any(s => s.Name == family + "_sum" && Rest(s) == group.Key)) throw new FormatException($"{family}{{{group.Key}}}: no _sum");
            }
        }
    }
}
