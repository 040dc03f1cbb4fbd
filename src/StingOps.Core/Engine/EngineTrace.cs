using System.Diagnostics;

namespace StingOps.Core.Engine;

/// <summary>One line per engine call for the tracing wrappers (<see cref="TracingContainerEngine"/>,
/// <see cref="TracingContainerSnapshots"/>): what was asked, how it ended, how long it took.</summary>
internal sealed class EngineTrace(Action<string> trace, Func<string, string>? redact)
{
    public Func<string, string> Redact { get; } = redact ?? (s => s);

    public static string Short(string id) => id.Length > 12 ? id[..12] : id;

    public Task Traced(string call, Func<Task> action) =>
        Traced(call, async () => { await action().ConfigureAwait(false); return true; }, _ => "done");

    public async Task<T> Traced<T>(string call, Func<Task<T>> action, Func<T, string> describe)
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
            Emit($"engine: {call} -> {ex.GetType().Name}: {Redact(ex.Message)} ({clock.Elapsed.TotalMilliseconds:0} ms from {sent:HH:mm:ss.fff})");
            throw;
        }
    }

    public void Emit(string line)
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
}
