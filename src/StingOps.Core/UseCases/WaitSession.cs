using System.Threading.Channels;
using StingOps.Core.Common;
using StingOps.Core.Engine;
using StingOps.Core.Graph;
using StingOps.Core.Health;
using StingOps.Core.Project;

namespace StingOps.Core.UseCases;

/// <summary>What the wait use case reports: each service's verdict, in plan order, and notes worth telling.</summary>
public abstract record WaitEvent;

/// <param name="Details">The container as inspected once it was ready; null when it was not.</param>
public sealed record ServiceWaited(PlanStep Step, ServiceStatus Status, ReadinessOutcome Outcome, ContainerDetails? Details) : WaitEvent;

public sealed record WaitNote(string Message) : WaitEvent;

/// <summary>The services to wait for, with what they look like now.</summary>
public sealed record WaitPlan(RestartPlan Plan, IReadOnlyDictionary<string, ServiceStatus> Statuses);

/// <summary>
/// The wait use case (Wait-StingService): every requested service is waited for at once, by the same readiness
/// waiter and engine-event hub a restart uses, each within its own timeout. Reads only.
/// </summary>
public sealed class WaitSession(StingProject project, IContainerEngine engine, TimeProvider time, Func<string, string> redact)
{
    public async Task<WaitPlan> PrepareAsync(IReadOnlyList<string> names, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var containers = await engine.ListProjectContainersAsync(project.Name, cancellationToken).ConfigureAwait(false);
        var graph = project.Graph(containers);
        var plan = RestartPlan.Create(graph, project.Options, new RestartRequest { Names = names, Timeout = timeout });
        var statuses = ServiceInventory.Join(project.Compose, graph, project.Options, containers).ToDictionary(s => s.Service.Name, StringComparer.Ordinal);
        return new WaitPlan(plan, statuses);
    }

    /// <summary>Starts the waits; the events end once every service has its verdict.</summary>
    public ChannelReader<WaitEvent> Start(WaitPlan wait, CancellationToken cancellationToken)
    {
        var output = Channel.CreateUnbounded<WaitEvent>(new UnboundedChannelOptions { SingleReader = true });
        _ = Task.Run(async () =>
        {
            try
            {
                await using var hub = await EngineEventHub.StartAsync(engine, project.Name, time, note => output.Writer.TryWrite(new WaitNote(note)),
                    cancellationToken).ConfigureAwait(false);
                var waiter = new ReadinessWaiter(engine, new ProbeRunner(engine), hub, time, project.Options.HealthCheckInterval, redact);
                var waits = wait.Plan.Steps.Select(step => WaitOneAsync(waiter, step, wait.Statuses[step.Service], cancellationToken)).ToList();
                foreach (var result in waits)
                    output.Writer.TryWrite(await result.ConfigureAwait(false));
                output.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                output.Writer.TryComplete(ex);
            }
        }, CancellationToken.None);
        return output.Reader;
    }

    private async Task<ServiceWaited> WaitOneAsync(ReadinessWaiter waiter, PlanStep step, ServiceStatus status, CancellationToken cancellationToken)
    {
        if (status.Container is null)
            return new ServiceWaited(step, status, new ReadinessOutcome(false, OutcomeReason.Engine, "it has no container", null), null);
        var outcome = await waiter.WaitAsync(step.Service, status.Container.Id, step.Probe, step.ComposeHealthCheck, step.Timeout, cancellationToken).ConfigureAwait(false);
        var details = outcome.Ready ? await engine.InspectAsync(status.Container.Id, cancellationToken).ConfigureAwait(false) : null;
        return new ServiceWaited(step, status, outcome, details);
    }
}
