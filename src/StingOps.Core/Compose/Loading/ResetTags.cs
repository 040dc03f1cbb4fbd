using StingOps.Core.Compose.Yaml;

namespace StingOps.Core.Compose.Loading;

/// <summary>
/// compose's <c>!reset</c> and <c>!override</c> tags. A document records the key paths that carry them; before the
/// document is merged, those paths are removed from what the earlier files built, so <c>!reset</c> drops the value
/// and <c>!override</c> replaces it instead of merging into it. <c>!reset</c> nodes are also removed from the
/// document itself. As in compose, sequence items cannot be removed from the earlier files.
/// </summary>
internal static class ResetTags
{
    // Aliases can make a small document a huge tree; compose caps this walk too.
    private const int MaxVisits = 1_000_000;

    public sealed record Result(YMapping Document, IReadOnlyList<string[]> Paths);

    public static Result Strip(YMapping document)
    {
        var paths = new List<string[]>();
        var path = new List<string>();
        var visits = 0;
        var stripped = (YMapping)Walk(document)!;
        return new Result(stripped, paths);

        YNode? Walk(YNode node)
        {
            if (++visits > MaxVisits)
                throw ComposeErrors.Invalid(node.Mark, "too many nodes to resolve !reset/!override tags (alias loop?)");
            if (node.Tag == YNode.ResetTag)
            {
                paths.Add(path.ToArray());
                return null;
            }
            if (node.Tag == YNode.OverrideTag)
            {
                paths.Add(path.ToArray());
                return node;
            }
            switch (node)
            {
                case YMapping m:
                    var entries = new List<YEntry>(m.Entries.Count);
                    var changed = false;
                    foreach (var entry in m.Entries)
                    {
                        path.Add(entry.Name);
                        var value = Walk(entry.Value);
                        path.RemoveAt(path.Count - 1);
                        if (value is null) { changed = true; continue; }
                        changed |= !ReferenceEquals(value, entry.Value);
                        entries.Add(entry with { Value = value });
                    }
                    return changed ? new YMapping(entries, m.Mark, m.Tag) : m;
                case YSequence s:
                    var items = new List<YNode>(s.Items.Count);
                    var itemsChanged = false;
                    for (var i = 0; i < s.Items.Count; i++)
                    {
                        path.Add($"[{i}]");
                        var item = Walk(s.Items[i]);
                        path.RemoveAt(path.Count - 1);
                        if (item is null) { itemsChanged = true; continue; }
                        itemsChanged |= !ReferenceEquals(item, s.Items[i]);
                        items.Add(item);
                    }
                    return itemsChanged ? new YSequence(items, s.Mark, s.Tag) : s;
                default:
                    return node;
            }
        }
    }

    /// <summary>Removes each recorded path (mapping keys only) from <paramref name="root"/>; returns a new tree.</summary>
    public static YMapping Apply(YMapping root, IEnumerable<string[]> paths)
    {
        foreach (var path in paths)
            if (path.Length > 0 && !path.Any(p => p.StartsWith('['))) root = Remove(root, path, 0);
        return root;
    }

    /// <summary>The paths below <paramref name="prefix"/>, relative to it.</summary>
    public static IEnumerable<string[]> Below(IEnumerable<string[]> paths, params string[] prefix) =>
        paths.Where(p => p.Length > prefix.Length && p.AsSpan(0, prefix.Length).SequenceEqual(prefix))
            .Select(p => p[prefix.Length..]);

    private static YMapping Remove(YMapping mapping, string[] path, int depth)
    {
        var at = mapping.IndexOf(path[depth]);
        if (at < 0) return mapping;
        var entries = mapping.Entries.ToList();
        if (depth == path.Length - 1)
        {
            entries.RemoveAt(at);
        }
        else
        {
            if (entries[at].Value is not YMapping child) return mapping;
            entries[at] = entries[at] with { Value = Remove(child, path, depth + 1) };
        }
        return new YMapping(entries, mapping.Mark, mapping.Tag);
    }
}
