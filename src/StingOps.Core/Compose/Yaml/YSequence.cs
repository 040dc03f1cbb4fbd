namespace StingOps.Core.Compose.Yaml;

internal sealed class YSequence : YNode
{
    public YSequence(IReadOnlyList<YNode> items, SourceMark mark, string? tag = null, bool isShared = false)
        : base(mark, tag, isShared)
    {
        Items = items;
    }

    public IReadOnlyList<YNode> Items { get; }

    public override string KindName => "a list";
}
