using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Configuration;
using StingOps.Core.Graph;

namespace StingOps.Core.Tests.Graph;

public sealed class RestartPlanTests
{
    private static ComposeService Svc(string name, params string[] deps) => new()
    {
        Name = name,
        DependsOn = deps.Select(d => new ServiceDependency(d, DependencyCondition.ServiceHealthy)).ToArray(),
    };

    private static ServiceGraph Graph(params ComposeService[] services) => ServiceGraph.Build(new ComposeProject
    {
        Name = "p", ProjectDirectory = "/p", ComposeFiles = [], ActiveProfiles = [], Services = services,
    }, RestartOptions.Defaults);

    [Fact]
    public void Create_WholeProject_OrdersByWaveThenName()
    {
        var plan = RestartPlan.Create(Graph(Svc("web", "app"), Svc("app", "db"), Svc("db"), Svc("cache")), RestartOptions.Defaults, new RestartRequest());

        Assert.True(plan.WholeProject);
        Assert.Equal(["cache", "db", "app", "web"], plan.Steps.Select(s => s.Service));
        Assert.Empty(plan.ExternalDependencies);
    }

    [Fact]
    public void Create_NamedService_ListsItsOutsideDependencies()
    {
        var plan = RestartPlan.Create(Graph(Svc("web", "app"), Svc("app", "db"), Svc("db")), RestartOptions.Defaults, new RestartRequest { Names = ["app"] });

        Assert.False(plan.WholeProject);
        Assert.Equal(["app"], plan.Steps.Select(s => s.Service));
        Assert.Equal(("app", "db"), plan.ExternalDependencies.Select(e => (e.Service, e.Dependency.Service)).Single());
    }

    [Fact]
    public void Create_UnknownName_Throws_WildcardNoMatch_Throws()
    {
        var g = Graph(Svc("db"));
        Assert.Equal(ErrorIds.UnknownService, Assert.Throws<StingException>(() => RestartPlan.Create(g, RestartOptions.Defaults, new RestartRequest { Names = ["nope"] })).ErrorId);
        Assert.Equal(ErrorIds.UnknownService, Assert.Throws<StingException>(() => RestartPlan.Create(g, RestartOptions.Defaults, new RestartRequest { Names = ["x*"] })).ErrorId);
    }

    [Fact]
    public void Create_Timeouts_ConfigThenDefaultThenOverride()
    {
        var options = new RestartOptions
        {
            DefaultTimeout = TimeSpan.FromSeconds(30),
            Services = new Dictionary<string, ServiceRestartOptions> { ["db"] = new() { Timeout = TimeSpan.FromSeconds(90), Critical = true } },
        };
        var g = Graph(Svc("db"), Svc("app", "db"));

        var plan = RestartPlan.Create(g, options, new RestartRequest());
        Assert.Equal(TimeSpan.FromSeconds(90), plan.ByService["db"].Timeout);
        Assert.True(plan.ByService["db"].Critical);
        Assert.Equal(TimeSpan.FromSeconds(30), plan.ByService["app"].Timeout);

        var overridden = RestartPlan.Create(g, options, new RestartRequest { Timeout = TimeSpan.FromSeconds(5) });
        Assert.All(overridden.Steps, s => Assert.Equal(TimeSpan.FromSeconds(5), s.Timeout));
    }

    [Fact]
    public void EffectiveProbe_ConfigWins_ThenComposeHealthcheck_ThenRunning()
    {
        var withHc = new ComposeService { Name = "a", HealthCheck = new HealthCheckSpec { Test = ["CMD-SHELL", "pg_isready"] } };
        var disabled = new ComposeService { Name = "b", HealthCheck = new HealthCheckSpec { Disabled = true } };
        var none = new ComposeService { Name = "c", HealthCheck = new HealthCheckSpec { Test = ["NONE"] } };

        Assert.Equal(ProbeKind.Tcp, RestartPlan.EffectiveProbe(withHc, new ServiceRestartOptions { HealthCheck = new ProbeSpec(ProbeKind.Tcp, "127.0.0.1:5432") }).Kind);
        Assert.Equal(new ProbeSpec(ProbeKind.Docker, "pg_isready"), RestartPlan.EffectiveProbe(withHc, ServiceRestartOptions.Empty));
        Assert.Equal(ProbeKind.Running, RestartPlan.EffectiveProbe(disabled, ServiceRestartOptions.Empty).Kind);
        Assert.Equal(ProbeKind.Running, RestartPlan.EffectiveProbe(none, ServiceRestartOptions.Empty).Kind);
        Assert.Equal(ProbeKind.Running, RestartPlan.EffectiveProbe(new ComposeService { Name = "d" }, ServiceRestartOptions.Empty).Kind);
    }
}
