using System.Management.Automation;
using StingOps.Core.UseCases;

namespace StingOps.Commands;

/// <summary>
/// Starts what is stopped, in dependency order and health-gated like a restart; services that run are left alone
/// (their readiness still gates what starts after them).
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "StingService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RestartResult))]
public sealed class StartStingServiceCommand : StingLifecycleCmdlet
{
    /// <summary>Also start what the named services depend on, transitively.</summary>
    [Parameter]
    public SwitchParameter IncludeDependencies { get; set; }

    /// <summary>Overrides every service's readiness timeout.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int? TimeoutSec { get; set; }

    private protected override string Activity => "Starting services";
    private protected override bool WholeProjectIsHighImpact => false;

    protected override void EndProcessing() => Run(new RestartSessionRequest
    {
        Operation = SessionOperation.Start,
        Names = Names,
        IncludeDependencies = IncludeDependencies,
        Timeout = TimeoutSec is { } t ? TimeSpan.FromSeconds(t) : null,
    });
}
