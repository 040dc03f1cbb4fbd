using System.Management.Automation;
using StingOps.Core.UseCases;

namespace StingOps.Commands;

/// <summary>
/// Brings the project to its desired state: every service running, ready, and started after its dependencies were
/// ready. Restarts what started too early (after a reboot or a daemon restart) and what depends on it, starts what is
/// stopped, completes an interrupted run; what is in order is left alone, so a second run touches nothing.
/// </summary>
[Cmdlet(VerbsDiagnostic.Repair, "StingService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RestartResult))]
public sealed class RepairStingServiceCommand : StingLifecycleCmdlet
{
    /// <summary>Overrides every service's readiness timeout.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int? TimeoutSec { get; set; }

    private protected override string Activity => "Repairing services";
    private protected override bool WholeProjectIsHighImpact => false;

    protected override void EndProcessing() => Run(new RestartSessionRequest
    {
        Operation = SessionOperation.Repair,
        Names = Names,
        Timeout = TimeoutSec is { } t ? TimeSpan.FromSeconds(t) : null,
    });
}
