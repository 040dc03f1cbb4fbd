namespace StingOps.Core.Restart;

/// <summary>
/// Writes a run's events to its <see cref="RunJournal"/> as they happen, from the executor's service tasks (any
/// thread). A stop is written when it is about to happen, not when it is done: a run killed in between must not
/// leave a stopped service unreported (reporting one that is still running costs nothing: the next run says it
/// is running again). The journal is evidence for the next run, never a reason to fail this one: the first write
/// that fails warns once and ends the journal.
/// </summary>
internal sealed class JournalKeeper
{
    private readonly Action<string> _warn;
    private readonly object _gate = new();
    private RunJournal? _journal;

    public JournalKeeper(string stateDirectory, string project, string runId, IReadOnlyList<string> services, TimeProvider time, Action<string> warn)
    {
        _warn = warn;
        Try(() => _journal = RunJournal.Begin(stateDirectory, project, runId, services, time), RunJournal.PathFor(stateDirectory, project));
    }

    public void Record(RestartEvent e)
    {
        lock (_gate)
            RecordLocked(e);
    }

    private void RecordLocked(RestartEvent e)
    {
        if (_journal is not { } journal)
            return;
        switch (e)
        {
            case ServicePhaseChanged { Phase: ServicePhase.Stopping } p:
                Try(() => journal.Stopped(p.Service), journal.Path);
                break;
            // The start call returned: from here on the container runs (or is judged by its probe).
            case ServicePhaseChanged { Phase: ServicePhase.WaitingForHealth } p:
                Try(() => journal.Started(p.Service), journal.Path);
                break;
            case ServiceFinished f:
                Try(() => journal.Finished(f.Outcome.Service, f.Outcome.Status.ToString()), journal.Path);
                break;
        }
    }

    public void Complete()
    {
        lock (_gate)
        {
            if (_journal is { } journal)
                Try(journal.Complete, journal.Path);
            _journal = null;
        }
    }

    private void Try(Action write, string path)
    {
        try
        {
            write();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _journal?.Dispose();
            _journal = null;
            _warn($"Could not write the run journal {path}: {ex.Message}. An interruption of this run would not be reported.");
        }
    }
}
