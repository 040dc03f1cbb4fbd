using StingOps.Core.Common;
using StingOps.Core.Compose.Interpolation;
using StingOps.Core.Compose.Loading;
using StingOps.Core.Compose.Yaml;

namespace StingOps.Core.Compose;

/// <summary>
/// Loads a located project into a <see cref="ComposeProject"/>, following the compose specification: files and
/// YAML documents merged in order, interpolation from the environment over the project's .env, anchors and merge
/// keys, <c>!reset</c>/<c>!override</c>, <c>extends</c>, <c>include</c>, profiles.
/// </summary>
public static class ComposeLoader
{
    /// <param name="environment">The process environment (a snapshot); it wins over the project's .env.</param>
    /// <exception cref="StingException">
    /// <c>StingComposeFileInvalid</c> (file:line:column, the service), <c>StingInterpolationFailed</c> (file:line,
    /// the variable, the author's message), <c>StingUndefinedDependency</c> (both services),
    /// <c>StingComposeFileNotFound</c>, <c>StingProjectNameInvalid</c>.
    /// </exception>
    public static ComposeProject Load(ProjectLocation location, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(environment);
        if (location.ComposeFiles.Count == 0)
            throw new StingException(ErrorIds.ComposeFileNotFound, StingErrorKind.ObjectNotFound,
                $"No compose file given for the project in {location.ProjectDirectory}.", target: location.ProjectDirectory);

        var session = new LoadSession();
        var fromEnvironment = Lookup(location, environment);
        var projectName = ResolveProjectName(location, session, fromEnvironment);
        // As compose does, ${COMPOSE_PROJECT_NAME} in the files is the name the project actually gets.
        string? InFiles(string name) => name == "COMPOSE_PROJECT_NAME" ? projectName : fromEnvironment(name);

        var model = new ModelAssembler(session, location.ProjectDirectory, InFiles, []).Assemble(location.ComposeFiles);
        if (model.Entries.All(e => e.Name == "version"))
            throw ComposeErrors.Invalid(new SourceMark(location.ComposeFiles[0], 1, 1),
                "the compose file is empty (no services or other content)");

        return new ComposeProject
        {
            Name = projectName,
            ProjectDirectory = location.ProjectDirectory,
            ComposeFiles = location.ComposeFiles,
            ActiveProfiles = location.Profiles,
            Services = ReadServices(model, location, session),
            Warnings = session.Warnings,
        };
    }

    /// <summary>The name <see cref="Load"/> gives the project, from the files' top-level <c>name:</c> alone (their
    /// services are not read): what the metrics cmdlets need to find a project's history.</summary>
    /// <exception cref="StingException"><c>StingComposeFileInvalid</c>, <c>StingInterpolationFailed</c>, <c>StingProjectNameInvalid</c>.</exception>
    public static string ReadProjectName(ProjectLocation location, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(environment);
        return ResolveProjectName(location, new LoadSession(), Lookup(location, environment));
    }

    /// <summary>Interpolation input: the process environment wins over the project's .env.</summary>
    private static Func<string, string?> Lookup(ProjectLocation location, IReadOnlyDictionary<string, string?> environment) =>
        name => environment.TryGetValue(name, out var value) && value is not null ? value
            : location.DotEnv.TryGetValue(name, out var fromDotEnv) ? fromDotEnv
            : null;

    private static IReadOnlyList<ComposeService> ReadServices(YMapping model, ProjectLocation location, LoadSession session)
    {
        var node = model.Get("services");
        if (node is null or YScalar { IsNull: true }) return [];
        if (node is not YMapping services)
            throw ComposeErrors.Invalid(node.Mark, $"services must be a mapping of service names to definitions, not {node.KindName}");

        var defined = services.Entries.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var reader = new ServiceReader(location.ProjectDirectory,
            location.Profiles.ToHashSet(StringComparer.Ordinal), defined, session);
        var result = new ComposeService[services.Entries.Count];
        for (var i = 0; i < result.Length; i++) result[i] = reader.Read(services.Entries[i]);
        Array.Sort(result, (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return result;
    }

    /// <summary>
    /// -ProjectName is final; otherwise a top-level <c>name:</c> (interpolated, normalised, the last file that sets
    /// one wins) replaces what the locator found (COMPOSE_PROJECT_NAME, then the directory name).
    /// </summary>
    private static string ResolveProjectName(ProjectLocation location, LoadSession session, Func<string, string?> lookup)
    {
        if (location.ProjectNameSource == ProjectNameSource.Explicit) return location.ProjectName;

        YScalar? declared = null;
        foreach (var file in location.ComposeFiles)
            foreach (var document in session.Parse(file))
                if (document.Root is YMapping root && root.Get("name") is { } name and not YScalar { IsNull: true })
                    declared = name as YScalar ?? throw ComposeErrors.Invalid(name.Mark, $"name must be a string, not {name.KindName}");

        if (declared is not null)
        {
            var interpolated = (YScalar)new TreeInterpolator(lookup, session.UnsetVariable).Interpolate(declared);
            var normalized = ProjectNames.Normalize(interpolated.Value);
            if (normalized.Length > 0) return normalized;
        }
        if (location.ProjectName.Length > 0) return location.ProjectName;
        throw new StingException(ErrorIds.ProjectNameInvalid, StingErrorKind.InvalidArgument,
            $"The project name must not be empty: the directory name of {location.ProjectDirectory} has no usable character. " +
            "Use -ProjectName, COMPOSE_PROJECT_NAME or a top-level name: in the compose file.",
            target: location.ProjectDirectory);
    }
}
