using System.Management.Automation;
using StingOps.Core.Common;
using StingOps.Core.Graph;
using StingOps.Core.Health;
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
        var project = OpenProject();
        var redact = project.CreateRedactor();
        var engine = ConnectEngine(redact);
        var containers = Await(engine.ListProjectContainersAsync(project.Name, Cancellation));
        var graph = Try(() => project.Graph(containers));
        var plan = Try(() => RestartPlan.Create(graph, project.Options, new RestartRequest
        {
            Names = Names,
            Timeout = TimeoutSec is { } t ? TimeSpan.FromSeconds(t) : null,
        }));
        var statuses = ServiceInventory.Join(project.Compose, graph, project.Options, containers).ToDictionary(s => s.Service.Name);
        var waiter = new ReadinessWaiter(engine, new ProbeRunner(engine), null, TimeProvider.System, project.Options.HealthCheckInterval, redact);

        var began = TimeProvider.System.GetUtcNow();
        foreach (var step in plan.Steps)
            WriteVerbose(redact($"Waiting for {step.Service}: ready when {step.Probe}; timeout {step.Timeout.TotalSeconds:0}s."));
        var waits = plan.Steps.Select(step => (step, task: WaitOneAsync(waiter, step, statuses[step.Service]))).ToList();
        foreach (var (step, task) in waits)
        {
            var (outcome, status) = Await(task);
            if (!outcome.Ready)
            {
                WriteError(Error(ErrorIds.ServiceNotReady, outcome.Reason == OutcomeReason.Timeout ? ErrorCategory.OperationTimeout : ErrorCategory.ResourceUnavailable,
                    $"Service '{step.Service}' is not ready: {outcome.Message}", step.Service));
                continue;
            }
            WriteVerbose(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{step.Service}: ready after {((outcome.ReadyAt ?? TimeProvider.System.GetUtcNow()) - began).TotalSeconds:0.0}s."));
            var info = Mapper.ToServiceInfo(status, project.Name, redact);
            var details = status.Container is null ? null : Await(engine.InspectAsync(status.Container.Id, Cancellation));
            WriteObject(details is null ? info : Mapper.WithDetails(info, details));
        }
    }

    private async Task<(ReadinessOutcome, ServiceStatus)> WaitOneAsync(ReadinessWaiter waiter, PlanStep step, ServiceStatus status)
    {
        if (status.Container is null)
            return (new ReadinessOutcome(false, OutcomeReason.Engine, "it has no container", null), status);
        var outcome = await waiter.WaitAsync(step.Service, status.Container.Id, step.Probe, step.ComposeHealthCheck, step.Timeout, Cancellation).ConfigureAwait(false);
        return (outcome, status);
    }
}
