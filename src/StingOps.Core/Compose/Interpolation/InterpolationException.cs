namespace StingOps.Core.Compose.Interpolation;

/// <summary>
/// A template could not be substituted. Carries the variable and the author's message, never a value; the caller
/// adds where the template was.
/// </summary>
internal sealed class InterpolationException(string problem, string? variable = null) : Exception(problem)
{
    public string? Variable { get; } = variable;
}
