using StingOps.Core.Common;
using StingOps.Core.Health;

namespace StingOps.Core.Restart;

public enum ServicePhase { Stopping, Stopped, Starting, WaitingForHealth, Ready, Failed }

/// <summary>What the executor reports while it runs; the cmdlet turns these into progress, objects and errors.</summary>
public abstract record RestartEvent(DateTimeOffset Time);

public sealed record ServicePhaseChanged(DateTimeOffset Time, string Service, ServicePhase Phase, string? Detail = null) : RestartEvent(Time);

public sealed record ServiceFinished(DateTimeOffset Time, ServiceOutcome Outcome) : RestartEvent(Time);

public sealed record RunWarning(DateTimeOffset Time, string Message) : RestartEvent(Time);

/// <summary>Worth telling (-Verbose) but no cause for concern: the run copes, e.g. probing while engine events are unavailable.</summary>
public sealed record RunNote(DateTimeOffset Time, string Message) : RestartEvent(Time);

/// <summary>The final state of one service in one run.</summary>
public sealed record ServiceOutcome(
    string RunId,
    string Service,
    OutcomeStatus Status,
    OutcomeReason Reason,
    int Attempts,
    int Wave,
    DateTimeOffset? StoppedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? ReadyAt,
    string Message)
{
    /// <summary>From stop to ready; null unless the service became ready.</summary>
    public TimeSpan? Duration => ReadyAt is { } ready ? ready - (StoppedAt ?? StartedAt ?? ready) : null;

    /// <summary>What waiting for its readiness after its starts cost (tests run, execs).</summary>
    public ProbeTally Probes { get; init; }

    /// <summary>Why it failed, at length (the last health check's output, the last log lines), secrets masked; null when
    /// there is nothing beyond <see cref="Message"/>. Not recorded in the metrics.</summary>
    public string? Diagnostics { get; init; }

    /// <summary>When its stop was first requested (before a pre_stop hook runs); null when it was never stopped.</summary>
    public DateTimeOffset? StopRequestedAt { get; init; }
}
