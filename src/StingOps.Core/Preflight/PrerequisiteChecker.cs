using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Compose.Cli;
using StingOps.Core.Configuration;
using StingOps.Core.Drift;
using StingOps.Core.Engine;
using StingOps.Core.EnvFiles;
using StingOps.Core.Graph;
using StingOps.Core.Health;
using StingOps.Core.Project;
using StingOps.Core.Restart;

namespace StingOps.Core.Preflight;

/// <summary>
/// The pre-restart checks (docs/cmdlets.md, Test-StingPrerequisite). Reads only: files, the engine's answers, the lock
/// file, /proc/meminfo. A check that cannot pass yields a failed result instead of throwing, so one run reports
/// every problem; only a usage error (an unknown service name) throws. Results come in <see cref="PrerequisiteCheck"/>
/// order; checks that need something an earlier check could not provide (a loaded project, an engine) are left out.
/// </summary>
public sealed class PrerequisiteChecker
{
    private const double GiB = 1024d * 1024 * 1024;
    private const double MiB = 1024d * 1024;

    private readonly Func<IContainerEngine> _engineFactory;
    private readonly TimeProvider _time;
    private readonly string _stateDirectory;
    private readonly IReadOnlyDictionary<string, string?> _environment;
    private readonly ISystemResources _resources;
    private readonly Func<ComposeGeneration, CancellationToken, Task<ComposeCliInfo?>> _detectComposeCli;
    private readonly Func<ComposeCliInfo, ComposeProject, CancellationToken, Task<ComposeConfigHashes>> _readConfigHashes;
    private readonly Func<ComposeGeneration, ComposeCliInfo?> _guessComposeCli;

    public PrerequisiteChecker(
        Func<IContainerEngine> engineFactory,
        TimeProvider time,
        string stateDirectory,
        IReadOnlyDictionary<string, string?> environment,
        ISystemResources? resources = null,
        Func<ComposeGeneration, CancellationToken, Task<ComposeCliInfo?>>? detectComposeCli = null,
        Func<ComposeCliInfo, ComposeProject, CancellationToken, Task<ComposeConfigHashes>>? readConfigHashes = null)
    {
        _engineFactory = engineFactory;
        _time = time;
        _stateDirectory = stateDirectory;
        _environment = environment;
        _resources = resources ?? SystemResources.Instance;
        _detectComposeCli = detectComposeCli ?? ((madeBy, token) => ComposeCli.DetectAsync(environment, madeBy, token));
        // A guess is about what the real detection finds: a detection given in its place (tests) gets none.
        _guessComposeCli = detectComposeCli is null ? madeBy => ComposeCli.LikelyFound(environment, madeBy) : _ => null;
        _readConfigHashes = readConfigHashes ?? ComposeConfigHashes.ReadAsync;
    }

