using StingOps.Core.Common;
using StingOps.Core.Metrics;

namespace StingOps.Core.Report;

/// <summary>One service's bar in a run's timeline: the moments of its phases, its outcome, and whether it was on the path
/// that decided when the run ended.</summary>
/// <param name="Began">Where the bar starts: its stop's request, else its start, else (a row without phase times) its end less its duration.</param>
/// <param name="Ended">Where the bar ends: when it was ready, else when its outcome was recorded.</param>
public sealed record TimelineBar(
    string Service,
    OutcomeStatus Status,
    OutcomeReason? Reason,
    int? Wave,
    PhaseTimes Phases,
    DateTimeOffset Began,
    DateTimeOffset Ended,
    string? Message,
    bool OnCriticalPath);

/// <summary>One recorded run drawn as a timeline: a bar per service, ordered by wave then start.</summary>
/// <param name="CriticalPath">The services whose waits decided when the run ended, dependency first.</param>
public sealed record RunTimeline(
    string RunId,
    string? Project,
    DateTimeOffset Began,
    DateTimeOffset Ended,
    IReadOnlyList<TimelineBar> Bars,
    IReadOnlyList<string> CriticalPath)
{
    public TimeSpan Duration => Ended - Began;

    /// <summary>The run's timeline from its recorded rows.</summary>
    /// <param name="rows">The rows of ONE run (same RunId); at least one.</param>
    /// <param name="dependsOn">Each service's dependencies (the project's graph); a service it does not know has none.</param>
    public static RunTimeline Build(IReadOnlyList<RestartMetricRecord> rows, Func<string, IReadOnlyList<string>> dependsOn)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
            throw new ArgumentException("a run has at least one row", nameof(rows));
        // A service recorded twice in one run (it should not be) is drawn as its last row.
        var latest = rows.GroupBy(r => r.Service, StringComparer.Ordinal).Select(g => g.OrderBy(r => r.Timestamp.UtcTicks).Last()).ToList();
        var spans = latest.ToDictionary(r => r.Service, r => (Began: BeganOf(r), Ended: r.Phases.ReadyAt ?? r.Timestamp), StringComparer.Ordinal);
        var path = CriticalPathOf(latest, spans, dependsOn);
        var onPath = path.ToHashSet(StringComparer.Ordinal);
        var bars = latest
            .Select(r => new TimelineBar(r.Service, r.Status, r.FailureReason, r.Wave, r.Phases, spans[r.Service].Began, spans[r.Service].Ended,
                r.Message, onPath.Contains(r.Service)))
            .OrderBy(b => b.Wave ?? int.MaxValue).ThenBy(b => b.Began).ThenBy(b => b.Service, StringComparer.Ordinal)
            .ToList();
        return new RunTimeline(rows[0].RunId ?? "", latest.Select(r => r.Project).FirstOrDefault(p => p is not null),
            bars.Min(b => b.Began), bars.Max(b => b.Ended), bars, path);
    }

    private static DateTimeOffset BeganOf(RestartMetricRecord r) =>
        r.Phases.StopRequestedAt ?? r.Phases.StoppedAt ?? r.Phases.StartedAt ?? (r.Phases.ReadyAt ?? r.Timestamp) - r.Duration;

    /// <summary>
    /// From the started service that ended last, back through the dependency that released it last: the one in the run
    /// whose ready (or, for a dependent that started before it was ready, a <c>service_started</c> condition, whose start)
    /// came last before the service's start. A service whose dependencies all released it before its own stop ended
    /// waited on itself, and the path begins there.
    /// </summary>
    private static List<string> CriticalPathOf(IReadOnlyList<RestartMetricRecord> rows,
        Dictionary<string, (DateTimeOffset Began, DateTimeOffset Ended)> spans, Func<string, IReadOnlyList<string>> dependsOn)
    {
        var byService = rows.ToDictionary(r => r.Service, StringComparer.Ordinal);
        // A service skipped or stopped is recorded when the run ends, not when anything waited on it: the path ends at
        // the last service that was started, unless none was.
        var started = rows.Where(r => r.Phases.StartedAt is not null).ToList();
        var last = (started.Count > 0 ? started : rows).OrderBy(r => spans[r.Service].Ended).ThenBy(r => r.Service, StringComparer.Ordinal).Last();
        var path = new List<string> { last.Service };
        var seen = new HashSet<string>(StringComparer.Ordinal) { last.Service };
        var current = last;
        while (true)
        {
            var start = current.Phases.StartedAt;
            var ownStopEnded = current.Phases.StoppedAt ?? spans[current.Service].Began;
            var gate = dependsOn(current.Service)
                .Where(d => !seen.Contains(d) && byService.ContainsKey(d))
                .Select(d => (Row: byService[d], At: ReleasedAt(byService[d], start)))
                .Where(g => g.At is not null)
                .OrderBy(g => g.At).ThenBy(g => g.Row.Service, StringComparer.Ordinal)
                .LastOrDefault();
            if (gate.Row is null || gate.At <= ownStopEnded)
                break;
            path.Add(gate.Row.Service);
            seen.Add(gate.Row.Service);
            current = gate.Row;
        }
        path.Reverse();
        return path;
    }

    /// <summary>When the dependency let a dependent that started at <paramref name="dependentStart"/> go: its ready, when
    /// that came first; else its start (the dependent waited only for it to be started); null when neither came before.</summary>
    private static DateTimeOffset? ReleasedAt(RestartMetricRecord dependency, DateTimeOffset? dependentStart)
    {
        var (ready, started) = (dependency.Phases.ReadyAt, dependency.Phases.StartedAt);
        if (dependentStart is null)
            return ready ?? started;
        if (ready <= dependentStart)
            return ready;
        return started <= dependentStart ? started : null;
    }
}
