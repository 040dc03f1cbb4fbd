using System.Collections;
using System.Management.Automation;
using StingOps.Core;
using StingOps.Core.Compose;
using StingOps.Core.Engine;

namespace StingOps.Commands;

/// <summary>
/// What every project-reading cmdlet shares: the project parameters (CONTRACT.md "Finding the project"),
/// Ctrl+C as a cancellation token, async work awaited on the pipeline thread, and one way to turn a
/// core exception into an ErrorRecord with its stable id.
/// </summary>
public abstract class StingCmdlet : PSCmdlet
{
    private readonly CancellationTokenSource _cancellation = new();

    [Parameter]
    [Alias("File")]
    [ValidateNotNullOrEmpty]
    public string[]? ComposeFile { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ProjectDirectory { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ProjectName { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(ProfileCompleter))]
    public string[]? Profile { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigPath { get; set; }

    protected CancellationToken Cancellation => _cancellation.Token;

    protected override void StopProcessing() => _cancellation.Cancel();

    internal static IReadOnlyDictionary<string, string?> EnvironmentSnapshot()
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
            result[(string)e.Key] = (string?)e.Value;
        return result;
    }

    internal ProjectRequest BuildRequest() => new(
        ComposeFile?.Select(ResolvePath).ToArray(),
        ProjectDirectory is null ? null : ResolvePath(ProjectDirectory),
        ProjectName,
        Profile,
        ConfigPath is null ? null : ResolvePath(ConfigPath),
        SessionState.Path.CurrentFileSystemLocation.ProviderPath);

    internal string ResolvePath(string path) => GetUnresolvedProviderPathFromPSPath(path);

    /// <summary>Opens the project, terminating on any problem (nothing can proceed without it).</summary>
    internal StingProject OpenProject()
    {
        var project = Try(() => StingProject.Open(BuildRequest(), EnvironmentSnapshot()));
        foreach (var warning in project.Warnings)
            WriteWarning(warning);
        return project;
    }

    internal IContainerEngine ConnectEngine() => Try(() => EngineConnections.For(EnvironmentSnapshot()));

    /// <summary>Awaits on the pipeline thread: only this thread may write to the pipeline.</summary>
    internal T Await<T>(Task<T> task) => Try(() => task.GetAwaiter().GetResult());

    internal void Await(Task task) => Try(() => { task.GetAwaiter().GetResult(); return true; });

    /// <summary>Runs core code; a StingException becomes a terminating error with its stable id.</summary>
    internal T Try<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (StingException ex)
        {
            ThrowTerminatingError(ToErrorRecord(ex));
            throw; // not reached: ThrowTerminatingError always throws
        }
        catch (OperationCanceledException ex) when (Cancellation.IsCancellationRequested)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "StingOperationCancelled", ErrorCategory.OperationStopped, null));
            throw;
        }
    }

    internal static ErrorRecord ToErrorRecord(StingException ex) =>
        new(ex, ex.ErrorId, Category(ex.Kind), ex.Target);

    internal static ErrorRecord Error(string errorId, ErrorCategory category, string message, object? target) =>
        new(new InvalidOperationException(message), errorId, category, target);

    private static ErrorCategory Category(StingErrorKind kind) => kind switch
    {
        StingErrorKind.InvalidData => ErrorCategory.InvalidData,
        StingErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        StingErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        StingErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        StingErrorKind.ResourceBusy => ErrorCategory.ResourceBusy,
        StingErrorKind.ConnectionError => ErrorCategory.ConnectionError,
        StingErrorKind.OperationTimeout => ErrorCategory.OperationTimeout,
        StingErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
        _ => ErrorCategory.NotSpecified,
    };
}
