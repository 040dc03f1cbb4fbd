using StingOps.Core.Common;
using StingOps.Core.Compose.Yaml;

namespace StingOps.Core.Configuration;

/// <summary>
/// Reads the <c>restart_configuration:</c> section of a config.yml (docs/configuration.md).
/// The rest of the file is parsed tolerantly and never interpreted: duplicate keys, aliases to unknown anchors or
/// odd tags elsewhere do not matter, only this section is checked.
/// </summary>
public static class RestartConfigurationLoader
{
    public const string SectionName = "restart_configuration";

    private static readonly HashSet<string> SectionKeys =
    [
        "default_timeout", "max_retries", "health_check_interval", "dependency_wait_time", "rollback_enabled",
        "lock_timeout", "maintenance_window", "metrics_dir", "minimum_free_space_gb", "minimum_available_memory_mb", "alerts", "service_specific",
        "before_restart", "before_restart_timeout",
    ];

    private static readonly HashSet<string> AlertKeys = ["slow_restart", "repeated_failures", "repeated_failures_window"];

    private static readonly HashSet<string> ServiceKeys = ["timeout", "critical", "health_check", "depends_on", "required_env"];

    /// <param name="path">The config file; null means built-in defaults.</param>
    /// <param name="environment">For <c>~</c> in metrics_dir (HOME/USERPROFILE); null: the process's home directory.</param>
    /// <exception cref="StingException">
    /// <c>StingConfigFileNotFound</c> when <paramref name="path"/> does not exist; <c>StingRestartConfigurationInvalid</c>
    /// naming file:line:column and the key path.
    /// </exception>
    public static RestartOptions Load(string? path, IReadOnlyDictionary<string, string?>? environment = null)
    {
        if (path is null) return RestartOptions.Defaults;
        path = Path.GetFullPath(path);
        if (!File.Exists(path))
            throw new StingException(ErrorIds.ConfigFileNotFound, StingErrorKind.ObjectNotFound,
                $"Restart configuration file {path} does not exist.", target: path);

        IReadOnlyList<YamlDocumentTree> documents;
        try
        {
            documents = YamlTreeReader.ReadFile(path, YamlReadMode.Tolerant);
        }
        catch (YamlTreeException ex)
        {
            throw new StingException(ErrorIds.RestartConfigurationInvalid, StingErrorKind.InvalidData,
                $"{ex.Mark}: {ex.Problem}", ex, path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StingException(ErrorIds.RestartConfigurationInvalid, StingErrorKind.InvalidData,
                $"{path}: cannot be read: {ex.Message}", ex, path);
        }

        var warnings = new List<string>();
        YEntry? section = null;
        foreach (var document in documents)
        {
            if (document.Root is not YMapping root || !root.TryGet(SectionName, out var found)) continue;
            section = found;
            foreach (var duplicate in root.DuplicateKeys.Where(k => k.Value == SectionName))
                warnings.Add($"{duplicate.Mark.FileAndLine}: {SectionName} is given more than once; the last one is used");
        }
        if (section is null) return new RestartOptions { FileWithoutSection = path, Warnings = warnings };

        var fields = new ConfigFields(warnings);
        var source = section.Value.Key.Mark.FileAndLine;
        var body = fields.Mapping(section.Value.Value, SectionName, SectionKeys);
        if (body is null) return new RestartOptions { Source = source, Warnings = warnings };

        var defaults = RestartOptions.Defaults;
        var alerts = fields.Mapping(body.Get("alerts"), $"{SectionName}.alerts", AlertKeys);
        return new RestartOptions
        {
            DefaultTimeout = ConfigFields.Duration(body.Get("default_timeout"), $"{SectionName}.default_timeout", allowZero: false) ?? defaults.DefaultTimeout,
            MaxRetries = ConfigFields.Int(body.Get("max_retries"), $"{SectionName}.max_retries", minimum: 0) ?? defaults.MaxRetries,
            HealthCheckInterval = ConfigFields.Duration(body.Get("health_check_interval"), $"{SectionName}.health_check_interval", allowZero: false) ?? defaults.HealthCheckInterval,
            DependencyWaitTime = ConfigFields.Duration(body.Get("dependency_wait_time"), $"{SectionName}.dependency_wait_time", allowZero: true) ?? defaults.DependencyWaitTime,
            RollbackEnabled = ConfigFields.Bool(body.Get("rollback_enabled"), $"{SectionName}.rollback_enabled") ?? defaults.RollbackEnabled,
            LockTimeout = ConfigFields.Duration(body.Get("lock_timeout"), $"{SectionName}.lock_timeout", allowZero: true) ?? defaults.LockTimeout,
            MaintenanceWindow = MaintenanceWindowReader.Read(body.Get("maintenance_window"), $"{SectionName}.maintenance_window", fields),
            BeforeRestart = ConfigFields.String(body.Get("before_restart"), $"{SectionName}.before_restart"),
            BeforeRestartTimeout = ConfigFields.Duration(body.Get("before_restart_timeout"), $"{SectionName}.before_restart_timeout", allowZero: false) ?? defaults.BeforeRestartTimeout,
            MetricsDirectory = ReadDirectory(body.Get("metrics_dir"), $"{SectionName}.metrics_dir", path, environment),
            MinimumFreeSpaceGB = ConfigFields.Double(body.Get("minimum_free_space_gb"), $"{SectionName}.minimum_free_space_gb", minimum: 0),
            MinimumAvailableMemoryMB = ConfigFields.Double(body.Get("minimum_available_memory_mb"), $"{SectionName}.minimum_available_memory_mb", minimum: 0),
            Alerts = alerts is null ? defaults.Alerts : ReadAlerts(alerts, $"{SectionName}.alerts"),
            Services = ReadServices(body.Get("service_specific"), $"{SectionName}.service_specific", fields),
            Source = source,
            Warnings = warnings,
        };
    }

    private static AlertThresholds ReadAlerts(YMapping alerts, string keyPath)
    {
        var defaults = new AlertThresholds();
        return new AlertThresholds
        {
            SlowRestart = ConfigFields.Duration(alerts.Get("slow_restart"), $"{keyPath}.slow_restart", allowZero: false) ?? defaults.SlowRestart,
            RepeatedFailures = ConfigFields.Int(alerts.Get("repeated_failures"), $"{keyPath}.repeated_failures", minimum: 1) ?? defaults.RepeatedFailures,
            RepeatedFailuresWindow = ConfigFields.Duration(alerts.Get("repeated_failures_window"), $"{keyPath}.repeated_failures_window", allowZero: false) ?? defaults.RepeatedFailuresWindow,
        };
    }

    private static IReadOnlyDictionary<string, ServiceRestartOptions> ReadServices(YNode? node, string keyPath, ConfigFields fields)
    {
        var result = new Dictionary<string, ServiceRestartOptions>(StringComparer.Ordinal);
        var services = fields.Mapping(node, keyPath, known: null);
        if (services is null) return result;
        foreach (var entry in services.Entries)
        {
            var servicePath = $"{keyPath}.{entry.Name}";
            if (entry.Name.Trim().Length == 0) throw ConfigFields.Invalid(entry.Key, servicePath, "empty service name");
            var body = fields.Mapping(entry.Value, servicePath, ServiceKeys);
            result[entry.Name] = body is null ? ServiceRestartOptions.Empty : new ServiceRestartOptions
            {
                Timeout = ConfigFields.Duration(body.Get("timeout"), $"{servicePath}.timeout", allowZero: false),
                Critical = ConfigFields.Bool(body.Get("critical"), $"{servicePath}.critical") ?? false,
                HealthCheck = ProbeSpecReader.Read(body.Get("health_check"), $"{servicePath}.health_check"),
                DependsOn = ConfigFields.StringList(body.Get("depends_on"), $"{servicePath}.depends_on"),
                RequiredEnvironmentKeys = ConfigFields.StringList(body.Get("required_env"), $"{servicePath}.required_env"),
            };
        }
        return result;
    }

    /// <summary>A leading <c>~</c> is the user's home; a relative path is relative to the config file's directory.</summary>
    private static string? ReadDirectory(YNode? node, string keyPath, string configPath, IReadOnlyDictionary<string, string?>? environment)
    {
        var text = ConfigFields.String(node, keyPath);
        if (text is null) return null;
        if (text == "~" || text.StartsWith("~/", StringComparison.Ordinal) || text.StartsWith("~\\", StringComparison.Ordinal))
            text = Path.Join(HomeDirectory(environment), text.Length > 2 ? text[2..] : "");
        return Path.GetFullPath(text, Path.GetDirectoryName(configPath)!);
    }

    private static string HomeDirectory(IReadOnlyDictionary<string, string?>? environment)
    {
        if (environment is not null)
            foreach (var name in new[] { "HOME", "USERPROFILE" })
                if (environment.TryGetValue(name, out var home) && !string.IsNullOrEmpty(home))
                    return home;
        return Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
    }
}
