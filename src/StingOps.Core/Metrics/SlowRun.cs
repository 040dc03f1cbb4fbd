namespace StingOps.Core.Metrics;

/// <summary>
/// When a run took far longer than its estimate: twice as long, and at least 10 s longer (so that a short run's noise
/// never counts). The run says so in -Verbose and its rows, and RestartTooSlow fires on it.
/// </summary>
public static class SlowRun
{
    public const double Factor = 2;
    public static readonly TimeSpan Margin = TimeSpan.FromSeconds(10);

    public static bool IsFarLonger(TimeSpan actual, TimeSpan expected) => actual > expected * Factor && actual - expected >= Margin;
}
