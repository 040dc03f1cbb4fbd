using StingOps.Core.Graph;

namespace StingOps.Core.Tests.Graph;

public sealed class GraphTextTests
{
    private static readonly GraphNode[] Plan =
    [
        new("db", [], 0),
        new("vault", [], 0),
        new("api", ["db", "vault"], 1),
        new("profile-sync-worker", ["api", "kratos"], 2),
    ];

    [Fact]
    public void Mermaid_DrawsEachWaveAndEachEdgeFromDependencyToDependent_WithSafeIds()
    {
        var text = GraphText.Mermaid(Plan);

        Assert.StartsWith("flowchart LR\n", text);
        Assert.Contains("subgraph wave0[\"wave 0\"]", text);
        Assert.Contains("n0[\"db\"]", text);
        Assert.Contains("n3[\"profile-sync-worker\"]", text);
        Assert.Contains("  n0 --> n2\n", text);   // db --> api
        Assert.Contains("  n1 --> n2\n", text);   // vault --> api
        Assert.Contains("  n2 --> n3\n", text);   // api --> profile-sync-worker
        // kratos is not planned: drawn dashed, still an edge.
        Assert.Contains("n4[\"kratos\"]:::outside", text);
        Assert.Contains("  n4 --> n3\n", text);
        Assert.Contains("classDef outside", text);
        Assert.DoesNotContain("profile-sync-worker -->", text);
    }

    [Fact]
    public void Dot_RanksEachWaveTogetherAndQuotesNames()
    {
        var text = GraphText.Dot(Plan);

        Assert.StartsWith("digraph dependencies {", text);
        Assert.Contains("{ rank=same; \"db\" \"vault\" }", text);
        Assert.Contains("\"db\" -> \"api\";", text);
        Assert.Contains("\"api\" -> \"profile-sync-worker\";", text);
        Assert.Contains("\"kratos\" [style=dashed];", text);
        Assert.EndsWith("}\n", text);
    }

    [Fact]
    public void Render_NoOutsideDependency_HasNoDashedClass()
    {
        var text = GraphText.Render([new("a", [], 0), new("b", ["a"], 1)], GraphFormat.Mermaid);

        Assert.DoesNotContain("outside", text);
        Assert.Equal(1, text.Split("-->").Length - 1);
    }
}
