using System.Management.Automation;
using StingOps.Core.Graph;
using StingOps.Core.Restart;

namespace StingOps.Commands;

/// <summary>Write-Progress for a run: one overall bar, one child record per service, all completed at the end.</summary>
/// <param name="activity">The overall bar's title ("Restarting services", "Starting services").</param>
internal sealed class RestartProgress(Cmdlet cmdlet, RestartPlan plan, string activity)
{
    private const int OverallId = 1;
    private readonly Dictionary<string, int> _ids = plan.Steps.Select((s, i) => (s.Service, i)).ToDictionary(x => x.Service, x => OverallId + 1 + x.i);
    private int _finished;

    public void Show(RestartEvent e)
    {
        if (e is ServicePhaseChanged p)
            Update(p);
        else if (e is ServiceFinished f)
            Finished(f.Outcome);
    }

    private void Update(ServicePhaseChanged e)
    {
        var record = new ProgressRecord(_ids[e.Service], e.Service, Describe(e.Phase) + (e.Detail is null ? "" : $" ({e.Detail})"))
        {
            ParentActivityId = OverallId,
        };
        cmdlet.WriteProgress(record);
        Overall();
    }

    private void Finished(ServiceOutcome outcome)
    {
        _finished++;
        cmdlet.WriteProgress(new ProgressRecord(_ids[outcome.Service], outcome.Service, outcome.Status.ToString())
        {
            ParentActivityId = OverallId,
            RecordType = ProgressRecordType.Completed,
        });
        Overall();
    }

    public void Complete()
    {
        foreach (var id in _ids.Values)
            cmdlet.WriteProgress(new ProgressRecord(id, activity, "Done") { ParentActivityId = OverallId, RecordType = ProgressRecordType.Completed });
        cmdlet.WriteProgress(new ProgressRecord(OverallId, activity, "Done") { RecordType = ProgressRecordType.Completed });
    }

    private void Overall()
    {
        var total = Math.Max(1, plan.Steps.Count);
        cmdlet.WriteProgress(new ProgressRecord(OverallId, activity, $"{_finished} of {plan.Steps.Count} finished")
        {
            PercentComplete = Math.Min(100, _finished * 100 / total),
        });
    }

    private static string Describe(ServicePhase phase) => phase switch
    {
        ServicePhase.Stopping => "Stopping",
        ServicePhase.Stopped => "Stopped; waiting for its dependencies",
        ServicePhase.Starting => "Starting",
        ServicePhase.WaitingForHealth => "Waiting for health",
        ServicePhase.Ready => "Ready",
        _ => "Failed",
    };
}
