using System.Collections.Concurrent;
using System.Globalization;
using StingOps.Core.Compose;
using StingOps.Core.Configuration;
using StingOps.Core.Engine;
using StingOps.Core.Graph;
using StingOps.Core.Restart;

namespace StingOps.Core.UseCases;

/// <summary>
/// Repair's judgement of a project against its desired state: every service running, ready, and started after each
/// of its dependencies became ready. After a host reboot or a daemon restart the engine starts
/// <c>restart: unless-stopped</c> containers in no particular order, so dependents come up before what they need.
/// This finds those, what does not run and what an interrupted run left undone, and chooses a step for each: Start
/// what does not run, Restart what runs unwell or too early, and Start or Restart everything that depends on either,
/// so that it too starts after them. It reads only what it is given.
/// </summary>
public static class StartupOrder
{
    /// <summary>Docker keeps this many health probe results (moby's maxLogEntries).</summary>
    public const int EngineHealthLogSize = 5;

    /// <summary>At most this many inspections at once: a project's worth, without crowding the engine's socket.</summary>
    private const int InspectParallelism = 8;

    /// <param name="scope">Services asked about, names or wildcard patterns; empty: the whole project.</param>
    /// <param name="details">Each service's container; absent: it has none.</param>
    /// <param name="probeOf">Each service's effective readiness probe.</param>
    /// <param name="interrupted">The project's interrupted run, if any: what it had not finished is done now.</param>
    /// <param name="observed">When StingOps's own runs saw each service ready (<see cref="ReadinessRecord"/>): for the starts
    /// it made, readiness as its probe saw it, which is earlier than the engine's next healthcheck.</param>
    /// <returns>
    /// A choice for every service of the scope, for everything they need (an optional dependency without a
    /// container is not needed), and for every dependent of a service that is started or restarted.
    /// </returns>
    public static IReadOnlyDictionary<string, StepChoice> Judge(
        ServiceGraph graph,
        IReadOnlyCollection<string> scope,
        IReadOnlyDictionary<string, ContainerDetails> details,
        Func<string, ProbeSpec> probeOf,
        JournaledRun? interrupted,
        IReadOnlyDictionary<string, ObservedReadiness>? observed = null)
    {
        IEnumerable<string> asked = scope.Count == 0 ? graph.TopologicalOrder : RestartPlan.ResolveNames(graph, scope);
        var judging = new Judging(graph, details, probeOf, interrupted, WithNeededDependencies(graph, asked, details),
            observed ?? new Dictionary<string, ObservedReadiness>(StringComparer.Ordinal));
        // Dependencies come first, so each service is judged against its dependencies' choices and a cascade runs down the whole chain.
        foreach (var name in graph.TopologicalOrder)
            judging.Judge(name);
        return judging.Choices;
    }

