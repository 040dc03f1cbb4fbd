using System.Text;
using StingOps.Core.Common;

namespace StingOps.Core.Compose;

/// <summary>Compose project names: lowercase letters, digits, '-' and '_', starting with a letter or digit.</summary>
public static class ProjectNames
{
    /// <summary>What compose makes of a directory name or a top-level <c>name:</c>: lowercased, other characters dropped.</summary>
    public static string Normalize(string name)
    {
        var result = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant())
            if (char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_')
                result.Append(c);
        return result.ToString().TrimStart('-', '_');
    }

    public static bool IsValid(string name) => name.Length > 0 && Normalize(name) == name;

    /// <exception cref="StingException"><c>StingProjectNameInvalid</c>.</exception>
    public static string Validate(string name, string origin)
    {
        if (IsValid(name)) return name;
        throw new StingException(ErrorIds.ProjectNameInvalid, StingErrorKind.InvalidArgument,
            name.Length == 0
                ? $"The project name from {origin} is empty."
                : $"Invalid project name '{name}' from {origin}: it must consist only of lowercase letters, digits, '-' and '_', and start with a letter or digit.",
            target: name);
    }
}
