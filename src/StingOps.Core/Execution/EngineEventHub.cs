using System.Collections.Concurrent;
using StingOps.Core.Engine;

namespace StingOps.Core.Execution;

/// <summary>
/// Follows the engine's events for one project and wakes the waiters of the service concerned, so a
/// start, death or health change is looked at at once instead of at the next probe.
/// </summary>
public sealed class EngineEventHub : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, AsyncSignal> _signals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Death> _deaths = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly IEngineEventSubscription _subscription;
    private readonly Task _pump;

    private EngineEventHub(IEngineEventSubscription subscription, Action<string> onWarning)
    {
        _subscription = subscription;
        _pump = Task.Run(() => PumpAsync(onWarning));
    }

    /// <summary>Subscribes; the subscription is live when this returns, so the caller may act at once.</summary>
    public static async Task<EngineEventHub> StartAsync(IContainerEngine engine, string project, Action<string> onWarning, CancellationToken cancellationToken)
    {
        var subscription = await engine.SubscribeEventsAsync(project, cancellationToken).ConfigureAwait(false);
        return new EngineEventHub(subscription, onWarning);
    }

    public AsyncSignal SignalFor(string service) => _signals.GetOrAdd(service, _ => new AsyncSignal());

    /// <summary>
    /// Completes at the container's first "die" event stamped at or after <paramref name="since"/> (an
    /// older death still in the pipe says nothing about this stop). The engine reports the death a few
    /// hundred ms before its stop call returns (it still cleans up), and a dependency may be stopped from
    /// that moment on. Never completes when events are unavailable: race it with the stop call.
    /// </summary>
    public Task WhenDied(string containerId, DateTimeOffset since)
    {
        var death = new Death(since);
        _deaths[containerId] = death;
        return death.Source.Task;
    }

    private sealed record Death(DateTimeOffset Since)
    {
        public TaskCompletionSource Source { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private async Task PumpAsync(Action<string> onWarning)
    {
        try
        {
            await foreach (var e in _subscription.WithCancellation(_stop.Token).ConfigureAwait(false))
            {
                if (e.Action == "die" && _deaths.TryGetValue(e.ContainerId, out var death) && e.Time >= death.Since
                    && _deaths.TryRemove(new KeyValuePair<string, Death>(e.ContainerId, death)))
                    death.Source.TrySetResult();
                SignalFor(e.Service).Pulse();
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Readiness still works without events (active probing); it is only slower.
            onWarning($"Engine events unavailable ({ex.Message}); relying on probing alone.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { await _pump.ConfigureAwait(false); } catch (OperationCanceledException) { }
        await _subscription.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
