using System.Management.Automation;
using StingOps.Core.UseCases;

namespace StingOps.Commands;

/// <summary>
/// Dependency-aware, health-gated restart. Names piped in are collected and restarted as ONE plan in
/// EndProcessing. Results stream out as each service finishes.
/// </summary>
[Cmdlet(VerbsLifecycle.Restart, "StingService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RestartResult))]
public sealed class RestartStingServiceCommand : StingLifecycleCmdlet
{
    /// <summary>Also restart every service that depends on the named ones, transitively.</summary>
    [Parameter]
    public SwitchParameter IncludeDependents { get; set; }

    /// <summary>Recreate services whose configuration changed, through the compose CLI, with rollback.</summary>
    [Parameter]
    public SwitchParameter Recreate { get; set; }

    /// <summary>Overrides every service's readiness timeout.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int? TimeoutSec { get; set; }

    [Parameter]
    public SwitchParameter NoRollback { get; set; }

    /// <summary>Skips the confirmation of a whole-project restart, the dependency readiness check and the prerequisites.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>A cron expression and a duration ('0 2 * * 0;2h'): refuse to run outside that window.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MaintenanceWindow { get; set; }

    /// <summary>Runs under the restart lock before anything stops (regenerates the env files); overrides the config's before_restart.</summary>
    [Parameter]
    public ScriptBlock? BeforeRestart { get; set; }

    private protected override string Activity => "Restarting services";
    private protected override bool WholeProjectIsHighImpact => true;
    private protected override bool Forced => Force;

    protected override void EndProcessing() => Run(new RestartSessionRequest
    {
        Names = Names,
        BeforeRestart = BeforeRestart is null ? null : BeforeRestartScript.For(this, BeforeRestart),
        IncludeDependents = IncludeDependents,
        Recreate = Recreate,
        Timeout = TimeoutSec is { } t ? TimeSpan.FromSeconds(t) : null,
        NoRollback = NoRollback,
        Force = Force,
        MaintenanceWindow = MaintenanceWindow,
    }, needsSnapshots: Recreate);
}
