using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Configuration;
using StingOps.Core.Engine;
using StingOps.Core.Restart;

namespace StingOps.Core.Tests.Restart;

/// <summary>Compose semantics on the restart path: lifecycle hooks, required: false, start_interval.</summary>
public class ComposeSemanticsTests
{
    private static ServiceHook Hook(string command, string? user = null, bool privileged = false, string? workingDir = null,
        Dictionary<string, string?>? environment = null) => new()
    {
        Command = command.Split(' '),
        User = user,
        Privileged = privileged,
        WorkingDir = workingDir,
        Environment = environment ?? [],
    };

    private static int IndexOf(ExecutorHarness h, string operation, string service) =>
        h.Engine.Log.ToList().FindIndex(l => l.Operation == operation && l.Service == service);

    [Fact]
    public async Task PostStart_RunsAfterTheStart_WithItsOptions_BeforeServiceStartedDependentsStart()
    {
        var h = new ExecutorHarness();
        var seen = new List<ExecOptions>();
        h.Service("db").Hook = (_, options) => { lock (seen) seen.Add(options); return new ExecResult(0, "chowned"); };
        h.Service("app", [new ServiceDependency("db")]);
        h.Configure("db", postStart: [Hook("chown -R 1001 /data", user: "root", privileged: true, workingDir: "/data",
            environment: new() { ["MODE"] = "restart", ["FROM_SHELL"] = null })]);

        var outcomes = await h.RunAsync();

        Assert.All(outcomes, o => Assert.Equal(OutcomeStatus.Succeeded, o.Status));
        var hook = IndexOf(h, "hook chown -R 1001 /data", "db");
        Assert.True(IndexOf(h, "start", "db") < hook, "post_start ran before the container started");
        Assert.True(hook < IndexOf(h, "start", "app"), "a service_started dependent started before the post_start hook ended");
        var options = Assert.Single(seen);
        Assert.Equal("root", options.User);
        Assert.True(options.Privileged);
        Assert.Equal("/data", options.WorkingDir);
        // A bare name keeps the container's own value: it is not passed to the exec.
        Assert.Equal(["MODE=restart"], options.Environment);
    }

    [Fact]
    public async Task PreStop_RunsBeforeTheStop_OfTheRunningContainer()
    {
        var h = new ExecutorHarness();
        h.Service("db");
        h.Configure("db", preStop: [Hook("pg_ctl stop -m fast"), Hook("sync")]);

        var outcomes = await h.RunAsync();

        Assert.Equal(OutcomeStatus.Succeeded, Assert.Single(outcomes).Status);
        Assert.True(IndexOf(h, "hook pg_ctl stop -m fast", "db") < IndexOf(h, "hook sync", "db"));
        Assert.True(IndexOf(h, "hook sync", "db") < IndexOf(h, "stop", "db"));
    }

    [Fact]
    public async Task FailingPostStart_FailsTheService_WithItsOutputMasked_AndItsDependentsAreNotStarted()
    {
        var h = new ExecutorHarness();
        h.Service("db").Hook = (_, _) => new ExecResult(3, "migration failed\npassword fake-secret-value rejected\n");
        h.Service("app", "db");
        h.Configure("db", postStart: [Hook("migrate up")]);

        var outcomes = await h.RunAsync(new RestartOptions { MaxRetries = 3, HealthCheckInterval = TimeSpan.FromSeconds(1) });

        var db = outcomes.Single(o => o.Service == "db");
        Assert.Equal(OutcomeStatus.Failed, db.Status);
        Assert.Equal(OutcomeReason.HealthCheck, db.Reason);
        Assert.Equal("post_start hook 'migrate up' exited with status 3: migration failed | password *** rejected", db.Message);
        Assert.Equal(1, db.Attempts);
        Assert.Equal(OutcomeStatus.Skipped, outcomes.Single(o => o.Service == "app").Status);
        Assert.Equal(-1, IndexOf(h, "start", "app"));
    }

    [Fact]
    public async Task FailingPreStop_FailsTheService_AndLeavesItRunning()
    {
        var h = new ExecutorHarness();
        h.Service("db").Hook = (_, _) => new ExecResult(1, "refusing: backup in progress");
        h.Configure("db", preStop: [Hook("drain")]);

        var outcome = Assert.Single(await h.RunAsync());

        Assert.Equal(OutcomeStatus.Failed, outcome.Status);
        Assert.Equal("pre_stop hook 'drain' exited with status 1: refusing: backup in progress; the service was not stopped", outcome.Message);
        Assert.Equal(-1, IndexOf(h, "stop", "db"));
        Assert.Equal("running", h.Engine.ContainersOf("db").Single().State);
    }

