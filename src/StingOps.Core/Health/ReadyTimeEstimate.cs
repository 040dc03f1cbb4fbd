namespace StingOps.Core.Health;

/// <summary>
/// What a service's recent history says about its start to ready (the seed's "automated restart optimization"):
/// probing waits until shortly before the earliest likely moment instead of asking from 100 ms on, and the plan's
/// estimates add these up. Percentiles are nearest-rank over the last <see cref="Window"/> first-attempt starts.
/// </summary>
/// <param name="Early">The 10th percentile: rarely ready before this.</param>
/// <param name="Typical">The median.</param>
/// <param name="Late">The 90th percentile.</param>
public sealed record ReadyTimeEstimate(TimeSpan Early, TimeSpan Typical, TimeSpan Late, int Samples)
{
    /// <summary>Fewer starts than this say too little: today's schedule applies.</summary>
    public const int MinimumSamples = 3;

    /// <summary>Only the newest starts count: a service that got faster or slower is learnt within this many runs.</summary>
    public const int Window = 20;

    // How much sooner than its earliest recorded start to ready probing turns dense: a tenth of it, at least 0.3 s.
    private const double QuietMargin = 0.1;
    private static readonly TimeSpan MinimumQuietMargin = TimeSpan.FromMilliseconds(300);

    /// <summary>Null when fewer than <see cref="MinimumSamples"/> times are known.</summary>
    /// <param name="newestLast">Start-to-ready times, oldest first.</param>
    public static ReadyTimeEstimate? From(IEnumerable<TimeSpan> newestLast)
    {
        var recent = newestLast.TakeLast(Window).Order().ToList();
        if (recent.Count < MinimumSamples)
            return null;
        TimeSpan Rank(double p) => recent[Math.Max(0, (int)Math.Ceiling(p * recent.Count) - 1)];
        return new ReadyTimeEstimate(Rank(0.1), Rank(0.5), Rank(0.9), recent.Count);
    }

    /// <summary>Until then (from the start) probes are sparse: the service is unlikely to be ready sooner.</summary>
    public TimeSpan QuietUntil => Max(TimeSpan.Zero, Early - Max(MinimumQuietMargin, Early * QuietMargin));

    /// <summary>How often a probe still goes out while it is quiet, so a service faster than its history is seen at
    /// most this late: a third of the early time, between 5 and 15 s. Never shorter than a few poll windows (3 s each):
    /// probing sparsely more often than that would cost more execs than today's schedule.</summary>
    public TimeSpan SparseInterval => Min(TimeSpan.FromSeconds(15), Max(TimeSpan.FromSeconds(5), Early / 3));

    /// <summary>Whether sparse probes go out at all: only a quiet spell longer than two sparse intervals is worth them;
    /// a shorter one is simply waited out (a service faster than its history is then seen at most that spell late).</summary>
    public bool ProbesWhileQuiet => QuietUntil > SparseInterval * 2;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
