using StingOps.Core.Compose.Yaml;

namespace StingOps.Core.Configuration;

/// <summary>
/// <c>health_check:</c> of a service: <c>running</c> or <c>docker</c>, any other string is a command run in the
/// container, or a mapping with exactly one of <c>http</c> (plus <c>insecure</c>), <c>tcp</c>, <c>command</c>.
/// </summary>
internal static class ProbeSpecReader
{
    private static readonly HashSet<string> ProbeKeys = ["http", "tcp", "command", "insecure"];

    public static ProbeSpec? Read(YNode? node, string keyPath)
    {
        var value = ConfigFields.Value(node, keyPath);
        switch (value)
        {
            case null:
                return null;
            case YScalar s:
                return FromString(s, keyPath);
            case YMapping m:
                return FromMapping(m, keyPath);
            default:
                throw ConfigFields.Invalid(value, keyPath, $"expected running, docker, a command, or a mapping with http, tcp or command, not {value.KindName}");
        }
    }

    private static ProbeSpec FromString(YScalar s, string keyPath)
    {
        var text = s.Value.Trim();
        // An unquoted number or boolean is almost certainly a mistake, not a command named "5" or "true".
        if (text.Length == 0 || s.IsPlain && (YamlValues.TryParseDouble(text, out _) || YamlValues.TryParseBool(text, out _)))
            throw ConfigFields.Invalid(s, keyPath,
                $"expected running, docker, a command, or a mapping with http, tcp or command, got {YamlValues.Quote(text)}");
        return text.ToLowerInvariant() switch
        {
            "running" => new ProbeSpec(ProbeKind.Running),
            "docker" => new ProbeSpec(ProbeKind.Docker),
            _ => new ProbeSpec(ProbeKind.Command, text),
        };
    }

    private static ProbeSpec FromMapping(YMapping m, string keyPath)
    {
        foreach (var entry in m.Entries)
            if (!ProbeKeys.Contains(entry.Name))
                throw ConfigFields.Invalid(entry.Key, $"{keyPath}.{entry.Name}", "unknown probe; use http (with insecure), tcp or command");

        var kinds = m.Entries.Where(e => e.Name != "insecure").ToList();
        if (kinds.Count != 1)
            throw ConfigFields.Invalid(m, keyPath, kinds.Count == 0
                ? "a probe mapping needs one of http, tcp or command"
                : $"a probe mapping takes exactly one of http, tcp or command, not {string.Join(" and ", kinds.Select(k => k.Name))}");

        var kind = kinds[0];
        var path = $"{keyPath}.{kind.Name}";
        var target = ConfigFields.String(kind.Value, path) ?? throw ConfigFields.Invalid(kind.Value, path, "expected a value, not null");
        var insecureNode = m.Get("insecure");
        if (insecureNode is not null && kind.Name != "http")
            throw ConfigFields.Invalid(insecureNode, $"{keyPath}.insecure", "insecure applies only to an http probe");
        var insecure = ConfigFields.Bool(insecureNode, $"{keyPath}.insecure") ?? false;

        return kind.Name switch
        {
            "http" => new ProbeSpec(ProbeKind.Http, CheckUrl(target, kind.Value, path), insecure),
            "tcp" => new ProbeSpec(ProbeKind.Tcp, CheckHostPort(target, kind.Value, path)),
            _ => new ProbeSpec(ProbeKind.Command, target),
        };
    }

    private static string CheckUrl(string url, YNode at, string keyPath)
    {
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            return url;
        throw ConfigFields.Invalid(at, keyPath, "expected an absolute http:// or https:// URL");
    }

    private static string CheckHostPort(string target, YNode at, string keyPath)
    {
        var colon = target.LastIndexOf(':');
        var host = colon > 0 ? target[..colon].Trim('[', ']') : "";
        if (host.Length > 0 && int.TryParse(target[(colon + 1)..], out var port) && port is > 0 and <= 65535)
            return target;
        throw ConfigFields.Invalid(at, keyPath, $"expected host:port (e.g. 127.0.0.1:5432), got {YamlValues.Quote(target)}");
    }
}
