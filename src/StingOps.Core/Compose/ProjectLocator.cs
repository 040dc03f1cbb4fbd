using StingOps.Core.Common;

namespace StingOps.Core.Compose;

/// <summary>
/// Resolves a <see cref="ProjectRequest"/> into a <see cref="ProjectLocation"/> with the defaults of docs/cmdlets.md ("Finding the project")
/// ("Finding the project") and of docker compose where the contract is silent. Reads the file system but takes the
/// environment as a snapshot, so tests and the cmdlets decide what it sees.
/// </summary>
public static class ProjectLocator
{
    /// <summary>Compose's preferred names, in its order of preference (compose-go <c>DefaultFileNames</c>).</summary>
    public static IReadOnlyList<string> DefaultFileNames { get; } =
        ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"];

    /// <summary>Override files picked up beside a default file (compose-go <c>DefaultOverrideFileNames</c>).</summary>
    public static IReadOnlyList<string> DefaultOverrideFileNames { get; } =
        ["compose.override.yml", "compose.override.yaml", "docker-compose.override.yml", "docker-compose.override.yaml"];

    public const string InstallDirVariable = "STING_INSTALL_DIR";

    /// <exception cref="StingException">
    /// <c>StingComposeFileNotFound</c> (names the missing file or where it looked),
    /// <c>StingProjectNameInvalid</c>, <c>StingInterpolationFailed</c> (in .env).
    /// </exception>
    public static ProjectLocation Locate(ProjectRequest request, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(environment);
        var cwd = Path.GetFullPath(request.CurrentDirectory);
        var explicitDirectory = string.IsNullOrWhiteSpace(request.ProjectDirectory)
            ? null
            : Path.GetFullPath(request.ProjectDirectory, cwd);

        var (files, foundByDefault) = FindComposeFiles(request, environment, cwd, explicitDirectory);
        var projectDirectory = explicitDirectory ?? Path.GetDirectoryName(files[0])!;

        var dotEnvPath = Path.Combine(projectDirectory, ".env");
        var dotEnvText = DotEnvFile.TryReadText(dotEnvPath);
        var dotEnv = dotEnvText is null
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : DotEnvFile.Parse(dotEnvText, dotEnvPath, environment);

        var (name, nameSource) = ResolveName(request, environment, dotEnv, projectDirectory);

        return new ProjectLocation
        {
            ComposeFiles = files,
            FoundByDefault = foundByDefault,
            ProjectDirectory = projectDirectory,
            ProjectName = name,
            ProjectNameSource = nameSource,
            Profiles = ResolveProfiles(request, environment, dotEnv),
            ConfigPath = ResolveConfigPath(request, cwd, projectDirectory),
            DotEnv = dotEnv,
            DotEnvPath = dotEnvText is null ? null : dotEnvPath,
        };
    }

    private static (IReadOnlyList<string> Files, bool FoundByDefault) FindComposeFiles(
        ProjectRequest request, IReadOnlyDictionary<string, string?> environment, string cwd, string? explicitDirectory)
    {
        var given = request.ComposeFiles?.Where(f => !string.IsNullOrWhiteSpace(f)).ToArray();
        if (given is { Length: > 0 })
            return (RequireExisting(given.Select(f => Path.GetFullPath(f, cwd)), "-ComposeFile"), false);

        // Without files, "the project directory" is where we look: -ProjectDirectory, else the STING install,
        // else the current location and, as docker compose does, its parents.
        var installDirectory = Get(environment, InstallDirVariable);
        var fromVariable = ComposeFileVariable(environment, explicitDirectory ?? cwd,
            explicitDirectory ?? (installDirectory is null ? cwd : Path.GetFullPath(installDirectory, cwd)));
        if (fromVariable is not null) return (fromVariable, false);

        List<string> searchRoots = explicitDirectory is not null ? [explicitDirectory]
            : installDirectory is not null ? [Path.GetFullPath(installDirectory, cwd)]
            : SelfAndParents(cwd).ToList();

        foreach (var directory in searchRoots)
        {
            var main = DefaultFileNames.Select(n => Path.Combine(directory, n)).FirstOrDefault(File.Exists);
            if (main is null) continue;
            var found = new List<string> { main };
            var over = DefaultOverrideFileNames.Select(n => Path.Combine(directory, n)).FirstOrDefault(File.Exists);
            if (over is not null) found.Add(over);
            return (found, true);
        }

        var where = searchRoots.Count == 1 ? searchRoots[0] : $"{searchRoots[0]} and its parent directories";
        throw new StingException(ErrorIds.ComposeFileNotFound, StingErrorKind.ObjectNotFound,
            $"No compose file found: looked for {string.Join(", ", DefaultFileNames)} in {where}. " +
            "Use -ComposeFile or -ProjectDirectory, or set COMPOSE_FILE or STING_INSTALL_DIR.",
            target: searchRoots[0]);
    }

