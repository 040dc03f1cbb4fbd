using System.Text.RegularExpressions;
using StingOps.Core.Compose.Yaml;
using StingOps.Core.EnvFiles;

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
    private readonly DependsOnReader _dependsOn;
    private readonly LoadSession _session;

    public ServiceReader(string projectDirectory, IReadOnlySet<string> activeProfiles, IReadOnlySet<string> definedServices, LoadSession session)
    {
        _projectDirectory = projectDirectory;
        _activeProfiles = activeProfiles;
        _dependsOn = new DependsOnReader(definedServices, session);
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

        var fields = new ServiceFields(name, body);
        var profiles = ReadProfiles(fields);
        var enabled = profiles.Count == 0 || _activeProfiles.Contains("*") || profiles.Any(_activeProfiles.Contains);
        var image = fields.String("image");
        var hasBuild = ReadHasBuild(fields);
        if (enabled && image is null && !hasBuild)
            _session.Warn($"{definition.Key.Mark.FileAndLine}: service \"{name}\" has neither an image nor a build context");

        return new ComposeService
        {
            Name = name,
            DependsOn = _dependsOn.Read(fields, enabled),
            Profiles = profiles,
            Enabled = enabled,
            HealthCheck = HealthCheckReader.Read(fields),
            EnvFiles = ReadEnvFiles(fields),
            Environment = ReadKeyValues(fields, body.Get("environment"), "environment"),
            Labels = ReadKeyValues(fields, body.Get("labels"), "labels"),
            Command = ReadCommand(fields, body.Get("command"), "command"),
            Entrypoint = ReadCommand(fields, body.Get("entrypoint"), "entrypoint"),
            ContainerName = fields.String("container_name"),
            Image = image,
            HasBuild = hasBuild,
            StopGracePeriod = fields.Duration(body.Get("stop_grace_period"), "stop_grace_period"),
            StopSignal = fields.String("stop_signal"),
            PostStart = HookReader.Read(fields, "post_start"),
            PreStop = HookReader.Read(fields, "pre_stop"),
            Replicas = ReadReplicas(fields),
            Restart = fields.String("restart"),
            NetworkMode = fields.String("network_mode"),
            Source = definition.Key.Mark.FileAndLine,
        };
    }

    private static IReadOnlyList<string> ReadProfiles(ServiceFields fields)
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
    private static int? ReadReplicas(ServiceFields fields)
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

    /// <summary>command / entrypoint: a string is split into words as compose does (shell quoting, no expansion), a list is taken as is.</summary>
    internal static IReadOnlyList<string>? ReadCommand(ServiceFields fields, YNode? node, string key) => node switch
    {
        null or YScalar { IsNull: true } => null,
        YScalar s => ShellWords.Split(s.Value) ?? throw fields.Invalid(s, $"{key} has an unterminated quote"),
        YSequence list => list.Items.Select(i => i is YScalar { IsNull: false } item
            ? item.Value
            : throw fields.Invalid(i, $"{key} items must be strings")).ToList(),
        var other => throw fields.Invalid(other, $"{key} must be a string or a list of strings"),
    };

    private static bool ReadHasBuild(ServiceFields fields) => fields.Body.Get("build") switch
    {
        null or YScalar { IsNull: true } => false,
        YScalar or YMapping => true,
        var other => throw fields.Invalid(other, "build must be a path or a mapping"),
    };

    private IReadOnlyList<EnvFileReference> ReadEnvFiles(ServiceFields fields)
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
            var reference = new EnvFileReference(Path.GetFullPath(path, _projectDirectory), required, pathNode.Mark.FileAndLine)
            {
                UnsetVariables = _session.UnsetAt(pathNode.Mark.FileAndLine),
            };
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
    internal static IReadOnlyDictionary<string, string?> ReadKeyValues(ServiceFields fields, YNode? node, string key)
    {
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
}
