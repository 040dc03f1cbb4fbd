using System.Management.Automation;
using StingOps.Core.UseCases;

namespace StingOps.Commands;

/// <summary>
/// Stops services dependents first, each with its pre_stop hooks and stop_grace_period. Refuses to leave running
/// services on a stopped dependency unless they are stopped too (-IncludeDependents) or -Force is given.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "StingService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RestartResult))]
public sealed class StopStingServiceCommand : StingLifecycleCmdlet
{
    /// <summary>Also stop every service that depends on the named ones, transitively (first).</summary>
    [Parameter]
    public SwitchParameter IncludeDependents { get; set; }

    /// <summary>Stops even when running dependents are left on a stopped dependency, and skips the whole-project question.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    private protected override string Activity => "Stopping services";
    private protected override bool WholeProjectIsHighImpact => true;
    private protected override bool Forced => Force;

    protected override void EndProcessing() => Run(new RestartSessionRequest
    {
        Operation = SessionOperation.Stop,
        Names = Names,
        IncludeDependents = IncludeDependents,
        Force = Force,
    });
}
