namespace StingOps;

/// <summary>
/// Aggregate of recorded restarts for one service, or for all of them (<see cref="Service"/> = <c>*</c>)
/// (docs/types.md: StingOps.RestartMetricSummary).
/// </summary>
/// <remarks>
/// Restarts are the rows that were attempted and came to an outcome (Succeeded, Failed, RolledBack);
/// RolledBack counts as Failed. Skipped and Cancelled rows are counted in their own properties and take no
/// part in the success rate or the durations. Durations are over all restarts, successful or not.
/// P50 and P95 are nearest-rank percentiles: with the N durations sorted ascending, the P-th percentile is
/// the k-th smallest, k = ⌈P/100 × N⌉; always an observed value, never interpolated.
/// </remarks>
public sealed class RestartMetricSummary
{
    /// <summary>The service, or <c>*</c> for all services together.</summary>
    public string Service { get; init; } = "";
    public int Restarts { get; init; }
    public int Succeeded { get; init; }
    /// <summary>Failed plus RolledBack.</summary>
    public int Failed { get; init; }
    /// <summary>Not restarts: never attempted (e.g. a dependency failed).</summary>
    public int Skipped { get; init; }
    /// <summary>Not restarts: interrupted before an outcome.</summary>
    public int Cancelled { get; init; }
    /// <summary>Succeeded / Restarts, 0..1; null when there were no restarts.</summary>
    public double? SuccessRate { get; init; }
    public TimeSpan? Mean { get; init; }
    /// <summary>Median duration, nearest-rank.</summary>
    public TimeSpan? P50 { get; init; }
    /// <summary>95th percentile duration, nearest-rank.</summary>
    public TimeSpan? P95 { get; init; }
    public TimeSpan? Max { get; init; }

    public override string ToString() => $"{Service}: {Succeeded}/{Restarts}";
}
