using System.Globalization;
using System.Management.Automation;
using StingOps.Core.Common;
using StingOps.Core.Graph;
using StingOps.Core.Restart;

namespace StingOps.Commands;

/// <summary>
/// -Verbose for a run: the plan, then each stop, start, probe verdict and outcome with the time since the
/// run started, and a closing line with the counts. Built from the executor's events, on the pipeline thread;
/// every line is redacted (probe commands and failure messages may quote a secret).
/// </summary>
internal sealed class RestartStory(StingCmdlet cmdlet, Func<string, string> redact, DateTimeOffset began)
{
    private readonly Dictionary<string, DateTimeOffset> _stopping = [];
    private readonly Dictionary<string, DateTimeOffset> _starting = [];

    /// <summary>The plan, before it is confirmed (and under -WhatIf).</summary>
    public static void WritePlan(StingCmdlet cmdlet, RestartPlan plan, string project, Func<string, string> redact)
    {
        var waves = plan.Steps.Select(s => s.Wave).Distinct().Count();
        cmdlet.WriteVerbose(redact($"Plan for project '{project}': {plan.Steps.Count} service(s) in {waves} wave(s); " +
            "dependents stop first, each service starts once its own dependencies are ready."));
        foreach (var step in plan.Steps)
        {
            var after = step.DependsOn.Count == 0 ? "no dependencies in the plan" : $"after {string.Join(", ", step.DependencyNames)}";
            var action = step.Action == StepAction.Restart ? "" : $"; {Word(step.Action)}" + (step.Why is null ? "" : $": {step.Why}");
            if (step.Action == StepAction.Stop)
            {
                var dependents = plan.Graph[step.Service].Dependents.Where(plan.Contains).Order(StringComparer.Ordinal).ToList();
                cmdlet.WriteVerbose(redact($"  wave {step.Wave}: {step.Service} ({(dependents.Count == 0 ? "no dependents in the plan" : $"after {string.Join(", ", dependents)} stopped")}{action})"));
                continue;
            }
            cmdlet.WriteVerbose(redact($"  wave {step.Wave}: {step.Service} ({after}; ready when {step.Probe}; timeout {Seconds(step.Timeout)}{action})"));
        }
    }

    /// <summary>The verb of a step's action, as -WhatIf and -Confirm name it.</summary>
    public static string Word(StepAction action) => action switch
    {
        StepAction.Start => "Start",
        StepAction.Stop => "Stop",
        StepAction.Keep => "Leave alone",
        _ => "Restart",
    };

    public void Show(RestartEvent e)
    {
        switch (e)
        {
            case ServicePhaseChanged p: Phase(p); break;
            case RunNote n: Note(n); break;
            case ServiceFinished f: Finished(f); break;
        }
    }

    private void Phase(ServicePhaseChanged e)
    {
        var detail = e.Detail is null ? "" : $" ({e.Detail})";
        var line = e.Phase switch
        {
            ServicePhase.Stopping => Mark(_stopping, e, $"stopping{detail}"),
            ServicePhase.Stopped => $"stopped in {Since(_stopping, e)}",
            ServicePhase.Starting => Mark(_starting, e, $"starting{detail}"),
            ServicePhase.WaitingForHealth => $"started; probing: {e.Detail}",
            ServicePhase.Ready => $"probe passed: ready {Since(_starting, e)} after its start",
            _ => $"failed: {e.Detail}",
        };
        Write($"[{Elapsed(e.Time)}] {e.Service}: {line}");
    }

    private void Note(RunNote n)
    {
        Write($"[{Elapsed(n.Time)}] {n.Message}");
    }

    private void Finished(ServiceFinished f)
    {
        var o = f.Outcome;
        var took = o.Duration is { } d ? $" in {Seconds(d)} from stop to ready" : "";
        var attempts = o.Attempts == 1 ? "1 attempt" : $"{o.Attempts} attempts";
        var reason = o.Reason == OutcomeReason.None ? "" : $" ({o.Reason})";
        var probes = o.Probes == default ? "" : $", {o.Probes}";
        Write($"[{Elapsed(f.Time)}] {o.Service}: {o.Status}{reason}{took}, {attempts}{probes}.");
        if (o.Status is OutcomeStatus.Failed or OutcomeStatus.RolledBack)
        {
            Write($"  {o.Message}");
            // The long part of a failure, line by line: what the result's table leaves to Format-List.
            foreach (var line in (o.Diagnostics ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
                Write($"  {line}");
        }
    }

    public void Summary(string runId, IReadOnlyCollection<ServiceOutcome> outcomes, DateTimeOffset now)
    {
        var counts = string.Join(", ", outcomes.GroupBy(o => o.Status).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}"));
        Write($"Run {runId} finished in {Seconds(now - began)}: {(counts.Length == 0 ? "nothing ran" : counts)}.");
    }

    private void Write(string line) => cmdlet.WriteVerbose(redact(line));

    private string Mark(Dictionary<string, DateTimeOffset> marks, ServicePhaseChanged e, string text)
    {
        marks[e.Service] = e.Time;
        return text;
    }

    private static string Since(Dictionary<string, DateTimeOffset> marks, ServicePhaseChanged e) =>
        marks.TryGetValue(e.Service, out var then) ? Seconds(e.Time - then) : "?";

    private string Elapsed(DateTimeOffset time) => "+" + Seconds(time - began);

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s";
}
