namespace StingOps.Core.Compose.Yaml;

/// <summary>
/// A YAML problem at a position. Internal: the compose loader and the configuration loader each turn it into
/// their own error id.
/// </summary>
internal sealed class YamlTreeException(SourceMark mark, string problem, Exception? inner = null)
    : Exception($"{mark}: {problem}", inner)
{
    public SourceMark Mark { get; } = mark;
    public string Problem { get; } = problem;
}
