using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;

namespace StingOps.Core.Engine;

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

/// <summary>The default <see cref="IContainerEngine.SubscribeEventsAsync"/>: pumps WatchEventsAsync.</summary>
internal sealed class PumpedEventSubscription : ChannelEventSubscription
{
    public PumpedEventSubscription(IAsyncEnumerable<EngineEvent> source, DateTimeOffset since)
        : base(token => WithToken(source, token), since)
    {
    }

    private static async IAsyncEnumerable<EngineEvent> WithToken(IAsyncEnumerable<EngineEvent> source, [EnumeratorCancellation] CancellationToken token)
    {
        await foreach (var item in source.WithCancellation(token).ConfigureAwait(false))
        {
            yield return item;
        }
    }
}

/// <summary>Turns one line of the engine's /events stream into an <see cref="EngineEvent"/>.</summary>
internal static class EngineEventParser
{
    public const string ProjectLabel = "com.docker.compose.project";
    public const string ServiceLabel = "com.docker.compose.service";
    public const string OneoffLabel = "com.docker.compose.oneoff";

    /// <summary>
    /// The container actions a restart cares about. Sent to the engine as an <c>event</c> filter, so the
    /// exec_create/exec_start/exec_die noise of every healthcheck run (and of probes) never crosses the wire.
    /// "health_status" is matched by prefix by the engine (moby #25798).
    /// </summary>
    public static readonly IReadOnlyList<string> Actions =
    [
        "create", "start", "restart", "stop", "kill", "die", "oom", "pause", "unpause", "rename", "destroy", "health_status",
    ];

    /// <summary>Null for lines that are not a container event of the project (or are a one-off container's).</summary>
    public static EngineEvent? Parse(string line, string project)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return null;
        }

        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var type = GetString(root, "Type");
        if (type is not null && type != "container")
        {
            return null;
        }

        var action = GetString(root, "Action") ?? GetString(root, "status");
        if (string.IsNullOrEmpty(action))
        {
            return null;
        }

        string? id = null;
        Dictionary<string, string>? attributes = null;
        if (root.TryGetProperty("Actor", out var actor) && actor.ValueKind == JsonValueKind.Object)
        {
            id = GetString(actor, "ID");
            if (actor.TryGetProperty("Attributes", out var attrs) && attrs.ValueKind == JsonValueKind.Object)
            {
                attributes = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var p in attrs.EnumerateObject())
                {
                    if (p.Value.ValueKind == JsonValueKind.String)
                    {
                        attributes[p.Name] = p.Value.GetString()!;
                    }
                }
            }
        }
        id ??= GetString(root, "id");
        if (string.IsNullOrEmpty(id))
        {
            return null;
        }

        attributes ??= new Dictionary<string, string>();
        if (attributes.TryGetValue(ProjectLabel, out var p2) && p2 != project)
        {
            return null;
        }
        if (attributes.TryGetValue(OneoffLabel, out var oneoff) && string.Equals(oneoff, "True", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        DateTimeOffset time;
        if (root.TryGetProperty("timeNano", out var nanos) && nanos.ValueKind == JsonValueKind.Number && nanos.TryGetInt64(out var ns) && ns > 0)
        {
            time = DateTimeOffset.UnixEpoch.AddTicks(ns / 100);
        }
        else if (root.TryGetProperty("time", out var secs) && secs.ValueKind == JsonValueKind.Number && secs.TryGetInt64(out var s))
        {
            time = DateTimeOffset.FromUnixTimeSeconds(s);
        }
        else
        {
            time = DateTimeOffset.UtcNow;
        }

        int? exitCode = attributes.TryGetValue("exitCode", out var ec)
                        && int.TryParse(ec, NumberStyles.Integer, CultureInfo.InvariantCulture, out var code)
            ? code
            : null;

        return new EngineEvent(
            id,
            attributes.GetValueOrDefault(ServiceLabel) ?? string.Empty,
            action.Trim(),
            time,
            exitCode);
    }

    /// <summary>The engine's <c>since</c> syntax: seconds.nanoseconds since the epoch.</summary>
    public static string FormatSince(DateTimeOffset since)
    {
        var ticks = (since.UtcDateTime - DateTime.UnixEpoch).Ticks;
        if (ticks < 0)
        {
            ticks = 0;
        }
        var seconds = ticks / TimeSpan.TicksPerSecond;
        var nanos = ticks % TimeSpan.TicksPerSecond * 100;
        return seconds.ToString(CultureInfo.InvariantCulture) + "." + nanos.ToString("D9", CultureInfo.InvariantCulture);
    }

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
