using System.Management.Automation;
using StingOps.Core;
using StingOps.Core.Execution;
using StingOps.Core.Graph;
using System.Threading.Channels;
using StingOps.Core.Recreate;
using StingOps.Core.State;

namespace StingOps.Commands;

/// <summary>
/// Dependency-aware, health-gated restart. Names piped in are collected and restarted as ONE plan in
/// EndProcessing. Results stream out as each service finishes.
/// </summary>
[Cmdlet(VerbsLifecycle.Restart, "StingService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RestartResult))]
public sealed class RestartStingServiceCommand : StingCmdlet
{
    private readonly List<string> _names = [];

    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ServiceNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

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

    protected override void ProcessRecord()
    {
        if (Name is not null)
            _names.AddRange(Name);
    }

    protected override void EndProcessing()
    {
        var project = OpenProject();
        var engine = ConnectEngine();
        var time = TimeProvider.System;
        var environment = EnvironmentSnapshot();
        var runner = new RestartRunner(engine, time, StateDirectory.Resolve(environment), project.CreateRedactor());
        var request = new RestartRequest
        {
            Names = _names,
            IncludeDependents = IncludeDependents,
            Timeout = TimeoutSec is { } t ? TimeSpan.FromSeconds(t) : null,
        };
        if (Force)
            WriteWarning("-Force: the prerequisite checks are skipped.");
        else
            RestartPreflight.Enforce(this, project, engine, environment, _names, IncludeDependents, Recreate, Cancellation);
        var prepared = Await(runner.PrepareAsync(project, request, Cancellation));
        var plan = prepared.Plan;

        if (!Confirm(plan, project.Name))
            return;

        var runId = RestartRunner.NewRunId(time);
        if (prepared.UnreadyDependencies.Count > 0)
        {
            if (!Force)
            {
                RefuseForDependencies(prepared, runId);
                return;
            }
            foreach (var u in prepared.UnreadyDependencies)
                WriteWarning($"-Force: restarting '{u.Service}' although its dependency '{u.Dependency}' is {u.Observed}.");
        }

        var recreator = Recreate
            ? RestartPreflight.PrepareRecreator(this, prepared, engine, environment, _names, runId, Force,
                rollback: !NoRollback && project.Options.RollbackEnabled, project.CreateRedactor(), Cancellation)
            : null;
        ChannelReader<RestartEvent> events;
        try
        {
            events = Await(runner.StartAsync(prepared, runId, Cancellation, recreator));
        }
        catch
        {
            foreach (var snapshot in recreator?.Snapshots ?? [])
                SnapshotStore.Delete(snapshot);
            throw;
        }
        var progress = new RestartProgress(this, plan);
        var failed = 0;
        while (Try(() => events.WaitToReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult()))
        {
            while (events.TryRead(out var e))
            {
                switch (e)
                {
                    case ServicePhaseChanged p:
                        progress.Update(p);
                        break;
                    case RunWarning w:
                        WriteWarning(w.Message);
                        break;
                    case ServiceFinished f:
                        progress.Finished(f.Outcome);
                        var result = Mapper.ToResult(f.Outcome);
                        if (result.Status is RestartStatus.Failed or RestartStatus.RolledBack)
                        {
                            failed++;
                            WriteError(Error(ErrorIds.ServiceRestartFailed, ErrorCategory.NotSpecified,
                                $"Service '{result.Service}' {result.Status.ToString().ToLowerInvariant()} ({result.FailureReason}): {result.Message}", result.Service));
                        }
                        WriteObject(result);
                        break;
                }
            }
        }
        progress.Complete();
        WriteVerbose($"Run {runId}: {plan.Steps.Count} service(s), {failed} failed.");
    }

    /// <summary>-WhatIf lists the plan; otherwise one confirmation per run, High impact for a whole-project restart.</summary>
    private bool Confirm(RestartPlan plan, string project)
    {
        var what = plan.WholeProject
            ? $"all {plan.Steps.Count} services of project '{project}'"
            : $"{string.Join(", ", plan.Steps.Select(s => s.Service))} in project '{project}'";
        if (MyInvocation.BoundParameters.TryGetValue("WhatIf", out var whatIf) && ((SwitchParameter)whatIf).IsPresent)
        {
            foreach (var step in plan.Steps)
            {
                var after = step.DependsOn.Count == 0 ? "" : $" after {string.Join(", ", step.DependencyNames)}";
                ShouldProcess($"{step.Service} (wave {step.Wave}{after}; ready when {step.Probe}; timeout {step.Timeout.TotalSeconds:0}s)", "Restart");
            }
            return false;
        }
        if (!ShouldProcess(what, "Restart"))
            return false;
        if (plan.WholeProject && !Force && !MyInvocation.BoundParameters.ContainsKey("Confirm")
            && GetVariableValue("ConfirmPreference") is ConfirmImpact preference && preference != ConfirmImpact.None && preference <= ConfirmImpact.High)
        {
            return ShouldContinue($"Restart {what}?", "Restart the whole project");
        }
        return true;
    }

    /// <summary>A named restart whose dependencies are not ready touches nothing (without -Force).</summary>
    private void RefuseForDependencies(PreparedRestart prepared, string runId)
    {
        var blocked = prepared.UnreadyDependencies.GroupBy(u => u.Service).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var step in prepared.Plan.Steps)
        {
            string message;
            RestartStatus status;
            if (blocked.TryGetValue(step.Service, out var deps))
            {
                status = RestartStatus.Failed;
                message = "not restarted: " + string.Join("; ", deps.Select(d => $"dependency '{d.Dependency}' is {d.Observed}")) + " (use -Force to restart anyway)";
                WriteError(Error(ErrorIds.ServiceRestartFailed, ErrorCategory.ResourceUnavailable, $"Service '{step.Service}' {message}", step.Service));
            }
            else
            {
                status = RestartStatus.Skipped;
                message = "not restarted: the run was refused because a dependency outside it is not ready";
            }
            WriteObject(new RestartResult
            {
                RunId = runId, Service = step.Service, Status = status, FailureReason = FailureReason.Dependency,
                Wave = step.Wave, Message = message,
            });
        }
    }
}