    [Fact]
    public async Task OptionalDependencyThatFails_IsWarnedAbout_AndTheDependentStartsWithoutIt()
    {
        var h = new ExecutorHarness();
        h.Service("metrics").NeverHealthy = true;
        h.Service("app", [new ServiceDependency("metrics", DependencyCondition.ServiceHealthy, Required: false)]);

        var outcomes = await h.RunAsync(new RestartOptions { MaxRetries = 1, DefaultTimeout = TimeSpan.FromSeconds(5) });

        Assert.Equal(OutcomeStatus.Failed, outcomes.Single(o => o.Service == "metrics").Status);
        Assert.Equal(OutcomeStatus.Succeeded, outcomes.Single(o => o.Service == "app").Status);
        var warning = Assert.Single(h.Events.OfType<RunWarning>());
        Assert.Equal("app: starting without its optional dependency 'metrics' (required: false), which did not become ready.", warning.Message);
    }

    [Fact]
    public async Task RequiredDependencyThatFails_StillKeepsTheDependentStopped()
    {
        // The control of the test above: the same stack with required: true.
        var h = new ExecutorHarness();
        h.Service("metrics").NeverHealthy = true;
        h.Service("app", [new ServiceDependency("metrics", DependencyCondition.ServiceHealthy)]);

        var outcomes = await h.RunAsync(new RestartOptions { MaxRetries = 1, DefaultTimeout = TimeSpan.FromSeconds(5) });

        Assert.Equal(OutcomeStatus.Skipped, outcomes.Single(o => o.Service == "app").Status);
        Assert.Equal(-1, IndexOf(h, "start", "app"));
    }

    [Fact]
    public async Task OptionalDependencyWithoutAContainer_IsSkipped_NotFailed()
    {
        var h = new ExecutorHarness();
        h.ServiceWithoutContainer("log-forwarder");
        h.Service("chatbot", [new ServiceDependency("log-forwarder", Required: false)]);
        h.ServiceWithoutContainer("orphan");

        var outcomes = await h.RunAsync();

        var forwarder = outcomes.Single(o => o.Service == "log-forwarder");
        Assert.Equal(OutcomeStatus.Skipped, forwarder.Status);
        Assert.Equal("no container for service 'log-forwarder': not started; only chatbot need it, as an optional dependency (required: false)", forwarder.Message);
        Assert.Equal(OutcomeStatus.Succeeded, outcomes.Single(o => o.Service == "chatbot").Status);
        // Needed by nobody, a service without a container is still a failure of a whole-project restart.
        Assert.Equal(OutcomeStatus.Failed, outcomes.Single(o => o.Service == "orphan").Status);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task StartInterval_CapsTheProbeBackoff_DuringTheStartPeriod(bool withStartInterval)
    {
        var h = new ExecutorHarness();
        h.Service("db").StartupDelay = TimeSpan.FromSeconds(20);
        h.Configure("db", healthCheck: new HealthCheckSpec
        {
            Test = ["CMD", "true"],
            StartPeriod = TimeSpan.FromSeconds(60),
            StartInterval = withStartInterval ? TimeSpan.FromMilliseconds(500) : null,
        });

        var outcome = Assert.Single(await h.RunAsync(new RestartOptions
        {
            MaxRetries = 1,
            DefaultTimeout = TimeSpan.FromSeconds(60),
            HealthCheckInterval = TimeSpan.FromSeconds(5),
        }));

        Assert.Equal(OutcomeStatus.Succeeded, outcome.Status);
        var late = outcome.ReadyAt!.Value - (h.Engine.TimeOf("db", "start") + TimeSpan.FromSeconds(20));
        // Probing every 5 s at most sees readiness up to 5 s late; start_interval bounds that by its own 0.5 s.
        if (withStartInterval)
            Assert.True(late <= TimeSpan.FromMilliseconds(600), $"seen {late.TotalMilliseconds} ms late");
        else
            Assert.True(late > TimeSpan.FromMilliseconds(600), $"seen only {late.TotalMilliseconds} ms late without start_interval: the test proves nothing");
    }
}
