using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace StingOps.Core.Engine;

/// <summary>
/// A live event subscription: enumerate it (once) for the events, dispose it to unsubscribe. Enumeration ends
/// with OperationCanceledException when the enumerating token is cancelled or the subscription disposed, and
/// with StingException(StingEngineUnavailable) when the engine connection is lost.
/// </summary>
public interface IEngineEventSubscription : IAsyncEnumerable<EngineEvent>, IAsyncDisposable
{
    /// <summary>Events from this instant on (engine clock) are delivered; earlier ones are not.</summary>
    DateTimeOffset Since { get; }
}

/// <summary>
/// A subscription whose producer runs in the background from construction on and writes into an unbounded
/// channel, so events are kept while nobody is enumerating (subscribe, act, then read). The producer ending
/// normally completes the enumeration; the producer failing surfaces its exception to the reader.
/// </summary>
internal class ChannelEventSubscription : IEngineEventSubscription
{
    private readonly Channel<EngineEvent> _channel = Channel.CreateUnbounded<EngineEvent>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = false });

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private int _enumerated;
    private int _disposed;

    public ChannelEventSubscription(Func<CancellationToken, IAsyncEnumerable<EngineEvent>> producer, DateTimeOffset since)
    {
        Since = since;
        _pump = Task.Run(() => PumpAsync(producer));
    }

    public DateTimeOffset Since { get; }

    private async Task PumpAsync(Func<CancellationToken, IAsyncEnumerable<EngineEvent>> producer)
    {
        try
        {
            await foreach (var item in producer(_stop.Token).WithCancellation(_stop.Token).ConfigureAwait(false))
            {
                _channel.Writer.TryWrite(item);
            }
            _channel.Writer.TryComplete();
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            _channel.Writer.TryComplete(new OperationCanceledException("The event subscription was disposed."));
        }
        catch (Exception e)
        {
            _channel.Writer.TryComplete(e);
        }
    }

    public IAsyncEnumerator<EngineEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _enumerated, 1) != 0)
        {
            throw new InvalidOperationException("An event subscription can be enumerated once.");
        }
        return _channel.Reader.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _channel.Writer.TryComplete(new OperationCanceledException("The event subscription was disposed."));
        _stop.Cancel();
        try
        {
            // The producer honours its token; bounded anyway so that disposing never hangs.
            await _pump.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Its outcome went to the channel already.
        }
        _stop.Dispose();
    }
}
