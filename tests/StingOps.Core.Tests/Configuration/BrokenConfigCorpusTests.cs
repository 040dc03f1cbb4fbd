using StingOps.Core.Common;
using StingOps.Core.Configuration;
using StingOps.Core.Tests.Compose;

namespace StingOps.Core.Tests.Configuration;

/// <summary>
/// Broken restart configurations: each must fail with StingRestartConfigurationInvalid naming config.yml:line:column
/// and the key path.
/// </summary>
public class BrokenConfigCorpusTests
{
    public sealed record Case(string Name, string Yaml, params string[] Mentions)
    {
        public override string ToString() => Name;
    }

    private const string Section = "restart_configuration:\n";
    private const string Services = "restart_configuration:\n  service_specific:\n";
    private const string Rc = "restart_configuration";
    private const string Ss = "restart_configuration.service_specific";

    public static TheoryData<Case> Cases => new()
    {
        new("section is a list", "restart_configuration: [1, 2]\n", "config.yml:1:24", Rc, "mapping"),
        new("section is a string", "restart_configuration: fast\n", "config.yml:1:24", Rc),
        new("timeout not a number", Section + "  default_timeout: abc\n", "config.yml:2:20", $"{Rc}.default_timeout", "'abc'"),
        new("timeout negative", Section + "  default_timeout: -5\n", "config.yml:2:20", $"{Rc}.default_timeout"),
        new("timeout zero", Section + "  default_timeout: 0\n", "config.yml:2:20", $"{Rc}.default_timeout", "positive"),
        new("timeout a list", Section + "  default_timeout: [30]\n", "config.yml:2:20", $"{Rc}.default_timeout", "a list"),
        new("max_retries negative", Section + "  max_retries: -1\n", "config.yml:2:16", $"{Rc}.max_retries", "'-1'"),
        new("max_retries fractional", Section + "  max_retries: 2.5\n", "config.yml:2:16", $"{Rc}.max_retries"),
        new("rollback_enabled maybe", Section + "  rollback_enabled: maybe\n", "config.yml:2:21", $"{Rc}.rollback_enabled", "true or false"),
        new("interval bad unit", Section + "  health_check_interval: 5 parsecs\n", "config.yml:2:26", $"{Rc}.health_check_interval"),
        new("lock_timeout a mapping", Section + "  lock_timeout: {s: 1}\n", "config.yml:2:17", $"{Rc}.lock_timeout"),
        new("free space not a number", Section + "  minimum_free_space_gb: lots\n", "config.yml:2:26", $"{Rc}.minimum_free_space_gb"),
        new("free space negative", Section + "  minimum_free_space_gb: -1\n", "config.yml:2:26", $"{Rc}.minimum_free_space_gb"),
        new("memory not a number", Section + "  minimum_available_memory_mb: plenty\n", "config.yml:2:32", $"{Rc}.minimum_available_memory_mb"),
        new("metrics_dir a list", Section + "  metrics_dir: [a]\n", "config.yml:2:16", $"{Rc}.metrics_dir"),
        new("alerts not a mapping", Section + "  alerts: loud\n", "config.yml:2:11", $"{Rc}.alerts"),
        new("repeated_failures zero", Section + "  alerts:\n    repeated_failures: 0\n", "config.yml:3:24", $"{Rc}.alerts.repeated_failures"),
        new("slow_restart word", Section + "  alerts:\n    slow_restart: fast\n", "config.yml:3:19", $"{Rc}.alerts.slow_restart", "'fast'"),
        new("window bad cron", Section + "  maintenance_window: {cron: \"every sunday\", duration: 2h}\n", "config.yml:2:",
            $"{Rc}.maintenance_window.cron", "cron"),
        new("window missing duration", Section + "  maintenance_window: {cron: \"0 2 * * 0\"}\n", "config.yml:2:23", $"{Rc}.maintenance_window.duration", "missing"),
        new("window string without duration", Section + "  maintenance_window: \"0 2 * * 0\"\n", "config.yml:2:23", $"{Rc}.maintenance_window"),
        new("window bad duration", Section + "  maintenance_window: \"0 2 * * 0;forever\"\n", "config.yml:2:23", $"{Rc}.maintenance_window.duration", "'forever'"),
        new("window unknown zone", Section + "  maintenance_window: {cron: \"0 2 * * 0\", duration: 1h, time_zone: Mars/Olympus_Mons}\n", "config.yml:2:",
            $"{Rc}.maintenance_window.time_zone", "Mars/Olympus_Mons"),
        new("service_specific a list", Section + "  service_specific: [vault]\n", "config.yml:2:21", Ss, "mapping"),
        new("service entry a string", Services + "    vault: fast\n", "config.yml:3:12", $"{Ss}.vault", "mapping"),
        new("service timeout abc", Services + "    vault: {timeout: \"abc\"}\n", "config.yml:3:22", $"{Ss}.vault.timeout", "'abc'"),
        new("service critical maybe", Services + "    vault:\n      critical: \"maybe\"\n", "config.yml:4:17", $"{Ss}.vault.critical", "'maybe'"),
        new("health_check a number", Services + "    vault:\n      health_check: 5\n", "config.yml:4:21", $"{Ss}.vault.health_check", "'5'"),
        new("health_check a boolean", Services + "    vault:\n      health_check: true\n", "config.yml:4:21", $"{Ss}.vault.health_check"),
        new("health_check a list", Services + "    vault:\n      health_check: [curl, x]\n", "config.yml:4:21", $"{Ss}.vault.health_check", "a list"),
        new("health_check empty string", Services + "    vault:\n      health_check: \"\"\n", "config.yml:4:21", $"{Ss}.vault.health_check"),
        new("unknown probe key", Services + "    vault:\n      health_check: {grpc: \"localhost:9090\"}\n", "config.yml:4:22", $"{Ss}.vault.health_check.grpc", "unknown probe"),
        new("two probe kinds", Services + "    vault:\n      health_check: {http: \"http://x/\", tcp: \"x:1\"}\n", "config.yml:4:21", $"{Ss}.vault.health_check", "exactly one"),
        new("probe mapping empty", Services + "    vault:\n      health_check: {insecure: true}\n", "config.yml:4:21", $"{Ss}.vault.health_check", "needs one of"),
        new("http not a url", Services + "    kratos:\n      health_check: {http: \"localhost:4434/health\"}\n", "config.yml:4:28", $"{Ss}.kratos.health_check.http", "URL"),
        new("http with ftp scheme", Services + "    kratos:\n      health_check: {http: \"ftp://host/x\"}\n", "config.yml:4:28", $"{Ss}.kratos.health_check.http"),
        new("tcp without port", Services + "    db:\n      health_check: {tcp: \"localhost\"}\n", "config.yml:4:27", $"{Ss}.db.health_check.tcp", "host:port"),
        new("tcp port out of range", Services + "    db:\n      health_check: {tcp: \"localhost:70000\"}\n", "config.yml:4:27", $"{Ss}.db.health_check.tcp"),
        new("insecure on tcp", Services + "    db:\n      health_check: {tcp: \"h:1\", insecure: true}\n", "config.yml:4:", $"{Ss}.db.health_check.insecure"),
        new("insecure not a boolean", Services + "    k:\n      health_check: {http: \"https://h/\", insecure: sure}\n", "config.yml:4:", $"{Ss}.k.health_check.insecure", "'sure'"),
        new("depends_on a mapping", Services + "    app:\n      depends_on: {db: healthy}\n", "config.yml:4:19", $"{Ss}.app.depends_on"),
        new("depends_on nested list", Services + "    app:\n      depends_on: [[db]]\n", "config.yml:4:20", $"{Ss}.app.depends_on[0]"),
        new("required_env with null", Services + "    app:\n      required_env: [A, null]\n", "config.yml:4:", $"{Ss}.app.required_env[1]"),
        new("alias to unknown anchor in section", Section + "  default_timeout: *missing\n", "config.yml:2:20", $"{Rc}.default_timeout", "*missing"),
        new("yaml syntax error", "a: 1\nrestart_configuration:\n  default_timeout: [30\n", "config.yml:"),
        new("timeout from a custom tag", Services + "    vault: {timeout: !secret abc}\n", "config.yml:3:", $"{Ss}.vault.timeout"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fails_with_id_and_names_file_line_and_key(Case broken)
    {
        using var file = new ConfigFile(broken.Yaml);
        StingAssert.Fails(() => RestartConfigurationLoader.Load(file.Path), ErrorIds.RestartConfigurationInvalid, broken.Mentions);
    }

    [Fact]
    public void An_explicit_path_that_does_not_exist_is_not_found()
    {
        var path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "config.yml");
        StingAssert.Fails(() => RestartConfigurationLoader.Load(path), ErrorIds.ConfigFileNotFound, path);
    }

    [Fact]
    public void The_corpus_is_large_enough()
    {
        Assert.True(Cases.Count >= 25);
    }
}
