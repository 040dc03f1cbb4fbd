using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace StingOps.Core.Engine;

/// <summary>
/// Wraps an engine and reports every call (arguments, outcome, elapsed time) to <paramref name="trace"/>, so a
/// host can show them (the cmdlets: -Debug). The trace is called on whatever thread made the call; a host that
/// may only write from one thread must queue the lines. Command lines are passed through
/// <paramref name="redact"/>, and exec output and container environments are never traced: they carry secrets.
/// </summary>
public sealed class TracingContainerEngine(IContainerEngine inner, Action<string> trace, Func<string, string>? redact = null) : IContainerEngine
{
    private readonly Func<string, string> _redact = redact ?? (s => s);

    public IContainerEngine Inner => inner;

    public string Endpoint => inner.Endpoint;

    public Task<EngineInfo> GetInfoAsync(CancellationToken cancellationToken) =>
        Traced($"info ({inner.Endpoint})", () => inner.GetInfoAsync(cancellationToken), i => $"Docker {i.ServerVersion}, API {i.ApiVersion}");

    public Task<IReadOnlyList<ContainerSummary>> ListProjectContainersAsync(string project, CancellationToken cancellationToken) =>
        Traced($"list containers of project '{project}'", () => inner.ListProjectContainersAsync(project, cancellationToken), l => $"{l.Count} container(s)");

    public Task<ContainerDetails?> InspectAsync(string containerId, CancellationToken cancellationToken) =>
        Traced($"inspect {Short(containerId)}", () => inner.InspectAsync(containerId, cancellationToken),
            d => d is null ? "gone" : $"{d.Service}: {d.State}{(d.Health is null ? "" : $", {d.Health}")}, restarts {d.RestartCount}");

    public Task StopAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken) =>
        Traced($"stop {Short(containerId)} (grace {gracePeriod.TotalSeconds:0.#}s)", () => inner.StopAsync(containerId, gracePeriod, cancellationToken));

    public Task StartAsync(string containerId, CancellationToken cancellationToken) =>
        Traced($"start {Short(containerId)}", () => inner.StartAsync(containerId, cancellationToken));

    public Task<ExecResult> ExecAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken, ExecOptions? options = null) =>
        Traced($"exec {Short(containerId)} [{_redact(string.Join(' ', command))}]{Describe(options)} (timeout {timeout.TotalSeconds:0.#}s)",
            () => inner.ExecAsync(containerId, command, timeout, cancellationToken, options),
            r => r.TimedOut ? "timed out" : $"exit {r.ExitCode}");

    public Task<string> GetLogTailAsync(string containerId, int lines, CancellationToken cancellationToken) =>
        Traced($"logs {Short(containerId)} (last {lines} lines)", () => inner.GetLogTailAsync(containerId, lines, cancellationToken), t => $"{t.Length} chars");

    public IAsyncEnumerable<EngineEvent> WatchEventsAsync(string project, CancellationToken cancellationToken) =>
        TraceEvents(inner.WatchEventsAsync(project, cancellationToken), cancellationToken);

    public async Task<IEngineEventSubscription> SubscribeEventsAsync(string project, CancellationToken cancellationToken)
    {
        var subscription = await Traced($"subscribe to events of project '{project}'",
            () => inner.SubscribeEventsAsync(project, cancellationToken), s => $"live since {s.Since:HH:mm:ss.fff}").ConfigureAwait(false);
        return new TracedSubscription(subscription, this);
    }

    public Task RenameAsync(string containerId, string newName, CancellationToken cancellationToken) =>
        Traced($"rename {Short(containerId)} to {newName}", () => inner.RenameAsync(containerId, newName, cancellationToken));

    public Task RemoveAsync(string containerId, bool force, CancellationToken cancellationToken) =>
        Traced($"remove {Short(containerId)}{(force ? " (force)" : "")}", () => inner.RemoveAsync(containerId, force, cancellationToken));

    public Task<string?> GetInspectJsonAsync(string containerId, CancellationToken cancellationToken) =>
        Traced($"inspect {Short(containerId)} for a snapshot", () => inner.GetInspectJsonAsync(containerId, cancellationToken), j => j is null ? "gone" : $"{j.Length} bytes");

    public Task<string> CreateFromSnapshotAsync(string inspectJson, string name, CancellationToken cancellationToken) =>
        Traced($"create {name} from a snapshot", () => inner.CreateFromSnapshotAsync(inspectJson, name, cancellationToken), id => Short(id));

    /// <summary>The inner engine is shared (one client per endpoint for the session): not ours to dispose.</summary>
    public void Dispose()
    {
    }

    private static string Short(string id) => id.Length > 12 ? id[..12] : id;

    /// <summary>Names of added variables only: their values may be secrets.</summary>
    private static string Describe(ExecOptions? options) => options is null ? "" :
        (options.User is { } user ? $" as {user}" : "") + (options.Privileged ? " privileged" : "") +
        (options.WorkingDir is { } dir ? $" in {dir}" : "") +
        (options.Environment is { Count: > 0 } env ? $" with {string.Join(", ", env.Select(e => e.Split('=', 2)[0]))}" : "");

    private Task Traced(string call, Func<Task> action) =>
        Traced(call, async () => { await action().ConfigureAwait(false); return true; }, _ => "done");

    private async Task<T> Traced<T>(string call, Func<Task<T>> action, Func<T, string> describe)
    {
        // The lines reach the host later than the calls happen, so each says when its call went out (UTC, like event times).
        var sent = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        try
        {
            var result = await action().ConfigureAwait(false);
            Emit($"engine: {call} -> {describe(result)} ({clock.Elapsed.TotalMilliseconds:0} ms from {sent:HH:mm:ss.fff})");
            return result;
        }
        catch (Exception ex)
        {
            Emit($"engine: {call} -> {ex.GetType().Name}: {_redact(ex.Message)} ({clock.Elapsed.TotalMilliseconds:0} ms from {sent:HH:mm:ss.fff})");
            throw;
        }
    }

    private void Emit(string line)
    {
        try
        {
            trace(line);
        }
        catch (Exception)
        {
            // Tracing must never change what the engine call does.
        }
    }

    private async IAsyncEnumerable<EngineEvent> TraceEvents(IAsyncEnumerable<EngineEvent> events, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var e in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            Emit($"engine event: {e.Service} {e.Action}{(e.ExitCode is { } code ? $" (exit {code})" : "")} at {e.Time:HH:mm:ss.fff}");
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
