using System.Threading.Channels;
using StingOps.Core.Engine;
using StingOps.Core.Graph;
using StingOps.Core.State;

namespace StingOps.Core.Execution;

/// <summary>A restart that has been planned against the live project but not yet started.</summary>
public sealed record PreparedRestart(
    StingProject Project,
    RestartPlan Plan,
    IReadOnlyDictionary<string, ContainerSummary> Containers,
    /// <summary>Dependencies outside the plan that are not ready, as "service needs dependency (state)".</summary>
    IReadOnlyList<UnreadyDependency> UnreadyDependencies);

/// <summary>
/// One restart run from plan to outcome: reads the live project (no writes), refuses what cannot
/// succeed, takes the project's lock, runs the executor and releases the lock whatever happens.
/// </summary>
public sealed class RestartRunner(IContainerEngine engine, TimeProvider time, string stateDirectory, Func<string, string>? redact = null)
{
    /// <summary>Reads only: engine reachability, containers, plan, readiness of outside dependencies.</summary>
    public async Task<PreparedRestart> PrepareAsync(StingProject project, RestartRequest request, CancellationToken cancellationToken)
    {
        await engine.GetInfoAsync(cancellationToken).ConfigureAwait(false);
        var containers = await engine.ListProjectContainersAsync(project.Name, cancellationToken).ConfigureAwait(false);
        var graph = project.Graph(containers);
        var plan = RestartPlan.Create(graph, project.Options, request);
        var byService = ServiceInventory.ByService(containers);
        var unready = await new DependencyReadiness(engine, time, redact).FindUnreadyAsync(project, plan, byService, cancellationToken).ConfigureAwait(false);
        return new PreparedRestart(project, plan, byService, unready);
    }

    /// <summary>Takes the lock (or throws StingRestartLocked) and starts the run; the lock is released when the events end.</summary>
    /// <param name="recreator">-Recreate: the services to recreate instead of restarting, snapshots already saved.</param>
    public async Task<ChannelReader<RestartEvent>> StartAsync(PreparedRestart prepared, string runId, CancellationToken cancellationToken,
        Recreate.IServiceRecreator? recreator = null)
    {
        var options = prepared.Project.Options;
        var lockHandle = await RestartLock.AcquireAsync(stateDirectory, prepared.Project.Name, options.LockTimeout, time, cancellationToken).ConfigureAwait(false);
        var output = Channel.CreateUnbounded<RestartEvent>(new UnboundedChannelOptions { SingleReader = true });
        if (lockHandle.TakenOverFrom is { } stale)
            output.Writer.TryWrite(new RunWarning(time.GetUtcNow(), $"Took over a stale restart lock of pid {stale.Pid} (since {stale.Since:u}), which no longer runs."));
        var executor = new RestartExecutor(engine, new ProbeRunner(engine), time, options, redact, recreator);
        var events = executor.Run(prepared.Plan, prepared.Project.Name, runId, prepared.Containers, cancellationToken);
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in events.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
                    output.Writer.TryWrite(e);
                output.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                output.Writer.TryComplete(ex);
            }
            finally
            {
                lockHandle.Dispose();
            }
        }, CancellationToken.None);
        return output.Reader;
    }

    public static string NewRunId(TimeProvider time) => $"{time.GetUtcNow():yyyyMMddTHHmmssZ}-{Guid.NewGuid().ToString("N")[..8]}";
}
