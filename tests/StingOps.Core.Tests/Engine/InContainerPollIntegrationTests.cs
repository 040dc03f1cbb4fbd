using System.Diagnostics;
using StingOps.Core.Configuration;
using StingOps.Core.Health;
using Xunit.Abstractions;

namespace StingOps.Core.Tests.Engine;

/// <summary>The probe poll loop run by the container's own shell, on the real engine.</summary>
[Trait("Category", "Integration")]
public sealed class InContainerPollIntegrationTests(DockerEngineFixture fx, ITestOutputHelper output) : IClassFixture<DockerEngineFixture>
{
    [IntegrationFact]
    public async Task Poll_returns_at_the_first_pass_inside_its_window()
    {
        var id = await fx.CreateAsync(fx.Project, new TestContainerSpec("pollpass", "sleep", "600"));
        var container = (await fx.Engine.InspectAsync(id, CancellationToken.None))!;
        var probes = new ProbeRunner(fx.Engine);
        _ = Task.Run(async () =>
        {
            await Task.Delay(800);
            await fx.Engine.ExecAsync(id, ["touch", "/tmp/ready"], TimeSpan.FromSeconds(30), null, CancellationToken.None);
        });

        var sw = Stopwatch.StartNew();
        var result = await probes.ProbeAsync(container, new ProbeSpec(ProbeKind.Command, "test -f /tmp/ready"), null, TimeSpan.FromSeconds(60), CancellationToken.None);
        output.WriteLine($"ready after {sw.ElapsedMilliseconds} ms");

        Assert.True(result.Ready, result.Output);
        // Far sooner than the 60 s window: the loop ends at the first passing test.
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), $"took {sw.Elapsed}");
        // One exec, which ran the test until /tmp/ready appeared (0.8 s at 100 ms a test) and says how often.
        output.WriteLine($"cost: {result.Cost}");
        Assert.Equal(1, result.Cost.Execs);
        Assert.InRange(result.Cost.Runs, 2, (int)(sw.Elapsed.TotalMilliseconds / 100) + 2);
    }

    [IntegrationFact]
    public async Task Poll_passes_the_test_argv_verbatim_and_reports_its_last_output()
    {
        var id = await fx.CreateAsync(fx.Project, new TestContainerSpec("pollargv", "sleep", "600"));
        var container = (await fx.Engine.InspectAsync(id, CancellationToken.None))!;
        var probes = new ProbeRunner(fx.Engine);
        const string hostile = "a b'c\"$HOME`x`;)";

        var pass = await probes.ProbeAsync(container with { HealthTest = ["CMD", "test", hostile, "=", hostile] }, new ProbeSpec(ProbeKind.Docker), null, TimeSpan.FromSeconds(2), CancellationToken.None);
        var fail = await probes.ProbeAsync(container with { HealthTest = ["CMD-SHELL", "echo not yet; exit 3"] }, new ProbeSpec(ProbeKind.Docker), null, TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.True(pass.Ready, pass.Output);
        Assert.False(fail.Ready);
        Assert.Equal("not yet", fail.Output?.Trim());
        Assert.False(fail.Inconclusive);
    }

    [IntegrationFact]
    public async Task The_runtime_message_for_a_missing_shell_is_recognised()
    {
        var id = await fx.CreateAsync(fx.Project, new TestContainerSpec("pollnosh", "sleep", "600"));
        // The same message the engine gives an image without /bin/sh.
        var result = await fx.Engine.ExecAsync(id, ["/bin/sh-missing", "-c", "true"], TimeSpan.FromSeconds(10), null, CancellationToken.None);
        output.WriteLine($"{result.ExitCode}: {result.Output}");

        Assert.True(InContainerPoll.IsMissingShell(result.Output), result.Output);
        Assert.False(InContainerPoll.IsMissingShell("wget: can't connect to remote host (127.0.0.1): Connection refused"));
    }
}
