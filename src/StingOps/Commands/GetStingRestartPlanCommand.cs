using System.Management.Automation;
using StingOps.Core.Graph;

namespace StingOps.Commands;

/// <summary>The ordered plan a restart would run. Reads compose files and config only; never contacts the engine.</summary>
[Cmdlet(VerbsCommon.Get, "StingRestartPlan")]
[OutputType(typeof(RestartPlanStep))]
public sealed class GetStingRestartPlanCommand : StingCmdlet
{
    private readonly List<string> _names = [];

    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ServiceNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    [Parameter]
    public SwitchParameter IncludeDependents { get; set; }

    [Parameter]
    [ValidateRange(1, 86400)]
    public int? TimeoutSec { get; set; }

    protected override void ProcessRecord()
    {
        if (Name is not null)
            _names.AddRange(Name);
    }

    protected override void EndProcessing()
    {
        var project = OpenProject();
        var graph = Try(() => project.Graph());
        var request = new RestartRequest
        {
            Names = _names,
            IncludeDependents = IncludeDependents,
            Timeout = TimeoutSec is { } t ? TimeSpan.FromSeconds(t) : null,
        };
        var plan = Try(() => RestartPlan.Create(graph, project.Options, request));
        foreach (var step in plan.Steps)
            WriteObject(Mapper.ToPlanStep(step));
    }
}
