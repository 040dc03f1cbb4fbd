namespace StingOps.Core.Tests.Compose;

public class ComposeLoaderSmokeTests
{
    [Fact]
    public void Loads_a_small_project()
    {
        using var p = new TempProject("My_App");
        var project = p.LoadYaml("""
            services:
              web:
                image: nginx
                depends_on: [db]
              db:
                image: postgres
                healthcheck:
                  test: pg_isready
                  interval: 5s
            """);
        Assert.Equal("my_app", project.Name);
        Assert.Equal(["db", "web"], project.Services.Select(s => s.Name));
        var web = project.Find("web")!;
        Assert.Equal("db", Assert.Single(web.DependsOn).Service);
        Assert.Equal(["CMD-SHELL", "pg_isready"], project.Find("db")!.HealthCheck!.Test);
        Assert.Equal(TimeSpan.FromSeconds(5), project.Find("db")!.HealthCheck!.Interval);
        Assert.EndsWith("compose.yaml:2", web.Source);
    }
}
