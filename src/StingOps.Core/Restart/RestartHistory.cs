using StingOps.Core.Common;
using StingOps.Core.Health;
using StingOps.Core.Metrics;

namespace StingOps.Core.Restart;

/// <summary>
/// What a project's recorded runs say about each service: its start to ready (<see cref="ReadyTimeEstimate"/>), which
/// the probe schedule and the estimates use, and the engine's part of a restart (stop to ready minus start to ready:
/// the stop and the start call), which the estimates add.
/// </summary>
public sealed class RestartHistory
{
    public static readonly RestartHistory Empty = new(new Dictionary<string, ReadyTimeEstimate>(), new Dictionary<string, TimeSpan>());

    private RestartHistory(IReadOnlyDictionary<string, ReadyTimeEstimate> readyTimes, IReadOnlyDictionary<string, TimeSpan> engineSteps)
    {
        ReadyTimes = readyTimes;
        EngineSteps = engineSteps;
    }

    /// <summary>Start to ready per service with enough recorded first-attempt starts.</summary>
    public IReadOnlyDictionary<string, ReadyTimeEstimate> ReadyTimes { get; }

    /// <summary>The median of the engine's part of a restart per service (same rows as <see cref="ReadyTimes"/>).</summary>
    public IReadOnlyDictionary<string, TimeSpan> EngineSteps { get; }

    /// <summary>From records oldest first (as <see cref="MetricStore"/> reads them); only rows with a start to ready count.</summary>
    public static RestartHistory From(IEnumerable<RestartMetricRecord> records)
    {
        var readyTimes = new Dictionary<string, ReadyTimeEstimate>(StringComparer.Ordinal);
        var engineSteps = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        foreach (var service in records.Where(r => r.StartToReady is not null).GroupBy(r => r.Service, StringComparer.Ordinal))
        {
            var rows = service.TakeLast(ReadyTimeEstimate.Window).ToList();
            if (ReadyTimeEstimate.From(rows.Select(r => r.StartToReady!.Value)) is not { } estimate)
                continue;
            readyTimes[service.Key] = estimate;
            var steps = rows.Select(r => r.Duration - r.StartToReady!.Value).Select(t => t < TimeSpan.Zero ? TimeSpan.Zero : t).Order().ToList();
            engineSteps[service.Key] = steps[(steps.Count - 1) / 2];
        }
        return new RestartHistory(readyTimes, engineSteps);
    }

    /// <summary>
    /// The project's history in its metrics directory. Nothing recorded yet is no history; metrics that cannot be
    /// read are no history either, with a note: history only makes runs cheaper and estimates possible.
    /// </summary>
    public static RestartHistory Read(string metricsDirectory, string project, TimeProvider time, Action<string>? note = null)
    {
        try
        {
            return From(new MetricStore(metricsDirectory, time).Read(new MetricQuery { Project = project }));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or StingException)
        {
            note?.Invoke($"The restart history in {metricsDirectory} could not be read ({ex.Message}); probing on the default schedule.");
            return Empty;
        }
    }
}
