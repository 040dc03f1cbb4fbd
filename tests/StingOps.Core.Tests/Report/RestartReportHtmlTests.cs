using System.Globalization;
using System.Text.RegularExpressions;
using StingOps.Core.Common;
using StingOps.Core.Graph;
using StingOps.Core.Report;
using static StingOps.Core.Tests.Report.RunTimelineTests;

namespace StingOps.Core.Tests.Report;

public partial class RestartReportHtmlTests
{
    private static readonly GraphNode[] Nodes =
    [
        new("db", [], 0),
        new("app", ["db", "vault"], 1),
        new("web", ["app"], 2),
    ];

    private static RunTimeline Run() => RunTimeline.Build(
    [
        Row("db", OutcomeStatus.Succeeded, 0.5, 1, 1.2, 5),
        Row("app", OutcomeStatus.Failed, 0, 0.4, 5.1, null, recorded: 9, wave: 1, message: "health check <http> failed & gave up"),
        Row("web", OutcomeStatus.Skipped, 0, 0.2, null, null, recorded: 9, wave: 2, message: "not started: dependency 'app' failed"),
    ], s => Nodes.SingleOrDefault(n => n.Service == s)?.DependsOn ?? []);

    private static string Html() => RestartReportHtml.Render("Restart report: proj", Nodes, [Run()], new DateTimeOffset(2026, 12, 4, 4, 0, 0, TimeSpan.Zero));

    [GeneratedRegex("""<g class="bar [^"]*"([^>]*)>""")]
    private static partial Regex BarTag();

    [GeneratedRegex("(data-[a-z-]+)=\"([^\"]*)\"")]
    private static partial Regex DataAttribute();

    [Fact]
    public void Every_service_has_a_bar_whose_phase_times_are_in_order()
    {
        var bars = BarTag().Matches(Html()).Select(m => DataAttribute().Matches(m.Groups[1].Value)
            .ToDictionary(a => a.Groups[1].Value, a => a.Groups[2].Value)).ToList();

        Assert.Equal(["db", "app", "web"], bars.Select(b => b["data-service"]));
        Assert.Equal(["Succeeded", "Failed", "Skipped"], bars.Select(b => b["data-status"]));
        foreach (var bar in bars)
        {
            var times = new[] { "data-stop-requested", "data-stopped", "data-started", "data-ready" }
                .Where(bar.ContainsKey).Select(k => double.Parse(bar[k], CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(times.Order(), times);
            Assert.True(double.Parse(bar["data-begin"], CultureInfo.InvariantCulture) <= double.Parse(bar["data-end"], CultureInfo.InvariantCulture));
        }
        Assert.Equal("5000", bars[0]["data-ready"]);
        Assert.False(bars[1].ContainsKey("data-ready"));
        Assert.Equal(["true", "true", "false"], bars.Select(b => b["data-critical"]));
    }

    [Fact]
    public void Nothing_in_it_runs_or_is_fetched()
    {
        var html = Html();
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.DoesNotMatch("(?i)<script|<link|<img|@import|src=|href=|https?:|url\\((?!#)", html);
        Assert.Contains("<style>", html, StringComparison.Ordinal);
        Assert.Contains("<svg class=\"timeline\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Messages_and_names_are_encoded_and_a_failure_shows_its_reason()
    {
        var html = Html();
        Assert.Contains("health check &lt;http&gt; failed &amp; gave up", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<http>", html, StringComparison.Ordinal);
        Assert.Contains("Critical path: db → app", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_graph_draws_every_edge_from_dependency_to_dependent_and_what_is_outside_dashed()
    {
        var html = Html();
        Assert.Contains("""class="edge" data-from="db" data-to="app" """.TrimEnd(), html, StringComparison.Ordinal);
        Assert.Contains("""class="edge" data-from="app" data-to="web" """.TrimEnd(), html, StringComparison.Ordinal);
        Assert.Contains("""class="edge outside" data-from="vault" data-to="app" """.TrimEnd(), html, StringComparison.Ordinal);
        Assert.Matches("""<g class="node outside" data-service="vault">""", html);
        // The newest run's outcomes colour the graph; its critical path is outlined.
        Assert.Matches("""<g class="node status-failed critical" data-service="app">""", html);
    }

    [Fact]
    public void Without_a_project_the_graph_is_left_out_and_said_so()
    {
        var html = RestartReportHtml.Render("Restart report", [], [Run()], DateTimeOffset.UnixEpoch);
        Assert.Contains("No compose project was found", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<svg class=\"graph\"", html, StringComparison.Ordinal);
        Assert.Contains("<svg class=\"timeline\"", html, StringComparison.Ordinal);
    }
}
