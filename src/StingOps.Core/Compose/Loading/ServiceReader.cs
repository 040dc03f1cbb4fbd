using System.Text.RegularExpressions;
using StingOps.Core.Compose.Yaml;

namespace StingOps.Core.Compose.Loading;

/// <summary>
/// Reads one merged service definition into a <see cref="ComposeService"/>: only the keys a restart needs; every
/// other key is accepted and ignored. Shapes compose would reject in the keys we read are errors naming
/// file:line:column and the service.
/// </summary>
internal sealed partial class ServiceReader
{
    private readonly string _projectDirectory;
    private readonly IReadOnlySet<string> _activeProfiles;
    private readonly IReadOnlySet<string> _definedServices;
    private readonly LoadSession _session;

    public ServiceReader(string projectDirectory, IReadOnlySet<string> activeProfiles, IReadOnlySet<string> definedServices, LoadSession session)
    {
        _projectDirectory = projectDirectory;
        _activeProfiles = activeProfiles;
        _definedServices = definedServices;
        _session = session;
    }

    [GeneratedRegex("^[a-zA-Z0-9._-]+$")]
    private static partial Regex ServiceName();

    public ComposeService Read(YEntry definition)
    {
        var name = definition.Name;
        if (!ServiceName().IsMatch(name))
            throw ComposeErrors.Invalid(definition.Key.Mark,
                $"invalid service name \"{name}\": use only letters, digits, '.', '_' and '-'");
        if (definition.Value is not YMapping body)
            throw ComposeErrors.Invalid(definition.Value.Mark, $"the service definition must be a mapping, not {definition.Value.KindName}", name);

        var fields = new Fields(name, body);
        var profiles = ReadProfiles(fields);
        var enabled = profiles.Count == 0 || _activeProfiles.Contains("*") || profiles.Any(_activeProfiles.Contains);
        var image = fields.String("image");
        var hasBuild = ReadHasBuild(fields);
        if (enabled && image is null && !hasBuild)
            _session.Warn($"{definition.Key.Mark.FileAndLine}: service \"{name}\" has neither an image nor a build context");

        return new ComposeService
        {
            Name = name,
            DependsOn = ReadDependsOn(fields, enabled),
            Profiles = profiles,
            Enabled = enabled,
            HealthCheck = ReadHealthCheck(fields),
            EnvFiles = ReadEnvFiles(fields),
            Environment = ReadKeyValues(fields, "environment"),
            Labels = ReadKeyValues(fields, "labels"),
            ContainerName = fields.String("container_name"),
            Image = image,
            HasBuild = hasBuild,
            StopGracePeriod = fields.Duration(body.Get("stop_grace_period"), "stop_grace_period"),
            StopSignal = fields.String("stop_signal"),
            Replicas = ReadReplicas(fields),
            Restart = fields.String("restart"),
            NetworkMode = fields.String("network_mode"),
            Source = definition.Key.Mark.FileAndLine,
        };
    }

