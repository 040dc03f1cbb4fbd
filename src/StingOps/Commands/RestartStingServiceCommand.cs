using System.Management.Automation;
using StingOps.Core.Common;
using StingOps.Core.Graph;
using StingOps.Core.Restart;
using StingOps.Core.UseCases;

namespace StingOps.Commands;

/// <summary>
/// Dependency-aware, health-gated restart. Names piped in are collected and restarted as ONE plan in
/// EndProcessing. Results stream out as each service finishes.
/// </summary>
[Cmdlet(VerbsLifecycle.Restart, "StingService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RestartResult))]
public sealed class RestartStingServiceCommand : StingServiceCmdlet
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

    protected override void EndProcessing()
    {
        var project = OpenProject();
        var redact = project.CreateRedactor();
        var session = new RestartSession(project, ConnectEngine(redact), Recreate ? ConnectSnapshots(redact) : null, EnvironmentSnapshot(), TimeProvider.System, redact);
        var prepared = Await(session.PrepareAsync(new RestartSessionRequest
        {
            Names = Names,
            IncludeDependents = IncludeDependents,
            Recreate = Recreate,
            Timeout = TimeoutSec is { } t ? TimeSpan.FromSeconds(t) : null,
            NoRollback = NoRollback,
            Force = Force,
            MaintenanceWindow = MaintenanceWindow,
        }, Cancellation));
        WriteMessages(prepared.Messages);
        if (prepared.Refusal is { } refusal)
            ThrowTerminatingError(ToErrorRecord(refusal));
        RestartStory.WritePlan(this, prepared.Plan, project.Name, redact);
        if (Confirm(prepared.Plan, project.Name, redact) is not { } declined)
            return;
        prepared = Await(session.WithoutAsync(prepared, declined, Cancellation));

        var run = Await(session.StartAsync(prepared, Cancellation));
        WriteMessages(run.Messages);
        // A refused run touched nothing: its outcomes are all there is to show.
        var story = run.Refused ? null : new RestartStory(this, redact, TimeProvider.System.GetUtcNow());
        var progress = run.Refused ? null : new RestartProgress(this, prepared.Plan);
        var outcomes = new List<ServiceOutcome>();
        foreach (var e in Drain(run.Events))
        {
            story?.Show(e);
            progress?.Show(e);
            if (e is RunWarning w)
                WriteWarning(w.Message);
            else if (e is ServiceFinished f)
            {
                outcomes.Add(f.Outcome);
                WriteResult(Mapper.ToResult(f.Outcome));
            }
        }
        progress?.Complete();
        story?.Summary(run.RunId, outcomes, TimeProvider.System.GetUtcNow());
    }

    /// <summary>
    /// -WhatIf lists the plan. Otherwise each service is confirmed on its own, as PowerShell's service cmdlets do, and a
    /// whole-project restart (High impact) once more before that. Returns the services declined, or null to stop.
    /// </summary>
    private IReadOnlyCollection<string>? Confirm(RestartPlan plan, string project, Func<string, string> redact)
    {
        if (MyInvocation.BoundParameters.TryGetValue("WhatIf", out var whatIf) && ((SwitchParameter)whatIf).IsPresent)
        {
            foreach (var step in plan.Steps)
            {
                var after = step.DependsOn.Count == 0 ? "" : $" after {string.Join(", ", step.DependencyNames)}";
                ShouldProcess(redact($"{step.Service} (wave {step.Wave}{after}; ready when {step.Probe}; timeout {step.Timeout.TotalSeconds:0}s)"), "Restart");
            }
            return null;
        }
        if (plan.WholeProject)
        {
            var what = $"all {plan.Steps.Count} services of project '{project}'";
            if (!ShouldProcess(what, "Restart"))
                return null;
            if (!Force && !MyInvocation.BoundParameters.ContainsKey("Confirm")
                && GetVariableValue("ConfirmPreference") is ConfirmImpact preference && preference != ConfirmImpact.None && preference <= ConfirmImpact.High
                && !ShouldContinue($"Restart {what}?", "Restart the whole project"))
                return null;
        }
        var declined = plan.Steps.Where(step => !ShouldProcess($"{step.Service} in project '{project}'", "Restart")).Select(step => step.Service).ToList();
        return declined.Count == plan.Steps.Count ? null : declined;
    }

    /// <summary>Writes a result; a failed one also as a non-terminating error.</summary>
    private void WriteResult(RestartResult result)
    {
        var failed = result.Status is RestartStatus.Failed or RestartStatus.RolledBack;
        if (failed)
        {
            var category = result.FailureReason switch
            {
                FailureReason.Timeout => ErrorCategory.OperationTimeout,
                FailureReason.Dependency => ErrorCategory.ResourceUnavailable,
                _ => ErrorCategory.NotSpecified,
            };
            WriteError(Error(ErrorIds.ServiceRestartFailed, category,
                $"Service '{result.Service}' {result.Status.ToString().ToLowerInvariant()} ({result.FailureReason}): {result.Message}", result.Service));
        }
        WriteObject(result);
    }
}
