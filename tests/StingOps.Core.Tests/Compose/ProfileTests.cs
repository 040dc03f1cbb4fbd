using StingOps.Core.Compose;

namespace StingOps.Core.Tests.Compose;

public class ProfileTests
{
    private const string Yaml = """
        services:
          app: {image: a}
          grafana: {image: g, profiles: [observability]}
          debug-tools: {image: d, profiles: [debug, tools]}
        """;

    private static ComposeProject Load(TempProject p, params string[] profiles)
    {
        p.Write("compose.yaml", Yaml);
        return p.Load(p.Request() with { Profiles = profiles.Length == 0 ? null : profiles });
    }

    [Fact]
    public void Services_without_profiles_are_always_enabled()
    {
        using var p = new TempProject();
        var project = Load(p);
        Assert.True(project.Find("app")!.Enabled);
        Assert.False(project.Find("grafana")!.Enabled);
        Assert.False(project.Find("debug-tools")!.Enabled);
        Assert.Empty(project.ActiveProfiles);
    }

    [Fact]
    public void An_active_profile_enables_its_services()
    {
        using var p = new TempProject();
        var project = Load(p, "observability");
        Assert.True(project.Find("grafana")!.Enabled);
        Assert.False(project.Find("debug-tools")!.Enabled);
        Assert.Equal(["observability"], project.ActiveProfiles);
    }

    [Fact]
    public void Any_one_of_several_profiles_is_enough()
    {
        using var p = new TempProject();
        Assert.True(Load(p, "tools").Find("debug-tools")!.Enabled);
    }

    [Fact]
    public void Star_enables_every_profile()
    {
        using var p = new TempProject();
        Assert.All(Load(p, "*").Services, s => Assert.True(s.Enabled));
    }

    [Fact]
    public void COMPOSE_PROFILES_activates_profiles()
    {
        using var p = new TempProject();
        p.Environment["COMPOSE_PROFILES"] = "debug,observability";
        var project = Load(p);
        Assert.All(project.Services, s => Assert.True(s.Enabled));
    }

    [Fact]
    public void Disabled_services_are_still_listed_with_their_profiles()
    {
        using var p = new TempProject();
        var grafana = Load(p).Find("grafana")!;
        Assert.Equal(["observability"], grafana.Profiles);
    }

    [Fact]
    public void A_disabled_service_may_depend_on_something_undefined()
    {
        using var p = new TempProject();
        var project = p.LoadYaml("services:\n  app: {image: a}\n  x: {image: x, profiles: [p], depends_on: [ghost]}\n");
        Assert.Empty(project.Find("x")!.DependsOn);
        Assert.Contains(project.Warnings, w => w.Contains("ghost"));
    }

    [Fact]
    public void Profiles_may_be_interpolated()
    {
        using var p = new TempProject();
        p.Environment["PROFILE"] = "ops";
        var project = p.LoadYaml("services:\n  x: {image: x, profiles: [\"${PROFILE}\"]}\n");
        Assert.Equal(["ops"], project.Find("x")!.Profiles);
    }
}
