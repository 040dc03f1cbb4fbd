using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Configuration;
using StingOps.Core.Engine;

namespace StingOps.Core.Health;

public sealed record ReadinessOutcome(bool Ready, OutcomeReason Reason, string Message, DateTimeOffset? ReadyAt)
{
    /// <summary>The container exited or crashed: worth another attempt, unlike a plain timeout.</summary>
    public bool Crashed { get; init; }

    /// <summary>Timed out while the last probe could not even run: restarting the container would not help.</summary>
    public bool ProbeInconclusive { get; init; }

    /// <summary>
    /// The container stopped while the engine was away (a daemon restart stops every container, and brings back
    /// only those with a restart policy): not the service's fault, so it is started again without counting an attempt.
    /// </summary>
    public bool StoppedByEngineOutage { get; init; }

    /// <summary>What probing cost until this verdict.</summary>
    public ProbeTally Probes { get; init; }

    /// <summary>Why it is not ready, at length: the last health check's output and the container's last log lines, one
    /// per line, secrets masked; null when there is nothing to add. Kept out of <see cref="Message"/>, which stays short
    /// enough for a table.</summary>
    public string? Diagnostics { get; init; }
}

/// <summary>
/// Waits until a container passes its probe: probes actively on a backoff that starts near 100 ms and
/// grows to the configured interval, and is woken early by engine events. Given the service's history
/// (<see cref="ReadyTimeEstimate"/>), it probes only sparsely until shortly before the earliest likely ready time and
/// densely from then on, with one poll window stretched over the likely span. An exited or crashed container
/// fails at once, also when its restart policy already brought it back; "unhealthy" while starting does
/// not, until the timeout. An engine that is away for a while (inspect fails with StingEngineUnavailable) means
/// "not ready yet" until the timeout, never an engine failure at once; once it is back, what its restart did to
/// the container is judged as such (revived by its restart policy: fine; left stopped: <see cref="ReadinessOutcome.StoppedByEngineOutage"/>).
/// </summary>
public sealed class ReadinessWaiter(
    IContainerEngine engine,
    IProbeRunner probes,
    EngineEventHub? events,
    TimeProvider time,
    TimeSpan maxInterval,
    Func<string, string> redact)
{
    public static readonly TimeSpan FirstInterval = TimeSpan.FromMilliseconds(100);
    // Each pause is 1.3x the last: readiness is seen at most ~30% of the elapsed start-up time late, where
    // a faster growth saved a few probes (each an exec: ~0.1 s of engine CPU) but lost up to a second a level.
    private const double BackoffFactor = 1.3;
    // How long one exec may poll inside the container before the container's state is looked at again.
    private static readonly TimeSpan MaxPollWindow = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan MaxStretchedPollWindow = TimeSpan.FromSeconds(10);
    private const int LogTailLines = 5;

    /// <param name="restartCountBaseline">The container's RestartCount when it was started by us (0); null: as first seen.</param>
    /// <param name="expected">The service's start to ready from its history, when the wait began at its start; null: today's schedule.</param>
    public async Task<ReadinessOutcome> WaitAsync(
        string service, string containerId, ProbeSpec probe, HealthCheckSpec? composeHealthCheck,
        TimeSpan timeout, CancellationToken cancellationToken, int? restartCountBaseline = null, ReadyTimeEstimate? expected = null)
    {
        var tally = ProbeTally.None;
        var outcome = await WaitCoreAsync(service, containerId, probe, composeHealthCheck, timeout, restartCountBaseline, expected,
            cost => tally += cost, cancellationToken).ConfigureAwait(false);
        return outcome with { Probes = tally };
    }

    private async Task<ReadinessOutcome> WaitCoreAsync(
        string service, string containerId, ProbeSpec probe, HealthCheckSpec? composeHealthCheck,
        TimeSpan timeout, int? restartCountBaseline, ReadyTimeEstimate? expected, Action<ProbeTally> spent, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var waitBegan = time.GetUtcNow();
        var interval = FirstInterval;
        var signal = events?.SignalFor(service);
        string? lastOutput = null;
        var lastInconclusive = false;
        var engineWasAway = false;
        var startCap = StartIntervalOf(probe, composeHealthCheck);
        // compose's start_interval: while the start period lasts, probe at least that often (the engine does, from API 1.44).
        TimeSpan Cap() => startCap is { } cap && time.GetElapsedTime(started) < composeHealthCheck!.StartPeriod ? cap : maxInterval;
        var quietUntil = expected?.QuietUntil ?? TimeSpan.Zero;
        // The first sparse probe waits an interval too: at the start the service is surely not ready yet.
        var nextSparse = expected is null ? TimeSpan.Zero : expected.ProbesWhileQuiet ? expected.SparseInterval : TimeSpan.MaxValue;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ContainerDetails? container;
            try
            {
                container = await engine.InspectAsync(containerId, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (EngineOutage.IsUnavailable(e) && !cancellationToken.IsCancellationRequested)
            {
                engineWasAway = true;
                var left = timeout - time.GetElapsedTime(started);
                if (left <= TimeSpan.Zero)
                    return new ReadinessOutcome(false, OutcomeReason.Engine, $"not ready within {DurationText.Seconds(timeout)}: the engine was unavailable ({redact(e.Message)})", null);
                await Task.Delay(interval < left ? interval : left, time, cancellationToken).ConfigureAwait(false);
                interval = TimeSpan.FromTicks(Math.Min((long)(interval.Ticks * BackoffFactor), Cap().Ticks));
                continue;
            }
            if (container is null)
                return new ReadinessOutcome(false, OutcomeReason.Engine, $"container {Short(containerId)} disappeared while starting", null);

            // The engine may have restarted under the container (inspect failed, or the event stream was lost):
            // a container it left stopped did not crash, one its restart policy revived starts a new count.
            if ((engineWasAway || events?.EventsLostSince(waitBegan) == true) && container.State is "exited" or "dead")
            {
                return new ReadinessOutcome(false, OutcomeReason.Engine,
                    $"the container stopped (exit code {container.ExitCode ?? -1}) while the engine was unavailable", null) { StoppedByEngineOutage = true };
            }
            if (engineWasAway)
            {
                restartCountBaseline = container.RestartCount;
                engineWasAway = false;
            }

            // A manual start resets RestartCount (baseline 0); any increase means the restart policy revived a crash.
            restartCountBaseline ??= container.RestartCount;
            if (container.State is "exited" or "dead" or "restarting" || container.RestartCount > restartCountBaseline)
                return await CrashedAsync(container, cancellationToken).ConfigureAwait(false);

            var probeStarted = time.GetTimestamp();
            var elapsed = time.GetElapsedTime(started);
            var quiet = elapsed < quietUntil;
            // The engine's own healthy verdict is free to take, quiet or not.
            var engineSaysHealthy = probe.Kind == ProbeKind.Docker && container.Health == "healthy";
            if (container.IsRunning && (!quiet || elapsed >= nextSparse || engineSaysHealthy))
            {
                var remainingNow = timeout - elapsed;
                // While quiet: one test, no poll. Then one window over the span the history makes likely.
                var window = quiet ? TimeSpan.Zero : PollWindow(expected, elapsed);
                var pollFor = remainingNow < window ? remainingNow : window;
                if (quiet && !engineSaysHealthy)
                    nextSparse = elapsed + expected!.SparseInterval;
                var result = await probes.ProbeAsync(container, probe, composeHealthCheck, pollFor, cancellationToken).ConfigureAwait(false);
                spent(result.Cost);
                if (result.Ready)
                    return new ReadinessOutcome(true, OutcomeReason.None, "ready", time.GetUtcNow());
                lastOutput = result.Output;
                lastInconclusive = result.Inconclusive;
            }

            var remaining = timeout - time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
                return await TimedOutAsync(container, timeout, lastOutput, lastInconclusive, cancellationToken).ConfigureAwait(false);

            if (time.GetElapsedTime(started) is var now && now < quietUntil)
            {
                // Quiet: no backoff builds up, so probing is dense from the moment it ends; the container is still
                // looked at (an inspect is cheap) and engine events still wake the wait.
                interval = FirstInterval;
                var wake = Min(Min(nextSparse, quietUntil), now + maxInterval) - now;
                if (wake > remaining)
                    wake = remaining;
                if (wake > TimeSpan.Zero)
                {
                    if (signal is null)
                        await Task.Delay(wake, time, cancellationToken).ConfigureAwait(false);
                    else
                        await signal.WaitAsync(wake, time, cancellationToken).ConfigureAwait(false);
                }
                continue;
            }

            // A probe that polled inside the container has already spent its pause.
            var pause = interval - time.GetElapsedTime(probeStarted);
            if (pause > remaining)
                pause = remaining;
            interval = TimeSpan.FromTicks(Math.Min((long)(interval.Ticks * BackoffFactor), Cap().Ticks));
            if (pause <= TimeSpan.Zero)
                continue;
            if (signal is null)
                await Task.Delay(pause, time, cancellationToken).ConfigureAwait(false);
            else
                await signal.WaitAsync(pause, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>How long one exec polls: normally <see cref="MaxPollWindow"/>; with history, long enough to reach a
    /// second past the late ready time (at most 10 s, so the container's state is still looked at).</summary>
    private static TimeSpan PollWindow(ReadyTimeEstimate? expected, TimeSpan elapsed)
    {
        if (expected is null)
            return MaxPollWindow;
        var toLate = expected.Late + TimeSpan.FromSeconds(1) - elapsed;
        return toLate <= MaxPollWindow ? MaxPollWindow : Min(toLate, MaxStretchedPollWindow);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>The start interval that caps the backoff for a compose-healthcheck probe, when it is shorter than the usual cap.</summary>
    private TimeSpan? StartIntervalOf(ProbeSpec probe, HealthCheckSpec? check) =>
        probe.Kind == ProbeKind.Docker && check is { StartInterval: { } interval, StartPeriod: { } period }
        && interval > TimeSpan.Zero && period > TimeSpan.Zero && interval < maxInterval
            ? interval
            : null;

    /// <summary>For one-shot services (service_completed_successfully): ready means exited with code 0.</summary>
    public async Task<ReadinessOutcome> WaitForExitAsync(string containerId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var interval = FirstInterval;
        while (true)
        {
            var container = await engine.InspectAsync(containerId, cancellationToken).ConfigureAwait(false);
            if (container is null)
                return new ReadinessOutcome(false, OutcomeReason.Engine, $"container {Short(containerId)} disappeared while running", null);
            if (container.State is "exited" or "dead")
            {
                if (container.ExitCode == 0)
                    return new ReadinessOutcome(true, OutcomeReason.None, "completed successfully", time.GetUtcNow());
                return await CrashedAsync(container, cancellationToken).ConfigureAwait(false);
            }
            var remaining = timeout - time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
                return new ReadinessOutcome(false, OutcomeReason.Timeout, $"did not complete within {DurationText.Seconds(timeout)}", null);
            await Task.Delay(interval < remaining ? interval : remaining, time, cancellationToken).ConfigureAwait(false);
            interval = TimeSpan.FromTicks(Math.Min((long)(interval.Ticks * BackoffFactor), maxInterval.Ticks));
        }
    }

    private async Task<ReadinessOutcome> CrashedAsync(ContainerDetails container, CancellationToken cancellationToken)
    {
        var what = container.State is "exited" or "dead"
            ? $"container exited with code {container.ExitCode ?? -1} while starting"
            : $"container crashed while starting and its restart policy revived it (restart count {container.RestartCount})";
        // Docker's last health output belongs to an earlier life of the container: only the logs tell why it died.
        return new ReadinessOutcome(false, OutcomeReason.HealthCheck, what, null)
        {
            Crashed = true,
            Diagnostics = await DiagnosticsAsync(container, null, cancellationToken).ConfigureAwait(false),
        };
    }

    /// <param name="inconclusive">The last probe could not run: then that is the reason, and belongs in the message.</param>
    private async Task<ReadinessOutcome> TimedOutAsync(ContainerDetails container, TimeSpan timeout, string? lastOutput, bool inconclusive,
        CancellationToken cancellationToken)
    {
        var health = container.Health is null ? "" : $" (docker health: {container.Health})";
        var why = inconclusive && !string.IsNullOrWhiteSpace(lastOutput) ? "; " + redact(OneLine(lastOutput, 200)) : "";
        return new ReadinessOutcome(false, OutcomeReason.Timeout, $"not ready within {DurationText.Seconds(timeout)}{health}{why}", null)
        {
            ProbeInconclusive = inconclusive,
            Diagnostics = await DiagnosticsAsync(container, lastOutput ?? container.LastHealthOutput, cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>Last probe output and the container's last log lines, each on a line of its own, with secrets redacted;
    /// null when there is neither.</summary>
    private async Task<string?> DiagnosticsAsync(ContainerDetails container, string? probeOutput, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        if (!string.IsNullOrWhiteSpace(probeOutput))
            lines.Add($"last health check: {OneLine(probeOutput)}");
        try
        {
            var logs = await engine.GetLogTailAsync(container.Id, LogTailLines, cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrWhiteSpace(logs))
            {
                lines.Add("last log lines:");
                lines.AddRange(logs.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => "  " + Cut(l, 300)));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            lines.Add("logs unavailable");
        }
        return lines.Count == 0 ? null : redact(string.Join("\n", lines));
    }

    private static string Cut(string text, int maxChars) => text.Length <= maxChars ? text : text[..maxChars] + "…";

    /// <summary>Command output as one line for a message: its lines joined by " | ", cut at <paramref name="maxChars"/>.</summary>
    internal static string OneLine(string text, int maxChars = 600) =>
        Cut(string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)), maxChars);

    internal static string Short(string id) => id.Length > 12 ? id[..12] : id;
}