    /// <summary>Locates and loads the project itself, reporting a loader failure as a failed ComposeFile or RestartConfiguration check.</summary>
    public async Task<IReadOnlyList<PrerequisiteCheckResult>> CheckAsync(ProjectRequest request, PrerequisiteOptions options, CancellationToken cancellationToken)
    {
        var results = new List<PrerequisiteCheckResult>();
        ProjectLocation? location = null;
        ComposeProject? compose = null;
        try
        {
            location = ProjectLocator.Locate(request, _environment);
            compose = ComposeLoader.Load(location, _environment);
        }
        catch (StingException ex)
        {
            var target = location?.ComposeFiles.FirstOrDefault() ?? request.ProjectDirectory ?? request.CurrentDirectory;
            results.Add(Fail(PrerequisiteCheck.ComposeFile, target, $"{ex.ErrorId}: {ex.Message}"));
        }

        RestartOptions? restartOptions = null;
        if (location is not null)
        {
            try
            {
                restartOptions = RestartConfigurationLoader.Load(location.ConfigPath);
            }
            catch (StingException ex)
            {
                results.Add(Fail(PrerequisiteCheck.RestartConfiguration, location.ConfigPath ?? "(built-in defaults)", $"{ex.ErrorId}: {ex.Message}"));
            }
        }

        if (compose is null || restartOptions is null)
        {
            // Without a model, only the project-independent checks can run.
            if (compose is not null)
                results.Insert(0, ComposePassed(compose));
            if (restartOptions is not null)
                results.AddRange(ConfigurationResults(restartOptions));
            var engineOnly = await CheckEngineAsync(cancellationToken).ConfigureAwait(false);
            results.AddRange(engineOnly.Results);
            results.AddRange(CheckResources(engineOnly.Info, engineOnly.Engine, location?.ProjectDirectory ?? request.CurrentDirectory,
                options.MinimumFreeSpaceGB ?? PrerequisiteOptions.DefaultMinimumFreeSpaceGB, options.MinimumAvailableMemoryMB, memoryIsRequired: false));
            if (options.Recreate)
                results.Add(ComposeCliResult(await _detectComposeCli(ComposeGeneration.Unknown, cancellationToken).ConfigureAwait(false)));
            return results;
        }

        return await CheckAsync(StingProject.Create(location!, compose, restartOptions), options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Checks an already loaded project (its loading counts as the passed ComposeFile and RestartConfiguration checks).</summary>
    public async Task<IReadOnlyList<PrerequisiteCheckResult>> CheckAsync(StingProject project, PrerequisiteOptions options, CancellationToken cancellationToken) =>
        (await InspectAsync(project, options, cancellationToken).ConfigureAwait(false)).Results;

    /// <summary>
    /// The checks of an already loaded project, with what they observed (containers, plan, drift), so that a run that
    /// follows acts on the same observation instead of asking the engine again.
    /// </summary>
    public async Task<PreflightReport> InspectAsync(StingProject project, PrerequisiteOptions options, CancellationToken cancellationToken)
    {
        var results = new List<PrerequisiteCheckResult> { ComposePassed(project.Compose) };
        results.AddRange(ConfigurationResults(project.Options));

        var engine = await CheckEngineAsync(cancellationToken).ConfigureAwait(false);
        results.AddRange(engine.Results);
        results.AddRange(CheckResources(engine.Info, engine.Engine, project.Location.ProjectDirectory,
            options.MinimumFreeSpaceGB ?? project.Options.MinimumFreeSpaceGB ?? PrerequisiteOptions.DefaultMinimumFreeSpaceGB,
            project.Options.MinimumAvailableMemoryMB ?? options.MinimumAvailableMemoryMB,
            memoryIsRequired: project.Options.MinimumAvailableMemoryMB is not null));

        IReadOnlyList<ContainerSummary>? containers = null;
        if (engine.Info is not null)
        {
            try
            {
                containers = await engine.Engine!.ListProjectContainersAsync(project.Name, cancellationToken).ConfigureAwait(false);
            }
            catch (StingException ex)
            {
                results.Add(Fail(PrerequisiteCheck.DockerEngine, engine.Engine!.Endpoint, $"listing the project's containers failed: {ex.Message}"));
            }
        }

        // Unknown names are a usage error, not a failed check.
        var graph = project.Graph(containers);
        var names = options.IncludeDependencies && options.Names.Count > 0
            ? graph.WithDependencies(RestartPlan.ResolveNames(graph, options.Names)).ToList()
            : options.Names;
        var plan = RestartPlan.Create(graph, project.Options, new RestartRequest { Names = names, IncludeDependents = options.IncludeDependents, Timeout = options.Timeout });
        var services = plan.Steps.Select(s => graph[s.Service].Service).ToList();

        if (options.CheckEnvironmentFiles)
            results.AddRange(CheckEnvironmentFiles(project, services));

        var byService = containers is null ? null : ServiceContainers.ByService(containers);
        if (options.CheckDependencies && byService is not null)
            results.AddRange(await CheckDependenciesAsync(engine.Engine!, project, plan, byService, cancellationToken).ConfigureAwait(false));

        if (options.CheckLock)
        {
            results.Add(CheckLock(_stateDirectory, project));
            results.Add(CheckInterruptedRun(project, byService));
        }

        // The CLI is asked even without -Recreate: on v2 its config hash is the drift verdict. Without containers
        // there is nothing to judge, and nothing but its version is asked.
        var madeBy = containers is null ? ComposeGeneration.Unknown : ComposeGenerations.OfProject(containers.Select(c => c.Labels));
        ComposeCliInfo? cli = null;
        DriftSurvey? drift = null;
        if (byService is not null)
        {
            var baseline = await DriftBaseline.DetectAsync(token => _detectComposeCli(madeBy, token), _guessComposeCli(madeBy),
                (c, token) => _readConfigHashes(c, project.Compose, token), cancellationToken).ConfigureAwait(false);
            cli = baseline.Cli;
            drift = await DriftSurvey.TakeAsync(engine.Engine!, services, byService, key => _environment.GetValueOrDefault(key), baseline, cancellationToken).ConfigureAwait(false);
            results.AddRange(DriftResults(services, drift, options.Recreate));
        }

        if (options.Recreate)
            results.Add(ComposeCliResult(byService is null ? await _detectComposeCli(madeBy, cancellationToken).ConfigureAwait(false) : cli));
        return new PreflightReport(results, byService, plan, drift);
    }

    internal static PrerequisiteCheckResult ComposePassed(ComposeProject compose) =>
        Pass(PrerequisiteCheck.ComposeFile, compose.ComposeFiles.FirstOrDefault() ?? compose.ProjectDirectory,
            $"project '{compose.Name}': {compose.Services.Count} service(s) from {string.Join(", ", compose.ComposeFiles)}" +
            (compose.Warnings.Count == 0 ? "" : $"; {compose.Warnings.Count} warning(s): {string.Join("; ", compose.Warnings)}"));

    internal static IEnumerable<PrerequisiteCheckResult> ConfigurationResults(RestartOptions options)
    {
        var target = options.Source ?? options.FileWithoutSection ?? "(built-in defaults)";
        yield return Pass(PrerequisiteCheck.RestartConfiguration, target,
            options.Source is not null ? $"{options.Services.Count} service override(s)"
            : options.FileWithoutSection is not null ? $"the file has no {RestartConfigurationLoader.SectionName}: section: built-in defaults"
            : "no config.yml: built-in defaults");
        if (options.Warnings.Count > 0)
            yield return Warn(PrerequisiteCheck.RestartConfiguration, target, string.Join("; ", options.Warnings));
    }

    // ---------------------------------------------------------------------------------------------- engine

    private sealed record EngineCheck(IContainerEngine? Engine, EngineInfo? Info, IReadOnlyList<PrerequisiteCheckResult> Results);

    private async Task<EngineCheck> CheckEngineAsync(CancellationToken cancellationToken)
    {
        IContainerEngine engine;
        try
        {
            engine = _engineFactory();
        }
        catch (StingException ex)
        {
            return new EngineCheck(null, null, [Fail(PrerequisiteCheck.DockerEngine, (ex.Target as string) ?? "(docker endpoint)", $"{ex.Message} {EngineAdvice}")]);
        }
        try
        {
            var info = await engine.GetInfoAsync(cancellationToken).ConfigureAwait(false);
            return new EngineCheck(engine, info, [Pass(PrerequisiteCheck.DockerEngine, engine.Endpoint,
                $"Docker {info.ServerVersion} (API {info.ApiVersion}){(info.OperatingSystem is null ? "" : $" on {info.OperatingSystem}")}, data in {info.DockerRootDir}")]);
        }
        catch (StingException ex)
        {
            return new EngineCheck(engine, null, [Fail(PrerequisiteCheck.DockerEngine, engine.Endpoint,
                $"the Docker engine at {engine.Endpoint} does not answer ({ex.ErrorId}): {ex.Message} {EngineAdvice}")]);
        }
    }

    private const string EngineAdvice =
        "Start the engine (e.g. 'sudo systemctl start docker'), or point DOCKER_HOST or the docker context at one that runs; 'docker info' shows what the docker CLI sees.";

    // ------------------------------------------------------------------------------------ disk and memory

    /// <param name="memoryIsRequired">The threshold was configured: falling short refuses the restart, not just warns.</param>
    private IEnumerable<PrerequisiteCheckResult> CheckResources(EngineInfo? info, IContainerEngine? engine, string projectDirectory, double minimumGB, double minimumMemoryMB,
        bool memoryIsRequired)
    {
        if (info is not null && !string.IsNullOrEmpty(info.DockerRootDir))
        {
            if (!IsLocal(engine!.Endpoint))
            {
                yield return Warn(PrerequisiteCheck.DiskSpace, info.DockerRootDir,
                    $"the engine at {engine.Endpoint} is not on this machine; free space of its data directory cannot be checked from here");
            }
            else
            {
                yield return Disk(info.DockerRootDir, "the engine's data directory (DockerRootDir)", minimumGB, notVisibleIsWarning: true);
            }
        }
        yield return Disk(projectDirectory, "the project directory", minimumGB, notVisibleIsWarning: false);

        var available = _resources.AvailableMemoryBytes();
        if (available is null)
            yield return Warn(PrerequisiteCheck.Memory, "MemAvailable", "available memory is unknown here (no /proc/meminfo)");
        else if (available.Value / MiB < minimumMemoryMB)
        {
            var message = $"{available.Value / MiB:0} MiB available, below {minimumMemoryMB:0} MiB: containers may fail to start or be OOM-killed";
            yield return memoryIsRequired
                ? Fail(PrerequisiteCheck.Memory, "MemAvailable", message + " (minimum_available_memory_mb)")
                : Warn(PrerequisiteCheck.Memory, "MemAvailable", message);
        }
        else
            yield return new PrerequisiteCheckResult(PrerequisiteCheck.Memory, "MemAvailable", true,
                memoryIsRequired ? PrerequisiteCheckSeverity.Error : PrerequisiteCheckSeverity.Warning,
                $"{available.Value / MiB:0} MiB available (minimum {minimumMemoryMB:0} MiB)");
    }

    private PrerequisiteCheckResult Disk(string path, string what, double minimumGB, bool notVisibleIsWarning)
    {
        var free = _resources.FreeBytes(path);
        if (free is null)
        {
            var message = $"{what} {path} is not visible from here (another mount namespace, a remote engine, or no permission); free space not checked";
            return notVisibleIsWarning ? Warn(PrerequisiteCheck.DiskSpace, path, message) : Fail(PrerequisiteCheck.DiskSpace, path, message);
        }
        var gb = free.Value / GiB;
        return gb < minimumGB
            ? Fail(PrerequisiteCheck.DiskSpace, path, $"{gb:0.00} GB free on {what}, below the minimum of {minimumGB:0.##} GB; free space or lower minimum_free_space_gb")
            : Pass(PrerequisiteCheck.DiskSpace, path, $"{gb:0.00} GB free on {what} (minimum {minimumGB:0.##} GB)");
    }

    /// <summary>Sockets and pipes are on this machine; tcp:// is unless it names another host; ssh:// never is.</summary>
    private static bool IsLocal(string endpoint)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
            return false;
        return uri.Scheme switch
        {
            "tcp" or "http" or "https" => uri.IsLoopback || uri.Host == "localhost",
            "ssh" => false,
            _ => true,
        };
    }

    // ----------------------------------------------------------------------------------------- env files

    private IEnumerable<PrerequisiteCheckResult> CheckEnvironmentFiles(StingProject project, IReadOnlyList<ComposeService> services)
    {
        foreach (var service in services)
        {
            var required = project.Options.For(service.Name).RequiredEnvironmentKeys;
            if (service.EnvFiles.Count == 0 && required.Count == 0)
                continue;
            var validation = project.ValidateEnvFiles(service, key => _environment.GetValueOrDefault(key));
            var errors = validation.Findings.Where(f => f.Severity == EnvFileSeverity.Error).ToList();
            var warnings = validation.Findings.Where(f => f.Severity == EnvFileSeverity.Warning).ToList();
            var files = service.EnvFiles.Count == 0 ? "no env_file" : string.Join(", ", service.EnvFiles.Select(f => f.Path));
            if (errors.Count > 0)
                yield return Fail(PrerequisiteCheck.EnvironmentFile, service.Name, $"{errors.Count} problem(s): {string.Join("; ", errors.Select(f => f.ToString()))}");
            else if (warnings.Count > 0)
                yield return Warn(PrerequisiteCheck.EnvironmentFile, service.Name, $"{warnings.Count} warning(s): {string.Join("; ", warnings.Select(f => f.ToString()))}");
            else
                yield return Pass(PrerequisiteCheck.EnvironmentFile, service.Name,
                    $"{files}: {validation.Files.Sum(f => f.Entries.Count)} variable(s)" + (required.Count == 0 ? "" : $", required {string.Join(", ", required)} present"));
        }
    }

    // ----------------------------------------------------------------------------------- dependencies

    private async Task<IEnumerable<PrerequisiteCheckResult>> CheckDependenciesAsync(IContainerEngine engine, StingProject project, RestartPlan plan,
        IReadOnlyDictionary<string, ContainerSummary> byService, CancellationToken cancellationToken)
    {
        if (plan.WholeProject)
            return [];
        var external = plan.ExternalDependencies.ToList();
        if (external.Count == 0)
            return [Pass(PrerequisiteCheck.Dependencies, string.Join(", ", plan.Steps.Select(s => s.Service)), "no dependency outside the request")];
        var unready = await new DependencyReadiness(engine, _time, project.CreateRedactor()).FindUnreadyAsync(project, plan, byService, cancellationToken).ConfigureAwait(false);
        if (unready.Count == 0)
            return [Pass(PrerequisiteCheck.Dependencies, string.Join(", ", plan.Steps.Select(s => s.Service)),
                $"{external.Select(e => e.Dependency.Service).Distinct().Count()} dependency(ies) outside the request ready: {string.Join(", ", external.Select(e => e.Dependency.Service).Distinct())}")];
        return unready.Select(u => u.Required
            ? Fail(PrerequisiteCheck.Dependencies, u.Service, $"dependency '{u.Dependency}' is {u.Observed}; restart it first, or include it in the request")
            : Warn(PrerequisiteCheck.Dependencies, u.Service, $"optional dependency '{u.Dependency}' (required: false) is {u.Observed}; the restart goes on without it"));
    }

    // ---------------------------------------------------------------------------------------------- lock

    private PrerequisiteCheckResult CheckInterruptedRun(StingProject project, IReadOnlyDictionary<string, ContainerSummary>? byService)
    {
        if (RunJournal.FindInterrupted(_stateDirectory, project.Name) is not { } run)
            return Pass(PrerequisiteCheck.InterruptedRun, project.Name, "no interrupted restart");
        Func<string, bool?>? isRunning = byService is null ? null : s => byService.TryGetValue(s, out var c) && c.State == "running";
        return Warn(PrerequisiteCheck.InterruptedRun, project.Name, run.Describe(isRunning));
    }

    internal static PrerequisiteCheckResult CheckLock(string stateDirectory, StingProject project)
    {
        var (state, owner) = RestartLock.Probe(stateDirectory, project.Name);
        var path = RestartLock.PathFor(stateDirectory, project.Name);
        switch (state)
        {
            case LockState.Held:
                var who = owner is null ? "another process" : $"pid {owner.Pid}{(owner.Host is null ? "" : $" on {owner.Host}")} since {owner.Since:u}";
                var message = $"another restart of project '{project.Name}' holds the lock ({who}; {path})";
                return project.Options.LockTimeout > TimeSpan.Zero
                    ? Warn(PrerequisiteCheck.RestartLock, project.Name, $"{message}; a restart waits up to {project.Options.LockTimeout.TotalSeconds:0}s (lock_timeout) for it")
                    : Fail(PrerequisiteCheck.RestartLock, project.Name, $"{message}; wait for it to finish, or raise lock_timeout");
            case LockState.Stale:
                return Pass(PrerequisiteCheck.RestartLock, project.Name,
                    $"stale lock of pid {owner!.Pid} (since {owner.Since:u}), which no longer holds it; the next restart takes it over");
            default:
                return Pass(PrerequisiteCheck.RestartLock, project.Name, "free");
        }
    }

    // ----------------------------------------------------------------------------------------------- drift

    private static IEnumerable<PrerequisiteCheckResult> DriftResults(IReadOnlyList<ComposeService> services, DriftSurvey survey, bool recreate)
    {
        foreach (var service in services)
        {
            if (!survey.ByService.TryGetValue(service.Name, out var drift))
                continue;
            if (!drift.HasDrift)
            {
                yield return new PrerequisiteCheckResult(PrerequisiteCheck.ConfigDrift, service.Name, true, PrerequisiteCheckSeverity.Warning,
                    $"the container {drift.Describe()}" +
                    (drift.NotComparedKeys.Count == 0 ? "" : $"; not compared: {string.Join(", ", drift.NotComparedKeys)}"));
                continue;
            }
            yield return Warn(PrerequisiteCheck.ConfigDrift, service.Name, recreate
                ? $"{drift.Describe()}; -Recreate will apply it"
                : $"{drift.Describe()}; a plain restart keeps the container's old configuration, Restart-StingService -Recreate applies the change");
        }
    }

    // ------------------------------------------------------------------------------------------ compose CLI

    private static PrerequisiteCheckResult ComposeCliResult(ComposeCliInfo? cli) =>
        cli is null
            ? Fail(PrerequisiteCheck.ComposeCli, "docker compose / docker-compose",
                "neither 'docker compose' (v2) nor 'docker-compose' (v1) answers on PATH; -Recreate needs one of them (install docker-compose-plugin or docker-compose)")
            : Pass(PrerequisiteCheck.ComposeCli, cli.Executable, $"{cli.DisplayName} version {cli.Version}");

    internal static PrerequisiteCheckResult Pass(PrerequisiteCheck check, string target, string message) => new(check, target, true, PrerequisiteCheckSeverity.Error, message);
    internal static PrerequisiteCheckResult Fail(PrerequisiteCheck check, string target, string message) => new(check, target, false, PrerequisiteCheckSeverity.Error, message);
    internal static PrerequisiteCheckResult Warn(PrerequisiteCheck check, string target, string message) => new(check, target, false, PrerequisiteCheckSeverity.Warning, message);
}