    /// <summary>
    /// COMPOSE_FILE from the environment (relative paths: to <paramref name="baseDirectory"/>), else from the .env of
    /// the directory the project would be searched in, as if compose ran there (relative paths: to that directory).
    /// </summary>
    private static IReadOnlyList<string>? ComposeFileVariable(IReadOnlyDictionary<string, string?> environment,
        string baseDirectory, string searchDirectory)
    {
        var value = Get(environment, "COMPOSE_FILE");
        var separator = Get(environment, "COMPOSE_PATH_SEPARATOR");
        var origin = "COMPOSE_FILE";
        if (value is null)
        {
            baseDirectory = searchDirectory;
            var dotEnvPath = Path.Combine(searchDirectory, ".env");
            var dotEnv = DotEnvFile.Read(dotEnvPath, environment);
            if (!dotEnv.TryGetValue("COMPOSE_FILE", out var fromDotEnv) || string.IsNullOrWhiteSpace(fromDotEnv)) return null;
            value = fromDotEnv;
            separator ??= dotEnv.GetValueOrDefault("COMPOSE_PATH_SEPARATOR");
            origin = $"COMPOSE_FILE in {dotEnvPath}";
        }
        if (string.IsNullOrEmpty(separator)) separator = Path.PathSeparator.ToString();
        var paths = value.Split(separator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (paths.Length == 0) return null;
        return RequireExisting(paths.Select(p => Path.GetFullPath(p, baseDirectory)), origin);
    }

    private static IReadOnlyList<string> RequireExisting(IEnumerable<string> paths, string origin)
    {
        var list = paths.ToList();
        foreach (var path in list)
        {
            if (File.Exists(path)) continue;
            var problem = Directory.Exists(path) ? "is a directory, not a compose file" : "does not exist";
            throw new StingException(ErrorIds.ComposeFileNotFound, StingErrorKind.ObjectNotFound,
                $"Compose file {path} (from {origin}) {problem}.", target: path);
        }
        return list;
    }

    private static (string Name, ProjectNameSource Source) ResolveName(ProjectRequest request,
        IReadOnlyDictionary<string, string?> environment, IReadOnlyDictionary<string, string> dotEnv, string projectDirectory)
    {
        if (!string.IsNullOrWhiteSpace(request.ProjectName))
            return (ProjectNames.Validate(request.ProjectName, "-ProjectName"), ProjectNameSource.Explicit);
        var fromEnvironment = Get(environment, "COMPOSE_PROJECT_NAME");
        if (fromEnvironment is not null)
            return (ProjectNames.Validate(fromEnvironment, "COMPOSE_PROJECT_NAME"), ProjectNameSource.Environment);
        if (dotEnv.TryGetValue("COMPOSE_PROJECT_NAME", out var fromDotEnv) && !string.IsNullOrWhiteSpace(fromDotEnv))
            return (ProjectNames.Validate(fromDotEnv, "COMPOSE_PROJECT_NAME in .env"), ProjectNameSource.DotEnv);
        var directoryName = Path.GetFileName(Path.TrimEndingDirectorySeparator(projectDirectory));
        return (ProjectNames.Normalize(directoryName), ProjectNameSource.Directory);
    }

    private static IReadOnlyList<string> ResolveProfiles(ProjectRequest request,
        IReadOnlyDictionary<string, string?> environment, IReadOnlyDictionary<string, string> dotEnv)
    {
        if (request.Profiles is { Length: > 0 })
            return SplitProfiles(request.Profiles);
        var fromVariable = Get(environment, "COMPOSE_PROFILES") ?? dotEnv.GetValueOrDefault("COMPOSE_PROFILES");
        return fromVariable is null ? [] : SplitProfiles([fromVariable]);
    }

    /// <summary>Accepts both <c>-Profile a,b</c> and <c>-Profile "a,b"</c>, as COMPOSE_PROFILES is a comma list.</summary>
    private static IReadOnlyList<string> SplitProfiles(IEnumerable<string> values) =>
        values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal)
            .ToList();

    private static string? ResolveConfigPath(ProjectRequest request, string cwd, string projectDirectory)
    {
        // An explicit path is returned even when missing: the configuration loader reports StingConfigFileNotFound.
        if (!string.IsNullOrWhiteSpace(request.ConfigPath)) return Path.GetFullPath(request.ConfigPath, cwd);
        return new[] { Path.Combine(projectDirectory, "conf", "config.yml"), Path.Combine(projectDirectory, "config.yml") }
            .FirstOrDefault(File.Exists);
    }

    private static IEnumerable<string> SelfAndParents(string directory)
    {
        for (var d = directory; d is not null; d = Path.GetDirectoryName(d)) yield return d;
    }

    private static string? Get(IReadOnlyDictionary<string, string?> environment, string name) =>
        environment.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;
}
