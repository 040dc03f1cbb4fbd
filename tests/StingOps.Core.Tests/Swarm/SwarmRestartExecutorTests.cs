using Microsoft.Extensions.Time.Testing;
using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Configuration;
using StingOps.Core.Graph;
using StingOps.Core.Health;
using StingOps.Core.Restart;
using StingOps.Core.Swarm;

namespace StingOps.Core.Tests.Swarm;

public sealed class SwarmRestartExecutorTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 2, 0, 0, TimeSpan.Zero));
    private readonly FakeSwarm _swarm;
    private readonly List<ComposeService> _services = [];
    private readonly List<RestartEvent> _events = [];

    public SwarmRestartExecutorTests() => _swarm = new FakeSwarm(_time);

    private FakeSwarmBehaviour Service(string name, params string[] dependsOn)
    {
        _services.Add(new ComposeService
        {
            Name = name,
            DependsOn = dependsOn.Select(d => new ServiceDependency(d, DependencyCondition.ServiceStarted)).ToList(),
            HealthCheck = new HealthCheckSpec { Test = ["CMD", "true"] },
        });
        return _swarm.Add(name);
    }

    private async Task<Dictionary<string, ServiceOutcome>> RunAsync(RestartOptions? options = null, bool rollback = true, Func<FakeTimeProvider, bool>? cancelWhen = null)
    {
        options ??= new RestartOptions { DefaultTimeout = TimeSpan.FromSeconds(30) };
        var project = new ComposeProject
        {
            Name = "stack", ProjectDirectory = "/tmp/stack", ComposeFiles = ["/tmp/stack/compose.yaml"], ActiveProfiles = [],
            Services = _services.OrderBy(s => s.Name, StringComparer.Ordinal).ToList(),
        };
        var plan = RestartPlan.Create(ServiceGraph.Build(project, options), options, new RestartRequest());
        using var cts = new CancellationTokenSource();
        var executor = new SwarmRestartExecutor(_swarm, _swarm.Services(), _time, rollback);
        var reader = executor.Run(plan, "run-1", new Dictionary<string, ReadyTimeEstimate>(), _ => { }, cts.Token);
        var drain = Task.Run(async () =>
        {
            await foreach (var e in reader.ReadAllAsync())
                lock (_events) _events.Add(e);
        });
        for (var step = 0; !drain.IsCompleted; step++)
        {
            if (step > 20_000)
                throw new TimeoutException("the executor did not finish within 1000 s of fake time");
            if (cancelWhen?.Invoke(_time) == true)
                cts.Cancel();
            for (var spin = 0; spin < 20 && ThreadPool.PendingWorkItemCount > 0; spin++)
                await Task.Delay(1);
            _time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(1);
        }
        await drain;
        lock (_events)
            return _events.OfType<ServiceFinished>().ToDictionary(f => f.Outcome.Service, f => f.Outcome);
    }

    private DateTimeOffset UpdatedAt(string service) => _swarm.Updates.Single(u => u.Service == service).At;

    [Fact]
    public async Task Run_HiveShapedStack_UpdatesEachServiceOnlyAfterItsDependenciesConverged()
    {
        Service("db").ConvergeAfter = TimeSpan.FromSeconds(3);
        Service("api", "db").ConvergeAfter = TimeSpan.FromSeconds(2);
        Service("worker", "api");
        Service("frontend", "api");

        var outcomes = await RunAsync();

        Assert.All(outcomes.Values, o => Assert.Equal(OutcomeStatus.Succeeded, o.Status));
        Assert.True(UpdatedAt("api") >= outcomes["db"].ReadyAt, "api was updated before db converged");
        Assert.True(UpdatedAt("worker") >= outcomes["api"].ReadyAt && UpdatedAt("frontend") >= outcomes["api"].ReadyAt);
        // Eager: the two dependents of api go at once, not one after the other.
        Assert.True((UpdatedAt("worker") - UpdatedAt("frontend")).Duration() < TimeSpan.FromSeconds(1));
        Assert.Empty(_swarm.Rollbacks);
    }

    [Fact]
    public async Task Run_IndependentBranches_DoNotWaitForEachOther()
    {
        Service("slow").ConvergeAfter = TimeSpan.FromSeconds(20);
        Service("fast").ConvergeAfter = TimeSpan.FromSeconds(1);
        Service("top", "fast");

        var outcomes = await RunAsync();

        Assert.True(outcomes["top"].ReadyAt < outcomes["slow"].ReadyAt, "top waited for a service it does not depend on");
    }

    [Fact]
    public async Task Run_NewTasksNeverHealthy_RollsBackAndSkipsDependents()
    {
        var api = Service("api");
        api.NeverHealthy = true;
        Service("worker", "api");
        Service("frontend", "worker");

        var outcomes = await RunAsync();

        Assert.Equal(OutcomeStatus.RolledBack, outcomes["api"].Status);
        Assert.Equal(OutcomeReason.HealthCheck, outcomes["api"].Reason);
        Assert.Contains("paused", outcomes["api"].Message);
        Assert.Contains("unhealthy container", outcomes["api"].Message);
        Assert.Contains("rolled back", outcomes["api"].Message);
        Assert.Single(_swarm.Rollbacks);
        Assert.Equal(OutcomeStatus.Skipped, outcomes["worker"].Status);
        Assert.Equal(OutcomeReason.Dependency, outcomes["worker"].Reason);
        Assert.Equal(OutcomeStatus.Skipped, outcomes["frontend"].Status);
        Assert.DoesNotContain(_swarm.Updates, u => u.Service is "worker" or "frontend");
    }

    [Fact]
    public async Task Run_UpdateSlowerThanTheTimeout_RollsBackForTimeout()
    {
        var api = Service("api");
        api.ConvergeAfter = TimeSpan.FromSeconds(60);
        api.RollbackAfter = TimeSpan.FromSeconds(2);

        var outcomes = await RunAsync(new RestartOptions { DefaultTimeout = TimeSpan.FromSeconds(10) });

        Assert.Equal(OutcomeStatus.RolledBack, outcomes["api"].Status);
        Assert.Equal(OutcomeReason.Timeout, outcomes["api"].Reason);
        Assert.Contains("within 10", outcomes["api"].Message);
    }

    [Fact]
    public async Task Run_RollbackThatDoesNotConvergeEither_FailsAndSaysSo()
    {
        Service("api").ConvergeAfter = TimeSpan.FromSeconds(60);

        var outcomes = await RunAsync(new RestartOptions { DefaultTimeout = TimeSpan.FromSeconds(10) });

        Assert.Equal(OutcomeStatus.Failed, outcomes["api"].Status);
        Assert.Equal(OutcomeReason.Timeout, outcomes["api"].Reason);
        Assert.Contains("the rollback did not complete either", outcomes["api"].Message);
        Assert.Single(_swarm.Rollbacks);
    }

    [Fact]
    public async Task Run_FailureActionRollback_WaitsForSwarmsOwnRollbackWithoutAskingForAnother()
    {
        var api = Service("api");
        api.NeverHealthy = true;
        api.FailureAction = "rollback";

        var outcomes = await RunAsync();

        Assert.Equal(OutcomeStatus.RolledBack, outcomes["api"].Status);
        Assert.Empty(_swarm.Rollbacks);
    }

    [Fact]
    public async Task Run_RollbackDisabled_FailsAndLeavesTheServiceAsSwarmHasIt()
    {
        Service("api").NeverHealthy = true;
        Service("worker", "api");

        var outcomes = await RunAsync(rollback: false);

        Assert.Equal(OutcomeStatus.Failed, outcomes["api"].Status);
        Assert.Contains("rollback disabled", outcomes["api"].Message);
        Assert.Empty(_swarm.Rollbacks);
        Assert.Equal(OutcomeStatus.Skipped, outcomes["worker"].Status);
    }

    [Fact]
    public async Task Run_CriticalServiceFails_SkipsWhatWasNotStartedYet()
    {
        Service("db").NeverHealthy = true;
        Service("other").ConvergeAfter = TimeSpan.FromSeconds(30);
        Service("late", "other");
        var options = new RestartOptions
        {
            DefaultTimeout = TimeSpan.FromSeconds(60),
            Services = new Dictionary<string, ServiceRestartOptions>(StringComparer.Ordinal) { ["db"] = new() { Critical = true } },
        };

        var outcomes = await RunAsync(options);

        Assert.Equal(OutcomeStatus.RolledBack, outcomes["db"].Status);
        Assert.Equal(OutcomeStatus.Succeeded, outcomes["other"].Status);
        Assert.Equal(OutcomeStatus.Skipped, outcomes["late"].Status);
        Assert.Contains("critical service 'db'", outcomes["late"].Message);
    }

    [Fact]
    public async Task Run_Cancelled_ReportsTheServiceInFlightAndTheRestAsCancelled()
    {
        Service("db").ConvergeAfter = TimeSpan.FromSeconds(20);
        Service("api", "db");
        var start = _time.GetUtcNow();

        var outcomes = await RunAsync(cancelWhen: t => t.GetUtcNow() - start > TimeSpan.FromSeconds(5));

        Assert.Equal(OutcomeStatus.Cancelled, outcomes["db"].Status);
        Assert.Contains("Swarm goes on", outcomes["db"].Message);
        Assert.Equal(OutcomeStatus.Cancelled, outcomes["api"].Status);
        Assert.DoesNotContain(_swarm.Updates, u => u.Service == "api");
    }

    [Fact]
    public async Task Run_ServiceNotDeployed_FailsAndSkipsItsDependents()
    {
        _services.Add(new ComposeService { Name = "ghost" });
        Service("api", "ghost");

        var outcomes = await RunAsync();

        Assert.Equal(OutcomeStatus.Failed, outcomes["ghost"].Status);
        Assert.Contains("not deployed", outcomes["ghost"].Message);
        Assert.Equal(OutcomeStatus.Skipped, outcomes["api"].Status);
    }
}
