using System.Runtime.CompilerServices;
using static StingOps.Core.Engine.EngineTrace;

namespace StingOps.Core.Engine;

/// <summary>
/// Wraps an engine and reports every call (arguments, outcome, elapsed time) to <paramref name="trace"/>, so a
/// host can show them (the cmdlets: -Debug). The trace is called on whatever thread made the call; a host that
/// may only write from one thread must queue the lines. Command lines are passed through
/// <paramref name="redact"/>, and exec output and container environments are never traced: they carry secrets.
/// </summary>
public sealed class TracingContainerEngine(IContainerEngine inner, Action<string> trace, Func<string, string>? redact = null) : IContainerEngine
{
    private readonly EngineTrace _trace = new(trace, redact);

    public IContainerEngine Inner => inner;

    public string Endpoint => inner.Endpoint;

    public Task<EngineInfo> GetInfoAsync(CancellationToken cancellationToken) =>
        _trace.Traced($"info ({inner.Endpoint})", () => inner.GetInfoAsync(cancellationToken), i => $"Docker {i.ServerVersion}, API {i.ApiVersion}");

    public Task<IReadOnlyList<ContainerSummary>> ListProjectContainersAsync(string project, CancellationToken cancellationToken) =>
        _trace.Traced($"list containers of project '{project}'", () => inner.ListProjectContainersAsync(project, cancellationToken), l => $"{l.Count} container(s)");

    public Task<ContainerDetails?> InspectAsync(string containerId, CancellationToken cancellationToken) =>
        _trace.Traced($"inspect {Short(containerId)}", () => inner.InspectAsync(containerId, cancellationToken),
            d => d is null ? "gone" : $"{d.Service}: {d.State}{(d.Health is null ? "" : $", {d.Health}")}, restarts {d.RestartCount}");

    public Task StopAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken) =>
        _trace.Traced($"stop {Short(containerId)} (grace {gracePeriod.TotalSeconds:0.#}s)", () => inner.StopAsync(containerId, gracePeriod, cancellationToken));

    public Task StartAsync(string containerId, CancellationToken cancellationToken) =>
        _trace.Traced($"start {Short(containerId)}", () => inner.StartAsync(containerId, cancellationToken));

    public Task<ExecResult> ExecAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, ExecOptions? options, CancellationToken cancellationToken) =>
        _trace.Traced($"exec {Short(containerId)} [{_trace.Redact(string.Join(' ', command))}]{Describe(options)} (timeout {timeout.TotalSeconds:0.#}s)",
            () => inner.ExecAsync(containerId, command, timeout, options, cancellationToken),
            r => r.TimedOut ? "timed out" : $"exit {r.ExitCode}");

    public Task<string> GetLogTailAsync(string containerId, int lines, CancellationToken cancellationToken) =>
        _trace.Traced($"logs {Short(containerId)} (last {lines} lines)", () => inner.GetLogTailAsync(containerId, lines, cancellationToken), t => $"{t.Length} chars");

    public async Task<IEngineEventSubscription> SubscribeEventsAsync(string project, CancellationToken cancellationToken)
    {
        var subscription = await _trace.Traced($"subscribe to events of project '{project}'",
            () => inner.SubscribeEventsAsync(project, cancellationToken), s => $"live since {s.Since:HH:mm:ss.fff}").ConfigureAwait(false);
        return new TracedSubscription(subscription, this);
    }

    /// <summary>The inner engine is shared (one client per endpoint for the session): not ours to dispose.</summary>
    public void Dispose()
    {
    }

    /// <summary>Names of added variables only: their values may be secrets.</summary>
    private static string Describe(ExecOptions? options) => options is null ? "" :
        (options.User is { } user ? $" as {user}" : "") + (options.Privileged ? " privileged" : "") +
        (options.WorkingDir is { } dir ? $" in {dir}" : "") +
        (options.Environment is { Count: > 0 } env ? $" with {string.Join(", ", env.Select(e => e.Split('=', 2)[0]))}" : "");

    private async IAsyncEnumerable<EngineEvent> TraceEvents(IAsyncEnumerable<EngineEvent> events, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var e in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            _trace.Emit($"engine event: {e.Service} {e.Action}{(e.ExitCode is { } code ? $" (exit {code})" : "")} at {e.Time:HH:mm:ss.fff}");
            yield return e;
        }
    }

    private sealed class TracedSubscription(IEngineEventSubscription inner, TracingContainerEngine owner) : IEngineEventSubscription
    {
        public DateTimeOffset Since => inner.Since;

        public IAsyncEnumerator<EngineEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
            owner.TraceEvents(inner, cancellationToken).GetAsyncEnumerator(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
