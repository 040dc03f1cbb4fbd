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

    private async Task PumpAsync(Action<string> onWarning)
    {
        try
        {
            await foreach (var e in _subscription.WithCancellation(_stop.Token).ConfigureAwait(false))
                SignalFor(e.Service).Pulse();
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
