using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StingOps.Core.Engine.Docker;

/// <summary>A project's container events, read from GET /events through the raw client.</summary>
internal sealed class DockerEvents(DockerTransport transport)
{
    public async IAsyncEnumerable<EngineEvent> WatchEventsAsync(string project, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var subscription = await SubscribeEventsAsync(project, cancellationToken).ConfigureAwait(false);
        await foreach (var item in subscription.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    /// <summary>
    /// Opens GET /events (type=container, label project, the actions in <see cref="EngineEventParser.Actions"/>)
    /// and returns once the engine answered with its headers.
    /// </summary>
    /// <remarks>
    /// The engine flushes the response headers a moment before it registers the listener, so "the headers
    /// arrived" alone leaves a tiny gap. The request therefore carries <c>since</c> = the instant before it was
    /// sent: the engine replays events from its buffer since then and registers the listener under the same
    /// lock, so no event after that instant is lost. This assumes the engine's clock agrees with ours, as it
    /// does for a local socket; for a remote engine with a skewed clock events in the first moments can be
    /// missed (if its clock is behind) or a few older ones replayed (if ahead) - compare EngineEvent.Time.
    /// </remarks>
    public async Task<IEngineEventSubscription> SubscribeEventsAsync(string project, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(project);
        var since = DateTimeOffset.UtcNow;
        var filters = new JsonObject
        {
            ["type"] = new JsonObject { ["container"] = true },
            ["label"] = new JsonObject { [$"{EngineEventParser.ProjectLabel}={project}"] = true },
            ["event"] = new JsonObject(EngineEventParser.Actions.Select(a => KeyValuePair.Create(a, (JsonNode?)JsonValue.Create(true)))),
        };
        var path = $"events?since={EngineEventParser.FormatSince(since)}&filters={Uri.EscapeDataString(filters.ToJsonString())}";

        // Through the raw client: Docker.DotNet's stream-returning MonitorEventsAsync is obsolete, and its
        // IProgress form cannot tell when the subscription is live.
        var connect = transport.Options.ConnectTimeout;
        var stream = await transport.CallAsync("subscribe to events", project, transport.Reads, connect, connect,
            attemptToken => transport.Raw.OpenStreamAsync(path, attemptToken), cancellationToken).ConfigureAwait(false);
        return new ChannelEventSubscription(token => ReadEventsAsync(stream, project, token), since);
    }

    private async IAsyncEnumerable<EngineEvent> ReadEventsAsync(Stream stream, string project, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Reads on the library's stream may not observe the token: closing the stream ends them for sure.
        await using var registration = cancellationToken.Register(static s => ((Stream)s!).Dispose(), stream).ConfigureAwait(false);
        using var reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: 16384, leaveOpen: false);
        while (true)
        {
            var line = await ReadLineAsync(reader, cancellationToken).ConfigureAwait(false);
            EngineEvent? item;
            try
            {
                item = EngineEventParser.Parse(line, project);
            }
            catch (JsonException)
            {
                continue;
            }
            if (item is not null)
            {
                yield return item;
            }
        }
    }

    /// <summary>The next line; the stream ending or breaking is the engine gone, never the end of the events.</summary>
    private async Task<string> ReadLineAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        string? line;
        try
        {
            line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or HttpRequestException or SocketException)
        {
            throw transport.Errors.Unavailable($"The event stream from the Docker engine at {transport.Endpoint} broke ({e.Message}). " +
                                               "Events may have been missed; check the engine and subscribe again.", e);
        }
        if (line is null)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            throw transport.Errors.Unavailable($"The Docker engine at {transport.Endpoint} closed the event stream (did it stop or restart?). " +
                                               "Events may have been missed; check the engine and subscribe again.", null);
        }
        return line;
    }
}
