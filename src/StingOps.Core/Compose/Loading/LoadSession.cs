using StingOps.Core.Compose.Yaml;

namespace StingOps.Core.Compose.Loading;

/// <summary>State shared by everything one <see cref="ComposeLoader.Load"/> call reads: parsed files and warnings.</summary>
internal sealed class LoadSession
{
    private readonly Dictionary<string, IReadOnlyList<YamlDocumentTree>> _parsed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unsetVariables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _unsetAt = new(StringComparer.Ordinal);
    private readonly HashSet<string> _warnings = new(StringComparer.Ordinal);

    public List<string> Warnings { get; } = [];

    public void Warn(string message)
    {
        if (_warnings.Add(message)) Warnings.Add(message);
    }

    /// <summary>One warning per variable, at its first use, as compose prints one per reference (names only).</summary>
    public void UnsetVariable(string name, SourceMark where)
    {
        if (!_unsetAt.TryGetValue(where.FileAndLine, out var names))
            _unsetAt[where.FileAndLine] = names = [];
        if (!names.Contains(name))
            names.Add(name);
        if (_unsetVariables.Add(name))
            Warn($"{where.FileAndLine}: variable \"{name}\" is not set; substituting an empty string");
    }

    /// <summary>The unset variables referenced at one place (file:line), in order; empty when none.</summary>
    public IReadOnlyList<string> UnsetAt(string fileAndLine) => _unsetAt.TryGetValue(fileAndLine, out var names) ? names : [];

    /// <exception cref="StingException"><c>StingComposeFileInvalid</c> for YAML errors, <c>StingComposeFileNotFound</c>.</exception>
    public IReadOnlyList<YamlDocumentTree> Parse(string path)
    {
        if (_parsed.TryGetValue(path, out var documents)) return documents;
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw ComposeErrors.Unreadable(path, ex);
        }
        try
        {
            documents = YamlTreeReader.Read(text, path, YamlReadMode.Strict);
        }
        catch (YamlTreeException ex)
        {
            throw ComposeErrors.Syntax(ex);
        }
        _parsed[path] = documents;
        return documents;
    }
}
