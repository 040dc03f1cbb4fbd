using System.Management.Automation;
using StingOps.Core.Common;
using StingOps.Core.Engine;
using StingOps.Core.Project;
using StingOps.Core.Restart;
using StingOps.Core.UseCases;

namespace StingOps.Commands;

/// <summary>The services of the project: the compose model joined with the live containers.</summary>
[Cmdlet(VerbsCommon.Get, "StingService")]
[OutputType(typeof(ServiceInfo))]
public sealed class GetStingServiceCommand : StingServiceCmdlet
{
    /// <summary>List from the compose files alone; the engine is not contacted and states are Unknown.</summary>
    [Parameter]
    public SwitchParameter Offline { get; set; }

    protected override void EndProcessing()
    {
        var project = OpenProject();
        IReadOnlyList<ContainerSummary>? containers = null;
        if (!Offline)
        {
            var engine = ConnectEngine();
            containers = Await(engine.ListProjectContainersAsync(project.Name, Cancellation));
        }
        WarnOfInterruptedRun(project, containers);
        var graph = Try(() => project.Graph(containers));
        var statuses = ServiceInventory.Join(project.Compose, graph, project.Options, containers);

        foreach (var name in Names.Where(n => !Wildcard.IsPattern(n) && statuses.All(s => s.Service.Name != n)))
        {
            WriteError(ToErrorRecord(new StingException(ErrorIds.UnknownService, StingErrorKind.ObjectNotFound,
                $"No service '{name}' in project '{project.Name}'.", target: name)));
        }
        var redact = project.CreateRedactor();
        foreach (var status in statuses)
        {
            if (Names.Count == 0 || Names.Any(n => Wildcard.Matches(n, status.Service.Name)))
                WriteObject(Mapper.ToServiceInfo(status, project.Name, redact));
        }
    }

    /// <summary>A restart killed mid-run may have left services stopped: say which, and whether they still are (-Offline: unknown).</summary>
    private void WarnOfInterruptedRun(StingProject project, IReadOnlyList<ContainerSummary>? containers)
    {
        if (RunJournal.FindInterrupted(StateDirectory.Resolve(EnvironmentSnapshot()), project.Name) is not { } run)
            return;
        var byService = containers is null ? null : ServiceContainers.ByService(containers);
        WriteWarning(run.Describe(byService is null ? null : s => byService.TryGetValue(s, out var c) && c.State == "running"));
    }
}
