namespace StingOps.Core.Compose.Yaml;

/// <summary>A key and its value; keys are always scalars in the files we read (complex keys are rejected or skipped).</summary>
internal readonly record struct YEntry(YScalar Key, YNode Value)
{
    public string Name => Key.Value;
}

internal sealed class YMapping : YNode
{
    // Lookups on small mappings scan; the index pays off only for wide ones such as a 2,000-entry services map.
    private const int IndexThreshold = 8;
    private Dictionary<string, int>? _index;

    public YMapping(IReadOnlyList<YEntry> entries, SourceMark mark, string? tag = null, bool isShared = false)
        : base(mark, tag, isShared)
    {
        Entries = entries;
    }

    /// <summary>Entries in document order, keys unique.</summary>
    public IReadOnlyList<YEntry> Entries { get; }

    /// <summary>Keys that appeared more than once (tolerant reads only; the last one won).</summary>
    public IReadOnlyList<YScalar> DuplicateKeys { get; init; } = [];

    public override string KindName => "a mapping";

    public int IndexOf(string key)
    {
        if (Entries.Count <= IndexThreshold)
        {
            for (var i = 0; i < Entries.Count; i++)
                if (Entries[i].Name == key) return i;
            return -1;
        }
        _index ??= BuildIndex();
        return _index.TryGetValue(key, out var at) ? at : -1;
    }

    public bool TryGet(string key, out YEntry entry)
    {
        var at = IndexOf(key);
        entry = at >= 0 ? Entries[at] : default;
        return at >= 0;
    }

    public YNode? Get(string key) => TryGet(key, out var e) ? e.Value : null;

    private Dictionary<string, int> BuildIndex()
    {
        var index = new Dictionary<string, int>(Entries.Count, StringComparer.Ordinal);
        for (var i = 0; i < Entries.Count; i++) index[Entries[i].Name] = i;
        return index;
    }
}
