using Microsoft.Extensions.Time.Testing;
using StingOps.Core.Compose;
using StingOps.Core.Configuration;
using StingOps.Core.Graph;
using StingOps.Core.Health;
using StingOps.Core.Restart;
using StingOps.Core.Tests.Engine;

namespace StingOps.Core.Tests.Restart;

/// <summary>Builds small projects, runs the executor against the fake engine and drives fake time.</summary>
public sealed class ExecutorHarness
{
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 29, 2, 0, 0, TimeSpan.Zero));
    public FakeEngine Engine { get; }
    public List<RestartEvent> Events { get; } = [];
    /// <summary>The history the executor's probe schedule learns from.</summary>
    public Dictionary<string, ReadyTimeEstimate> History { get; } = new(StringComparer.Ordinal);
    private readonly List<ComposeService> _services = [];

    public ExecutorHarness() => Engine = new FakeEngine(Time);

    public FakeBehaviour Service(string name, params string[] dependsOn) =>
        Service(name, dependsOn.Select(d => new ServiceDependency(d, DependencyCondition.ServiceHealthy)).ToArray());

    public FakeBehaviour Service(string name, ServiceDependency[] dependsOn)
    {
        _services.Add(new ComposeService
        {
            Name = name,
            DependsOn = dependsOn,
            HealthCheck = new HealthCheckSpec { Test = ["CMD", "true"] },
        });
        return Engine.Add(name);
    }

    /// <summary>A service of the compose file that has no container (never created).</summary>
    public void ServiceWithoutContainer(string name) =>
        _services.Add(new ComposeService { Name = name, HealthCheck = new HealthCheckSpec { Test = ["CMD", "true"] } });

    /// <summary>Gives a service compose lifecycle hooks and/or its own healthcheck (the harness sets nothing else).</summary>
    public void Configure(string name, IReadOnlyList<ServiceHook>? postStart = null, IReadOnlyList<ServiceHook>? preStop = null,
        HealthCheckSpec? healthCheck = null)
    {
        var i = _services.FindIndex(s => s.Name == name);
        var old = _services[i];
        _services[i] = new ComposeService
        {
            Name = name,
            DependsOn = old.DependsOn,
            HealthCheck = healthCheck ?? old.HealthCheck,
            PostStart = postStart ?? old.PostStart,
            PreStop = preStop ?? old.PreStop,
        };
    }

    public ComposeProject Project() => new()
    {
        Name = "proj",
        ProjectDirectory = "/tmp/proj",
        ComposeFiles = ["/tmp/proj/compose.yaml"],
        ActiveProfiles = [],
        Services = _services.OrderBy(s => s.Name, StringComparer.Ordinal).ToList(),
    };

    public async Task<List<ServiceOutcome>> RunAsync(RestartOptions? options = null, RestartRequest? request = null,
        Func<FakeTimeProvider, bool>? cancelWhen = null, IServiceRecreator? recreator = null, IReadOnlyDictionary<string, StepChoice>? choices = null)
    {
        options ??= new RestartOptions { MaxRetries = 1, HealthCheckInterval = TimeSpan.FromSeconds(1) };
        var graph = ServiceGraph.Build(Project(), options);
        var plan = choices is null ? RestartPlan.Create(graph, options, request ?? new RestartRequest()) : RestartPlan.Of(graph, options, choices, null);
        var containers = (await Engine.ListProjectContainersAsync("proj", default)).ToDictionary(c => c.Service);
        using var cts = new CancellationTokenSource();
        var executor = new RestartExecutor(Engine, new ProbeRunner(Engine), Time, options, s => s.Replace("fake-secret-value", "***"), recreator) { History = History };
        var reader = executor.Run(plan, "proj", "run-1", containers, cts.Token);

        var drain = Task.Run(async () =>
        {
            await foreach (var e in reader.ReadAllAsync())
                lock (Events) Events.Add(e);
        });
        // Fake time moves in small steps while the executor's tasks run on real threads.
        for (var step = 0; !drain.IsCompleted; step++)
        {
            if (step > 20_000)
                throw new TimeoutException("the executor did not finish within 1000 s of fake time");
            if (cancelWhen?.Invoke(Time) == true)
                cts.Cancel();
            // Fake time must not run ahead of work still queued on a busy machine (a probe that "timed out" only because
            // its thread had not run yet): let queued work drain first. Bounded, since other tests share the pool.
            for (var spin = 0; spin < 20 && ThreadPool.PendingWorkItemCount > 0; spin++)
                await Task.Delay(1);
            Time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(1);
        }
        await drain;
        lock (Events)
            return Events.OfType<ServiceFinished>().Select(f => f.Outcome).ToList();
    }
}
