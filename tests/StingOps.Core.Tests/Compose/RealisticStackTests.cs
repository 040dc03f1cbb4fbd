using StingOps.Core.Compose;

namespace StingOps.Core.Tests.Compose;

/// <summary>A large stack shaped like real-world ones (TestData/compose/realistic-stack) loads without error.</summary>
public class RealisticStackTests
{
    private static ComposeProject Load(params string[] profiles)
    {
        var directory = TestData.Path("compose/realistic-stack");
        var environment = new Dictionary<string, string?> { ["TZ"] = "Europe/Berlin", ["LOG_LEVEL"] = "warning" };
        var request = new ProjectRequest(directory) { Profiles = profiles.Length == 0 ? null : profiles };
        return ComposeLoader.Load(ProjectLocator.Locate(request, environment), environment);
    }

    [Fact]
    public void Loads_every_service_with_both_files_merged()
    {
        var project = Load();
        Assert.Equal("sting-ce", project.Name);
        Assert.Equal(2, project.ComposeFiles.Count);
        Assert.True(project.Services.Count >= 30, $"only {project.Services.Count} services");
        Assert.Equal(project.Services.OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => s.Name), project.Services.Select(s => s.Name));
    }

    [Fact]
    public void Reads_the_details_a_restart_needs()
    {
        var project = Load();
        var app = project.Find("app")!;
        Assert.Equal(["db", "vault", "kratos", "redis"], app.DependsOn.Select(d => d.Service));
        Assert.Equal(DependencyCondition.ServiceHealthy, app.DependsOn[0].Condition);
        Assert.Equal("development", app.Environment["FLASK_ENV"]); // from the override file
        Assert.Equal("warning", app.Environment["LOG_LEVEL"]); // process environment over .env
        Assert.Equal("Europe/Berlin", app.Environment["TZ"]);
        Assert.Equal(TimeSpan.FromSeconds(60), app.HealthCheck!.StartPeriod);
        Assert.Equal(5, app.HealthCheck.Retries);
        Assert.Equal("unless-stopped", app.Restart);
        Assert.True(app.HasBuild);
        Assert.Equal("sting/app:1.4.2", app.Image);
        Assert.Equal(TimeSpan.FromSeconds(30), app.StopGracePeriod);

        var kratos = project.Find("kratos")!;
        Assert.Contains(new ServiceDependency("vault", DependencyCondition.ServiceHealthy, Restart: true), kratos.DependsOn);
        // mailpit is disabled (profiles) but defined: the optional edge stays, marked Required = false.
        Assert.Contains(new ServiceDependency("mailpit", Required: false), kratos.DependsOn);

        var db = project.Find("db")!;
        Assert.Equal(["CMD-SHELL", "pg_isready -U ${POSTGRES_USER:-postgres} -d sting_app"], db.HealthCheck!.Test);
        Assert.Equal(TimeSpan.FromSeconds(90), db.StopGracePeriod);
        Assert.Equal("postgres:16-alpine", db.Image);

        Assert.True(project.Find("llm-gateway")!.HealthCheck!.Disabled);
        Assert.True(project.Find("report-worker")!.HealthCheck!.Disabled);
        Assert.Equal(["CMD", "curl", "-f", "http://localhost:80"], project.Find("frontend")!.HealthCheck!.Test);
        Assert.Contains(project.Find("chatbot")!.DependsOn, d => d.Service == "chroma" && d.Condition == DependencyCondition.ServiceHealthy);
        Assert.Equal("bridge", project.Find("nginx-proxy")!.NetworkMode);
    }

    [Fact]
    public void Extends_inside_the_stack()
    {
        var project = Load();
        var sync = project.Find("profile-sync-worker")!;
        Assert.Equal("sting/app:1.4.2", sync.Image);
        Assert.Equal(["app", "redis"], sync.DependsOn.Select(d => d.Service));
        Assert.Equal("300", sync.Environment["SYNC_INTERVAL"]);
        var beat = project.Find("celery-beat")!;
        Assert.Equal(["rabbitmq", "redis", "db"], beat.DependsOn.Select(d => d.Service));
    }

    [Fact]
    public void Profiles_decide_what_is_enabled()
    {
        var plain = Load();
        Assert.False(plain.Find("grafana")!.Enabled);
        Assert.False(plain.Find("pii-scanner")!.Enabled); // the override file gave it a profile
        Assert.True(plain.Find("nginx-proxy")!.Enabled);
        Assert.True(plain.Find("vault")!.Enabled);

        var observability = Load("observability");
        Assert.True(observability.Find("grafana")!.Enabled);
        Assert.True(observability.Find("alertmanager")!.Enabled);
        Assert.False(observability.Find("flower")!.Enabled);
    }

    [Fact]
    public void Env_files_are_absolute()
    {
        var kratos = Load().Find("kratos")!;
        Assert.All(kratos.EnvFiles, f => Assert.True(Path.IsPathRooted(f.Path)));
        Assert.Equal([true, false], kratos.EnvFiles.Select(f => f.Required));
    }

    [Fact]
    public void Unset_variables_are_reported_by_name_only()
    {
        var project = Load();
        var warning = Assert.Single(project.Warnings);
        Assert.Contains("\"SENTRY_DSN\"", warning);
        Assert.Contains("docker-compose.yml:", warning);
        Assert.Equal("", project.Find("app")!.Environment["SENTRY_DSN"]);
    }
}
