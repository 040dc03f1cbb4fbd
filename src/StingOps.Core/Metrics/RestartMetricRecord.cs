using StingOps.Core.Common;

namespace StingOps.Core.Metrics;

/// <summary>One recorded restart of one service (a row of <c>restart_metrics.csv</c> / <c>.jsonl</c>).</summary>
/// <param name="Timestamp">
/// When the service's restart finished (STING's shell takes <c>date -Iseconds</c> after the restart), with
/// the offset it was recorded in.
/// </param>
/// <param name="Service">The compose service name.</param>
/// <param name="Duration">How long the restart took (stop to ready). The csv file holds whole seconds.</param>
/// <param name="Status">The outcome. STING's shell writes only <c>success</c> (= Succeeded) and
/// <c>failure</c> (= Failed); <see cref="MetricFileFormat"/> maps the file's words.</param>
public sealed record RestartMetricRecord(
    DateTimeOffset Timestamp,
    string Service,
    TimeSpan Duration,
    OutcomeStatus Status)
{
    /// <summary>The run that restarted the service (one <c>Restart-StingService</c> call); null for rows written by STING's shell.</summary>
    public string? RunId { get; init; }

    /// <summary>The compose project the service belongs to; null for rows written by STING's shell or by
    /// StingOps before it recorded projects.</summary>
    public string? Project { get; init; }

    /// <summary>How long the service took from its start to ready (the start request's return to the probe that
    /// passed): what the readiness schedule and the run's estimate learn from. Null when unknown: STING's shell rows,
    /// outcomes that never became ready, and runs that needed more than one attempt (their start covers the failed ones).</summary>
    public TimeSpan? StartToReady { get; init; }

    /// <summary>What the run was expected to take when it began (its estimate from the project's history), on every row
    /// of the run; null without an estimate (too little history, STING's shell rows).</summary>
    public TimeSpan? ExpectedRunDuration { get; init; }

    /// <summary>The moments of the restart's phases (stop requested, stopped, start request returned, ready), for the
    /// report's timeline; each null when the phase was not reached, and for rows written by STING's shell or older StingOps.</summary>
    public PhaseTimes Phases { get; init; }

    /// <summary>The service's wave in the run's plan; null when unknown.</summary>
    public int? Wave { get; init; }

    /// <summary>Restart attempts made; null when unknown (STING's shell rows).</summary>
    public int? Attempts { get; init; }

    /// <summary>Null when unknown: STING's shell rows, or a reason written by a newer version (the record stays readable).</summary>
    public OutcomeReason? FailureReason { get; init; }

    /// <summary>Why a service did not succeed (its outcome's message), and a note on a run far slower than its estimate;
    /// null for a success with no note. Never a secret value: outcome messages are redacted where they are made, and the
    /// long diagnostics (log lines) are not recorded.</summary>
    public string? Message { get; init; }

    /// <summary>True for Succeeded, Failed and RolledBack: a restart that was attempted and came to an outcome.</summary>
    public bool IsRestart => Status is OutcomeStatus.Succeeded or OutcomeStatus.Failed or OutcomeStatus.RolledBack;

    /// <summary>True for Failed and RolledBack (a rollback is what happens after a failed restart).</summary>
    public bool IsFailure => Status is OutcomeStatus.Failed or OutcomeStatus.RolledBack;
}

/// <summary>When one service's restart reached each phase: its stop was requested (a pre_stop hook runs after this), it was
/// stopped, its start request returned, it was ready. Null where the phase was not reached.</summary>
public readonly record struct PhaseTimes(DateTimeOffset? StopRequestedAt, DateTimeOffset? StoppedAt, DateTimeOffset? StartedAt, DateTimeOffset? ReadyAt);
