using System.Collections.Concurrent;
using StingOps.Core.Common;

namespace StingOps.Core.Engine;

/// <summary>
/// Follows the engine's events for one project and wakes the waiters of the service concerned, so a
/// start, death or health change is looked at at once instead of at the next probe. Events are a speed-up,
/// never a requirement: when the subscription cannot be made, breaks or simply ends (the daemon restarted),
/// readiness falls back to active probing and the hub subscribes again on a capped backoff until it is
/// disposed, saying so once per outage.
/// </summary>
public sealed class EngineEventHub : IAsyncDisposable
{
    public static readonly TimeSpan FirstResubscribeDelay = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan MaxResubscribeDelay = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, AsyncSignal> _signals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Death> _deaths = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly IContainerEngine _engine;
    private readonly string _project;
    private readonly TimeProvider _time;
    private readonly Action<string> _onNote;
    private readonly Task _pump;
    private long _lostAtTicks = long.MinValue;

    private EngineEventHub(IContainerEngine engine, string project, TimeProvider time, Action<string> onNote,
        IEngineEventSubscription? subscription, string? failure)
    {
        _engine = engine;
        _project = project;
        _time = time;
        _onNote = onNote;
        _pump = Task.Run(() => PumpAsync(subscription, failure));
    }

    /// <summary>
    /// Subscribes; when that works the subscription is live on return, so the caller may act at once. When it
    /// fails (the engine answers other calls but not /events) the hub still starts, without events for now.
    /// Only cancellation throws.
    /// </summary>
    /// <param name="onNote">Told once when events become unavailable and once when they are back (any thread).</param>
    public static async Task<EngineEventHub> StartAsync(IContainerEngine engine, string project, TimeProvider time, Action<string> onNote,
        CancellationToken cancellationToken)
    {
        var (subscription, failure) = await TrySubscribeAsync(engine, project, cancellationToken).ConfigureAwait(false);
        return new EngineEventHub(engine, project, time, onNote, subscription, failure);
    }

    public AsyncSignal SignalFor(string service) => _signals.GetOrAdd(service, _ => new AsyncSignal());

    /// <summary>
    /// Whether the event stream failed or ended after <paramref name="since"/>: the daemon may have restarted
    /// (and stopped its containers) meanwhile.
    /// </summary>
    // At the same instant counts: nothing says the events of that instant arrived.
    public bool EventsLostSince(DateTimeOffset since) => Interlocked.Read(ref _lostAtTicks) >= since.UtcTicks;

    private void MarkLost() => Interlocked.Exchange(ref _lostAtTicks, _time.GetUtcNow().UtcTicks);

    /// <summary>
    /// Completes at the container's first "die" event stamped at or after <paramref name="since"/> (an
    /// older death still in the pipe says nothing about this stop). Docker 20.10 reports the death a few
    /// hundred ms before its stop call returns (it still cleans up), and a dependency may be stopped from
    /// that moment on; Docker 26 just after. Never completes when events are unavailable: race it with the stop call.
    /// </summary>
    public Task WhenDied(string containerId, DateTimeOffset since)
    {
        var death = new Death(since, afterStart: false);
        _deaths[containerId] = death;
        return death.Source.Task;
    }

    /// <summary>
    /// Completes at the container's first "die" event after its next "start" event: a death of the start about to
    /// be requested. Ordered by the stream, not by time stamps: Docker 26 returns a stop call before it logs the
    /// container's death, so the stop's "die" can be stamped after the next start was requested (never after the
    /// engine's "start" event, which waits for the exit to be handled). Register before requesting the start.
    /// Never completes when events are unavailable.
    /// </summary>
    public Task WhenDiedAfterStart(string containerId)
    {
        var death = new Death(DateTimeOffset.MinValue, afterStart: true);
        _deaths[containerId] = death;
        return death.Source.Task;
    }

    private sealed class Death(DateTimeOffset since, bool afterStart)
    {
        public TaskCompletionSource Source { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>For a death after start: the start has been seen. Read and written by the pump only.</summary>
        public bool Started { get; set; }

        public bool Counts(EngineEvent e) => afterStart ? Started : e.Time >= since;
    }

    private static async Task<(IEngineEventSubscription? Subscription, string? Failure)> TrySubscribeAsync(
        IContainerEngine engine, string project, CancellationToken cancellationToken)
    {
        try
        {
            return (await engine.SubscribeEventsAsync(project, cancellationToken).ConfigureAwait(false), null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            return (null, ex.Message);
        }
    }

    private async Task PumpAsync(IEngineEventSubscription? subscription, string? failure)
    {
        var delay = FirstResubscribeDelay;
        var inOutage = false;
        try
        {
            while (true)
            {
                if (subscription is null)
                {
                    if (!inOutage)
                    {
                        inOutage = true;
                        MarkLost();
                        _onNote($"Engine events unavailable ({failure}); relying on probing until they are back.");
                    }
                    await Task.Delay(delay, _time, _stop.Token).ConfigureAwait(false);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxResubscribeDelay.Ticks));
                    (subscription, failure) = await TrySubscribeAsync(_engine, _project, _stop.Token).ConfigureAwait(false);
                    continue;
                }
                if (inOutage)
                {
                    inOutage = false;
                    _onNote("Engine events resumed.");
                    // Whatever happened meanwhile was not seen: let every waiter look now.
                    foreach (var signal in _signals.Values)
                        signal.Pulse();
                }
                delay = FirstResubscribeDelay;
                failure = await FollowAsync(subscription).ConfigureAwait(false);
                await subscription.DisposeAsync().ConfigureAwait(false);
                subscription = null;
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        finally
        {
            if (subscription is not null)
                await subscription.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Reads one subscription until it ends; returns why it ended. Throws only when the hub is disposed.</summary>
    private async Task<string> FollowAsync(IEngineEventSubscription subscription)
    {
        try
        {
            await foreach (var e in subscription.WithCancellation(_stop.Token).ConfigureAwait(false))
            {
                if (_deaths.TryGetValue(e.ContainerId, out var death))
                {
                    if (e.Action == "start")
                        death.Started = true;
                    else if (e.Action == "die" && death.Counts(e) && _deaths.TryRemove(new KeyValuePair<string, Death>(e.ContainerId, death)))
                        death.Source.TrySetResult();
                }
                SignalFor(e.Service).Pulse();
            }
            _stop.Token.ThrowIfCancellationRequested();
            return "the engine closed the event stream";
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            return ex.Message;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { await _pump.ConfigureAwait(false); } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
