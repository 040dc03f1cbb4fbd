using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Configuration;
using StingOps.Core.Graph;

namespace StingOps.Core.Tests.Graph;

public sealed class ServiceGraphTests
{
    private static ComposeService Svc(string name, params string[] deps) => new()
    {
        Name = name,
        DependsOn = deps.Select(d => new ServiceDependency(d, DependencyCondition.ServiceHealthy)).ToArray(),
        Source = $"compose.yaml:{name.Length}",
    };

    private static ComposeProject Project(params ComposeService[] services) => new()
    {
        Name = "p", ProjectDirectory = "/p", ComposeFiles = ["/p/compose.yaml"], ActiveProfiles = [],
        Services = services.OrderBy(s => s.Name, StringComparer.Ordinal).ToList(),
    };

    [Fact]
    public void Build_Waves_AreTheLongestChainBelow()
    {
        var g = ServiceGraph.Build(Project(Svc("vault"), Svc("db"), Svc("kratos", "db"), Svc("app", "vault", "kratos"), Svc("frontend", "app", "db")), RestartOptions.Defaults);

        Assert.Equal(0, g["vault"].Wave);
        Assert.Equal(1, g["kratos"].Wave);
        Assert.Equal(2, g["app"].Wave);
        Assert.Equal(3, g["frontend"].Wave);
        Assert.Equal(["frontend", "kratos"], g["db"].Dependents);
    }

    [Fact]
    public void Build_TopologicalOrder_PutsDependenciesFirst_TiesByName()
    {
        var g = ServiceGraph.Build(Project(Svc("b"), Svc("a"), Svc("c", "b"), Svc("d", "a")), RestartOptions.Defaults);

        Assert.Equal(["a", "b", "c", "d"], g.TopologicalOrder);
    }

    [Fact]
    public void Build_Cycle_NamesTheCycle()
    {
        var ex = Assert.Throws<StingException>(() =>
            ServiceGraph.Build(Project(Svc("a", "c"), Svc("b", "a"), Svc("c", "b"), Svc("x")), RestartOptions.Defaults));

        Assert.Equal(ErrorIds.DependencyCycle, ex.ErrorId);
        Assert.Contains("a -> c -> b -> a", ex.Message);
    }

    [Fact]
    public void Build_SelfDependency_IsACycle()
    {
        var ex = Assert.Throws<StingException>(() => ServiceGraph.Build(Project(Svc("a", "a")), RestartOptions.Defaults));
        Assert.Contains("a -> a", ex.Message);
    }

    [Fact]
    public void Build_UndefinedDependency_NamesBoth()
    {
        var ex = Assert.Throws<StingException>(() => ServiceGraph.Build(Project(Svc("app", "ghost")), RestartOptions.Defaults));

        Assert.Equal(ErrorIds.UndefinedDependency, ex.ErrorId);
        Assert.Contains("'app'", ex.Message);
        Assert.Contains("'ghost'", ex.Message);
    }

    [Fact]
    public void Build_DependencyOnProfileDisabledService_NamesBothAndTheProfile()
    {
        var loki = new ComposeService { Name = "loki", Profiles = ["observability"], Enabled = false };
        var ex = Assert.Throws<StingException>(() => ServiceGraph.Build(Project(loki, Svc("app", "loki")), RestartOptions.Defaults));

        Assert.Equal(ErrorIds.DisabledDependency, ex.ErrorId);
        Assert.Contains("'app'", ex.Message);
        Assert.Contains("'loki'", ex.Message);
        Assert.Contains("observability", ex.Message);
    }

    [Fact]
    public void Build_OptionalMissingDependency_IsDroppedWithWarning()
    {
        var app = new ComposeService { Name = "app", DependsOn = [new ServiceDependency("ghost", Required: false)] };

        var g = ServiceGraph.Build(Project(app), RestartOptions.Defaults);

        Assert.Empty(g["app"].Dependencies);
        Assert.Contains(g.Warnings, w => w.Contains("ghost"));
    }

    [Fact]
    public void Build_DisabledServices_AreLeftOut_UnlessTheyRun()
    {
        var loki = new ComposeService { Name = "loki", Profiles = ["observability"], Enabled = false };

        Assert.False(ServiceGraph.Build(Project(loki, Svc("app")), RestartOptions.Defaults).Contains("loki"));
        Assert.True(ServiceGraph.Build(Project(loki, Svc("app")), RestartOptions.Defaults, ["loki"]).Contains("loki"));
    }

    [Fact]
    public void Build_ConfigDependsOn_AddsHealthyEdges_AndUnknownConfigServicesWarn()
    {
        var options = new RestartOptions
        {
            Source = "conf/config.yml",
            Services = new Dictionary<string, ServiceRestartOptions>
            {
                ["kratos"] = new() { DependsOn = ["vault", "db"] },
                ["nosuch"] = new() { Critical = true },
            },
        };

        var g = ServiceGraph.Build(Project(Svc("vault"), Svc("db"), Svc("kratos", "db")), options);

        Assert.Equal(["db", "vault"], g["kratos"].Dependencies.Select(d => d.Service).Order().ToArray());
        Assert.All(g["kratos"].Dependencies, d => Assert.Equal(DependencyCondition.ServiceHealthy, d.Condition));
        Assert.Contains(g.Warnings, w => w.Contains("nosuch"));
    }

    [Fact]
    public void Build_ConfigDependsOnUndefined_IsAnError()
    {
        var options = new RestartOptions { Services = new Dictionary<string, ServiceRestartOptions> { ["app"] = new() { DependsOn = ["ghost"] } } };
        var ex = Assert.Throws<StingException>(() => ServiceGraph.Build(Project(Svc("app")), options));
        Assert.Equal(ErrorIds.UndefinedDependency, ex.ErrorId);
    }

    [Fact]
    public void Closures_DependentsAndRestartCascade()
    {
        var worker = new ComposeService { Name = "worker", DependsOn = [new ServiceDependency("app", DependencyCondition.ServiceStarted, Restart: true)] };
        var g = ServiceGraph.Build(Project(Svc("db"), Svc("app", "db"), Svc("frontend", "app"), worker), RestartOptions.Defaults);

        Assert.Equal(["app", "db", "frontend", "worker"], g.WithDependents(["db"]).Order().ToArray());
        Assert.Equal(["app", "worker"], g.WithRestartCascade(["app"]).Order().ToArray());
        Assert.Equal(["db"], g.WithRestartCascade(["db"]).ToArray());
    }

    [Fact]
    public void Build_TwoThousandServices_IsQuickAndLinear()
    {
        var services = Enumerable.Range(0, 2000).Select(i => Svc($"s{i:D4}", i < 100 ? [] : [$"s{i - 100:D4}", $"s{i % 100:D4}"])).ToArray();

        var g = ServiceGraph.Build(Project(services), RestartOptions.Defaults);

        Assert.Equal(19, g["s1999"].Wave);
        Assert.Equal(2000, g.TopologicalOrder.Count);
    }
}
