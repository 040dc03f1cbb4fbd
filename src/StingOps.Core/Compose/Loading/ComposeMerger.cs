using StingOps.Core.Compose.Yaml;

namespace StingOps.Core.Compose.Loading;

/// <summary>
/// Merges compose documents the way compose does (compose spec "Merge", compose-go <c>override.MergeYaml</c>):
/// mappings key by key, sequences appended, scalars replaced, a null in the later file keeps the earlier value;
/// <c>command</c>, <c>entrypoint</c> and <c>healthcheck.test</c> replaced; <c>depends_on</c> merged per dependency
/// with the short form read as <c>{condition: service_started, required: true}</c>; <c>environment</c>,
/// <c>labels</c> and the other key=value lists merged by key in either form; <c>build</c> as a string is its
/// context. Never fails: where the two sides have shapes that cannot merge, the later one wins and the model
/// reader judges it.
/// </summary>
internal static class ComposeMerger
{
    private static readonly HashSet<string> Replaced = ["command", "entrypoint"];

    // compose-go appends these (and then keeps one entry per value, which the model reader does for what it reads).
    private static readonly HashSet<string> AppendedLists =
        ["env_file", "label_file", "dns", "dns_opt", "dns_search", "tmpfs", "extra_hosts", "profiles"];

    public static YMapping MergeDocuments(YMapping earlier, YMapping later) =>
        MergeMappings(earlier, later, (key, a, b) => key == "services" ? MergeServices(a, b) : Generic(a, b));

    public static YNode MergeServices(YNode earlier, YNode later)
    {
        if (IsNull(later)) return earlier;
        if (earlier is not YMapping a || later is not YMapping b) return later;
        return MergeMappings(a, b, (_, x, y) => MergeService(x, y));
    }

    /// <summary>One service over another: used for files merged in order and for <c>extends</c>.</summary>
    public static YNode MergeService(YNode earlier, YNode later)
    {
        if (IsNull(later)) return earlier;
        if (earlier is not YMapping a || later is not YMapping b) return later;
        return MergeMappings(a, b, MergeServiceKey);
    }

    private static YNode MergeServiceKey(string key, YNode earlier, YNode later)
    {
        if (Replaced.Contains(key)) return later;
        switch (key)
        {
            case "depends_on":
                return MergeDependsOn(earlier, later);
            case "environment" or "labels" or "annotations" or "sysctls":
                return MergeKeyValues(earlier, later);
            case "build":
                return MergeBuild(earlier, later);
            case "networks":
                return MergeMappingsOrLists(earlier, later);
            case "healthcheck":
                return MergeNested(earlier, later, (k, x, y) => k == "test" ? y : Generic(x, y));
            case "deploy":
                return MergeNested(earlier, later, (k, x, y) => k == "labels" ? MergeKeyValues(x, y) : Generic(x, y));
            case "logging":
                return MergeLogging(earlier, later);
            case "ulimits":
                return MergeNested(earlier, later, (_, _, y) => y);
        }
        if (AppendedLists.Contains(key)) return AppendLists(earlier, later);
        return Generic(earlier, later);
    }

    public static YNode Generic(YNode earlier, YNode later)
    {
        if (IsNull(later)) return earlier;
        return (earlier, later) switch
        {
            (YMapping a, YMapping b) => MergeMappings(a, b, (_, x, y) => Generic(x, y)),
            (YSequence a, YSequence b) => new YSequence([.. a.Items, .. b.Items], a.Mark, a.Tag),
            _ => later,
        };
    }

    /// <summary>Entries of <paramref name="earlier"/> in place (merged where both have them), then the later file's new ones.</summary>
    public static YMapping MergeMappings(YMapping earlier, YMapping later, Func<string, YNode, YNode, YNode> mergeValue)
    {
        var entries = new List<YEntry>(earlier.Entries.Count + later.Entries.Count);
        entries.AddRange(earlier.Entries);
        foreach (var entry in later.Entries)
        {
            var at = earlier.IndexOf(entry.Name);
            if (at < 0) entries.Add(entry);
            else entries[at] = entries[at] with { Value = mergeValue(entry.Name, entries[at].Value, entry.Value) };
        }
        return new YMapping(entries, earlier.Mark, earlier.Tag);
    }

    private static YNode MergeNested(YNode earlier, YNode later, Func<string, YNode, YNode, YNode> mergeValue)
    {
        if (IsNull(later)) return earlier;
        if (earlier is not YMapping a || later is not YMapping b) return later;
        return MergeMappings(a, b, mergeValue);
    }

    private static YNode AppendLists(YNode earlier, YNode later)
    {
        if (IsNull(later)) return earlier;
        if (IsNull(earlier)) return later;
        // A single string (env_file: .env) is a one-item list.
        var a = earlier as YSequence ?? (earlier is YScalar ? new YSequence([earlier], earlier.Mark) : null);
        var b = later as YSequence ?? (later is YScalar ? new YSequence([later], later.Mark) : null);
        if (a is null || b is null) return later;
        return new YSequence([.. a.Items, .. b.Items], a.Mark, a.Tag);
    }

