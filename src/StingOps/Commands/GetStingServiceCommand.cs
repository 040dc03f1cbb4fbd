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
        var list = Await(IsStack && !Offline
            ? ServiceListing.ListStackAsync(project, ConnectSwarm(), Names, EnvironmentSnapshot(), Cancellation)
            : ServiceListing.ListAsync(project, Offline ? null : ConnectEngine(), Names, EnvironmentSnapshot(), Cancellation));
        if (list.InterruptedRun is { } interrupted)
            WriteWarning(interrupted);
        foreach (var name in list.UnknownNames)
        {
            WriteError(ToErrorRecord(new StingException(ErrorIds.UnknownService, StingErrorKind.ObjectNotFound,
                $"No service '{name}' in project '{project.Name}'.", target: name)));
        }
        var redact = project.CreateRedactor();
        foreach (var status in list.Services)
        {
            var info = Mapper.ToServiceInfo(status, project.Name, redact);
            if (info.Replicas is null)
            {
                WriteObject(info);
                continue;
            }
            // A stack's service has its own table view (replicas and nodes instead of containers).
            var wrapped = PSObject.AsPSObject(info);
            wrapped.TypeNames.Insert(0, "StingOps.ServiceInfo#Swarm");
            WriteObject(wrapped);
        }
    }
}