    private static IReadOnlyList<string> ReadProfiles(Fields fields)
    {
        var node = fields.Body.Get("profiles");
        var names = node switch
        {
            null or YScalar { IsNull: true } => [],
            YScalar single => [single],
            YSequence list => list.Items.Select(i => fields.NonEmptyString(i, "profiles")).ToList(),
            _ => throw fields.Invalid(node, "profiles must be a list of profile names"),
        };
        return names.Select(n => n.Value).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary><c>scale</c> wins over <c>deploy.replicas</c> (compose requires them to agree when both are set).</summary>
    private static int? ReadReplicas(Fields fields)
    {
        var node = fields.Body.Get("scale");
        var path = "scale";
        if (node is null or YScalar { IsNull: true })
        {
            node = (fields.Body.Get("deploy") as YMapping)?.Get("replicas");
            path = "deploy.replicas";
        }
        if (node is null or YScalar { IsNull: true }) return null;
        if (node is YScalar s && YamlValues.TryParseInt(s.Value, out var count) && count >= 0) return count;
        throw fields.Invalid(node, $"{path} must be a whole number of 0 or more" + (node is YScalar bad ? $", got {YamlValues.Quote(bad.Value)}" : ""));
    }

    private static bool ReadHasBuild(Fields fields) => fields.Body.Get("build") switch
    {
        null or YScalar { IsNull: true } => false,
        YScalar or YMapping => true,
        var other => throw fields.Invalid(other, "build must be a path or a mapping"),
    };

    private IReadOnlyList<ServiceDependency> ReadDependsOn(Fields fields, bool enabled)
    {
        var node = fields.Body.Get("depends_on");
        var found = new List<(ServiceDependency Dependency, SourceMark Mark)>();
        switch (node)
        {
            case null or YScalar { IsNull: true }:
                break;
            case YSequence list:
                foreach (var item in list.Items)
                {
                    var target = fields.NonEmptyString(item, "depends_on", "a service name");
                    found.Add((new ServiceDependency(target.Value), target.Mark));
                }
                break;
            case YMapping map:
                foreach (var entry in map.Entries)
                    found.Add((ReadLongDependency(fields, entry), entry.Key.Mark));
                break;
            default:
                throw fields.Invalid(node, "depends_on must be a list of service names or a mapping of service names to options");
        }

        AddImplicitDependencies(fields, found);

        var result = new List<ServiceDependency>(found.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (dependency, mark) in found)
        {
            if (!seen.Add(dependency.Service)) continue;
            if (_definedServices.Contains(dependency.Service))
            {
                result.Add(dependency);
                continue;
            }
            var problem = $"service \"{fields.Service}\" depends on undefined service \"{dependency.Service}\"";
            if (!dependency.Required)
                _session.Warn($"{mark.FileAndLine}: {problem} (required: false, ignored)");
            else if (!enabled)
                _session.Warn($"{mark.FileAndLine}: {problem} (the service is disabled by its profiles, ignored)");
            else
                throw new StingException(ErrorIds.UndefinedDependency, StingErrorKind.ObjectNotFound,
                    $"{mark}: {problem}", target: dependency.Service);
        }
        return result;
    }

    private static readonly string[] SharedNamespaces = ["network_mode", "ipc", "pid", "uts", "cgroup"];

    /// <summary>
    /// The edges compose adds on its own (compose-go <c>Normalize</c>): <c>links</c>, <c>volumes_from</c> and
    /// <c>network_mode</c>/<c>ipc</c>/<c>pid</c>/<c>uts</c>/<c>cgroup</c> set to <c>service:NAME</c> make a service
    /// depend on NAME (started; restart too except for volumes_from), unless depends_on already names it.
    /// </summary>
    private static void AddImplicitDependencies(Fields fields, List<(ServiceDependency Dependency, SourceMark Mark)> found)
    {
        void Add(YScalar at, string service, bool restart)
        {
            if (service.Length == 0 || found.Any(f => f.Dependency.Service == service)) return;
            found.Add((new ServiceDependency(service, DependencyCondition.ServiceStarted, restart), at.Mark));
        }

        if (fields.Body.Get("links") is YSequence links)
            foreach (var link in links.Items.OfType<YScalar>().Where(l => !l.IsNull))
                Add(link, link.Value.Split(':')[0], restart: true);

        foreach (var key in SharedNamespaces)
            if (fields.Body.Get(key) is YScalar { IsNull: false } mode && mode.Value.StartsWith("service:", StringComparison.Ordinal))
                Add(mode, mode.Value["service:".Length..], restart: true);

        if (fields.Body.Get("volumes_from") is YSequence volumesFrom)
            foreach (var source in volumesFrom.Items.OfType<YScalar>().Where(v => !v.IsNull))
                if (!source.Value.StartsWith("container:", StringComparison.Ordinal))
                    Add(source, source.Value.Split(':')[0], restart: false);
    }

    private static ServiceDependency ReadLongDependency(Fields fields, YEntry entry)
    {
        var path = $"depends_on.{entry.Name}";
        if (entry.Name.Length == 0) throw fields.Invalid(entry.Key, "depends_on names an empty service");
        if (entry.Value is YScalar { IsNull: true }) return new ServiceDependency(entry.Name);
        if (entry.Value is not YMapping options)
            throw fields.Invalid(entry.Value, $"{path} must be a mapping (condition, restart, required)");

        var condition = DependencyCondition.ServiceStarted;
        if (options.Get("condition") is { } conditionNode and not YScalar { IsNull: true })
        {
            condition = (conditionNode as YScalar)?.Value switch
            {
                "service_started" => DependencyCondition.ServiceStarted,
                "service_healthy" => DependencyCondition.ServiceHealthy,
                "service_completed_successfully" => DependencyCondition.ServiceCompletedSuccessfully,
                _ => throw fields.Invalid(conditionNode,
                    $"{path}.condition must be service_started, service_healthy or service_completed_successfully" +
                    (conditionNode is YScalar s ? $", got {YamlValues.Quote(s.Value)}" : "")),
            };
        }
        return new ServiceDependency(entry.Name, condition,
            Restart: fields.Bool(options.Get("restart"), $"{path}.restart") ?? false,
            Required: fields.Bool(options.Get("required"), $"{path}.required") ?? true);
    }

    private static HealthCheckSpec? ReadHealthCheck(Fields fields)
    {
        var node = fields.Body.Get("healthcheck");
        if (node is null or YScalar { IsNull: true }) return null;
        if (node is not YMapping check) throw fields.Invalid(node, "healthcheck must be a mapping");

        var test = ReadHealthTest(fields, check.Get("test"));
        var disabled = fields.Bool(check.Get("disable"), "healthcheck.disable") ?? false;
        if (test is ["NONE", ..]) disabled = true;

        int? retries = null;
        if (check.Get("retries") is { } retriesNode and not YScalar { IsNull: true })
        {
            if (retriesNode is not YScalar r || !YamlValues.TryParseInt(r.Value, out var value) || value < 0)
                throw fields.Invalid(retriesNode, "healthcheck.retries must be a whole number of 0 or more" +
                    (retriesNode is YScalar bad ? $", got {YamlValues.Quote(bad.Value)}" : ""));
            retries = value;
        }

        return new HealthCheckSpec
        {
            Test = disabled ? null : test,
            Disabled = disabled,
            Interval = fields.Duration(check.Get("interval"), "healthcheck.interval"),
            Timeout = fields.Duration(check.Get("timeout"), "healthcheck.timeout"),
            Retries = retries,
            StartPeriod = fields.Duration(check.Get("start_period"), "healthcheck.start_period"),
            StartInterval = fields.Duration(check.Get("start_interval"), "healthcheck.start_interval"),
        };
    }

    /// <summary>A string is a shell command (CMD-SHELL); a list must start with NONE, CMD or CMD-SHELL; empty = the image's.</summary>
    private static IReadOnlyList<string>? ReadHealthTest(Fields fields, YNode? node)
    {
        switch (node)
        {
            case null or YScalar { IsNull: true }:
                return null;
            case YScalar command:
                return ["CMD-SHELL", command.Value];
            case YSequence list:
                if (list.Items.Count == 0) return null;
                var parts = list.Items.Select(i => i is YScalar { IsNull: false } s
                    ? s.Value
                    : throw fields.Invalid(i, "healthcheck.test items must be strings")).ToList();
                if (parts[0] is not ("CMD" or "CMD-SHELL" or "NONE"))
                    throw fields.Invalid(list.Items[0], $"healthcheck.test must start with \"CMD\", \"CMD-SHELL\" or \"NONE\", not {YamlValues.Quote(parts[0])}");
                return parts;
            default:
                throw fields.Invalid(node, "healthcheck.test must be a string or a list");
        }
    }

    private IReadOnlyList<EnvFileReference> ReadEnvFiles(Fields fields)
    {
        var node = fields.Body.Get("env_file");
        var items = node switch
        {
            null or YScalar { IsNull: true } => [],
            YScalar single => [single],
            YSequence list => list.Items,
            _ => throw fields.Invalid(node, "env_file must be a path, or a list of paths or of {path, required}"),
        };

        var result = new List<EnvFileReference>(items.Count);
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var (pathNode, required) = item switch
            {
                YScalar s => (s, true),
                YMapping m => (m.Get("path") is YScalar { IsNull: false } p
                        ? p
                        : throw fields.Invalid(item, "env_file entries given as a mapping need a \"path\""),
                    fields.Bool(m.Get("required"), "env_file.required") ?? true),
                _ => throw fields.Invalid(item, "env_file entries must be paths or {path, required} mappings"),
            };
            var path = fields.NonEmptyString(pathNode, "env_file", "a path").Value;
            var reference = new EnvFileReference(Path.GetFullPath(path, _projectDirectory), required, pathNode.Mark.FileAndLine);
            // compose keeps one entry per path: the later definition, at the earlier position.
            if (positions.TryGetValue(reference.Path, out var at)) result[at] = reference;
            else
            {
                positions[reference.Path] = result.Count;
                result.Add(reference);
            }
        }
        return result;
    }

