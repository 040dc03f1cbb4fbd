namespace StingOps.Core.Common;

/// <summary>What kind of problem an error is; the cmdlets map it to a PowerShell ErrorCategory.</summary>
public enum StingErrorKind
{
    InvalidData,
    ObjectNotFound,
    InvalidArgument,
    ResourceUnavailable,
    ResourceBusy,
    ConnectionError,
    OperationTimeout,
    InvalidOperation,
    NotSpecified,
}

/// <summary>
/// A failure with a stable error id (docs/errors.md), e.g. <c>StingComposeFileInvalid</c>.
/// Messages name the culprit (file:line:column, service, variable, cycle) and never carry secret values.
/// </summary>
public class StingException : Exception
{
    public StingException(string errorId, StingErrorKind kind, string message, Exception? inner = null, object? target = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
    }

    public string ErrorId { get; }
    public StingErrorKind Kind { get; }
    public object? Target { get; }
}

/// <summary>The stable error ids, in one place so that code and tests agree on their spelling.</summary>
public static class ErrorIds
{
    public const string ComposeFileNotFound = "StingComposeFileNotFound";
    public const string ComposeFileInvalid = "StingComposeFileInvalid";
    public const string InterpolationFailed = "StingInterpolationFailed";
    public const string DependencyCycle = "StingDependencyCycle";
    public const string UnknownService = "StingUnknownService";
    public const string UndefinedDependency = "StingUndefinedDependency";
    public const string DisabledDependency = "StingDisabledDependency";
    public const string EngineUnavailable = "StingEngineUnavailable";
    public const string PrerequisiteFailed = "StingPrerequisiteFailed";
    public const string RestartLocked = "StingRestartLocked";
    public const string StopWouldStrandDependents = "StingStopWouldStrandDependents";
    public const string BeforeRestartFailed = "StingBeforeRestartFailed";
    public const string ServiceRestartFailed = "StingServiceRestartFailed";
    public const string ServiceNotReady = "StingServiceNotReady";
    public const string RestartConfigurationInvalid = "StingRestartConfigurationInvalid";
    public const string ConfigFileNotFound = "StingConfigFileNotFound";
    public const string EnvironmentFileNotFound = "StingEnvironmentFileNotFound";
    public const string OutsideMaintenanceWindow = "StingOutsideMaintenanceWindow";
    public const string MaintenanceWindowInvalid = "StingMaintenanceWindowInvalid";
    public const string MetricFileNotFound = "StingMetricFileNotFound";
    public const string ProjectNameInvalid = "StingProjectNameInvalid";
    /// <summary>The engine answered, but the container asked for does not exist (any more).</summary>
    public const string ContainerNotFound = "StingContainerNotFound";
    /// <summary>The engine answered and refused the operation (conflict, runtime error, bad request).</summary>
    public const string EngineOperationFailed = "StingEngineOperationFailed";
    public const string EnvironmentFileInvalid = "StingEnvironmentFileInvalid";
    public const string MetricStoreBusy = "StingMetricStoreBusy";
    public const string MetricExportFailed = "StingMetricExportFailed";
    public const string EnvironmentFileUnreadable = "StingEnvironmentFileUnreadable";
    /// <summary>-StackName with a verb or switch that has no meaning on a Swarm stack (Stop, Start, Repair, Wait, -Recreate).</summary>
    public const string SwarmOperationNotSupported = "StingSwarmOperationNotSupported";
    /// <summary>ConvertTo-StingGraph: an object piped in names no service (no Service or Name property).</summary>
    public const string GraphInputInvalid = "StingGraphInputInvalid";
    /// <summary>Export-StingRestartReport: the run asked for (or any run) is not recorded.</summary>
    public const string RestartRunNotFound = "StingRestartRunNotFound";
}
