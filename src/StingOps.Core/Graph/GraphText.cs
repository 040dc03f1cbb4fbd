using System.Text;

namespace StingOps.Core.Graph;

/// <summary>The text formats a dependency graph is drawn in: Mermaid (Markdown renderers) and Graphviz Dot.</summary>
public enum GraphFormat { Mermaid, Dot }

/// <summary>One service as drawn: its dependencies (edges) and wave (its rank).</summary>
public sealed record GraphNode(string Service, IReadOnlyList<string> DependsOn, int Wave);

/// <summary>
/// A dependency graph as text. Edges point the way a restart goes, from a dependency to what needs it (db --> api).
/// A dependency that is not among the nodes is drawn too, dashed: the plan does not restart it, it must already be ready.
/// </summary>
public static class GraphText
{
    public static string Render(IReadOnlyList<GraphNode> nodes, GraphFormat format) =>
        format == GraphFormat.Dot ? Dot(nodes) : Mermaid(nodes);

    public static string Mermaid(IReadOnlyList<GraphNode> nodes)
    {
        var ids = Ids(nodes);
        var text = new StringBuilder("flowchart LR\n");
        foreach (var wave in nodes.GroupBy(n => n.Wave).OrderBy(g => g.Key))
        {
            // Service names may hold '-' and '.', which Mermaid ids must not: ids are n0, n1, ...; names are labels.
            text.Append($"  subgraph wave{wave.Key}[\"wave {wave.Key}\"]\n");
            foreach (var n in wave.OrderBy(n => n.Service, StringComparer.Ordinal))
                text.Append($"    {ids[n.Service]}[\"{n.Service}\"]\n");
            text.Append("  end\n");
        }
        foreach (var outside in Outside(nodes))
            text.Append($"  {ids[outside]}[\"{outside}\"]:::outside\n");
        foreach (var (from, to) in Edges(nodes))
            text.Append($"  {ids[from]} --> {ids[to]}\n");
        if (Outside(nodes).Any())
            text.Append("  classDef outside stroke-dasharray: 5 5\n");
        return text.ToString();
    }

    public static string Dot(IReadOnlyList<GraphNode> nodes)
    {
        var text = new StringBuilder("digraph dependencies {\n  rankdir=LR;\n  node [shape=box];\n");
        foreach (var wave in nodes.GroupBy(n => n.Wave).OrderBy(g => g.Key))
            text.Append($"  {{ rank=same; {string.Join(" ", wave.Select(n => Quote(n.Service)).Order(StringComparer.Ordinal))} }}\n");
        foreach (var outside in Outside(nodes))
            text.Append($"  {Quote(outside)} [style=dashed];\n");
        foreach (var (from, to) in Edges(nodes))
            text.Append($"  {Quote(from)} -> {Quote(to)};\n");
        return text.Append("}\n").ToString();
    }

    /// <summary>The nodes of a project's graph: each service with its dependencies (compose's and the configuration's) and wave.</summary>
    public static IReadOnlyList<GraphNode> NodesOf(ServiceGraph graph) =>
        graph.Nodes.Select(n => new GraphNode(n.Name, n.Dependencies.Select(d => d.Service).ToList(), n.Wave)).ToList();

    /// <summary>Every edge once, from a dependency to what needs it: by the dependent's wave and name, then the dependency's name.</summary>
    public static IEnumerable<(string From, string To)> Edges(IReadOnlyList<GraphNode> nodes) =>
        nodes.OrderBy(n => n.Wave).ThenBy(n => n.Service, StringComparer.Ordinal)
            .SelectMany(n => n.DependsOn.Distinct().Order(StringComparer.Ordinal).Select(d => (d, n.Service)));

    /// <summary>The dependencies that are not among the nodes (drawn dashed), by name.</summary>
    public static IEnumerable<string> Outside(IReadOnlyList<GraphNode> nodes)
    {
        var known = nodes.Select(n => n.Service).ToHashSet(StringComparer.Ordinal);
        return nodes.SelectMany(n => n.DependsOn).Where(d => !known.Contains(d)).Distinct().Order(StringComparer.Ordinal);
    }

    private static Dictionary<string, string> Ids(IReadOnlyList<GraphNode> nodes)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in nodes.OrderBy(n => n.Wave).ThenBy(n => n.Service, StringComparer.Ordinal).Select(n => n.Service).Concat(Outside(nodes)))
            ids.TryAdd(name, $"n{ids.Count}");
        return ids;
    }

    private static string Quote(string name) => "\"" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
