using System.Management.Automation;
using StingOps.Core.Common;
using StingOps.Core.UseCases;

namespace StingOps.Commands;

/// <summary>Waits until each named service (all, by default) passes its effective readiness probe.</summary>
[Cmdlet(VerbsLifecycle.Wait, "StingService")]
[OutputType(typeof(ServiceInfo))]
public sealed class WaitStingServiceCommand : StingServiceCmdlet
{
    /// <summary>Overrides each service's configured timeout.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int? TimeoutSec { get; set; }

    protected override void EndProcessing()
    {
        RefuseStack("Wait-StingService waits for a compose project's containers. On a Swarm stack, Restart-StingService -StackName waits for every task " +
            "of each service itself, and Get-StingService -StackName shows each service's replicas.");
        var project = OpenProject();
        var redact = project.CreateRedactor();
        var session = new WaitSession(project, ConnectEngine(redact), TimeProvider.System, redact);
        var wait = Await(session.PrepareAsync(Names, TimeoutSec is { } t ? TimeSpan.FromSeconds(t) : null, Cancellation));
        var began = TimeProvider.System.GetUtcNow();
        foreach (var step in wait.Plan.Steps)
            WriteVerbose(redact($"Waiting for {step.Service}: ready when {step.Probe}; timeout {step.Timeout.TotalSeconds:0}s."));
        foreach (var e in Drain(session.Start(wait, Cancellation)))
        {
            if (e is WaitNote note)
                WriteVerbose(note.Message);
            else if (e is ServiceWaited { Outcome.Ready: false } failed)
                WriteError(Error(ErrorIds.ServiceNotReady, failed.Outcome.Reason == OutcomeReason.Timeout ? ErrorCategory.OperationTimeout : ErrorCategory.ResourceUnavailable,
                    $"Service '{failed.Step.Service}' is not ready: {failed.Outcome.Message}"
                    + (failed.Outcome.Diagnostics is null ? "" : Environment.NewLine + failed.Outcome.Diagnostics), failed.Step.Service));
            else if (e is ServiceWaited ready)
            {
                WriteVerbose(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{ready.Step.Service}: ready after {((ready.Outcome.ReadyAt ?? TimeProvider.System.GetUtcNow()) - began).TotalSeconds:0.0}s."));
                var info = Mapper.ToServiceInfo(ready.Status, project.Name, redact);
                WriteObject(ready.Details is null ? info : Mapper.WithDetails(info, ready.Details));
            }
        }
    }
}
