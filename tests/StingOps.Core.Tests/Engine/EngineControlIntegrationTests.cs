using System.Diagnostics;
using StingOps.Core.Common;
using StingOps.Core.Engine;
using Xunit.Abstractions;

namespace StingOps.Core.Tests.Engine;

/// <summary>Stop, start and exec against the real engine.</summary>
[Trait("Category", "Integration")]
public sealed class EngineControlIntegrationTests(DockerEngineFixture fx, ITestOutputHelper output) : IClassFixture<DockerEngineFixture>
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    [IntegrationFact]
    public async Task Stop_and_start_are_idempotent()
    {
        var id = await fx.CreateAsync(fx.Project, new TestContainerSpec("toggle", "sleep", "600"));

        var sw = Stopwatch.StartNew();
        await fx.Engine.StopAsync(id, TimeSpan.FromSeconds(5), CancellationToken.None);
        output.WriteLine($"stop (init forwards SIGTERM): {sw.ElapsedMilliseconds} ms");
        var stopped = await fx.Engine.InspectAsync(id, CancellationToken.None);
        Assert.Equal("exited", stopped!.State);
        Assert.NotNull(stopped.ExitCode);

        await fx.Engine.StopAsync(id, TimeSpan.FromSeconds(5), CancellationToken.None); // 304: fine

        sw.Restart();
        await fx.Engine.StartAsync(id, CancellationToken.None);
        output.WriteLine($"start: {sw.ElapsedMilliseconds} ms");
        var started = await fx.Engine.InspectAsync(id, CancellationToken.None);
        Assert.Equal("running", started!.State);
        Assert.True(started.StartedAt > stopped.FinishedAt);

        await fx.Engine.StartAsync(id, CancellationToken.None); // 304: fine
        Assert.Equal("running", (await fx.Engine.InspectAsync(id, CancellationToken.None))!.State);
    }

    [IntegrationFact]
    public async Task Stop_kills_after_the_grace_period()
    {
        // A process that ignores SIGTERM, without init to forward it: only the kill after the grace period stops it.
        var id = await fx.CreateAsync(fx.Project, new TestContainerSpec("stubborn", "sh", "-c", "trap '' TERM; while true; do sleep 1; done"));
        await Task.Delay(300);
        var sw = Stopwatch.StartNew();
        await fx.Engine.StopAsync(id, TimeSpan.FromSeconds(1), CancellationToken.None);
        sw.Stop();
        output.WriteLine($"stop with 1 s grace: {sw.ElapsedMilliseconds} ms");
        Assert.InRange(sw.Elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(10));
        Assert.Equal("exited", (await fx.Engine.InspectAsync(id, CancellationToken.None))!.State);
    }

    [IntegrationFact]
    public async Task Start_and_stop_of_a_missing_container_are_ContainerNotFound()
    {
        var e = await Assert.ThrowsAsync<StingException>(() => fx.Engine.StartAsync("stingops-no-such-container", CancellationToken.None));
        Assert.Equal(ErrorIds.ContainerNotFound, e.ErrorId);
        Assert.Equal(StingErrorKind.ObjectNotFound, e.Kind);
        e = await Assert.ThrowsAsync<StingException>(() => fx.Engine.StopAsync("stingops-no-such-container", TimeSpan.Zero, CancellationToken.None));
        Assert.Equal(ErrorIds.ContainerNotFound, e.ErrorId);
    }

    [IntegrationFact]
    public async Task Exec_returns_exit_code_and_combined_output()
    {
        var id = await fx.CreateAsync(fx.Project, new TestContainerSpec("exec", "sleep", "600"));
        var sw = Stopwatch.StartNew();
        var result = await fx.Engine.ExecAsync(id, ["sh", "-c", "echo to-out; echo to-err >&2; exit 7"], TimeSpan.FromSeconds(10), null, CancellationToken.None);
        output.WriteLine($"exec: {sw.ElapsedMilliseconds} ms");

        Assert.Equal(7, result.ExitCode);
        Assert.False(result.TimedOut);
        Assert.False(result.Truncated);
        Assert.Contains("to-out", result.Output);
        Assert.Contains("to-err", result.Output);
        Assert.DoesNotContain(result.Output, ch => ch < ' ' && ch != '\n');

        var ok = await fx.Engine.ExecAsync(id, ["true"], TimeSpan.FromSeconds(10), null, CancellationToken.None);
        Assert.Equal(0, ok.ExitCode);
        Assert.Equal(string.Empty, ok.Output);
    }

    [IntegrationFact]
    public async Task Exec_that_runs_too_long_returns_a_timed_out_result_promptly()
    {
        var id = await fx.CreateAsync(fx.Project, new TestContainerSpec("slowexec", "sleep", "600"));
        var sw = Stopwatch.StartNew();
        var result = await fx.Engine.ExecAsync(id, ["sh", "-c", "echo begun; sleep 30"], TimeSpan.FromMilliseconds(700), null, CancellationToken.None);
        sw.Stop();
        output.WriteLine($"timed-out exec returned after {sw.ElapsedMilliseconds} ms: {result.Output}");

        Assert.True(result.TimedOut);
        Assert.Equal(ExecResult.TimeoutExitCode, result.ExitCode);
        Assert.Contains("begun", result.Output);
        Assert.Contains("timed out", result.Output);
        // The command sleeps 30 s: returning well before that is the timeout at work, on however loaded a machine.
        Assert.InRange(sw.Elapsed, TimeSpan.FromMilliseconds(600), TimeSpan.FromSeconds(20));

        // The engine is still usable right after.
        Assert.Equal(0, (await fx.Engine.ExecAsync(id, ["true"], TimeSpan.FromSeconds(10), null, CancellationToken.None)).ExitCode);
    }

    [IntegrationFact]
    public async Task Exec_honours_cancellation()
    {
        var id = await fx.CreateAsync(fx.Project, new TestContainerSpec("cancelexec", "sleep", "600"));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var sw = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fx.Engine.ExecAsync(id, ["sleep", "30"], TimeSpan.FromSeconds(30), null, cts.Token));
        // Only the cancellation can end it before the 30 s command and its 30 s timeout.
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"took {sw.Elapsed}");
    }

    [IntegrationFact]
    public async Task Exec_output_is_capped_at_4_KiB()
    {
        var id = await fx.CreateAsync(fx.Project, new TestContainerSpec("bigexec", "sleep", "600"));
        var result = await fx.Engine.ExecAsync(id, ["sh", "-c", "yes 0123456789 | head -c 200000; exit 4"], TimeSpan.FromSeconds(10), null, CancellationToken.None);
        Assert.Equal(4, result.ExitCode);
        Assert.True(result.Truncated);
        Assert.Equal(4096, result.Output.Length);
    }

    [IntegrationFact]
    public async Task Exec_in_a_stopped_container_is_a_failed_result_and_in_a_missing_one_an_error()
    {
        var id = await fx.CreateAsync(fx.Project, new TestContainerSpec("stoppedexec", "sleep", "600") { Start = false });
        var result = await fx.Engine.ExecAsync(id, ["true"], TimeSpan.FromSeconds(5), null, CancellationToken.None);
        output.WriteLine(result.Output);
        Assert.Equal(ExecResult.NotRunningExitCode, result.ExitCode);
        Assert.Contains("not running", result.Output);

        var e = await Assert.ThrowsAsync<StingException>(() => fx.Engine.ExecAsync("stingops-no-such-container", ["true"], TimeSpan.FromSeconds(5), null, CancellationToken.None));
        Assert.Equal(ErrorIds.ContainerNotFound, e.ErrorId);
    }

    [IntegrationFact]
    public async Task Exec_of_a_missing_binary_fails_with_the_runtime_message()
    {
        var id = await fx.CreateAsync(fx.Project, new TestContainerSpec("nobin", "sleep", "600"));
        var result = await fx.Engine.ExecAsync(id, ["/no/such/binary"], TimeSpan.FromSeconds(10), null, CancellationToken.None);
        output.WriteLine($"{result.ExitCode}: {result.Output}");
        Assert.NotEqual(0, result.ExitCode);
        Assert.False(result.TimedOut);
    }
}
