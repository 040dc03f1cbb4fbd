using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using StingOps.Core.Common;
using StingOps.Core.Engine;

namespace StingOps.Core.Tests.Engine;

public sealed class TracingContainerEngineTests
{
    private readonly FakeEngine _inner = new(new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 2, 0, 0, TimeSpan.Zero)));
    private readonly ConcurrentQueue<string> _lines = new();

    private TracingContainerEngine Traced() =>
        new(_inner, _lines.Enqueue, text => text.Replace("hunter2", "***", StringComparison.Ordinal));

    [Fact]
    public async Task StopAndStart_PassThroughAndAreTracedWithTheirOutcome()
    {
        _inner.Add("db");
        var id = _inner.IdOf("db");
        var engine = Traced();

        await engine.StopAsync(id, TimeSpan.FromSeconds(10), CancellationToken.None);
        await engine.StartAsync(id, CancellationToken.None);

        Assert.Equal(["stop", "start"], _inner.OpsOf("db").Select(o => o.Operation));
        Assert.Collection(_lines,
            l => Assert.Matches($@"^engine: stop {id[..12]} \(grace 10s\) -> done \(\d+ ms from \d\d:\d\d:\d\d\.\d{{3}}\)$", l),
            l => Assert.Matches($@"^engine: start {id[..12]} -> done \(\d+ ms from \d\d:\d\d:\d\d\.\d{{3}}\)$", l));
    }

    [Fact]
    public async Task Exec_TracesTheRedactedCommandAndExitCode_NeverTheOutput()
    {
        _inner.Add("db").NeverHealthy = true;
        var engine = Traced();

        var result = await engine.ExecAsync(_inner.IdOf("db"), ["sh", "-c", "check --password hunter2"], TimeSpan.FromSeconds(5), null, CancellationToken.None);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(_lines);
        Assert.Contains("[sh -c check --password ***]", line);
        Assert.Contains("-> exit 1", line);
        Assert.DoesNotContain("hunter2", line);
        Assert.DoesNotContain("fake-secret-value", line);   // the exec output
    }

    [Fact]
    public async Task FailingCall_IsTracedAndRethrownUnchanged()
    {
        _inner.Unreachable = true;
        var engine = Traced();

        var ex = await Assert.ThrowsAsync<StingException>(() => engine.GetInfoAsync(CancellationToken.None));

        Assert.Equal(ErrorIds.EngineUnavailable, ex.ErrorId);
        Assert.Matches(@"^engine: info \(fake://engine\) -> StingException: fake engine unreachable \(\d+ ms from \d\d:\d\d:\d\d\.\d{3}\)$", Assert.Single(_lines));
    }

    [Fact]
    public async Task ThrowingTrace_DoesNotChangeTheCall()
    {
        _inner.Add("db");
        var engine = new TracingContainerEngine(_inner, _ => throw new InvalidOperationException("host gone"));

        var containers = await engine.ListProjectContainersAsync("proj", CancellationToken.None);

        Assert.Single(containers);
    }

    [Fact]
    public void Dispose_LeavesTheSharedInnerEngineAlone()
    {
        var inner = new DisposalCounter(_inner);
        new TracingContainerEngine(inner, _ => { }).Dispose();
        Assert.Equal(0, inner.Disposed);
    }

    private sealed class DisposalCounter(IContainerEngine inner) : IContainerEngine
    {
        public int Disposed;
        public string Endpoint => inner.Endpoint;
        public Task<EngineInfo> GetInfoAsync(CancellationToken c) => inner.GetInfoAsync(c);
        public Task<IReadOnlyList<ContainerSummary>> ListProjectContainersAsync(string p, CancellationToken c) => inner.ListProjectContainersAsync(p, c);
        public Task<ContainerDetails?> InspectAsync(string id, CancellationToken c) => inner.InspectAsync(id, c);
        public Task StopAsync(string id, TimeSpan g, CancellationToken c) => inner.StopAsync(id, g, c);
        public Task StartAsync(string id, CancellationToken c) => inner.StartAsync(id, c);
        public Task<ExecResult> ExecAsync(string id, IReadOnlyList<string> cmd, TimeSpan t, ExecOptions? o, CancellationToken c) => inner.ExecAsync(id, cmd, t, o, c);
        public Task<string> GetLogTailAsync(string id, int n, CancellationToken c) => inner.GetLogTailAsync(id, n, c);
        public Task<IEngineEventSubscription> SubscribeEventsAsync(string p, CancellationToken c) => inner.SubscribeEventsAsync(p, c);
        public void Dispose() => Disposed++;
    }
}
