namespace StingOps.Core.Compose;

/// <summary>
/// What the user said about the project (docs/cmdlets.md "Finding the project"); nulls mean "use the default".
/// Relative paths are taken relative to <see cref="CurrentDirectory"/>.
/// </summary>
public sealed record ProjectRequest(
    string[]? ComposeFiles,
    string? ProjectDirectory,
    string? ProjectName,
    string[]? Profiles,
    string? ConfigPath,
    string CurrentDirectory)
{
    /// <summary>Everything defaulted; set the rest with an object initializer.</summary>
    public ProjectRequest(string currentDirectory)
        : this(null, null, null, null, null, currentDirectory)
    {
    }
}
