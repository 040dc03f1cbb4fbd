namespace StingOps.Core.Preflight;

/// <summary>The checks <see cref="PrerequisiteChecker"/> runs, in the order it reports them.</summary>
public enum PrerequisiteCheck
{
    ComposeFile,
    RestartConfiguration,
    DockerEngine,
    DiskSpace,
    Memory,
    EnvironmentFile,
    Dependencies,
    RestartLock,
    /// <summary>A restart of the project was killed mid-run (its journal never completed): what it left stopped.</summary>
    InterruptedRun,
    ConfigDrift,
    ComposeCli,
    /// <summary>Swarm (-StackName): the engine is a manager of an active swarm.</summary>
    SwarmManager,
    /// <summary>Swarm: every node is ready and active.</summary>
    SwarmNodes,
    /// <summary>Swarm: the stack is deployed, with every planned service of the compose files.</summary>
    StackServices,
}

public enum PrerequisiteCheckSeverity { Error, Warning }

/// <summary>
/// One check on one target. <see cref="Severity"/> is how serious a failure of this check is: a failed Error stops a
/// restart, a failed Warning does not. Messages name files, keys, services and numbers, never a value.
/// </summary>
public sealed record PrerequisiteCheckResult(PrerequisiteCheck Check, string Target, bool Passed, PrerequisiteCheckSeverity Severity, string Message)
{
    public bool IsBlocking => !Passed && Severity == PrerequisiteCheckSeverity.Error;

    public override string ToString() => $"{Check} [{Target}]: {(Passed ? "passed" : Severity == PrerequisiteCheckSeverity.Error ? "FAILED" : "warning")}: {Message}";
}

/// <summary>What to check and against which thresholds.</summary>
public sealed record PrerequisiteOptions
{
    public const double DefaultMinimumFreeSpaceGB = 1.0;
    public const double DefaultMinimumAvailableMemoryMB = 256;

    /// <summary>Requested service names or patterns; empty: the whole project.</summary>
    public IReadOnlyList<string> Names { get; init; } = [];
    public bool IncludeDependents { get; init; }
    /// <summary>Start-StingService -IncludeDependencies: what the named services depend on is checked too.</summary>
    public bool IncludeDependencies { get; init; }
    /// <summary>-TimeoutSec of the run the checks are for: overrides every planned service's timeout.</summary>
    public TimeSpan? Timeout { get; init; }
    /// <summary>A -Recreate run: drift is what it will apply, and the compose CLI must exist.</summary>
    public bool Recreate { get; init; }
    /// <summary>Overrides restart_configuration.minimum_free_space_gb.</summary>
    public double? MinimumFreeSpaceGB { get; init; }
    /// <summary>Below this, a warning; restart_configuration.minimum_available_memory_mb, when set, makes it an error at its own threshold.</summary>
    public double MinimumAvailableMemoryMB { get; init; } = DefaultMinimumAvailableMemoryMB;
    /// <summary>Judge dependencies outside the request (Restart-StingService does that itself, per service).</summary>
    public bool CheckDependencies { get; init; } = true;
    /// <summary>Probe the restart lock and the run journal (Restart-StingService takes the lock itself and refuses with
    /// StingRestartLocked, and warns of an interrupted run under it).</summary>
    public bool CheckLock { get; init; } = true;
    /// <summary>Validate the env files (a run whose before-restart step regenerates them validates them after it).</summary>
    public bool CheckEnvironmentFiles { get; init; } = true;
}

/// <summary>What the machine says about disk and memory; a seam for tests.</summary>
public interface ISystemResources
{
    /// <summary>Free bytes available to this user on the file system holding <paramref name="path"/>; null when the path is not visible.</summary>
    long? FreeBytes(string path);

    /// <summary>MemAvailable from /proc/meminfo, in bytes; null where unknown.</summary>
    long? AvailableMemoryBytes();
}

public sealed class SystemResources : ISystemResources
{
    public static SystemResources Instance { get; } = new();

    public long? FreeBytes(string path)
    {
        try
        {
            if (!Directory.Exists(path))
                return null;
            return new DriveInfo(path).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    public long? AvailableMemoryBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                    continue;
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return parts.Length >= 2 && long.TryParse(parts[1], out var kb) ? kb * 1024 : null;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }
}
