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

    /// <summary>Runs under the restart lock before anything stops (regenerates the env files); overrides the config's before_restart.</summary>
    [Parameter]
    public ScriptBlock? BeforeRestart { get; set; }

    private protected override string Activity => "Starting services";
    private protected override bool WholeProjectIsHighImpact => false;

    protected override void EndProcessing() => Run(new RestartSessionRequest
    {
        Operation = SessionOperation.Start,
        Names = Names,
        BeforeRestart = BeforeRestart is null ? null : BeforeRestartScript.For(this, BeforeRestart),
        IncludeDependencies = IncludeDependencies,
        Timeout = TimeoutSec is { } t ? TimeSpan.FromSeconds(t) : null,
    });
}
