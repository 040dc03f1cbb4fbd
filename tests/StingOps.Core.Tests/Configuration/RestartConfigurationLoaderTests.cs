using StingOps.Core.Configuration;
using StingOps.Core.Tests.Compose;

namespace StingOps.Core.Tests.Configuration;

public class RestartConfigurationLoaderTests
{
    private static readonly Dictionary<string, string?> Home = new() { ["HOME"] = "/home/op" };

    [Fact]
    public void No_path_means_defaults()
    {
        var options = RestartConfigurationLoader.Load(null);
        Assert.Same(RestartOptions.Defaults, options);
        Assert.Equal(TimeSpan.FromSeconds(30), options.DefaultTimeout);
        Assert.Null(options.Source);
    }

    [Fact]
    public void Reads_the_section_from_a_large_real_world_like_file()
    {
        var path = TestData.Path("config/sting-config.yml");
        var options = RestartConfigurationLoader.Load(path, Home);

        Assert.Equal(TimeSpan.FromSeconds(30), options.DefaultTimeout);
        Assert.Equal(3, options.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(5), options.HealthCheckInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), options.DependencyWaitTime);
        Assert.True(options.RollbackEnabled);
        Assert.Equal(TimeSpan.Zero, options.LockTimeout);
        Assert.Equal(new MaintenanceWindowSpec("0 2 * * 0", TimeSpan.FromHours(2)), options.MaintenanceWindow);
        Assert.Equal("/home/op/.local/state/stingops", options.MetricsDirectory);
        Assert.Equal(5, options.MinimumFreeSpaceGB);
        Assert.Equal(TimeSpan.FromMinutes(3), options.Alerts.SlowRestart);
        Assert.Equal(2, options.Alerts.RepeatedFailures);
        Assert.Equal(TimeSpan.FromHours(12), options.Alerts.RepeatedFailuresWindow);

        var vault = options.For("vault");
        Assert.Equal(TimeSpan.FromSeconds(60), vault.Timeout);
        Assert.True(vault.Critical);
        Assert.Equal(new ProbeSpec(ProbeKind.Command, "vault status"), vault.HealthCheck);
        var kratos = options.For("kratos");
        Assert.Equal(["vault", "db"], kratos.DependsOn);
        Assert.Equal(new ProbeSpec(ProbeKind.Http, "https://localhost:4434/admin/health/ready", Insecure: true), kratos.HealthCheck);
        var db = options.For("db");
        Assert.Equal(new ProbeSpec(ProbeKind.Tcp, "127.0.0.1:5432"), db.HealthCheck);
        Assert.Equal(["POSTGRES_PASSWORD", "POSTGRES_USER"], db.RequiredEnvironmentKeys);
        Assert.Equal(new ProbeSpec(ProbeKind.Running), options.For("frontend").HealthCheck);
        Assert.Equal(new ProbeSpec(ProbeKind.Docker), options.For("app").HealthCheck);
        Assert.Equal(TimeSpan.FromSeconds(90), options.TimeoutFor("app"));
        Assert.Same(ServiceRestartOptions.Empty, options.For("redis"));
        Assert.Equal(TimeSpan.FromSeconds(30), options.TimeoutFor("unconfigured"));

