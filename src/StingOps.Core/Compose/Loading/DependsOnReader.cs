using StingOps.Core.Common;
using StingOps.Core.Compose.Yaml;

namespace StingOps.Core.Compose.Loading;

/// <summary>
/// A service's dependencies: <c>depends_on</c> in its short (list) and long (mapping) forms, plus the edges compose
/// implies, checked against the services the project defines.
/// </summary>
internal sealed class DependsOnReader(IReadOnlySet<string> definedServices, LoadSession session)
{
    public IReadOnlyList<ServiceDependency> Read(ServiceFields fields, bool enabled)
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
            if (definedServices.Contains(dependency.Service))
            {
                result.Add(dependency);
                continue;
            }
            var problem = $"service \"{fields.Service}\" depends on undefined service \"{dependency.Service}\"";
            if (!dependency.Required)
                session.Warn($"{mark.FileAndLine}: {problem} (required: false, ignored)");
            else if (!enabled)
                session.Warn($"{mark.FileAndLine}: {problem} (the service is disabled by its profiles, ignored)");
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
    private static void AddImplicitDependencies(ServiceFields fields, List<(ServiceDependency Dependency, SourceMark Mark)> found)
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

    private static ServiceDependency ReadLongDependency(ServiceFields fields, YEntry entry)
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
}
