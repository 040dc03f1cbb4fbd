using System.Globalization;
using System.Net;
using System.Text;
using StingOps.Core.Common;
using StingOps.Core.Graph;
using StingOps.Core.Metrics;

namespace StingOps.Core.Report;

/// <summary>
/// A restart report as ONE self-contained HTML file: the project's dependency graph and a timeline of each recorded run,
/// drawn as inline SVG with inline CSS. No script, font, image or style sheet is fetched: the file is read where no
/// network reaches (a maintenance host, an attachment to a ticket). Each bar carries its phase times as data attributes
/// (milliseconds from the run's start) so that a reader (or a test) can check them without parsing the drawing.
/// </summary>
public static class RestartReportHtml
{
    private const int NodeWidth = 150, NodeHeight = 28, ColumnGap = 60, RowGap = 14, Margin = 16;
    private const int LabelWidth = 170, ChartWidth = 700, NoteWidth = 250, RowHeight = 24, BarHeight = 14, AxisHeight = 24;

    /// <param name="nodes">The project's services with their dependencies and waves; empty when no project was found.</param>
    /// <param name="runs">The runs to draw, newest first; the graph marks the first one's outcomes and critical path.</param>
    public static string Render(string title, IReadOnlyList<GraphNode> nodes, IReadOnlyList<RunTimeline> runs, DateTimeOffset generated)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(runs);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"generator\" content=\"StingOps\">\n")
            .Append("<title>").Append(Encode(title)).Append("</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n")
            .Append("<h1>").Append(Encode(title)).Append("</h1>\n")
            .Append("<p class=\"meta\">Written ").Append(Encode(Instant(generated))).Append(" by Export-StingRestartReport.</p>\n");

        html.Append("<section id=\"graph\">\n<h2>Dependency graph</h2>\n");
        if (nodes.Count == 0)
            html.Append("<p class=\"meta\">No compose project was found, so its dependency graph is not drawn.</p>\n");
        else
        {
            html.Append("<p class=\"meta\">Arrows go from a dependency to what needs it, the way a restart brings services up; columns are waves")
                .Append(runs.Count > 0 ? "; colours are the outcomes of the newest run below, a thick outline its critical path" : "")
                .Append(".</p>\n");
            AppendGraph(html, nodes, runs.Count > 0 ? runs[0] : null);
        }
        html.Append("</section>\n");

        foreach (var run in runs)
            AppendRun(html, run);
        if (runs.Count == 0)
            html.Append("<p class=\"meta\">No run is drawn: none was recorded.</p>\n");
        AppendLegend(html);
        return html.Append("</body>\n</html>\n").ToString();
    }

    private static void AppendGraph(StringBuilder html, IReadOnlyList<GraphNode> nodes, RunTimeline? newest)
    {
        var known = nodes.Select(n => n.Service).ToHashSet(StringComparer.Ordinal);
        var outside = GraphText.Outside(nodes).ToList();
        // Dependencies outside the project's graph stand in a column of their own, left of wave 0.
        var columns = nodes.GroupBy(n => n.Wave).OrderBy(g => g.Key)
            .Select(g => g.Select(n => n.Service).Order(StringComparer.Ordinal).ToList()).ToList();
        if (outside.Count > 0)
            columns.Insert(0, outside);
        // Fewer crossings: each column after the first in the order of its dependencies' mean row (a barycentre pass).
        var dependencies = nodes.ToDictionary(n => n.Service, n => n.DependsOn, StringComparer.Ordinal);
        var row = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var c = 0; c < columns.Count; c++)
        {
            if (c > 0)
                columns[c] = columns[c]
                    .OrderBy(n => dependencies.GetValueOrDefault(n)?.Where(row.ContainsKey).Select(d => row[d]).DefaultIfEmpty(double.MaxValue).Average() ?? double.MaxValue)
                    .ThenBy(n => n, StringComparer.Ordinal).ToList();
            for (var r = 0; r < columns[c].Count; r++)
                row[columns[c][r]] = r;
        }
        var at = new Dictionary<string, (int X, int Y)>(StringComparer.Ordinal);
        for (var c = 0; c < columns.Count; c++)
            for (var r = 0; r < columns[c].Count; r++)
                at[columns[c][r]] = (Margin + c * (NodeWidth + ColumnGap), Margin + r * (NodeHeight + RowGap));
        var width = Margin * 2 + columns.Count * NodeWidth + (columns.Count - 1) * ColumnGap;
        var height = Margin * 2 + columns.Max(c => c.Count) * (NodeHeight + RowGap) - RowGap;
        var status = newest?.Bars.ToDictionary(b => b.Service, StringComparer.Ordinal) ?? new Dictionary<string, TimelineBar>(StringComparer.Ordinal);

        html.Append(Invariant($"<svg class=\"graph\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"dependency graph\">\n"))
            .Append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n");
        foreach (var (from, to) in GraphText.Edges(nodes))
        {
            var (x1, y1) = at[from];
            var (x2, y2) = at[to];
            double sx = x1 + NodeWidth, sy = y1 + NodeHeight / 2.0, ex = x2, ey = y2 + NodeHeight / 2.0, mid = (sx + ex) / 2;
            html.Append(Invariant($"<path class=\"edge{(known.Contains(from) ? "" : " outside")}\" data-from=\"{Attr(from)}\" data-to=\"{Attr(to)}\" d=\"M{sx:0.#},{sy:0.#} C{mid:0.#},{sy:0.#} {mid:0.#},{ey:0.#} {ex:0.#},{ey:0.#}\" marker-end=\"url(#arrow)\"/>\n"));
        }
        foreach (var (name, (x, y)) in at.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var bar = status.GetValueOrDefault(name);
            var css = "node" + (known.Contains(name) ? "" : " outside") + (bar is null ? "" : " " + StatusClass(bar.Status)) + (bar?.OnCriticalPath == true ? " critical" : "");
            html.Append(Invariant($"<g class=\"{css}\" data-service=\"{Attr(name)}\"><title>{Encode(name)}{(bar is null ? "" : " — " + bar.Status)}</title>"))
                .Append(Invariant($"<rect x=\"{x}\" y=\"{y}\" width=\"{NodeWidth}\" height=\"{NodeHeight}\" rx=\"5\"/>"))
                .Append(Invariant($"<text x=\"{x + NodeWidth / 2}\" y=\"{y + NodeHeight / 2 + 4}\" text-anchor=\"middle\">{Encode(Cut(name, 20))}</text></g>\n"));
        }
        html.Append("</svg>\n");
    }

    private static void AppendRun(StringBuilder html, RunTimeline run)
    {
        var seconds = Math.Max(run.Duration.TotalSeconds, 0.001);
        var scale = ChartWidth / seconds;
        double X(DateTimeOffset t) => LabelWidth + (t - run.Began).TotalSeconds * scale;
        var height = AxisHeight + run.Bars.Count * RowHeight + 8;
        var width = LabelWidth + ChartWidth + NoteWidth;
        var counts = string.Join(", ", run.Bars.GroupBy(b => b.Status).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}"));

        html.Append(Invariant($"<section class=\"run\" data-run-id=\"{Attr(run.RunId)}\">\n<h2>Run {Encode(run.RunId)}</h2>\n"))
            .Append("<p class=\"meta\">").Append(run.Project is null ? "" : $"Project {Encode(run.Project)}; ")
            .Append(Encode(Instant(run.Began))).Append(" to ").Append(Encode(Instant(run.Ended)))
            .Append(" (").Append(Encode(DurationText.Seconds(run.Duration))).Append("); ").Append(Encode(counts)).Append(".</p>\n")
            .Append("<p class=\"meta\">Critical path: ").Append(Encode(string.Join(" → ", run.CriticalPath))).Append("</p>\n")
            .Append(Invariant($"<svg class=\"timeline\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"timeline of run {Attr(run.RunId)}\">\n"));

        var step = TickStep(seconds);
        for (var t = 0.0; t <= seconds + 1e-9; t += step)
        {
            var x = LabelWidth + t * scale;
            html.Append(Invariant($"<line class=\"grid\" x1=\"{x:0.#}\" y1=\"{AxisHeight - 6}\" x2=\"{x:0.#}\" y2=\"{height}\"/>"))
                .Append(Invariant($"<text class=\"tick\" x=\"{x:0.#}\" y=\"{AxisHeight - 10}\" text-anchor=\"middle\">{t:0.##}s</text>\n"));
        }

        for (var i = 0; i < run.Bars.Count; i++)
        {
            var b = run.Bars[i];
            var y = AxisHeight + i * RowHeight;
            var barY = y + (RowHeight - BarHeight) / 2;
            html.Append(Invariant($"<g class=\"bar {StatusClass(b.Status)}{(b.OnCriticalPath ? " critical" : "")}\" data-service=\"{Attr(b.Service)}\" data-status=\"{b.Status}\" data-critical=\"{(b.OnCriticalPath ? "true" : "false")}\""))
                .Append(Offset("data-stop-requested", b.Phases.StopRequestedAt, run.Began))
                .Append(Offset("data-stopped", b.Phases.StoppedAt, run.Began))
                .Append(Offset("data-started", b.Phases.StartedAt, run.Began))
                .Append(Offset("data-ready", b.Phases.ReadyAt, run.Began))
                .Append(Offset("data-begin", b.Began, run.Began))
                .Append(Offset("data-end", b.Ended, run.Began)).Append(">\n")
                .Append("<title>").Append(Encode(Tooltip(b, run.Began))).Append("</title>\n")
                .Append(Invariant($"<text class=\"label\" x=\"{LabelWidth - 8}\" y=\"{y + RowHeight / 2 + 4}\" text-anchor=\"end\">{(b.OnCriticalPath ? "◆ " : "")}{Encode(Cut(b.Service, 22))}</text>\n"));
            foreach (var (from, to, css) in Segments(b))
            {
                var x1 = X(from);
                var w = Math.Max(X(to) - x1, 1.5);
                html.Append(Invariant($"<rect class=\"{css}\" x=\"{x1:0.##}\" y=\"{barY}\" width=\"{w:0.##}\" height=\"{BarHeight}\"/>\n"));
            }
            var note = b.Status == OutcomeStatus.Succeeded ? DurationText.Seconds(b.Ended - b.Began) : $"{b.Status}" + (b.Message is null ? "" : $": {b.Message}");
            html.Append(Invariant($"<text class=\"note\" x=\"{LabelWidth + ChartWidth + 8}\" y=\"{y + RowHeight / 2 + 4}\">{Encode(Cut(note, 40))}</text>\n</g>\n"));
        }
        html.Append("</svg>\n");
        AppendTable(html, run);
        html.Append("</section>\n");
    }

    /// <summary>The bar's pieces: stopping (request to stopped), down (stopped to start), starting (start to ready, or to
    /// the outcome for one that never became ready), each where both its ends are known.</summary>
    private static IEnumerable<(DateTimeOffset From, DateTimeOffset To, string Css)> Segments(TimelineBar b)
    {
        var p = b.Phases;
        if (p.StopRequestedAt is null && p.StoppedAt is null && p.StartedAt is null && p.ReadyAt is null)
        {
            yield return (b.Began, b.Ended, "seg start");
            yield break;
        }
        if (p.StopRequestedAt is { } requested && p.StoppedAt is { } stopped)
            yield return (requested, stopped, "seg stopping");
        if ((p.StoppedAt ?? p.StopRequestedAt) is { } down)
            yield return (down, p.StartedAt ?? b.Ended, "seg down");
        if (p.StartedAt is { } started)
            yield return (started, p.ReadyAt ?? b.Ended, "seg start");
    }

    private static void AppendTable(StringBuilder html, RunTimeline run)
    {
        html.Append("<table>\n<thead><tr><th>Service</th><th>Wave</th><th>Status</th><th>Reason</th><th>Stop requested</th><th>Stopped</th><th>Started</th><th>Ready</th><th>Took</th><th>Message</th></tr></thead>\n<tbody>\n");
        foreach (var b in run.Bars)
        {
            html.Append("<tr class=\"").Append(StatusClass(b.Status)).Append("\"><td>").Append(b.OnCriticalPath ? "◆ " : "").Append(Encode(b.Service))
                .Append("</td><td>").Append(b.Wave?.ToString(CultureInfo.InvariantCulture) ?? "")
                .Append("</td><td>").Append(b.Status)
                .Append("</td><td>").Append(b.Reason is null or OutcomeReason.None ? "" : b.Reason.ToString())
                .Append("</td><td>").Append(Since(b.Phases.StopRequestedAt, run.Began))
                .Append("</td><td>").Append(Since(b.Phases.StoppedAt, run.Began))
                .Append("</td><td>").Append(Since(b.Phases.StartedAt, run.Began))
                .Append("</td><td>").Append(Since(b.Phases.ReadyAt, run.Began))
                .Append("</td><td>").Append(Encode(DurationText.Seconds(b.Ended - b.Began)))
                .Append("</td><td>").Append(Encode(b.Message ?? "")).Append("</td></tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
    }

    private static void AppendLegend(StringBuilder html)
    {
        html.Append("<section id=\"legend\">\n<h2>Legend</h2>\n<ul class=\"legend\">\n")
            .Append("<li><span class=\"swatch stopping\"></span>stopping (stop requested to stopped)</li>\n")
            .Append("<li><span class=\"swatch down\"></span>down (stopped to start)</li>\n");
        foreach (var status in Enum.GetValues<OutcomeStatus>())
            html.Append("<li><span class=\"swatch ").Append(StatusClass(status)).Append("\"></span>starting to ready: ").Append(status).Append("</li>\n");
        html.Append("<li>◆ and a thick outline: on the critical path, the chain of services whose waits decided when the run ended</li>\n</ul>\n</section>\n");
    }

    private static string Tooltip(TimelineBar b, DateTimeOffset began)
    {
        var text = new StringBuilder($"{b.Service}: {b.Status}");
        if (b.Reason is { } reason && reason != OutcomeReason.None) text.Append(CultureInfo.InvariantCulture, $" ({reason})");
        if (b.Phases.StopRequestedAt is { } r) text.Append(CultureInfo.InvariantCulture, $"\nstop requested +{Since(r, began)}");
        if (b.Phases.StoppedAt is { } s) text.Append(CultureInfo.InvariantCulture, $"\nstopped +{Since(s, began)}");
        if (b.Phases.StartedAt is { } st) text.Append(CultureInfo.InvariantCulture, $"\nstarted +{Since(st, began)}");
        if (b.Phases.ReadyAt is { } rd) text.Append(CultureInfo.InvariantCulture, $"\nready +{Since(rd, began)}");
        if (b.Message is not null) text.Append('\n').Append(b.Message);
        return text.ToString();
    }

    private static double TickStep(double seconds)
    {
        foreach (var step in new[] { 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600 })
            if (seconds / step <= 12)
                return step;
        return Math.Ceiling(seconds / 12 / 3600) * 3600;
    }

    private static string Offset(string attribute, DateTimeOffset? at, DateTimeOffset began) =>
        at is { } t ? Invariant($" {attribute}=\"{Math.Round((t - began).TotalMilliseconds)}\"") : "";

    private static string Since(DateTimeOffset? at, DateTimeOffset began) =>
        at is { } t ? Invariant($"{(t - began).TotalSeconds:0.0}s") : "";

    private static string Instant(DateTimeOffset t) => t.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);

    private static string StatusClass(OutcomeStatus status) => "status-" + status.ToString().ToLowerInvariant();

    private static string Cut(string text, int max)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= max ? line : line[..(max - 1)] + "…";
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string Attr(string text) => WebUtility.HtmlEncode(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private const string Css = """
        body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #1d2330; background: #fff; }
        h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 6px; }
        .meta { color: #555; font-size: 13px; margin: 2px 0 8px; }
        svg { display: block; overflow: visible; } text { font-size: 12px; fill: #1d2330; }
        .edge { fill: none; stroke: #555; stroke-width: 1.3; } .edge.outside { stroke-dasharray: 5 4; }
        .node rect { fill: #eef1f5; stroke: #8a94a6; stroke-width: 1.2; } .node.outside rect { stroke-dasharray: 5 4; fill: #fff; }
        .node.critical rect { stroke: #111; stroke-width: 3; }
        .grid { stroke: #e3e6eb; stroke-width: 1; } .tick { fill: #666; font-size: 11px; }
        .bar.critical .seg { stroke: #111; stroke-width: 1.6; } .bar.critical .label { font-weight: 700; }
        .note { fill: #444; font-size: 11.5px; }
        .seg.stopping, .swatch.stopping { fill: #a9b3c1; background: #a9b3c1; }
        .seg.down, .swatch.down { fill: #e4e7ec; background: #e4e7ec; }
        .status-succeeded .seg.start, .node.status-succeeded rect, .swatch.status-succeeded { fill: #2e8b57; background: #2e8b57; }
        .status-failed .seg.start, .node.status-failed rect, .swatch.status-failed { fill: #c0392b; background: #c0392b; }
        .status-rolledback .seg.start, .node.status-rolledback rect, .swatch.status-rolledback { fill: #e67e22; background: #e67e22; }
        .status-skipped .seg.start, .node.status-skipped rect, .swatch.status-skipped { fill: #b7bec8; background: #b7bec8; }
        .status-cancelled .seg.start, .node.status-cancelled rect, .swatch.status-cancelled { fill: #8e44ad; background: #8e44ad; }
        .status-started .seg.start, .node.status-started rect, .swatch.status-started { fill: #2e86c1; background: #2e86c1; }
        .status-alreadyrunning .seg.start, .node.status-alreadyrunning rect, .swatch.status-alreadyrunning { fill: #d5dbe3; background: #d5dbe3; }
        .status-stopped .seg.start, .node.status-stopped rect, .swatch.status-stopped { fill: #7f8c8d; background: #7f8c8d; }
        .node.status-succeeded text, .node.status-failed text, .node.status-cancelled text, .node.status-started text, .node.status-stopped text, .node.status-rolledback text { fill: #fff; }
        table { border-collapse: collapse; font-size: 12.5px; margin-top: 10px; }
        th, td { border-bottom: 1px solid #e3e6eb; padding: 3px 9px; text-align: left; vertical-align: top; }
        tr.status-failed td, tr.status-rolledback td { background: #fdf0ee; }
        ul.legend { list-style: none; padding: 0; font-size: 12.5px; } ul.legend li { margin: 3px 0; }
        .swatch { display: inline-block; width: 26px; height: 11px; margin-right: 8px; vertical-align: middle; border: 1px solid #888; }

        """;
}
