using System.Management.Automation;
using StingOps.Core.Common;
using StingOps.Core.Graph;

namespace StingOps.Commands;

/// <summary>
/// The dependency graph of what is piped in (plan steps or services) as Mermaid or Graphviz Dot text: ONE string for
/// everything piped in, written once the input ends. Reads no project and contacts no engine.
/// </summary>
[Cmdlet(VerbsData.ConvertTo, "StingGraph")]
[OutputType(typeof(string))]
public sealed class ConvertToStingGraphCommand : PSCmdlet
{
    private readonly Dictionary<string, GraphNode> _nodes = new(StringComparer.Ordinal);

    /// <summary>StingOps.RestartPlanStep (Service), StingOps.ServiceInfo (Name), or any object with those and DependsOn, Wave.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public PSObject[]? InputObject { get; set; }

    [Parameter(Position = 0)]
    [ValidateSet("Mermaid", "Dot")]
    public string Format { get; set; } = "Mermaid";

    protected override void ProcessRecord()
    {
        foreach (var item in InputObject ?? [])
        {
            var name = Text(item, "Service") ?? Text(item, "Name");
            if (string.IsNullOrEmpty(name))
            {
                WriteError(new ErrorRecord(new ArgumentException(
                    $"ConvertTo-StingGraph takes plan steps (Get-StingRestartPlan) or services (Get-StingService); this {item.BaseObject.GetType().Name} has no Service or Name."),
                    ErrorIds.GraphInputInvalid, ErrorCategory.InvalidArgument, item));
                continue;
            }
            var dependsOn = item.Properties["DependsOn"]?.Value switch
            {
                null => [],
                string one => [one],
                System.Collections.IEnumerable many => many.Cast<object>().Select(o => o?.ToString()).OfType<string>().ToArray(),
                var other => [other.ToString()!],
            };
            var wave = item.Properties["Wave"]?.Value is { } w && LanguagePrimitives.TryConvertTo(w, out int number) ? number : 0;
            // One node per service: a service piped in twice is drawn once, as last given.
            _nodes[name] = new GraphNode(name, dependsOn, wave);
        }
    }

    protected override void EndProcessing() =>
        WriteObject(GraphText.Render(_nodes.Values.ToList(), Format == "Dot" ? GraphFormat.Dot : GraphFormat.Mermaid));

    private static string? Text(PSObject item, string property) => item.Properties[property]?.Value?.ToString();
}