    /// <summary>environment / labels: a mapping, or a list of KEY=VALUE (KEY alone: null); later keys win.</summary>
    private static IReadOnlyDictionary<string, string?> ReadKeyValues(Fields fields, string key)
    {
        var node = fields.Body.Get(key);
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        switch (node)
        {
            case null or YScalar { IsNull: true }:
                break;
            case YMapping map:
                foreach (var entry in map.Entries)
                {
                    if (entry.Name.Length == 0) throw fields.Invalid(entry.Key, $"{key} has an empty name");
                    result[entry.Name] = entry.Value switch
                    {
                        YScalar { IsNull: true } => null,
                        YScalar s => s.Value,
                        _ => throw fields.Invalid(entry.Value, $"{key}.{entry.Name} must be a string, number, boolean or null"),
                    };
                }
                break;
            case YSequence list:
                foreach (var item in list.Items)
                {
                    var text = fields.NonEmptyString(item, key, "KEY=VALUE").Value;
                    var eq = text.IndexOf('=');
                    var name = eq < 0 ? text : text[..eq];
                    if (name.Length == 0) throw fields.Invalid(item, $"{key} entry has an empty name");
                    result[name] = eq < 0 ? null : text[(eq + 1)..];
                }
                break;
            default:
                throw fields.Invalid(node, $"{key} must be a mapping or a list of KEY=VALUE");
        }
        return result;
    }