    /// <summary>environment/labels: both forms become a mapping (<c>KEY=VALUE</c> / <c>KEY</c> for null) merged by key.</summary>
    private static YNode MergeKeyValues(YNode earlier, YNode later)
    {
        if (IsNull(later)) return earlier;
        if (IsNull(earlier)) return later;
        if (earlier is YSequence sa && later is YSequence sb) return new YSequence([.. sa.Items, .. sb.Items], sa.Mark, sa.Tag);
        var a = KeyValueMapping(earlier);
        var b = KeyValueMapping(later);
        if (a is null || b is null) return later;
        return MergeMappings(a, b, (_, _, y) => y);
    }

    /// <summary>A key=value list as a mapping; null when it holds something that is not a scalar (the reader reports it).</summary>
    public static YMapping? KeyValueMapping(YNode node)
    {
        if (node is YMapping m) return m;
        if (node is not YSequence s) return null;
        var entries = new List<YEntry>(s.Items.Count);
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in s.Items)
        {
            if (item is not YScalar scalar || scalar.IsNull) return null;
            var eq = scalar.Value.IndexOf('=');
            var key = eq < 0 ? scalar.Value : scalar.Value[..eq];
            YNode value = eq < 0 ? YScalar.Null(scalar.Mark) : scalar.WithValue(scalar.Value[(eq + 1)..]);
            var entry = new YEntry(new YScalar(key, false, scalar.Mark), value);
            if (positions.TryGetValue(key, out var at)) entries[at] = entry;
            else
            {
                positions[key] = entries.Count;
                entries.Add(entry);
            }
        }
        return new YMapping(entries, s.Mark, s.Tag);
    }

    private static YNode MergeDependsOn(YNode earlier, YNode later)
    {
        if (IsNull(later)) return earlier;
        var a = DependsOnMapping(earlier);
        var b = DependsOnMapping(later);
        if (a is null || b is null) return later;
        return MergeMappings(a, b, (_, x, y) => Generic(x, y));
    }

    /// <summary>The short form as compose-go expands it for merging: each name gets service_started and required.</summary>
    private static YMapping? DependsOnMapping(YNode node)
    {
        switch (node)
        {
            case YMapping m:
                return m;
            case YScalar { IsNull: true }:
                return new YMapping([], node.Mark);
            case YSequence s:
                var entries = new List<YEntry>(s.Items.Count);
                foreach (var item in s.Items)
                {
                    if (item is not YScalar name || name.IsNull) return null;
                    var options = new YMapping(
                    [
                        new YEntry(new YScalar("condition", true, name.Mark), new YScalar("service_started", true, name.Mark)),
                        new YEntry(new YScalar("required", true, name.Mark), new YScalar("true", true, name.Mark)),
                    ], name.Mark);
                    entries.Add(new YEntry(name, options));
                }
                return new YMapping(entries, s.Mark, s.Tag);
            default:
                return null;
        }
    }

    private static YNode MergeBuild(YNode earlier, YNode later)
    {
        if (IsNull(later)) return earlier;
        var a = BuildMapping(earlier);
        var b = BuildMapping(later);
        if (a is null || b is null) return later;
        return MergeMappings(a, b, (k, x, y) => k is "args" or "labels" ? MergeKeyValues(x, y) : Generic(x, y));
    }

    private static YMapping? BuildMapping(YNode node) => node switch
    {
        YMapping m => m,
        YScalar { IsNull: false } s => new YMapping([new YEntry(new YScalar("context", true, s.Mark), s)], s.Mark),
        _ => null,
    };

    /// <summary>networks: a list of names is a mapping of names to null.</summary>
    private static YNode MergeMappingsOrLists(YNode earlier, YNode later)
    {
        if (IsNull(later)) return earlier;
        var a = NamesMapping(earlier);
        var b = NamesMapping(later);
        if (a is null || b is null) return later;
        return MergeMappings(a, b, (_, x, y) => Generic(x, y));
    }

    private static YMapping? NamesMapping(YNode node) => node switch
    {
        YMapping m => m,
        YSequence s when s.Items.All(i => i is YScalar { IsNull: false }) =>
            new YMapping(s.Items.Select(i => new YEntry((YScalar)i, YScalar.Null(i.Mark))).ToList(), s.Mark),
        _ => null,
    };

    /// <summary>Logging options merge only when both files name the same driver (or one names none).</summary>
    private static YNode MergeLogging(YNode earlier, YNode later)
    {
        if (IsNull(later)) return earlier;
        if (earlier is not YMapping a || later is not YMapping b) return later;
        var da = (a.Get("driver") as YScalar)?.Value;
        var db = (b.Get("driver") as YScalar)?.Value;
        return da is null || db is null || da == db ? MergeMappings(a, b, (_, x, y) => Generic(x, y)) : b;
    }

    private static bool IsNull(YNode node) => node is YScalar { IsNull: true };
}
