namespace StingOps.Core.Compose.Yaml;

/// <summary>
/// A YAML node with its position. Our own small tree rather than YamlDotNet's representation model because we
/// need positions on every value, tolerance for duplicate keys in files we only skim, merge keys, and cheap
/// sharing of aliased subtrees. Trees are never mutated after reading: merging and interpolation build new nodes.
/// </summary>
internal abstract class YNode
{
    protected YNode(SourceMark mark, string? tag, bool isShared)
    {
        Mark = mark;
        Tag = tag;
        IsShared = isShared;
    }

    public SourceMark Mark { get; }

    /// <summary>The explicit tag (<c>!reset</c>, <c>!override</c>, <c>tag:yaml.org,2002:str</c>, ...), null when untagged.</summary>
    public string? Tag { get; }

    /// <summary>True for anchored nodes, which aliases may reference from several places; walkers memoize these.</summary>
    public bool IsShared { get; }

    /// <summary>Set when a tolerant read had to paper over a problem here (e.g. an alias to an unknown anchor).</summary>
    public string? Problem { get; init; }

    public const string ResetTag = "!reset";
    public const string OverrideTag = "!override";

    public abstract string KindName { get; }
}
