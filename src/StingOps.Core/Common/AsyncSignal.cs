namespace StingOps.Core.Common;

/// <summary>
/// A pulse that wakes whoever waits on it: engine events wake readiness waiters early instead of
/// letting them sleep out their backoff.
/// </summary>
public sealed class AsyncSignal
{
    private TaskCompletionSource _pulse = NewSource();

    public void Pulse() => Interlocked.Exchange(ref _pulse, NewSource()).TrySetResult();

    /// <summary>Completes at the next pulse, after <paramref name="delay"/>, or when cancelled (then throws).</summary>
    public async Task WaitAsync(TimeSpan delay, TimeProvider time, CancellationToken cancellationToken)
    {
        var pulse = Volatile.Read(ref _pulse).Task;
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sleep = Task.Delay(delay, time, timer.Token);
        await Task.WhenAny(pulse, sleep).ConfigureAwait(false);
        timer.Cancel();
        cancellationToken.ThrowIfCancellationRequested();
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
