using System.Diagnostics;
using StingOps.Core.Common;
using StingOps.Core.Engine;
using StingOps.Core.Engine.Docker;

namespace StingOps.Core.Tests.Engine;

/// <summary>How the engine client behaves when the engine is missing, hung, flaky or drops the event stream.
/// No real engine needed: a fake one on a Unix socket plays the part.</summary>
public sealed class EngineFailureTests
{
    /// <summary>Short retry delays; timeouts generous enough for a loaded test host.</summary>
    private static readonly DockerEngineOptions Fast = new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(5),
        RequestTimeout = TimeSpan.FromSeconds(5),
        ReadBudget = TimeSpan.FromSeconds(10),
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
    };

    /// <summary>Short timeouts, for the tests that wait for one.</summary>
    private static readonly DockerEngineOptions Impatient = Fast with
    {
        ConnectTimeout = TimeSpan.FromMilliseconds(800),
        RequestTimeout = TimeSpan.FromMilliseconds(800),
        ReadBudget = TimeSpan.FromSeconds(2),
    };

    private const string Version = """{"Version":"20.10.24","ApiVersion":"1.41","Os":"linux","Arch":"amd64"}""";
    private const string Info = """{"ServerVersion":"20.10.24","DockerRootDir":"/var/lib/docker","MemTotal":1024,"OperatingSystem":"Debian"}""";

    [Fact]
    public async Task A_missing_socket_is_EngineUnavailable_at_once_naming_the_endpoint()
    {
        // A retry would pause 5 s and a connect attempt could wait a minute: "at once" is well below both, on any machine.
        using var engine = new DockerContainerEngine(new Uri("unix:///nonexistent.sock"),
            DockerEngineOptions.Default with { RetryBaseDelay = TimeSpan.FromSeconds(5), ConnectTimeout = TimeSpan.FromMinutes(1) });
        var sw = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<StingException>(() => engine.GetInfoAsync(CancellationToken.None));
        sw.Stop();

        Assert.Equal(ErrorIds.EngineUnavailable, e.ErrorId);
        Assert.Equal(StingErrorKind.ConnectionError, e.Kind);
        Assert.Contains("unix:///nonexistent.sock", e.Message);
        Assert.Contains("no socket at /nonexistent.sock", e.Message);
        Assert.Contains("DOCKER_HOST", e.Message);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(4), $"took {sw.Elapsed}");

        var list = await Assert.ThrowsAsync<StingException>(() => engine.ListProjectContainersAsync("p", CancellationToken.None));
        Assert.Equal(ErrorIds.EngineUnavailable, list.ErrorId);
        var sub = await Assert.ThrowsAsync<StingException>(() => engine.SubscribeEventsAsync("p", CancellationToken.None));
        Assert.Equal(ErrorIds.EngineUnavailable, sub.ErrorId);
    }

    [Fact]
    public async Task A_refusing_socket_is_EngineUnavailable_after_a_few_quick_retries()
    {
        // A socket that is bound but does not listen, as a dead engine leaves it: connection refused.
        var path = Path.Combine(Path.GetTempPath(), $"stingops-dead-{Guid.NewGuid():N}.sock");
        using var bound = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        bound.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        try
        {
            // Quick retries (20 ms base) against a connect budget of a minute: refused must not wait that out.
            using var engine = new DockerContainerEngine(new Uri("unix://" + path), Fast with { ConnectTimeout = TimeSpan.FromMinutes(1) });
            var sw = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<StingException>(() => engine.GetInfoAsync(CancellationToken.None));
            Assert.Equal(ErrorIds.EngineUnavailable, e.ErrorId);
            Assert.True(e.Message.Contains("connection refused"), e.Message);
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), $"took {sw.Elapsed}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_hung_engine_times_out_as_EngineUnavailable()
    {
        using var server = new FakeEngineServer((_, _) => new FakeReply.Hang());
        using var engine = new DockerContainerEngine(server.Endpoint, Impatient);
        var sw = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<StingException>(() => engine.GetInfoAsync(CancellationToken.None));
        sw.Stop();
        Assert.Equal(ErrorIds.EngineUnavailable, e.ErrorId);
        Assert.Equal(StingErrorKind.OperationTimeout, e.Kind);
        Assert.Contains("did not answer in time", e.Message);
        // The server hangs forever: any end at all is the timeout working; the bound only keeps a broken one from hanging the run.
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(60), $"took {sw.Elapsed}");
    }

    [Fact]
    public async Task Caller_cancellation_is_OperationCanceled_not_an_engine_error()
    {
        using var server = new FakeEngineServer((_, _) => new FakeReply.Hang());
        // Timeouts of ten minutes: only the caller's cancellation can end this call within the bound below.
        var patient = DockerEngineOptions.Default with { RequestTimeout = TimeSpan.FromMinutes(10), ReadBudget = TimeSpan.FromMinutes(10) };
        using var engine = new DockerContainerEngine(server.Endpoint, patient);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var sw = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => engine.ListProjectContainersAsync("p", cts.Token));
        Assert.True(sw.Elapsed < TimeSpan.FromMinutes(2), $"took {sw.Elapsed}");
    }

    [Fact]
    public async Task Transient_5xx_on_a_read_is_retried()
    {
        var calls = 0;
        using var server = new FakeEngineServer((_, path) => path.StartsWith("/containers/json", StringComparison.Ordinal)
            ? Interlocked.Increment(ref calls) <= 2
                ? new FakeReply.Full(503, """{"message":"busy"}""")
                : new FakeReply.Full(200, """[{"Id":"c1","Names":["/p-web-1"],"Image":"img","State":"running","Status":"Up 1 second (healthy)","Created":1700000000,"Labels":{"com.docker.compose.project":"p","com.docker.compose.service":"web"}}]""")
            : new FakeReply.Full(404, "{}"));
        using var engine = new DockerContainerEngine(server.Endpoint, Fast);

        var list = await engine.ListProjectContainersAsync("p", CancellationToken.None);

        var c = Assert.Single(list);
        Assert.Equal(("web", "healthy", "p-web-1"), (c.Service, c.Health, c.Name));
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task The_list_filter_is_the_project_label_only_and_one_offs_are_dropped()
    {
        using var server = new FakeEngineServer((_, _) => new FakeReply.Full(200, """
            [{"Id":"a","Names":["/p-web-1"],"State":"running","Status":"Up","Created":1,"Labels":{"com.docker.compose.project":"p","com.docker.compose.service":"web","com.docker.compose.oneoff":"False"}},
             {"Id":"b","Names":["/p-old-1"],"State":"exited","Status":"Exited (0)","Created":1,"Labels":{"com.docker.compose.project":"p","com.docker.compose.service":"old"}},
             {"Id":"c","Names":["/p-web-run-1"],"State":"running","Status":"Up","Created":1,"Labels":{"com.docker.compose.project":"p","com.docker.compose.service":"web","com.docker.compose.oneoff":"True"}}]
            """));
        using var engine = new DockerContainerEngine(server.Endpoint, Fast);

        var list = await engine.ListProjectContainersAsync("p", CancellationToken.None);

        Assert.Equal(["a", "b"], list.Select(c => c.Id));
        var request = Uri.UnescapeDataString(Assert.Single(server.Requests));
        Assert.Contains("all=", request);
        Assert.Contains("com.docker.compose.project=p", request);
        Assert.DoesNotContain("oneoff", request);
        // Unversioned path: the engine answers in its own API version.
        Assert.StartsWith("GET /containers/json", request);
    }

    [Fact]
    public async Task Not_found_and_conflicts_are_not_retried()
    {
        using var server = new FakeEngineServer((method, path) => method == "GET"
            ? new FakeReply.Full(404, """{"message":"No such container: x"}""")
            : new FakeReply.Full(409, """{"message":"cannot start: conflict"}"""));
        using var engine = new DockerContainerEngine(server.Endpoint, Fast);

        Assert.Null(await engine.InspectAsync("x", CancellationToken.None));
        Assert.Null(await engine.GetInspectJsonAsync("x", CancellationToken.None));
        var e = await Assert.ThrowsAsync<StingException>(() => engine.StartAsync("x", CancellationToken.None));
        Assert.Equal(ErrorIds.EngineOperationFailed, e.ErrorId);
        Assert.Equal(StingErrorKind.ResourceBusy, e.Kind);
        Assert.Contains("cannot start: conflict", e.Message);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task A_runtime_error_on_start_is_not_retried()
    {
        using var server = new FakeEngineServer((_, _) => new FakeReply.Full(500, """{"message":"OCI runtime create failed"}"""));
        using var engine = new DockerContainerEngine(server.Endpoint, Fast);
        var e = await Assert.ThrowsAsync<StingException>(() => engine.StartAsync("x", CancellationToken.None));
        Assert.Equal(ErrorIds.EngineOperationFailed, e.ErrorId);
        Assert.Contains("OCI runtime create failed", e.Message);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Stop_of_a_missing_container_is_ContainerNotFound_and_remove_of_one_is_fine()
    {
        using var server = new FakeEngineServer((_, _) => new FakeReply.Full(404, """{"message":"No such container: x"}"""));
        using var engine = new DockerContainerEngine(server.Endpoint, Fast);
        var e = await Assert.ThrowsAsync<StingException>(() => engine.StopAsync("x", TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.Equal(ErrorIds.ContainerNotFound, e.ErrorId);
        await engine.RemoveAsync("x", force: true, CancellationToken.None);
    }

    [Fact]
    public async Task A_dropped_event_stream_surfaces_as_EngineUnavailable()
    {
        const string start = """{"Type":"container","Action":"start","Actor":{"ID":"c1","Attributes":{"com.docker.compose.project":"p","com.docker.compose.service":"web"}},"time":1700000000}""" + "\n";
        using var server = new FakeEngineServer((_, path) => path.StartsWith("/events", StringComparison.Ordinal)
            ? new FakeReply.StreamThenDrop([start], TimeSpan.FromMilliseconds(200))
            : new FakeReply.Full(404, "{}"));
        using var engine = new DockerContainerEngine(server.Endpoint, Fast);

        await using var subscription = await engine.SubscribeEventsAsync("p", CancellationToken.None);
        var seen = new List<EngineEvent>();
        var e = await Assert.ThrowsAsync<StingException>(async () =>
        {
            await foreach (var item in subscription)
            {
                seen.Add(item);
            }
        });

        Assert.Equal(ErrorIds.EngineUnavailable, e.ErrorId);
        Assert.Equal("start", Assert.Single(seen).Action);
        var request = Uri.UnescapeDataString(Assert.Single(server.Requests));
        Assert.Contains("since=", request);
        Assert.Contains("\"type\":{\"container\":true}", request);
        Assert.Contains("com.docker.compose.project=p", request);
        Assert.Contains("\"health_status\":true", request);
    }

    [Fact]
    public async Task Disposing_a_subscription_ends_its_enumeration()
    {
        using var server = new FakeEngineServer((_, _) => new FakeReply.StreamThenDrop([], TimeSpan.FromMinutes(5)));
        using var engine = new DockerContainerEngine(server.Endpoint, Fast);
        var subscription = await engine.SubscribeEventsAsync("p", CancellationToken.None);
        var reader = Task.Run(async () =>
        {
            await foreach (var _ in subscription)
            {
            }
        });
        await subscription.DisposeAsync();
        // The stream would stay open for 5 minutes: ending well before that is disposal at work (a TimeoutException otherwise).
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader.WaitAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public void Ssh_endpoints_are_refused_with_a_way_out()
    {
        var e = Assert.Throws<StingException>(() => new DockerContainerEngine(new Uri("ssh://me@host")));
        Assert.Equal(ErrorIds.EngineUnavailable, e.ErrorId);
        Assert.Contains("DOCKER_HOST", e.Message);
    }
}