        Assert.Empty(options.Warnings);
        Assert.StartsWith(path + ":", options.Source);
    }

    [Fact]
    public void A_file_without_the_section_gives_defaults()
    {
        using var file = new ConfigFile("application:\n  name: x\n");
        var options = RestartConfigurationLoader.Load(file.Path);
        Assert.Equal(3, options.MaxRetries);
        Assert.Null(options.Source);
        // STING's own config.yml may lack the section: the check must not call that "no config.yml".
        Assert.Equal(Path.GetFullPath(file.Path), options.FileWithoutSection);
        var result = Assert.Single(StingOps.Core.Preflight.PrerequisiteChecker.ConfigurationResults(options));
        Assert.Equal(Path.GetFullPath(file.Path), result.Target);
        Assert.Contains("has no restart_configuration: section", result.Message);
        Assert.DoesNotContain("no config.yml", result.Message);
    }

    [Fact]
    public void An_empty_section_gives_defaults_with_its_source()
    {
        using var file = new ConfigFile("other: 1\nrestart_configuration:\n");
        var options = RestartConfigurationLoader.Load(file.Path);
        Assert.Equal(3, options.MaxRetries);
        Assert.Equal($"{file.Path}:2", options.Source);
    }

    [Fact]
    public void An_empty_file_gives_defaults()
    {
        using var file = new ConfigFile("");
        Assert.Equal(30, RestartConfigurationLoader.Load(file.Path).DefaultTimeout.TotalSeconds);
    }

    [Fact]
    public void Unknown_keys_are_warnings_with_file_and_line()
    {
        using var file = new ConfigFile("""
            restart_configuration:
              default_timeout: 20
              parallelism: 4
              alerts: {slow_restart: 1m, page_oncall: true}
              service_specific:
                vault: {timeout: 10, retries: 9}
            """);
        var options = RestartConfigurationLoader.Load(file.Path);
        Assert.Equal(TimeSpan.FromSeconds(20), options.DefaultTimeout);
        Assert.Equal(3, options.Warnings.Count);
        Assert.Contains(options.Warnings, w => w.Contains($"{file.Path}:3") && w.Contains("restart_configuration.parallelism"));
        Assert.Contains(options.Warnings, w => w.Contains($"{file.Path}:4") && w.Contains("restart_configuration.alerts.page_oncall"));
        Assert.Contains(options.Warnings, w => w.Contains($"{file.Path}:6") && w.Contains("restart_configuration.service_specific.vault.retries"));
    }

    [Fact]
    public void A_duplicate_key_in_the_section_is_a_warning_and_the_last_wins()
    {
        using var file = new ConfigFile("restart_configuration:\n  max_retries: 1\n  max_retries: 5\n");
        var options = RestartConfigurationLoader.Load(file.Path);
        Assert.Equal(5, options.MaxRetries);
        Assert.Contains(options.Warnings, w => w.Contains($"{file.Path}:3") && w.Contains("max_retries"));
    }

    [Theory]
    [InlineData("default_timeout: 45", 45)]
    [InlineData("default_timeout: 45s", 45)]
    [InlineData("default_timeout: 2m", 120)]
    [InlineData("default_timeout: \"1m30s\"", 90)]
    [InlineData("default_timeout: 1.5", 1.5)]
    public void Timeouts_are_seconds_or_durations(string line, double seconds)
    {
        using var file = new ConfigFile($"restart_configuration:\n  {line}\n");
        Assert.Equal(TimeSpan.FromSeconds(seconds), RestartConfigurationLoader.Load(file.Path).DefaultTimeout);
    }

    [Theory]
    [InlineData("rollback_enabled: false", false)]
    [InlineData("rollback_enabled: no", false)]
    [InlineData("rollback_enabled: True", true)]
    [InlineData("rollback_enabled: \"on\"", true)]
    public void Booleans_accept_the_usual_spellings(string line, bool expected)
    {
        using var file = new ConfigFile($"restart_configuration:\n  {line}\n");
        Assert.Equal(expected, RestartConfigurationLoader.Load(file.Path).RollbackEnabled);
    }

    [Fact]
    public void Maintenance_window_as_a_string_with_an_optional_time_zone()
    {
        using var file = new ConfigFile("restart_configuration:\n  maintenance_window: \"30 3 * * 1-5;90m;UTC\"\n");
        Assert.Equal(new MaintenanceWindowSpec("30 3 * * 1-5", TimeSpan.FromMinutes(90), "UTC"),
            RestartConfigurationLoader.Load(file.Path).MaintenanceWindow);
    }

    [Fact]
    public void Maintenance_window_mapping_with_time_zone()
    {
        using var file = new ConfigFile("restart_configuration:\n  maintenance_window:\n    cron: \"0 2 * * 0\"\n    duration: 2h\n    time_zone: Europe/Berlin\n");
        Assert.Equal("Europe/Berlin", RestartConfigurationLoader.Load(file.Path).MaintenanceWindow!.TimeZone);
    }

    [Fact]
    public void Metrics_dir_relative_to_the_config_file()
    {
        using var file = new ConfigFile("restart_configuration:\n  metrics_dir: state/metrics\n");
        Assert.Equal(Path.Combine(file.Directory, "state", "metrics"), RestartConfigurationLoader.Load(file.Path).MetricsDirectory);
    }

    [Theory]
    [InlineData("health_check: \"curl -fsS http://localhost:8080/health\"", ProbeKind.Command, "curl -fsS http://localhost:8080/health")]
    [InlineData("health_check: RUNNING", ProbeKind.Running, null)]
    [InlineData("health_check: {command: \"pg_isready\"}", ProbeKind.Command, "pg_isready")]
    [InlineData("health_check: {http: \"http://127.0.0.1:8200/v1/sys/health\"}", ProbeKind.Http, "http://127.0.0.1:8200/v1/sys/health")]
    [InlineData("health_check: {tcp: \"[::1]:6379\"}", ProbeKind.Tcp, "[::1]:6379")]
    [InlineData("health_check: \"5\"", ProbeKind.Command, "5")]
    public void Health_check_forms(string line, ProbeKind kind, string? target)
    {
        using var file = new ConfigFile($"restart_configuration:\n  service_specific:\n    svc:\n      {line}\n");
        var probe = RestartConfigurationLoader.Load(file.Path).For("svc").HealthCheck!;
        Assert.Equal(kind, probe.Kind);
        Assert.Equal(target, probe.Target);
    }

    [Fact]
    public void Depends_on_and_required_env_accept_a_single_string()
    {
        using var file = new ConfigFile("restart_configuration:\n  service_specific:\n    app: {depends_on: db, required_env: SECRET}\n");
        var app = RestartConfigurationLoader.Load(file.Path).For("app");
        Assert.Equal(["db"], app.DependsOn);
        Assert.Equal(["SECRET"], app.RequiredEnvironmentKeys);
    }

    [Fact]
    public void Anchors_inside_the_section_work()
    {
        using var file = new ConfigFile("""
            x-probe: &probe {tcp: "127.0.0.1:1"}
            restart_configuration:
              service_specific:
                base: &base {timeout: 12, critical: true}
                a: {<<: *base, health_check: *probe}
            """);
        var a = RestartConfigurationLoader.Load(file.Path).For("a");
        Assert.Equal(TimeSpan.FromSeconds(12), a.Timeout);
        Assert.True(a.Critical);
        Assert.Equal(ProbeKind.Tcp, a.HealthCheck!.Kind);
    }

    [Fact]
    public void A_repeated_section_is_a_warning_and_the_last_one_counts()
    {
        using var file = new ConfigFile("restart_configuration:\n  max_retries: 1\nother: x\nrestart_configuration:\n  max_retries: 7\n");
        var options = RestartConfigurationLoader.Load(file.Path);
        Assert.Equal(7, options.MaxRetries);
        Assert.Contains(options.Warnings, w => w.StartsWith($"{file.Path}:4:") && w.Contains("more than once"));
    }
}
