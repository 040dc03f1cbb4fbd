using StingOps.Core.Common;
using StingOps.Core.Compose.Yaml;

namespace StingOps.Core.Compose.Loading;

/// <summary>The loader's errors, worded alike: <c>file:line:column: service "x": problem</c>.</summary>
internal static class ComposeErrors
{
    public static StingException Invalid(SourceMark mark, string problem, string? service = null, Exception? inner = null) =>
        new(ErrorIds.ComposeFileInvalid, StingErrorKind.InvalidData,
            service is null ? $"{mark}: {problem}" : $"{mark}: service \"{service}\": {problem}",
            inner, service ?? (object)mark.File);

    public static StingException Syntax(YamlTreeException ex) =>
        new(ErrorIds.ComposeFileInvalid, StingErrorKind.InvalidData, $"{ex.Mark}: {ex.Problem}", ex, ex.Mark.File);

    public static StingException Unreadable(string path, Exception ex) =>
        ex is FileNotFoundException or DirectoryNotFoundException
            ? new(ErrorIds.ComposeFileNotFound, StingErrorKind.ObjectNotFound, $"Compose file {path} does not exist.", ex, path)
            : new(ErrorIds.ComposeFileInvalid, StingErrorKind.InvalidData, $"{path}: cannot be read: {ex.Message}", ex, path);
}
