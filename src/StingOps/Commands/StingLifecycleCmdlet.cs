using System.Management.Automation;
using StingOps.Core.Common;
using StingOps.Core.Graph;
using StingOps.Core.Health;
using StingOps.Core.Restart;
using StingOps.Core.UseCases;

namespace StingOps.Commands;

/// <summary>
/// What Restart-, Start-, Stop- and Repair-StingService share: one session from request to results. The cmdlet binds
/// its parameters into a request; this shows the messages and the plan, confirms each step that acts, starts the
/// run and writes its story, progress and results. Names piped in are collected and run as ONE plan.
/// </summary>
public abstract class StingLifecycleCmdlet : StingServiceCmdlet
{
    /// <summary>"Restarting services", "Starting services": the progress bar's title.</summary>
    private protected abstract string Activity { get; }

    /// <summary>Whether a whole-project run is confirmed once more before its steps (High impact: Restart, Stop).</summary>
    private protected abstract bool WholeProjectIsHighImpact { get; }

    /// <summary>-Force, where the cmdlet has it: skips the whole-project question.</summary>
    private protected virtual bool Forced => false;

    private protected void Run(RestartSessionRequest request, bool needsSnapshots = false)
    {
        var project = OpenProject();
        var redact = project.CreateRedactor();
        // The orchestrator is chosen here, once: a Swarm stack's services, or a compose project's containers.
        ILifecycleSession session = IsStack
            ? new SwarmSession(project, ConnectSwarm(), EnvironmentSnapshot(), TimeProvider.System, redact)
            : new RestartSession(project, ConnectEngine(redact), needsSnapshots ? ConnectSnapshots(redact) : null, EnvironmentSnapshot(), TimeProvider.System, redact);
        var prepared = Await(session.PrepareAsync(request, Cancellation));
        WriteMessages(prepared.Messages);
        if (prepared.Refusal is { } refusal)
            ThrowTerminatingError(ToErrorRecord(refusal));
        RestartStory.WritePlan(this, prepared.Plan, project.Name, redact);
        // A stop has nothing to wait for: only what starts is estimated.
        if (prepared.Plan.Steps.Any(s => s.Action is StepAction.Restart or StepAction.Start))
        {
            var expected = session.Estimate(prepared.Plan).Describe();
            if (WhatIfGiven)
                WriteInformation(new HostInformationMessage { Message = "What if: " + expected }, ["PSHOST"]);
            else
                WriteVerbose(expected);
        }
        if (WhatIfGiven && prepared.Restart.Blocking.Count > 0 && !request.Force)
            WriteWarning(redact("The run would be refused, touching nothing: " +
                string.Join("; ", prepared.Restart.Blocking.Select(u => $"{u.Service} needs {u.Dependency}, which is {u.Observed}")) + "."));
        if (Confirm(prepared.Plan, project.Name, redact) is not { } declined)
            return;
        prepared = Await(session.WithoutAsync(prepared, declined, Cancellation));
        // What was declined may change the verdict (a dependent declined at a stop is stranded).
        WriteMessages(prepared.Messages);
        if (prepared.Refusal is { } narrowed)
            ThrowTerminatingError(ToErrorRecord(narrowed));

        var run = Await(session.StartAsync(prepared, Cancellation));
        WriteMessages(run.Messages);
        // A refused run touched nothing: its outcomes are all there is to show.
        var story = run.Refused ? null : new RestartStory(this, redact, TimeProvider.System.GetUtcNow());
        var progress = run.Refused ? null : new RestartProgress(this, prepared.Plan, Activity);
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
        if (DebugWanted && outcomes.Any(o => o.ReadyAt is not null))
            WriteDebug(ProbeSummary(outcomes));
    }

    /// <summary>What readiness cost the engine in this run: the bench and an operator tuning probes read it from -Debug.</summary>
    internal static string ProbeSummary(IReadOnlyCollection<ServiceOutcome> outcomes)
    {
        // Every service waited for to readiness, also those the engine's own healthcheck (free to read) found ready.
        var probed = outcomes.Where(o => o.ReadyAt is not null || o.Probes != default).ToList();
        var total = probed.Aggregate(ProbeTally.None, (sum, o) => sum + o.Probes);
        return $"Probes: {total} for {probed.Count} service(s): " +
            string.Join(", ", probed.Select(o => $"{o.Service} {o.Probes.Runs}/{o.Probes.Execs}")) + " (probes/execs).";
    }

    /// <summary>
    /// -WhatIf lists each step that acts (a service left alone is not asked about). Otherwise each is confirmed on its
    /// own, as PowerShell's service cmdlets do, and a High-impact whole-project run once more before that. Returns
    /// the services declined, or null to stop.
    /// </summary>
    private IReadOnlyCollection<string>? Confirm(RestartPlan plan, string project, Func<string, string> redact)
    {
        var acting = plan.Steps.Where(s => s.Action != StepAction.Keep).ToList();
        if (WhatIfGiven)
        {
            // A stop goes dependents first: listed in that order, each after the dependents it waits for.
            foreach (var step in acting[0].Action == StepAction.Stop ? Enumerable.Reverse(acting) : acting)
            {
                var waitsFor = step.Action == StepAction.Stop
                    ? plan.Graph[step.Service].Dependents.Where(plan.Contains).Order(StringComparer.Ordinal).ToList()
                    : step.DependencyNames.ToList();
                var after = waitsFor.Count == 0 ? "" : $" after {string.Join(", ", waitsFor)}";
                var why = step.Why is null ? "" : $"; {step.Why}";
                var ready = step.Action == StepAction.Stop ? "" : $"; ready when {step.Probe}";
                ShouldProcess(redact($"{step.Service} (wave {step.Wave}{after}{ready}; timeout {step.Timeout.TotalSeconds:0}s{why})"), RestartStory.Word(step.Action));
            }
            return null;
        }
        if (acting.Count == 0)
            return [];
        if (plan.WholeProject && WholeProjectIsHighImpact)
        {
            var verb = RestartStory.Word(acting[0].Action);
            var what = $"all {plan.Steps.Count} services of project '{project}'";
            if (!ShouldProcess(what, verb))
                return null;
            if (!Forced && !MyInvocation.BoundParameters.ContainsKey("Confirm")
                && GetVariableValue("ConfirmPreference") is ConfirmImpact preference && preference != ConfirmImpact.None && preference <= ConfirmImpact.High
                && !ShouldContinue($"{verb} {what}?", $"{verb} the whole project"))
                return null;
        }
        var declined = acting.Where(step => !ShouldProcess($"{step.Service} in project '{project}'", RestartStory.Word(step.Action))).Select(step => step.Service).ToList();
        return declined.Count == acting.Count ? null : declined;
    }

    private bool WhatIfGiven => MyInvocation.BoundParameters.TryGetValue("WhatIf", out var whatIf) && ((SwitchParameter)whatIf).IsPresent;

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
                $"Service '{result.Service}' {result.Status.ToString().ToLowerInvariant()} ({result.FailureReason}): {result.Message}"
                + (result.Diagnostics is null ? "" : Environment.NewLine + result.Diagnostics), result.Service));
        }
        WriteObject(result);
    }
}
