namespace StingOps.Core.Compose.Cli;

/// <summary>
/// Which compose made a container, from its <c>com.docker.compose.version</c> label. v1 (docker-compose 1.x) and v2
/// (docker compose 2.x and later) name containers differently and compute <c>com.docker.compose.config-hash</c> from
/// different input, so a stack is recreated and judged by the generation that made it.
/// </summary>
public enum ComposeGeneration { Unknown, V1, V2 }

public static class ComposeGenerations
{
    public const string VersionLabel = "com.docker.compose.version";
    public const string ConfigHashLabel = "com.docker.compose.config-hash";

    public static ComposeGeneration Of(IReadOnlyDictionary<string, string> labels) =>
        labels.TryGetValue(VersionLabel, out var version) ? OfVersion(version) : ComposeGeneration.Unknown;

    /// <summary>By version, not by how it is invoked: a standalone <c>docker-compose</c> binary can be v2.</summary>
    public static ComposeGeneration Of(ComposeCliInfo cli) => OfVersion(cli.Version);

    /// <summary>"1.29.2" is v1; "2.27.0", "v2.x", "5.0" are v2 (the plugin's lineage); anything else is unknown.</summary>
    public static ComposeGeneration OfVersion(string version)
    {
        var text = version.Trim().TrimStart('v');
        var dot = text.IndexOf('.');
        var major = dot < 0 ? text : text[..dot];
        if (!int.TryParse(major, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
            return ComposeGeneration.Unknown;
        return number switch { 1 => ComposeGeneration.V1, >= 2 => ComposeGeneration.V2, _ => ComposeGeneration.Unknown };
    }

    /// <summary>
    /// The generation that made the project's containers: v1 as soon as one container is v1-made, because v2 would
    /// recreate such a container under another name beside the rest of a v1 stack.
    /// </summary>
    /// <param name="containerLabels">The labels of each of the project's containers.</param>
    public static ComposeGeneration OfProject(IEnumerable<IReadOnlyDictionary<string, string>> containerLabels)
    {
        var found = ComposeGeneration.Unknown;
        foreach (var labels in containerLabels)
        {
            var g = Of(labels);
            if (g == ComposeGeneration.V1)
                return g;
            if (g == ComposeGeneration.V2)
                found = g;
        }
        return found;
    }
}
