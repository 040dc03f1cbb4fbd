using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Compose.Cli;
using StingOps.Core.Drift;
using StingOps.Core.Engine;
using StingOps.Core.Graph;
using StingOps.Core.Project;
using StingOps.Core.Restart;

namespace StingOps.Core.UseCases;

/// <summary>
/// The services a -Recreate run replaces: the requested ones whose configuration drifted (every requested one when
/// forced), how each new container proves the change applied, and the compose CLI that makes them.
/// </summary>
public sealed class RecreateChoice
{
    private RecreateChoice(ComposeCliInfo cli, IReadOnlyDictionary<string, AppliedConfigCheck> expected, IReadOnlyDictionary<string, string> containerIds,
        TimeSpan timeout)
    {
        Cli = cli;
        Expected = expected;
        ContainerIds = containerIds;
        Timeout = timeout;
    }

    public ComposeCliInfo Cli { get; }
    public IReadOnlyDictionary<string, AppliedConfigCheck> Expected { get; }
    public IReadOnlyDictionary<string, string> ContainerIds { get; }
    /// <summary>How long the compose CLI may take to make one container: the longest timeout of the services it makes.</summary>
    public TimeSpan Timeout { get; }
    public IReadOnlyCollection<string> Services => ContainerIds.Keys.ToList();

    /// <summary>Null when nothing is to be recreated (said in <paramref name="messages"/>); throws when recreating needs a CLI that is missing.</summary>
    public static RecreateChoice? Make(StingProject project, PreparedRestart prepared, DriftSurvey drift, RestartSessionRequest request,
        Func<string, string?> shell, List<SessionMessage> messages)
    {
        var requested = request.Names.Count == 0
            ? prepared.Plan.Steps.Select(s => s.Service).ToHashSet(StringComparer.Ordinal)
            : RestartPlan.ResolveNames(prepared.Plan.Graph, request.Names);
        foreach (var missing in requested.Where(s => !prepared.Containers.ContainsKey(s)).Order(StringComparer.Ordinal))
            messages.Add(SessionMessage.Warning($"-Recreate: service '{missing}' has no container to replace; it is not recreated."));
        var candidates = requested.Where(prepared.Containers.ContainsKey).ToList();
        var drifted = drift.ByService.Values.Where(d => d.HasDrift && candidates.Contains(d.Service)).ToList();
        foreach (var d in drifted)
            messages.Add(SessionMessage.Verbose($"-Recreate: '{d.Service}': {d.Describe()}."));
        var chosen = (request.Force ? candidates : drifted.Select(d => d.Service)).Order(StringComparer.Ordinal).ToList();
        if (chosen.Count == 0)
        {
            messages.Add(SessionMessage.Warning("-Recreate: the configuration of no requested service changed, so they are restarted as usual (-Recreate -Force recreates them anyway)."));
            return null;
        }
        var cli = drift.Baseline.Cli ?? throw new StingException(ErrorIds.PrerequisiteFailed, StingErrorKind.ObjectNotFound,
            "-Recreate needs 'docker compose' (v2) or 'docker-compose' (v1) on PATH; neither answers. Nothing was touched.", target: project.Name);
        var expected = chosen.ToDictionary(s => s, s => ExpectedOf(project.Compose.Find(s)!, prepared.Containers[s], drift.Baseline, shell), StringComparer.Ordinal);
        var ids = chosen.ToDictionary(s => s, s => prepared.Containers[s].Id, StringComparer.Ordinal);
        var timeout = chosen.Max(s => prepared.Plan.ByService.TryGetValue(s, out var step) ? step.Timeout : project.Options.TimeoutFor(s));
        return new RecreateChoice(cli, expected, ids, timeout);
    }

    /// <summary>The choice without the services the caller declined; null when none is left.</summary>
    public RecreateChoice? Without(IReadOnlyCollection<string> declined)
    {
        var ids = ContainerIds.Where(kv => !declined.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        return ids.Count == 0 ? null
            : new RecreateChoice(Cli, Expected.Where(kv => ids.ContainsKey(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal), ids, Timeout);
    }

    /// <summary>Saves each container's snapshot (for rollback) and returns the recreator the run uses.</summary>
    public async Task<ServiceRecreator> PrepareRecreatorAsync(IContainerEngine engine, IContainerSnapshots snapshots, StingProject project, string stateDirectory, string runId, bool rollback,
        Func<string, string> redact, List<SessionMessage> messages, CancellationToken cancellationToken)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.Ordinal);
        // The CLI must talk to the engine this run inspected.
        if (Uri.TryCreate(engine.Endpoint, UriKind.Absolute, out var endpoint) && endpoint.Scheme is "unix" or "tcp")
            overrides["DOCKER_HOST"] = engine.Endpoint;
        messages.Add(SessionMessage.Verbose($"-Recreate with {Cli}: {string.Join(", ", Services)}; rollback {(rollback ? "on" : "off")}."));
        return await ServiceRecreator.PrepareAsync(engine, snapshots, new ComposeCli(Cli, project.Compose, overrides), project.Name, ContainerIds, Expected,
            stateDirectory, runId, rollback, redact, cancellationToken, Timeout).ConfigureAwait(false);
    }

    /// <summary>
    /// What each new container must carry: the hash compose stamps where config --hash reproduces it, else the model
    /// (with labels, command and healthcheck where v2 makes the container; v1 is judged as its drift is).
    /// </summary>
    private static AppliedConfigCheck ExpectedOf(ComposeService service, ContainerSummary old, DriftBaseline baseline, Func<string, string?> shell)
    {
        var hash = baseline.ExpectedHashFor(old, out _);
        if (hash is not null && DriftBaseline.HashIsExact(service))
            return AppliedConfigCheck.ByConfigHash(hash);
        var v2 = baseline.Cli is { } cli && ComposeGenerations.Of(cli) == ComposeGeneration.V2;
        return AppliedConfigCheck.ByModel(service, shell, settings: v2);
    }
}
