using System.Management.Automation;
using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Compose.Cli;
using StingOps.Core.Drift;
using StingOps.Core.Engine;
using StingOps.Core.Graph;
using StingOps.Core.Preflight;
using StingOps.Core.Project;
using StingOps.Core.Restart;

namespace StingOps.Commands;

/// <summary>Restart-StingService's pre-flight: the prerequisite gate, and for -Recreate the choice of services and their snapshots.</summary>
internal static class RestartPreflight
{
    /// <summary>
    /// Runs the prerequisite checks (dependencies and lock excluded: the runner judges those); any failed Error check
    /// stops the run with StingPrerequisiteFailed before anything is written to the engine.
    /// </summary>
    public static void Enforce(StingCmdlet cmdlet, StingProject project, IContainerEngine engine, IReadOnlyDictionary<string, string?> environment,
        IReadOnlyList<string> names, bool includeDependents, bool recreate, CancellationToken cancellation)
    {
        var checker = new PrerequisiteChecker(() => engine, TimeProvider.System, StateDirectory.Resolve(environment), environment);
        var options = new PrerequisiteOptions { Names = names, IncludeDependents = includeDependents, Recreate = recreate,
            // Both are judged by the runner with their own outcomes: per-service Dependency results, StingRestartLocked.
            CheckDependencies = false, CheckLock = false };
        var results = cmdlet.Await(checker.CheckAsync(project, options, cancellation));
        foreach (var r in results)
        {
            if (r.Passed || (recreate && r.Check == PrerequisiteCheck.ConfigDrift))
                cmdlet.WriteVerbose($"Prerequisite {r.Check} [{r.Target}]: {(r.Passed ? "passed" : "will be applied")}: {r.Message}");
            else if (!r.IsBlocking)
                cmdlet.WriteWarning($"{r.Check} [{r.Target}]: {r.Message}");
        }
        var failed = results.Where(r => r.IsBlocking).ToList();
        if (failed.Count == 0)
            return;
        var list = string.Join(Environment.NewLine, failed.Select(r => $"  {r.Check} [{r.Target}]: {r.Message}"));
        cmdlet.ThrowTerminatingError(StingCmdlet.Error(ErrorIds.PrerequisiteFailed, ErrorCategory.ResourceUnavailable,
            $"{failed.Count} prerequisite(s) of the restart of project '{project.Name}' failed; nothing was touched:{Environment.NewLine}{list}" +
            $"{Environment.NewLine}Fix them (Test-StingPrerequisite shows every check), or use -Force to skip the checks.", project.Name));
    }

    /// <summary>
    /// The services -Recreate replaces: the requested ones whose configuration drifted (every requested one with
    /// -Force), each with its snapshot saved. Null when there is nothing to recreate.
    /// </summary>
    public static ServiceRecreator? PrepareRecreator(StingCmdlet cmdlet, PreparedRestart prepared, IContainerEngine engine, IContainerSnapshots containers,
        IReadOnlyDictionary<string, string?> environment, IReadOnlyList<string> names, string runId, bool force, bool rollback,
        Func<string, string> redact, CancellationToken cancellation)
    {
        var project = prepared.Project;
        var requested = names.Count == 0
            ? prepared.Plan.Steps.Select(s => s.Service).ToHashSet(StringComparer.Ordinal)
            : cmdlet.Try(() => RestartPlan.ResolveNames(prepared.Plan.Graph, names));
        var candidates = requested.Where(prepared.Containers.ContainsKey).Select(s => project.Compose.Find(s)!).ToList();
        foreach (var missing in requested.Where(s => !prepared.Containers.ContainsKey(s)))
            cmdlet.WriteWarning($"-Recreate: service '{missing}' has no container to replace; it is not recreated.");

        Func<string, string?> shell = key => environment.GetValueOrDefault(key);
        // The CLI of the generation that made the containers recreates them, and (v2) its config hash judges drift.
        var cli = cmdlet.Await(ComposeCli.DetectAsync(environment, ComposeGenerations.OfProject(prepared.Containers.Values.Select(c => c.Labels)), cancellation));
        var baseline = cmdlet.Await(DriftBaseline.CreateAsync(cli, (c, token) => ComposeConfigHashes.ReadAsync(c, project.Compose, token), cancellation));
        var drifts = cmdlet.Await(PrerequisiteChecker.DetectDriftAsync(engine, candidates, prepared.Containers, shell, baseline, cancellation));
        var chosen = force
            ? candidates.Select(c => c.Name).ToList()
            : drifts.Values.Where(d => d.HasDrift).Select(d => d.Service).Order(StringComparer.Ordinal).ToList();
        foreach (var d in drifts.Values.Where(d => d.HasDrift))
            cmdlet.WriteVerbose($"-Recreate: '{d.Service}': {d.Describe()}.");
        if (chosen.Count == 0)
        {
            cmdlet.WriteWarning("-Recreate: the configuration of no requested service changed, so they are restarted as usual (-Recreate -Force recreates them anyway).");
            return null;
        }

        if (cli is null)
        {
            cmdlet.ThrowTerminatingError(StingCmdlet.Error(ErrorIds.PrerequisiteFailed, ErrorCategory.ObjectNotFound,
                "-Recreate needs 'docker compose' (v2) or 'docker-compose' (v1) on PATH; neither answers. Nothing was touched.", project.Name));
        }
        var overrides = new Dictionary<string, string?>(StringComparer.Ordinal);
        // The CLI must talk to the engine this run inspected.
        if (Uri.TryCreate(engine.Endpoint, UriKind.Absolute, out var endpoint) && endpoint.Scheme is "unix" or "tcp")
            overrides["DOCKER_HOST"] = engine.Endpoint;
        // What each new container must carry: the hash compose stamps where config --hash reproduces it, else the model
        // (with labels, command and healthcheck where v2 makes the container; v1 is judged as its drift is).
        var expected = chosen.ToDictionary(s => s, s => Expected(project.Compose.Find(s)!, prepared.Containers[s], baseline, shell), StringComparer.Ordinal);
        var ids = chosen.ToDictionary(s => s, s => prepared.Containers[s].Id, StringComparer.Ordinal);
        cmdlet.WriteVerbose($"-Recreate with {cli}: {string.Join(", ", chosen)}; rollback {(rollback ? "on" : "off")}.");
        return cmdlet.Await(ServiceRecreator.PrepareAsync(engine, containers, new ComposeCli(cli!, project.Compose, overrides), project.Name, ids, expected,
            StateDirectory.Resolve(environment), runId, rollback, redact, cancellation));
    }

    private static AppliedConfigCheck Expected(ComposeService service, ContainerSummary old, DriftBaseline baseline, Func<string, string?> shell)
    {
        var hash = baseline.ExpectedHashFor(old, out _);
        if (hash is not null && DriftBaseline.HashIsExact(service))
            return AppliedConfigCheck.ByConfigHash(hash);
        var v2 = baseline.Cli is { } cli && ComposeGenerations.Of(cli) == ComposeGeneration.V2;
        return AppliedConfigCheck.ByModel(service, shell, settings: v2);
    }
}
