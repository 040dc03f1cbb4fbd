using StingOps.Core.Common;
using StingOps.Core.Compose.Yaml;

namespace StingOps.Core.Compose.Loading;

/// <summary>Typed access to one service's keys, with errors that name the service and the position.</summary>
internal sealed class ServiceFields(string service, YMapping body)
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
        if (node is YScalar s && DurationText.TryParse(s.Value, out var value) && value >= TimeSpan.Zero) return value;
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