    /// <summary>Typed access to one service's keys, with errors that name the service and the position.</summary>
    private sealed class Fields(string service, YMapping body)
    {
        public string Service { get; } = service;
        public YMapping Body { get; } = body;

        public StingException Invalid(YNode at, string problem) => ComposeErrors.Invalid(at.Mark, problem, Service);

        public string? String(string key)
        {
            var node = Body.Get(key);
            return node switch
            {
                null or YScalar { IsNull: true } => null,
                YScalar s => s.Value,
                _ => throw Invalid(node, $"{key} must be a string, not {node.KindName}"),
            };
        }

        public YScalar NonEmptyString(YNode node, string key, string what = "a string")
        {
            if (node is YScalar { IsNull: false } s && s.Value.Length > 0) return s;
            throw Invalid(node, $"{key} entries must be {what}, not {(node is YScalar { IsNull: false } ? "an empty string" : node.KindName)}");
        }

        public TimeSpan? Duration(YNode? node, string path)
        {
            if (node is null or YScalar { IsNull: true }) return null;
            if (node is YScalar s && ComposeDuration.TryParse(s.Value, out var value) && value >= TimeSpan.Zero) return value;
            throw Invalid(node, $"{path} must be a duration such as 10s, 1m30s or 500ms" +
                (node is YScalar bad ? $", got {YamlValues.Quote(bad.Value)}" : $", not {node.KindName}"));
        }

        public bool? Bool(YNode? node, string path)
        {
            if (node is null or YScalar { IsNull: true }) return null;
            if (node is YScalar s && YamlValues.TryParseBool(s.Value, out var value)) return value;
            throw Invalid(node, $"{path} must be true or false" +
                (node is YScalar bad ? $", got {YamlValues.Quote(bad.Value)}" : $", not {node.KindName}"));
        }
    }
}
