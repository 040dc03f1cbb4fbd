namespace StingOps.Core.Compose.Yaml;

/// <summary>Where a YAML node starts, for messages: <c>file:line:column</c> (1-based, as editors count).</summary>
public readonly record struct SourceMark(string File, long Line, long Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";

    /// <summary><c>file:line</c>, the form used for a service's <see cref="ComposeService.Source"/>.</summary>
    public string FileAndLine => $"{File}:{Line}";
}
