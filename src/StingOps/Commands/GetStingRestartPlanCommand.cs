using System.Management.Automation;
using StingOps.Core.Graph;
using StingOps.Core.Restart;

namespace StingOps.Commands;

/// <summary>The ordered plan a restart would run. Reads compose files and config only; never contacts the engine.</summary>
[Cmdlet(VerbsCommon.Get, "StingRestartPlan")]
[OutputType(typeof(RestartPlanStep))]
public sealed class GetStingRestartPlanCommand : StingServiceCmdlet
{
    [Parameter]
    public SwitchParameter IncludeDependents { get; set; }

    [Parameter]
    [ValidateRange(1, 86400)]
    public int? TimeoutSec { get; set; }

    protected override void EndProcessing()
    {
        var project = OpenProject();
        var graph = Try(() => project.Graph());
        var request = new RestartRequest
        {
            Names = Names,
            IncludeDependents = IncludeDependents,
            Timeout = TimeoutSec is { } t ? TimeSpan.FromSeconds(t) : null,
        };
        var plan = Try(() => RestartPlan.Create(graph, project.Options, request));
        var redact = project.CreateRedactor();
        var history = Try(() => RestartHistory.Read(ProjectMetrics.Directory(project, EnvironmentSnapshot()), project.Name, TimeProvider.System, WriteVerbose));
        var estimate = RunEstimate.Of(plan, history);
        WriteVerbose(estimate.Describe());
        foreach (var step in plan.Steps)
            WriteObject(Mapper.ToPlanStep(step, redact, estimate.Services.GetValueOrDefault(step.Service)));
    }
}
