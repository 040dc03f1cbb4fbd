using System.Text;
using StingOps.Core.Common;
using StingOps.Core.Compose.Interpolation;

namespace StingOps.Core.Compose;

/// <summary>
/// The project's <c>.env</c> as compose reads it for interpolation: <c>KEY=VALUE</c>, optional <c>export</c>,
/// <c>#</c> comments, single quotes (literal), double quotes (escapes, may span lines), unquoted values trimmed and
/// cut at <c> #</c>, and <c>${VAR}</c> expansion in unquoted and double-quoted values (process environment first,
/// then earlier keys of the file). A line with only a key takes the value from the environment, if set.
/// Deliberately small: full validation of env files lives elsewhere.
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

        var lines = text.TrimStart('\uFEFF').ReplaceLineEndings("\n").Split('\n');
        for (var n = 0; n < lines.Length; n++)
        {
            var lineNumber = n + 1;
            var line = lines[n].Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            if (line.StartsWith("export ", StringComparison.Ordinal) || line.StartsWith("export\t", StringComparison.Ordinal))
                line = line[7..].TrimStart();

            var eq = line.IndexOf('=');
            if (eq < 0)
            {
                // "KEY" alone inherits the variable from the environment, as compose does.
                var bare = line.Split('#')[0].Trim();
                if (bare.Length > 0 && environment is not null && environment.TryGetValue(bare, out var inherited) && inherited is not null)
                    values[bare] = inherited;
                continue;
            }

            var key = line[..eq].Trim();
            if (key.Length == 0) continue;
            var raw = line[(eq + 1)..].TrimStart();
            string value;
            try
            {
                if (raw.StartsWith('\''))
                {
                    value = ReadQuoted(lines, ref n, raw, '\'');
                }
                else if (raw.StartsWith('"'))
                {
                    value = interpolator.Interpolate(Unescape(ReadQuoted(lines, ref n, raw, '"')));
                }
                else
                {
                    var comment = raw.IndexOf(" #", StringComparison.Ordinal);
                    if (comment < 0) comment = raw.IndexOf("\t#", StringComparison.Ordinal);
                    value = interpolator.Interpolate((comment >= 0 ? raw[..comment] : raw).Trim());
                }
            }
            catch (InterpolationException ex)
            {
                throw new StingException(ErrorIds.InterpolationFailed, StingErrorKind.InvalidData,
                    $"{source}:{lineNumber}: {ex.Message} (in {key})", ex, ex.Variable);
            }
            values[key] = value;
        }
        return values;
    }

    /// <summary>The text between the opening quote and its closing quote, continuing over lines if needed.</summary>
    private static string ReadQuoted(string[] lines, ref int n, string start, char quote)
    {
        var text = new StringBuilder();
        var rest = start[1..];
        while (true)
        {
            var close = FindClosingQuote(rest, quote);
            if (close >= 0) return text.Append(rest, 0, close).ToString();
            if (n + 1 >= lines.Length) return text.Append(rest).ToString(); // unterminated: take what is there
            text.Append(rest).Append('\n');
            rest = lines[++n];
        }
    }

    private static int FindClosingQuote(string text, char quote)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (quote == '"' && text[i] == '\\') { i++; continue; }
            if (text[i] == quote) return i;
        }
        return -1;
    }

    private static string Unescape(string text)
    {
        if (!text.Contains('\\')) return text;
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\' || i + 1 == text.Length)
            {
                result.Append(text[i]);
                continue;
            }
            var c = text[++i];
            result.Append(c switch
            {
                'n' => "\n",
                't' => "\t",
                'r' => "\r",
                '"' => "\"",
                '\\' => "\\",
                _ => "\\" + c,
            });
        }
        return result.ToString();
    }
}
