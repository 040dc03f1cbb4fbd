using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace StingOps.Core.Tests.Engine;

/// <summary>What the fake engine does with one request.</summary>
public abstract record FakeReply
{
    /// <summary>A complete answer; the connection is closed after it.</summary>
    public sealed record Full(int Status, string Body) : FakeReply;

    /// <summary>200 with chunked encoding, the given chunks, then the connection is dropped without the final chunk.</summary>
    public sealed record StreamThenDrop(string[] Chunks, TimeSpan DelayBeforeDrop) : FakeReply;

    /// <summary>Reads the request and never answers (until the server is disposed).</summary>
    public sealed record Hang : FakeReply;
}

/// <summary>
/// A minimal HTTP/1.1 server on a Unix socket, enough to play a misbehaving engine: one request per connection
/// (Connection: close), replies chosen by a callback. Records every request line.
/// </summary>
public sealed class FakeEngineServer : IDisposable
{
    private readonly Socket _listener;
    private readonly Func<string, string, FakeReply> _reply;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Socket> _open = [];
    private readonly Task _accept;

    public FakeEngineServer(Func<string, string, FakeReply> reply)
    {
        _reply = reply;
        SocketPath = Path.Combine(Path.GetTempPath(), $"stingops-fake-{Guid.NewGuid():N}.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(64);
        _accept = Task.Run(AcceptLoopAsync);
    }

    public string SocketPath { get; }

    public Uri Endpoint => new("unix://" + SocketPath);

    public ConcurrentQueue<string> Requests { get; } = new();

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch
            {
                return;
            }
            _open.Add(client);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        try
        {
            await using var stream = new NetworkStream(client, ownsSocket: true);
            var head = await ReadHeadAsync(stream);
            if (head is null)
            {
                return;
            }
            var requestLine = head.Split("\r\n")[0];
            var parts = requestLine.Split(' ');
            var method = parts[0];
            var target = parts.Length > 1 ? parts[1] : "/";
            Requests.Enqueue($"{method} {target}");

            switch (_reply(method, target))
            {
                case FakeReply.Full full:
                    var body = Encoding.UTF8.GetBytes(full.Body);
                    var header = $"HTTP/1.1 {full.Status} X\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(header));
                    await stream.WriteAsync(body);
                    await stream.FlushAsync();
                    break;
                case FakeReply.StreamThenDrop s:
                    await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"));
                    foreach (var chunk in s.Chunks)
                    {
                        var bytes = Encoding.UTF8.GetBytes(chunk);
                        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{bytes.Length:x}\r\n"));
                        await stream.WriteAsync(bytes);
                        await stream.WriteAsync("\r\n"u8.ToArray());
                    }
                    await stream.FlushAsync();
                    await Task.Delay(s.DelayBeforeDrop);
                    client.Shutdown(SocketShutdown.Both);
                    break;
                case FakeReply.Hang:
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    break;
            }
        }
        catch
        {
            // The client went away, or the server is stopping.
        }
    }

    private static async Task<string?> ReadHeadAsync(NetworkStream stream)
    {
        var buffer = new byte[1];
        var sb = new StringBuilder();
        while (!sb.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer);
            if (n == 0)
            {
                return null;
            }
            sb.Append((char)buffer[0]);
        }
        var head = sb.ToString();
        // Drain a body announced by Content-Length, so the client sees its request consumed.
        var length = head.Split("\r\n")
            .Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(l => int.Parse(l["Content-Length:".Length..].Trim()))
            .FirstOrDefault();
        var remaining = length;
        var body = new byte[4096];
        while (remaining > 0)
        {
            var n = await stream.ReadAsync(body.AsMemory(0, Math.Min(body.Length, remaining)));
            if (n == 0)
            {
                break;
            }
            remaining -= n;
        }
        return head;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        foreach (var s in _open)
        {
            try
            {
                s.Dispose();
            }
            catch
            {
            }
        }
        try
        {
            _accept.Wait(TimeSpan.FromSeconds(2));
        }
        catch
        {
        }
        File.Delete(SocketPath);
    }
}
