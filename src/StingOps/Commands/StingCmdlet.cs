using System.Collections;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading.Channels;
using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Engine;
using StingOps.Core.Project;
using StingOps.Core.UseCases;

namespace StingOps.Commands;

/// <summary>
/// What every project-reading cmdlet shares: the project parameters (docs/cmdlets.md "Finding the project"),
/// Ctrl+C as a cancellation token, async work awaited on the pipeline thread, and one way to turn a
/// core exception into an ErrorRecord with its stable id.
/// </summary>
public abstract class StingCmdlet : PSCmdlet
{
    private readonly CancellationTokenSource _cancellation = new();

    // Engine calls are traced on worker threads; only the pipeline thread may WriteDebug, so they wait here.
    private readonly ConcurrentQueue<string> _debugLines = new();

    // Work the core hands back to the pipeline thread (a -BeforeRestart script block runs only there), run while Await waits.
    private readonly ConcurrentQueue<Action> _pipelineWork = new();

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

    /// <summary>
    /// A Docker Swarm stack deployed from the compose files (docker stack deploy): the files give the graph, the manager
    /// (DOCKER_HOST) the services, found by com.docker.stack.namespace. The stack's name is the project's name.
    /// </summary>
    [Parameter]
    [ValidatePattern("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")]
    public string? StackName { get; set; }

