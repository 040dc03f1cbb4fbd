using StingOps.Core.Common;
using StingOps.Core.Compose.Interpolation;
using StingOps.Core.EnvFiles;

namespace StingOps.Core.Compose;

/// <summary>
/// The project's <c>.env</c> as compose reads it for interpolation. The syntax is <see cref="EnvFileParser"/>'s
/// (compose-go's dotenv, the same reader <c>Test-StingEnvironmentFile</c> checks with), so the values interpolated
/// here are the values the validator vouches for. On top of it, compose's interpolation semantics: <c>${VAR}</c> is
/// expanded in unquoted and double-quoted values (process environment first, then earlier keys of the file),
/// single-quoted values are literal, and a line with only a key takes the value from the environment, if set.
/// Lines the parser reports as problems set nothing here; the validator names them.
/// </summary>
public static class DotEnvFile
{
    /// <summary>Reads <paramref name="path"/>; a missing file (or a dangling link) is an empty result.</summary>
    /// <exception cref="StingException"><c>StingEnvironmentFileUnreadable</c> when it exists but cannot be read.</exception>
    public static IReadOnlyDictionary<string, string> Read(string path, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var text = TryReadText(path);
        return text is null ? new Dictionary<string, string>(StringComparer.Ordinal) : Parse(text, path, environment);
    }

    /// <summary>The file's text, or null when there is no such file.</summary>
    internal static string? TryReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StingException(ErrorIds.EnvironmentFileUnreadable, StingErrorKind.ResourceUnavailable,
                $"{path}: cannot be read: {ex.Message}", ex, path);
        }
    }

    /// <exception cref="StingException"><c>StingInterpolationFailed</c> for a <c>${VAR:?message}</c> that fails.</exception>
    public static IReadOnlyDictionary<string, string> Parse(string text, string source, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var interpolator = new VariableInterpolator(name =>
            environment is not null && environment.TryGetValue(name, out var v) && v is not null ? v
            : values.TryGetValue(name, out var own) ? own
            : null);

        foreach (var entry in EnvFileParser.ParseText(text, source).Entries)
        {
            switch (entry.Style)
            {
                case EnvValueStyle.Inherited:
                    if (environment is not null && environment.TryGetValue(entry.Key, out var inherited) && inherited is not null)
                        values[entry.Key] = inherited;
                    break;
                case EnvValueStyle.SingleQuoted:
                    values[entry.Key] = entry.Value!;
                    break;
                default:
                    try
                    {
                        values[entry.Key] = interpolator.Interpolate(entry.Value!);
                    }
                    catch (InterpolationException ex)
                    {
                        throw new StingException(ErrorIds.InterpolationFailed, StingErrorKind.InvalidData,
                            $"{source}:{entry.Line}: {ex.Message} (in {entry.Key})", ex, ex.Variable);
                    }
                    break;
            }
        }
        return values;
    }
}
