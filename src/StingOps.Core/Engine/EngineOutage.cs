using StingOps.Core.Common;

namespace StingOps.Core.Engine;

/// <summary>
/// Weathers the engine going away for seconds (dockerd stopped and started again): a lifecycle call that
/// fails with StingEngineUnavailable is tried again on a short capped backoff until the service's own
/// timeout, then its last error stands. The engine adapter's Polly retry is for blips of a few hundred
/// milliseconds (connection reset, one slow answer); a daemon restart outlasts it by far.
/// </summary>
internal static class EngineOutage
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(2);

    public static bool IsUnavailable(Exception e) => e is StingException { ErrorId: ErrorIds.EngineUnavailable };

    /// <param name="call">Not cancelled with the run (an operation in flight finishes); the pauses between tries are.</param>
    /// <param name="onOutage">Told of the first failure of this call, to say why the call is taking long.</param>
    public static async Task RetryAsync(Func<Task> call, TimeSpan within, TimeProvider time, Action<string>? onOutage, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var pause = FirstPause;
        var told = false;
        while (true)
        {
            try
            {
                await call().ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (IsUnavailable(e))
            {
                var remaining = within - time.GetElapsedTime(started);
                if (remaining <= TimeSpan.Zero || cancellationToken.IsCancellationRequested)
                    throw;
                if (!told)
                {
                    told = true;
                    onOutage?.Invoke(e.Message);
                }
                await Task.Delay(pause < remaining ? pause : remaining, time, cancellationToken).ConfigureAwait(false);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxPause.Ticks));
            }
        }
    }

    /// <inheritdoc cref="RetryAsync(Func{Task}, TimeSpan, TimeProvider, Action{string}?, CancellationToken)"/>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> call, TimeSpan within, TimeProvider time, Action<string>? onOutage, CancellationToken cancellationToken)
    {
        T result = default!;
        Func<Task> untyped = async () => { result = await call().ConfigureAwait(false); };
        await RetryAsync(untyped, within, time, onOutage, cancellationToken).ConfigureAwait(false);
        return result;
    }
}
