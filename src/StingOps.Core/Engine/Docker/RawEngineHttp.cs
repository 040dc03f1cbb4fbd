using System.IO.Pipes;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Docker.DotNet;

namespace StingOps.Core.Engine.Docker;

/// <summary>
/// Verbatim JSON requests to the engine, for what Docker.DotNet's typed models would lose: the raw inspect
/// document of a snapshot (fields newer or older than the library's model survive) and creating a container
/// from it. Unversioned paths, like the library's, so the engine answers in its own API version.
/// Errors come back as Docker.DotNet's exception types so that one translation serves both paths.
/// </summary>
internal sealed class RawEngineHttp : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    private readonly HttpClient _http;

    public RawEngineHttp(Uri endpoint)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            AllowAutoRedirect = false,
        };
        var baseAddress = Route(endpoint, handler);
        _http = new HttpClient(handler, disposeHandler: true)
        {
            BaseAddress = baseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("StingOps");
    }

    /// <summary>Points the handler at the endpoint; the base address requests are relative to.</summary>
    private static Uri Route(Uri endpoint, SocketsHttpHandler handler)
    {
        switch (endpoint.Scheme.ToLowerInvariant())
        {
            case "unix":
                handler.UseProxy = false;
                handler.ConnectCallback = UnixSocket(endpoint.LocalPath);
                return new Uri("http://localhost/");
            case "npipe":
                handler.UseProxy = false;
                handler.ConnectCallback = NamedPipe(endpoint);
                return new Uri("http://localhost/");
            case "tcp":
            case "http":
                return new UriBuilder(endpoint) { Scheme = "http", Path = "/" }.Uri;
            case "https":
                return new UriBuilder(endpoint) { Path = "/" }.Uri;
            default:
                throw new NotSupportedException($"The endpoint scheme '{endpoint.Scheme}' is not supported.");
        }
    }

    private static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> UnixSocket(string socketPath) =>
        async (_, token) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), token).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };

    private static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> NamedPipe(Uri endpoint)
    {
        // npipe://./pipe/docker_engine
        var segments = endpoint.AbsolutePath.Trim('/').Split('/', 2);
        var pipeName = segments.Length == 2 && segments[0] == "pipe" ? segments[1] : endpoint.AbsolutePath.Trim('/');
        var server = string.IsNullOrEmpty(endpoint.Host) ? "." : endpoint.Host;
        return async (_, token) =>
        {
            var pipe = new NamedPipeClientStream(server, pipeName, PipeDirection.InOut, PipeOptions.Asynchronous);
            try
            {
                await pipe.ConnectAsync(token).ConfigureAwait(false);
                return pipe;
            }
            catch
            {
                await pipe.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        };
    }

    /// <summary>The body of a successful answer; null on 404 when <paramref name="nullOn404"/>. Otherwise a 404 is a
    /// DockerContainerNotFoundException when the path is about a container (<paramref name="notFoundIsContainer"/>),
    /// else a plain DockerApiException (no such image, no such network).</summary>
    public async Task<string?> SendAsync(HttpMethod method, string pathAndQuery, string? jsonBody, bool nullOn404, CancellationToken cancellationToken,
        bool notFoundIsContainer = true)
    {
        using var request = new HttpRequestMessage(method, pathAndQuery) { Version = HttpVersion.Version11 };
        if (jsonBody is not null)
        {
            request.Content = new StringContent(jsonBody, Encoding.UTF8);
            request.Content.Headers.ContentType = Json;
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return body;
        }
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            if (nullOn404)
            {
                return null;
            }
            if (notFoundIsContainer)
            {
                throw new DockerContainerNotFoundException(response.StatusCode, body);
            }
        }
        throw new DockerApiException(response.StatusCode, body);
    }

    /// <summary>Sends a binary body (e.g. a tar build context) and returns the whole answer.</summary>
    public async Task<string> SendBinaryAsync(HttpMethod method, string pathAndQuery, byte[] body, string contentType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, pathAndQuery) { Version = HttpVersion.Version11 };
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new DockerApiException(response.StatusCode, text);
        }
        return text;
    }

    /// <summary>
    /// Sends a GET whose answer is a stream (e.g. /events) and returns once the engine answered with its
    /// headers. The stream is independent of <paramref name="cancellationToken"/>: dispose it to stop reading.
    /// </summary>
    public async Task<Stream> OpenStreamAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery) { Version = HttpVersion.Version11 };
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        try
        {
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                throw new DockerApiException(response.StatusCode, body);
            }
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new ResponseStream(stream, response);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>A response body that disposes its response with it.</summary>
    private sealed class ResponseStream(Stream inner, HttpResponseMessage response) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            inner.ReadAsync(buffer, offset, count, cancellationToken);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                response.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