    /// <summary>Inspects every container at once; one that is gone meanwhile is absent from the answer.</summary>
    /// <param name="containers">By service.</param>
    public static async Task<IReadOnlyDictionary<string, ContainerDetails>> InspectAllAsync(IContainerEngine engine,
        IReadOnlyDictionary<string, ContainerSummary> containers, CancellationToken cancellationToken)
    {
        var found = new ConcurrentDictionary<string, ContainerDetails>(StringComparer.Ordinal);
        var options = new ParallelOptions { MaxDegreeOfParallelism = InspectParallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(containers, options, async (container, token) =>
        {
            if (await engine.InspectAsync(container.Value.Id, token).ConfigureAwait(false) is { } inspected)
                found[container.Key] = inspected;
        }).ConfigureAwait(false);
        return new Dictionary<string, ContainerDetails>(found, StringComparer.Ordinal);
    }

    /// <summary>The services plus what they depend on, transitively; an optional dependency that has no container is left out.</summary>
    private static HashSet<string> WithNeededDependencies(ServiceGraph graph, IEnumerable<string> services,
        IReadOnlyDictionary<string, ContainerDetails> details)
    {
        var needed = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>(services);
        while (queue.Count > 0)
        {
            var name = queue.Dequeue();
            if (!needed.Add(name))
                continue;
            foreach (var dependency in graph[name].Dependencies.Where(d => d.Required || details.ContainsKey(d.Service)))
                queue.Enqueue(dependency.Service);
        }
        return needed;
    }

    /// <summary>One judgement in progress: the choices so far, and what every choice is judged from.</summary>
    private sealed class Judging(ServiceGraph graph, IReadOnlyDictionary<string, ContainerDetails> details,
        Func<string, ProbeSpec> probeOf, JournaledRun? interrupted, HashSet<string> needed, IReadOnlyDictionary<string, ObservedReadiness> observed)
    {
        private readonly HashSet<string> _unfinished = UnfinishedServices(interrupted);
        private readonly HashSet<string> _leftStopped = new(interrupted?.LeftStopped ?? [], StringComparer.Ordinal);

        public Dictionary<string, StepChoice> Choices { get; } = new(StringComparer.Ordinal);

        public void Judge(string name)
        {
            // An optional dependency that has no container moves nothing: else every run would restart its dependents again.
            var moved = graph[name].Dependencies
                .Where(d => d.Required || details.ContainsKey(d.Service))
                .Select(d => d.Service)
                .Where(d => Choices.TryGetValue(d, out var c) && c.Action is StepAction.Restart or StepAction.Start)
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (needed.Contains(name) || moved.Count > 0)
                Choices[name] = Choose(name, moved);
        }

        /// <summary>
        /// A reason about the service itself wins over the cascade: it stays true when the operator declines the
        /// dependency's step at -Confirm.
        /// </summary>
        /// <param name="moved">Its dependencies that are started or restarted.</param>
        private StepChoice Choose(string name, IReadOnlyList<string> moved)
        {
            if (!details.TryGetValue(name, out var container))
                return new StepChoice(StepAction.Start, "no container");
            switch (container.State)
            {
                case "running":
                    break;
                case "restarting":
                    return new StepChoice(StepAction.Restart, $"crash-looping: the engine keeps restarting it (restarted {container.RestartCount} times)");
                case "paused":
                    // A paused service is not ready, and no step resumes it but a restart.
                    return new StepChoice(StepAction.Restart, "paused; a restart resumes it");
                default:
                    return NotRunning(name, container, moved);
            }
            if (container.Health == "unhealthy")
                return new StepChoice(StepAction.Restart, "unhealthy: its health check fails");
            var order = JudgeOrder(name, container);
            if (order.Early is not null)
                return new StepChoice(StepAction.Restart, order.Early);
            if (_unfinished.Contains(name))
                return new StepChoice(StepAction.Restart, UnfinishedNote(name));
            if (moved.Count > 0)
                return new StepChoice(StepAction.Restart, Cascade(moved));
            return new StepChoice(StepAction.Keep, order.Note);
        }

        private StepChoice NotRunning(string name, ContainerDetails container, IReadOnlyList<string> moved)
        {
            if (container is { State: "exited", ExitCode: 0 } && IsOneShotJob(name) && !_unfinished.Contains(name))
            {
                return moved.Count == 0
                    ? new StepChoice(StepAction.Keep, "completed successfully")
                    : new StepChoice(StepAction.Start, Cascade(moved) + ", so it runs again");
            }
            var why = container switch
            {
                { State: "exited", ExitCode: { } code } => $"not running (exited with code {code.ToString(CultureInfo.InvariantCulture)})",
                { State: "created" } => "not running (created, never started)",
                _ => $"not running ({container.State})",
            };
            if (_leftStopped.Contains(name))
                why += $"; the interrupted run {interrupted!.RunId} left it stopped";
            else if (_unfinished.Contains(name))
                why += "; " + UnfinishedNote(name);
            return new StepChoice(StepAction.Start, why);
        }

        private string UnfinishedNote(string name) =>
            interrupted!.Entries.Any(e => e.Service == name && e.Event is JournalEntry.Stopped or JournalEntry.Started)
                ? $"the interrupted run {interrupted.RunId} had not finished restarting it"
                : $"the interrupted run {interrupted.RunId} had not restarted it";

        /// <summary>The interrupted run's planned services that it had not finished with.</summary>
        private static HashSet<string> UnfinishedServices(JournaledRun? run) =>
            run is null ? new(StringComparer.Ordinal) : run.Services
                .Where(s => !run.Entries.Any(e => e.Event == JournalEntry.Finished && e.Service == s))
                .ToHashSet(StringComparer.Ordinal);

        /// <summary>Something depends on it finishing: compose's service_completed_successfully.</summary>
        private bool IsOneShotJob(string name) =>
            graph.IsOneShotJob(name);

        /// <summary>When a StingOps run saw this very start of the container ready; null when it did not start it.</summary>
        private DateTimeOffset? SeenReady(string service, ContainerDetails container) =>
            observed.TryGetValue(service, out var seen) && seen.ContainerId == container.Id && container.StartedAt is { } started && seen.ReadyAt >= started
                ? seen.ReadyAt : null;

        /// <summary>
        /// Judged only against dependencies that are kept: one started or restarted cascades anyway, and one outside
        /// the judgement is the executor's outside dependency.
        /// </summary>
        private (string? Early, string? Note) JudgeOrder(string name, ContainerDetails container)
        {
            if (container.StartedAt is not { } startedAt)
                return (null, "the engine does not report when it started, so its order is not judged");
            var early = new List<(string Dependency, string Why)>();
            var notes = new List<string>();
            foreach (var dependency in graph[name].Dependencies.OrderBy(d => d.Service, StringComparer.Ordinal))
            {
                var of = dependency.Service;
                if (!Choices.TryGetValue(of, out var choice) || choice.Action != StepAction.Keep || !details.TryGetValue(of, out var target))
                    continue;
                switch (DependencyReadyTime.Of(dependency, target, probeOf(of), EngineHealthLogSize, SeenReady(of, target)))
                {
                    case DependencyReadyTime.At at when startedAt < at.Time:
                        early.Add((of, $"started {Gap(at.Time - startedAt)} before its dependency {of} {at.Event} ({at.Evidence})"));
                        break;
                    case DependencyReadyTime.Within within when startedAt < within.NotBefore:
                        early.Add((of, $"started {Gap(within.NotBefore - startedAt)} before its dependency {of} started (at {DependencyReadyTime.Clock(within.NotBefore)}), so before it was ready"));
                        break;
                    case DependencyReadyTime.Within within when within.NotAfter is null || startedAt < within.NotAfter:
                        notes.Add($"in order as far as can be told: started {Gap(startedAt - within.NotBefore)} after its dependency {of} started; {within.Evidence}");
                        break;
                    case DependencyReadyTime.NotYet notYet:
                        early.Add((of, $"started before its dependency {of} {notYet.Event}: {notYet.Reason}"));
                        break;
                    case DependencyReadyTime.Unknown unknown:
                        notes.Add($"its order after {of} is not judged: {unknown.Reason}");
                        break;
                }
            }
            if (early.Count == 0)
                return (null, notes.Count == 0 ? null : string.Join("; ", notes));
            var why = early[0].Why;
            if (early.Count > 1)
                why += $"; it also started too early for {Names(early.Skip(1).Select(e => e.Dependency).ToList())}";
            return (why, null);
        }

        /// <summary>"its dependency db is started and its dependencies cache and vault are restarted".</summary>
        private string Cascade(IReadOnlyList<string> moved)
        {
            var parts = new List<string>();
            foreach (var (action, verb) in new[] { (StepAction.Start, "started"), (StepAction.Restart, "restarted") })
            {
                var names = moved.Where(m => Choices[m].Action == action).ToList();
                if (names.Count > 0)
                    parts.Add(names.Count == 1 ? $"its dependency {names[0]} is {verb}" : $"its dependencies {Names(names)} are {verb}");
            }
            return string.Join(" and ", parts);
        }
    }

    /// <summary>"a", "a and b", "a, b and c".</summary>
    private static string Names(IReadOnlyList<string> names) =>
        names.Count == 1 ? names[0] : $"{string.Join(", ", names.Take(names.Count - 1))} and {names[^1]}";

    /// <summary>Seconds to a tenth; a gap too small to show is said so rather than shown as 0.0.</summary>
    private static string Gap(TimeSpan gap) =>
        gap < TimeSpan.FromSeconds(0.05) ? "less than 0.1 s" : gap.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}
