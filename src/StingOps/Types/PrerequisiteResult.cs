namespace StingOps;

/// <summary>One pre-restart check on one target (docs/types.md: StingOps.PrerequisiteResult). Never carries a secret value.</summary>
public sealed class PrerequisiteResult
{
    /// <summary>DockerEngine, DiskSpace, Memory, ComposeFile, RestartConfiguration, EnvironmentFile, Dependencies, RestartLock, InterruptedRun, ConfigDrift, ComposeCli.</summary>
    public string Check { get; init; } = "";
    public string Target { get; init; } = "";
    public bool Passed { get; init; }
    /// <summary>How serious a failure of this check is: a failed Error stops a restart, a failed Warning does not.</summary>
    public PrerequisiteSeverity Severity { get; init; }
    public string Message { get; init; } = "";

    public override string ToString() => $"{Check} {Target}: {(Passed ? "passed" : Severity.ToString())}";
}

/// <summary>One problem in an env file (docs/types.md: StingOps.EnvironmentFileFinding). Names keys and lines, never a value.</summary>
public sealed class EnvironmentFileFinding
{
    public string Path { get; init; } = "";
    /// <summary>1-based; 0 when the finding is about the whole file.</summary>
    public int Line { get; init; }
    /// <summary>The variable name when it is safe to show; null otherwise.</summary>
    public string? Key { get; init; }
    /// <summary>"Code: sentence"; match on <see cref="Code"/>.</summary>
    public string Problem { get; init; } = "";
    /// <summary>The stable problem code, e.g. MissingRequiredKey, UnterminatedQuote.</summary>
    public string Code { get; init; } = "";
    /// <summary>Error, Warning or Information.</summary>
    public string Severity { get; init; } = "";

    public override string ToString() => Line > 0 ? $"{Path}:{Line}: {Problem}" : $"{Path}: {Problem}";
}
