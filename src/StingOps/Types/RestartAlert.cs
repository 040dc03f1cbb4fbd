namespace StingOps;

/// <summary>The alert conditions of the restart reliability plan ("Monitoring &amp; Alerting").</summary>
public enum RestartAlertRule
{
    /// <summary>A restart took longer than the slow-restart threshold (default 5 minutes).</summary>
    RestartTooSlow,
    /// <summary>A service failed (or was rolled back) after a restart.</summary>
    ServiceFailedAfterRestart,
    /// <summary>A service was skipped or failed because a dependency did not come back.</summary>
    DependencyChainBroken,
    /// <summary>More restart failures than allowed in the window (default more than 3 in 24 hours).</summary>
    RepeatedFailures,
    /// <summary>Env-file validation failed, now or in a recorded run.</summary>
    EnvironmentValidationFailed,
}

/// <summary>One alert rule's verdict (docs/types.md: StingOps.RestartAlert). Every rule is reported, triggered or not.</summary>
public sealed class RestartAlert
{
    public RestartAlertRule Rule { get; init; }
    public bool Triggered { get; init; }
    /// <summary>What was measured, in words (e.g. "slowest 42s (run ...)").</summary>
    public string Observed { get; init; } = "";
    /// <summary>The limit, in words (e.g. "&gt; 5m").</summary>
    public string Threshold { get; init; } = "";
    public string Message { get; init; } = "";

    public override string ToString() => $"{Rule}: {(Triggered ? "TRIGGERED" : "ok")}";
}
