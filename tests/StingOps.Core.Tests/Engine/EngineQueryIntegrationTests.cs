using System.Diagnostics;
using StingOps.Core.Common;
using StingOps.Core.Engine;
using StingOps.Core.Engine.Docker;
using Xunit.Abstractions;

namespace StingOps.Core.Tests.Engine;

/// <summary>Info, list, inspect and logs against the real engine.</summary>
[Trait("Category", "Integration")]
public sealed class EngineQueryIntegrationTests(DockerEngineFixture fx, ITestOutputHelper output) : IClassFixture<DockerEngineFixture>
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    [IntegrationFact]
    public async Task Info_reports_version_api_root_dir_and_memory()
    {
        var info = await fx.Engine.GetInfoAsync(CancellationToken.None);
        output.WriteLine($"{info.Endpoint}: {info.ServerVersion}, API {info.ApiVersion}, {info.DockerRootDir}, {info.MemoryTotalBytes} bytes, {info.OperatingSystem}");

        Assert.Equal(fx.Engine.Endpoint, info.Endpoint);
        Assert.False(string.IsNullOrEmpty(info.ServerVersion));
        Assert.Matches(@"^1\.\d+$", info.ApiVersion);
        Assert.True(Version.Parse(info.ApiVersion) >= new Version(1, 41), info.ApiVersion);
        Assert.False(string.IsNullOrEmpty(info.DockerRootDir));
        Assert.True(info.MemoryTotalBytes > 0);
    }

    [IntegrationFact]
    public async Task List_finds_the_project_with_services_states_and_health_and_drops_one_offs()
    {
        var project = fx.NewProject();
        var other = fx.NewProject();
        await Task.WhenAll(
            fx.CreateAsync(project, new TestContainerSpec("web", "sh", "-c", "touch /tmp/ready; exec sleep 600") { HealthCommand = "test -f /tmp/ready" }),
            fx.CreateAsync(project, new TestContainerSpec("sick", "sleep", "600") { HealthCommand = "echo nope; exit 1" }),
            fx.CreateAsync(project, new TestContainerSpec("slow", "sleep", "600") { HealthCommand = "test -f /tmp/never", HealthInterval = TimeSpan.FromSeconds(60) }),
            fx.CreateAsync(project, new TestContainerSpec("legacy", "sleep", "600") { OneOff = null }),
            fx.CreateAsync(project, new TestContainerSpec("web", "sleep", "600") { OneOff = "True" }),
            fx.CreateAsync(project, new TestContainerSpec("batch", "sh", "-c", "exit 3")),
            fx.CreateAsync(project, new TestContainerSpec("later", "sleep", "600") { Start = false }),
            fx.CreateAsync(other, new TestContainerSpec("web", "sleep", "600")));

        var list = await DockerEngineFixture.WaitForAsync(
            () => fx.Engine.ListProjectContainersAsync(project, CancellationToken.None),
            l => l.FirstOrDefault(c => c.Service == "web")?.Health == "healthy"
                 && l.FirstOrDefault(c => c.Service == "sick")?.Health == "unhealthy"
                 && l.FirstOrDefault(c => c.Service == "batch")?.State == "exited",
            Settle, "web healthy, sick unhealthy, batch exited");

        foreach (var c in list.OrderBy(c => c.Service))
        {
            output.WriteLine($"{c.Service,-8} {c.Name,-40} {c.State,-8} {c.Health ?? "-"}");
        }
        Assert.Equal(["batch", "later", "legacy", "sick", "slow", "web"], list.Select(c => c.Service).Order());
        Assert.All(list, c => Assert.Equal(project, c.Project));
        Assert.All(list, c => Assert.Equal(DockerEngineFixture.Image, c.Image));
        var byService = list.ToDictionary(c => c.Service);
        Assert.Equal(("running", "healthy"), (byService["web"].State, byService["web"].Health));
        Assert.Equal(("running", "unhealthy"), (byService["sick"].State, byService["sick"].Health));
        Assert.Equal(("running", "starting"), (byService["slow"].State, byService["slow"].Health));
        Assert.Equal(("running", (string?)null), (byService["legacy"].State, byService["legacy"].Health));
        Assert.Equal("created", byService["later"].State);
        Assert.Equal($"{project}-web-1", byService["web"].Name);
        Assert.Equal("web", byService["web"].Labels["com.docker.compose.service"]);
        Assert.InRange(byService["web"].Created, DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddMinutes(1));

        Assert.Empty(await fx.Engine.ListProjectContainersAsync(fx.NewProject(), CancellationToken.None));
    }

    [IntegrationFact]
    public async Task Inspect_gives_health_output_exit_code_environment_and_healthcheck()
    {
        var project = fx.NewProject();
        var sick = await fx.CreateAsync(project, new TestContainerSpec("sick", "sleep", "600")
        {
            HealthCommand = "echo probe-says-no; echo on-stderr >&2; exit 1",
            Env = ["FOO=bar", "EMPTY="],
        });
        var batch = await fx.CreateAsync(project, new TestContainerSpec("batch", "sh", "-c", "exit 3"));

        var details = await DockerEngineFixture.WaitForAsync(
            () => fx.Engine.InspectAsync(sick, CancellationToken.None),
            d => d?.Health == "unhealthy", Settle, "sick to turn unhealthy");

        Assert.NotNull(details);
        Assert.Equal(sick, details.Id);
        Assert.Equal($"{project}-sick-1", details.Name);
        Assert.Equal("sick", details.Service);
        Assert.True(details.IsRunning);
        Assert.Null(details.ExitCode);
        Assert.Contains("probe-says-no", details.LastHealthOutput);
        Assert.Contains("on-stderr", details.LastHealthOutput);
        Assert.False(details.LastHealthOutput!.EndsWith('\n'));
        Assert.Contains("FOO=bar", details.Environment);
        Assert.Contains("EMPTY=", details.Environment);
        Assert.Equal(["CMD-SHELL", "echo probe-says-no; echo on-stderr >&2; exit 1"], details.HealthTest);
        Assert.Equal(DockerEngineFixture.Image, details.Image);
        Assert.StartsWith("sha256:", details.ImageId);
        Assert.NotNull(details.StartedAt);
        Assert.Null(details.FinishedAt);
        Assert.Equal(project, details.Labels["com.docker.compose.project"]);

        var exited = await DockerEngineFixture.WaitForAsync(
            () => fx.Engine.InspectAsync(batch, CancellationToken.None),
            d => d?.State == "exited", Settle, "batch to exit");
        Assert.Equal(3, exited!.ExitCode);
        Assert.False(exited.IsRunning);
        Assert.Null(exited.Health);
        Assert.Null(exited.HealthTest);
        Assert.NotNull(exited.FinishedAt);

        Assert.Null(await fx.Engine.InspectAsync("stingops-no-such-container", CancellationToken.None));
        Assert.Null(await fx.Engine.GetInspectJsonAsync("stingops-no-such-container", CancellationToken.None));
    }

    [IntegrationFact]
    public async Task Health_output_is_cut_to_a_kilobyte()
    {
        var id = await fx.CreateAsync(fx.NewProject(), new TestContainerSpec("chatty", "sleep", "600")
        {
            HealthCommand = "i=0; while [ $i -lt 300 ]; do echo -n 'xxxxxxxxxx'; i=$((i+1)); done; exit 1",
        });
        var details = await DockerEngineFixture.WaitForAsync(
            () => fx.Engine.InspectAsync(id, CancellationToken.None),
            d => d?.LastHealthOutput is { Length: > 0 }, Settle, "a health probe to run");
        Assert.InRange(details!.LastHealthOutput!.Length, 1000, 1025);
    }

    [IntegrationFact]
    public async Task Log_tail_demultiplexes_stdout_and_stderr()
    {
        var id = await fx.CreateAsync(fx.NewProject(), new TestContainerSpec("talker", "sh", "-c",
            "i=1; while [ $i -le 12 ]; do echo out$i; sleep 0.1; echo err$i >&2; sleep 0.1; i=$((i+1)); done; exec sleep 600"));
        var tail = await DockerEngineFixture.WaitForAsync(
            () => fx.Engine.GetLogTailAsync(id, 6, CancellationToken.None),
            t => t.Contains("err12"), Settle, "the log to be written");

        output.WriteLine(tail);
        var lines = tail.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // The last six lines of both streams, each stream in its own order. The engine copies the two pipes apart, so
        // on a loaded machine a line may land a little before one of the other stream written just ahead of it.
        Assert.Equal(6, lines.Length);
        Assert.All(lines, l => Assert.Matches("^(out|err)(9|1[0-2])$", l));
        foreach (var stream in new[] { "out", "err" })
        {
            var numbers = lines.Where(l => l.StartsWith(stream, StringComparison.Ordinal)).Select(l => int.Parse(l[3..])).ToList();
            Assert.Equal(numbers.Order(), numbers);
            Assert.Contains(12, numbers);
        }
        // No stream headers leaked into the text.
        Assert.DoesNotContain(tail, ch => ch < ' ' && ch != '\n');

        Assert.Equal(string.Empty, await fx.Engine.GetLogTailAsync(id, 0, CancellationToken.None));
    }

    [IntegrationFact]
    public async Task Log_tail_of_a_tty_container_is_read_raw()
    {
        var id = await fx.CreateAsync(fx.NewProject(), new TestContainerSpec("tty", "sh", "-c", "echo one; echo two; echo three; exec sleep 600") { Tty = true });
        var tail = await DockerEngineFixture.WaitForAsync(
            () => fx.Engine.GetLogTailAsync(id, 2, CancellationToken.None),
            t => t.Contains("three"), Settle, "the log to be written");
        Assert.Contains("two", tail);
        Assert.DoesNotContain("one", tail);
    }

    [IntegrationFact]
    public async Task Log_tail_of_a_missing_container_is_ContainerNotFound()
    {
        var e = await Assert.ThrowsAsync<StingException>(() => fx.Engine.GetLogTailAsync("stingops-no-such-container", 5, CancellationToken.None));
        Assert.Equal(ErrorIds.ContainerNotFound, e.ErrorId);
    }

    /// <summary>The product goal is a warm Get-StingService under 100 ms; the list is its one engine call.</summary>
    [IntegrationFact]
    public async Task Listing_twenty_containers_warm_is_fast()
    {
        var project = fx.NewProject();
        await Task.WhenAll(Enumerable.Range(1, 20).Select(i => fx.CreateAsync(project,
            new TestContainerSpec($"svc{i:00}", "sh", "-c", "touch /tmp/ready; exec sleep 600")
            {
                HealthCommand = "test -f /tmp/ready",
                HealthInterval = TimeSpan.FromSeconds(5),
            })));

        using var engine = new DockerContainerEngine(EngineAvailability.Endpoint);
        var cold = Stopwatch.StartNew();
        var first = await engine.ListProjectContainersAsync(project, CancellationToken.None);
        cold.Stop();
        Assert.Equal(20, first.Count);

        var filters = Uri.EscapeDataString("{\"label\":{\"com.docker.compose.project=" + project + "\":true}}");
        for (var i = 0; i < 5; i++)
        {
            await engine.ListProjectContainersAsync(project, CancellationToken.None);
            await fx.Raw.SendAsync(HttpMethod.Get, $"containers/json?all=1&filters={filters}", null, false, CancellationToken.None);
        }
        // Interleaved with the same request sent verbatim over a pooled connection, to tell the engine's share
        // of the time from the client's.
        var samples = new List<double>();
        var rawSamples = new List<double>();
        for (var i = 0; i < 50; i++)
        {
            var sw = Stopwatch.StartNew();
            var list = await engine.ListProjectContainersAsync(project, CancellationToken.None);
            sw.Stop();
            Assert.Equal(20, list.Count);
            samples.Add(sw.Elapsed.TotalMilliseconds);

            sw.Restart();
            await fx.Raw.SendAsync(HttpMethod.Get, $"containers/json?all=1&filters={filters}", null, false, CancellationToken.None);
            rawSamples.Add(sw.Elapsed.TotalMilliseconds);
        }
        var (p50, p95) = Percentiles(samples);
        var (rawP50, rawP95) = Percentiles(rawSamples);
        output.WriteLine($"ListProjectContainersAsync, 20 containers: first call on a new client {cold.Elapsed.TotalMilliseconds:0.0} ms; " +
                         $"warm p50 {p50:0.00} ms, p95 {p95:0.00} ms, min {samples.Min():0.00} ms, max {samples.Max():0.00} ms (n=50)");
        output.WriteLine($"same request, raw HTTP on a pooled connection: p50 {rawP50:0.00} ms, p95 {rawP95:0.00} ms, min {rawSamples.Min():0.00} ms");
        output.WriteLine($"machine load average: {File.ReadAllText("/proc/loadavg").Trim()}");
        // The median is the claim; the tail follows the machine's load (shared CI hosts), so it is reported, not asserted.
        Assert.True(p50 < 100, $"warm p50 {p50:0.0} ms");
    }

    private static (double P50, double P95) Percentiles(List<double> samples)
    {
        var sorted = samples.Order().ToList();
        return (sorted[sorted.Count / 2], sorted[(int)Math.Ceiling(sorted.Count * 0.95) - 1]);
    }
}
