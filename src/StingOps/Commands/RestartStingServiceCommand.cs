using System.Management.Automation;
using StingOps.Core.Common;
using StingOps.Core.Configuration;
using StingOps.Core.Graph;
using StingOps.Core.Metrics;
using StingOps.Core.Restart;
using System.Threading.Channels;

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
        var time = TimeProvider.System;
        EnsureInsideMaintenanceWindow(project.Options, time);
        var redact = project.CreateRedactor();
        var engine = ConnectEngine(redact);
        var environment = EnvironmentSnapshot();
        var metrics = MetricStore.ResolveDirectory(project.Options.MetricsDirectory, project.Location.ProjectDirectory, k => environment.GetValueOrDefault(k));
        var runner = new RestartRunner(engine, time, StateDirectory.Resolve(environment), metrics, redact);
        var request = new RestartRequest
        {
            Names = Names,
            IncludeDependents = IncludeDependents,
            Timeout = TimeoutSec is { } t ? TimeSpan.FromSeconds(t) : null,
        };
        if (Force)
            WriteWarning("-Force: the prerequisite checks are skipped.");
        else
            RestartPreflight.Enforce(this, project, engine, environment, Names, IncludeDependents, Recreate, Cancellation);
        var prepared = Await(runner.PrepareAsync(project, request, Cancellation));
        var plan = prepared.Plan;
        var story = new RestartStory(this, plan, redact);
        story.Plan(project.Name);

        if (!Confirm(plan, project.Name, redact))
            return;

        var runId = RestartRunner.NewRunId(time);
        if (prepared.Blocking.Count > 0)
        {
            if (!Force)
            {
                foreach (var outcome in runner.Refuse(prepared, runId))
                    WriteResult(Mapper.ToResult(outcome));
                return;
            }
            foreach (var u in prepared.Blocking)
                WriteWarning($"-Force: restarting '{u.Service}' although its dependency '{u.Dependency}' is {u.Observed}.");
        }

        var recreator = Recreate
            ? RestartPreflight.PrepareRecreator(this, prepared, engine, ConnectSnapshots(redact), environment, Names, runId, Force,
                rollback: !NoRollback && project.Options.RollbackEnabled, redact, Cancellation)
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
        story.Started(time.GetUtcNow());
        var outcomes = new List<ServiceOutcome>();
        foreach (var e in Drain(events))
        {
            switch (e)
            {
                case ServicePhaseChanged p:
                    story.Phase(p);
                    progress.Update(p);
                    break;
                case RunWarning w:
                    WriteWarning(w.Message);
                    break;
                case RunNote n:
                    story.Note(n);
                    break;
                case ServiceFinished f:
                    story.Finished(f);
                    progress.Finished(f.Outcome);
                    outcomes.Add(f.Outcome);
                    WriteResult(Mapper.ToResult(f.Outcome));
                    break;
            }
        }
        progress.Complete();
        story.Summary(runId, outcomes, time.GetUtcNow());
    }

    /// <summary>
    /// The run's events, read on the pipeline thread. While none arrives, the engine calls traced meanwhile
    /// (-Debug) are written every quarter second, so a long probe wait does not hide them.
    /// </summary>
    private IEnumerable<RestartEvent> Drain(ChannelReader<RestartEvent> events)
    {
        while (true)
        {
            var more = events.WaitToReadAsync(CancellationToken.None).AsTask();
            // The wait handle, not Wait(): a faulted read must surface through Try below, as a StingException.
            while (!((IAsyncResult)more).AsyncWaitHandle.WaitOne(TimeSpan.FromMilliseconds(250)))
                WriteQueuedDebug();
            WriteQueuedDebug();
            if (!Try(() => more.GetAwaiter().GetResult()))
                yield break;
            while (events.TryRead(out var e))
                yield return e;
        }
    }

    /// <summary>-WhatIf lists the plan; otherwise one confirmation per run, High impact for a whole-project restart.</summary>
    private bool Confirm(RestartPlan plan, string project, Func<string, string> redact)
    {
        var what = plan.WholeProject
            ? $"all {plan.Steps.Count} services of project '{project}'"
            : $"{string.Join(", ", plan.Steps.Select(s => s.Service))} in project '{project}'";
        if (MyInvocation.BoundParameters.TryGetValue("WhatIf", out var whatIf) && ((SwitchParameter)whatIf).IsPresent)
        {
            foreach (var step in plan.Steps)
            {
                var after = step.DependsOn.Count == 0 ? "" : $" after {string.Join(", ", step.DependencyNames)}";
                ShouldProcess(redact($"{step.Service} (wave {step.Wave}{after}; ready when {step.Probe}; timeout {step.Timeout.TotalSeconds:0}s)"), "Restart");
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

    /// <summary>-MaintenanceWindow, else the config's maintenance_window: outside it, refuse before touching anything.</summary>
    private void EnsureInsideMaintenanceWindow(RestartOptions options, TimeProvider time)
    {
        var window = Try(() => MaintenanceWindow is { } text ? Core.Metrics.MaintenanceWindow.Parse(text)
            : options.MaintenanceWindow is { } spec ? Core.Metrics.MaintenanceWindow.FromSpec(spec) : null);
        if (window is null || window.IsOpen(time, out var next))
            return;
        var opens = next is { } n ? $"; it next opens at {n:yyyy-MM-dd HH:mm zzz}" : "";
        ThrowTerminatingError(ToErrorRecord(new StingException(ErrorIds.OutsideMaintenanceWindow, StingErrorKind.InvalidOperation,
            $"Outside the maintenance window '{window}'{opens}. Nothing was touched.", target: window.ToString())));
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
