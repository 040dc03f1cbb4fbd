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
    private readonly Task _pump;

    private EngineEventHub(IContainerEngine engine, string project, Action<string> onWarning)
    {
        _pump = Task.Run(() => PumpAsync(engine, project, onWarning));
    }

    /// <summary>Starts following events; the subscription is live when this returns.</summary>
    public static async Task<EngineEventHub> StartAsync(IContainerEngine engine, string project, Action<string> onWarning, CancellationToken cancellationToken)
    {
        var hub = new EngineEventHub(engine, project, onWarning);
        // Events that happen before the stream is established are caught by active probing anyway;
        // give the subscription a short moment so the common case is event-driven from the start.
        await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
        return hub;
    }

    public AsyncSignal SignalFor(string service) => _signals.GetOrAdd(service, _ => new AsyncSignal());

    private async Task PumpAsync(IContainerEngine engine, string project, Action<string> onWarning)
    {
        try
        {
            await foreach (var e in engine.WatchEventsAsync(project, _stop.Token).ConfigureAwait(false))
            {
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
        _stop.Dispose();
    }
}
