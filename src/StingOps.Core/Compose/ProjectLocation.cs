namespace StingOps.Core.Compose;

/// <summary>Where <see cref="ProjectLocation.ProjectName"/> came from, which decides whether a top-level <c>name:</c> may replace it.</summary>
public enum ProjectNameSource
{
    /// <summary>-ProjectName: final.</summary>
    Explicit,
    /// <summary>COMPOSE_PROJECT_NAME in the process environment.</summary>
    Environment,
    /// <summary>COMPOSE_PROJECT_NAME in the project's .env.</summary>
    DotEnv,
    /// <summary>The project directory's name, normalised.</summary>
    Directory,
}

/// <summary>A resolved <see cref="ProjectRequest"/>: everything absolute, every default applied.</summary>
public sealed record ProjectLocation
{
    /// <summary>Absolute paths in merge order, including a picked-up override file.</summary>
    public required IReadOnlyList<string> ComposeFiles { get; init; }

    /// <summary>True when the files came from the default names rather than -ComposeFile or COMPOSE_FILE.</summary>
    public bool FoundByDefault { get; init; }

    public required string ProjectDirectory { get; init; }

    /// <summary>
    /// The name as far as it is known without reading the files; unless <see cref="ProjectNameSource"/> is
    /// <see cref="Compose.ProjectNameSource.Explicit"/>, a top-level <c>name:</c> replaces it when the loader runs.
    /// May be empty when the directory name has no usable character.
    /// </summary>
    public required string ProjectName { get; init; }

    public ProjectNameSource ProjectNameSource { get; init; } = ProjectNameSource.Directory;

    public IReadOnlyList<string> Profiles { get; init; } = [];

    /// <summary>Absolute path of the restart configuration, or null for built-in defaults.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>The project's <c>.env</c> values (interpolation input; the process environment wins over them).</summary>
    public IReadOnlyDictionary<string, string> DotEnv { get; init; } = new Dictionary<string, string>();

    /// <summary>Absolute path of the project's <c>.env</c> when it exists.</summary>
    public string? DotEnvPath { get; init; }
}