    /// <summary>-StackName was given: the services are a Swarm stack's, not a compose project's containers.</summary>
    internal bool IsStack => StackName is not null;

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
        StackNameOrProjectName(),
        Profile,
        ConfigPath is null ? null : ResolvePath(ConfigPath),
        SessionState.Path.CurrentFileSystemLocation.ProviderPath);

    /// <summary>A stack's name is its project's: both given, they must agree.</summary>
    private string? StackNameOrProjectName()
    {
        if (StackName is not null && ProjectName is not null && !string.Equals(StackName, ProjectName, StringComparison.Ordinal))
            ThrowTerminatingError(ToErrorRecord(new StingException(ErrorIds.ProjectNameInvalid, StingErrorKind.InvalidArgument,
                $"-StackName '{StackName}' and -ProjectName '{ProjectName}' differ: a stack's name is its project's name. Give one of them.", target: StackName)));
        return StackName ?? ProjectName;
    }

    internal string ResolvePath(string path) => GetUnresolvedProviderPathFromPSPath(path);

    /// <summary>Opens the project, terminating on any problem (nothing can proceed without it).</summary>
    internal StingProject OpenProject()
    {
        var project = Try(() => StingProject.Open(BuildRequest(), EnvironmentSnapshot()));
        foreach (var warning in project.Warnings)
            WriteWarning(warning);
        return project;
    }

    /// <param name="redact">Masks secrets in traced command lines and messages (-Debug).</param>
    internal IContainerEngine ConnectEngine(Func<string, string>? redact = null) =>
        EngineTracer(redact)(Try(() => EngineConnections.For(EnvironmentSnapshot())));

    /// <summary>The swarm side of the same engine: DOCKER_HOST must name a manager of the swarm the stack runs on.</summary>
    internal ISwarmEngine ConnectSwarm() => Try(() => EngineConnections.For(EnvironmentSnapshot()));

    /// <summary>For verbs that have no meaning on a stack: refuses -StackName with a stable id, touching nothing.</summary>
    internal void RefuseStack(string why)
    {
        if (IsStack)
            ThrowTerminatingError(ToErrorRecord(new StingException(ErrorIds.SwarmOperationNotSupported, StingErrorKind.InvalidOperation,
                why + " Nothing was touched.", target: StackName)));
    }

    /// <summary>The snapshot side of the same engine (a recreate's save and rollback), traced like <see cref="ConnectEngine"/>.</summary>
    internal IContainerSnapshots ConnectSnapshots(Func<string, string>? redact = null)
    {
        var engine = Try(() => EngineConnections.For(EnvironmentSnapshot()));
        return DebugWanted ? new TracingContainerSnapshots(engine, _debugLines.Enqueue, redact) : engine;
    }

    /// <summary>
    /// With -Debug, wraps an engine so every call is reported (see <see cref="WriteQueuedDebug"/>); otherwise
    /// leaves it as it is. Decided now, on the pipeline thread, so the result may run on any thread.
    /// </summary>
    internal Func<IContainerEngine, IContainerEngine> EngineTracer(Func<string, string>? redact = null) =>
        DebugWanted ? engine => new TracingContainerEngine(engine, _debugLines.Enqueue, redact) : engine => engine;

    internal bool DebugWanted =>
        DebugSwitch
        // Set in a function or script block, the preference is a plain string ('Continue'), not the enum.
        ?? (LanguagePrimitives.TryConvertTo(GetVariableValue("DebugPreference"), out ActionPreference preference)
            && preference is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore));

    /// <summary>-Debug as given (-Debug:$false included); null when it was not.</summary>
    private bool? DebugSwitch =>
        MyInvocation.BoundParameters.TryGetValue("Debug", out var debug) ? ((SwitchParameter)debug).IsPresent : null;

    /// <summary>
    /// A verbose line. Given -Debug without -Verbose, PowerShell shows a compiled cmdlet's verbose lines and asks
    /// "Continue with this operation?" after each one (and fails where nobody can answer). Here -Debug asks for the
    /// engine trace and the story belongs to -Verbose, so in that case the line is left out. It hides
    /// Cmdlet.WriteVerbose so that no caller can bypass it.
    /// </summary>
    public new void WriteVerbose(string text)
    {
        if (DebugSwitch == true && !MyInvocation.BoundParameters.ContainsKey("Verbose"))
            return;
        base.WriteVerbose(text);
    }

    /// <summary>Writes the engine calls traced so far; call it on the pipeline thread only.</summary>
    internal void WriteQueuedDebug()
    {
        while (_debugLines.TryDequeue(out var line))
            WriteDebug(line);
    }

    /// <summary>
    /// A run's events, read on the pipeline thread. While none arrives, the engine calls traced meanwhile
    /// (-Debug) are written every quarter second, so a long probe wait does not hide them.
    /// </summary>
    internal IEnumerable<T> Drain<T>(ChannelReader<T> events)
    {
        while (true)
        {
            var more = events.WaitToReadAsync(CancellationToken.None).AsTask();
            // The wait handle, not Wait(): a faulted read must surface through Try below, as a StingException.
            while (!((IAsyncResult)more).AsyncWaitHandle.WaitOne(TimeSpan.FromMilliseconds(250)))
                WriteQueuedDebug();
            WriteQueuedDebug();
            if (!Try(() => more.GetAwaiter().GetResult()))
                yield break;
            while (events.TryRead(out var e))
                yield return e;
        }
    }

    /// <summary>What a use case has to say: its story to -Verbose, what needs the operator's eye as warnings.</summary>
    internal void WriteMessages(IEnumerable<SessionMessage> messages)
    {
        foreach (var m in messages)
        {
            if (m.IsWarning)
                WriteWarning(m.Text);
            else
                WriteVerbose(m.Text);
        }
    }

    /// <summary>Awaits on the pipeline thread: only this thread may write to the pipeline. Meanwhile it runs what <see cref="OnPipelineThread"/> queued.</summary>
    internal T Await<T>(Task<T> task)
    {
        try
        {
            while (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(TimeSpan.FromMilliseconds(50)))
                RunPipelineWork();
            return Try(() => task.GetAwaiter().GetResult());
        }
        finally
        {
            WriteQueuedDebug();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the pipeline thread, from core code awaited by <see cref="Await{T}"/> on another
    /// thread: a script block must run in the caller's runspace, on its thread.
    /// </summary>
    internal Task<T> OnPipelineThread<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pipelineWork.Enqueue(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        });
        return done.Task;
    }

    private void RunPipelineWork()
    {
        while (_pipelineWork.TryDequeue(out var work))
            work();
    }

    internal void Await(Task task) => Await(Completion(task));

    private static async Task<bool> Completion(Task task)
    {
        await task.ConfigureAwait(false);
        return true;
    }

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
