using StingOps.Core.Compose;
using StingOps.Core.Engine;
using StingOps.Core.EnvFiles;

namespace StingOps.Core.Preflight;

/// <summary>
/// How a running container differs from what the compose model would create now. Names keys only, never values.
/// </summary>
/// <param name="ChangedKeys">Keys the model sets whose value in the container differs, or that the container lacks.</param>
/// <param name="NotComparedKeys">Keys whose expected value cannot be known exactly here (inherited from an unset
/// shell variable, or holding <c>$</c> that compose may interpolate); never reported as drift.</param>
public sealed record ConfigDrift(
    string Service,
    string ContainerId,
    IReadOnlyList<string> ChangedKeys,
    IReadOnlyList<string> NotComparedKeys,
    string? ExpectedImage,
    string ActualImage)
{
    public bool ImageChanged => ExpectedImage is not null && DriftDetector.NormalizeImage(ExpectedImage) != DriftDetector.NormalizeImage(ActualImage);

    public bool HasDrift => ChangedKeys.Count > 0 || ImageChanged;

    /// <summary>"environment keys differ: A, B; image 'x' is now 'y'" (keys only).</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (ChangedKeys.Count > 0)
            parts.Add($"environment differs in {ChangedKeys.Count} key(s): {string.Join(", ", ChangedKeys)}");
        if (ImageChanged)
            parts.Add($"image is '{ActualImage}', the compose file says '{ExpectedImage}'");
        return parts.Count == 0 ? "matches the compose model" : string.Join("; ", parts);
    }
}

/// <summary>
/// Detects configuration drift of a service's container. compose's own config-hash label is not reproduced (its
/// input differs between compose v1 and v2); instead this compares what a change to the compose file or an env file
/// most often touches:
/// <list type="bullet">
/// <item>the environment the model gives the container (the service's env_file entries in order, then its
/// <c>environment:</c>, later wins) against the container's Config.Env, key by key. Keys the container has beyond
/// the model (image ENV, removed keys) are not judged.</item>
/// <item>the image name of the model against the container's Config.Image (<c>docker.io/library/</c> and
/// <c>:latest</c> normalised). A tag that now points at a newer image is not detected.</item>
/// </list>
/// </summary>
public static class DriftDetector
{
    public static ConfigDrift Detect(ComposeService service, ContainerDetails container, Func<string, string?> shellEnvironment)
    {
        var expected = ExpectedEnvironment(service, shellEnvironment, out var notCompared);
        var actual = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in container.Environment)
        {
            var eq = pair.IndexOf('=');
            if (eq > 0)
                actual[pair[..eq]] = pair[(eq + 1)..];
        }

        var changed = new List<string>();
        foreach (var (key, value) in expected)
        {
            if (!actual.TryGetValue(key, out var have))
            {
                changed.Add(key);
                continue;
            }
            if (have == value)
                continue;
            if (value.Contains('$'))
            {
                // compose v2 interpolates env_file values, v1 does not; $$ reaches the container as $.
                if (have == value.Replace("$$", "$", StringComparison.Ordinal))
                    continue;
                notCompared.Add(key);
                continue;
            }
            changed.Add(key);
        }
        changed.Sort(StringComparer.Ordinal);
        notCompared.Sort(StringComparer.Ordinal);
        return new ConfigDrift(service.Name, container.Id, changed, notCompared.Distinct().ToList(), service.Image, container.Image);
    }

    /// <summary>The environment compose would give the container, where it can be known; values are secret-bearing.</summary>
    public static Dictionary<string, string> ExpectedEnvironment(ComposeService service, Func<string, string?> shellEnvironment, out List<string> notCompared)
    {
        notCompared = [];
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in service.EnvFiles)
        {
            if (!File.Exists(file.Path))
                continue;
            foreach (var entry in EnvFileParser.Parse(file.Path).Entries)
                Set(entry.Key, entry.Value, result, notCompared, shellEnvironment);
        }
        foreach (var (key, value) in service.Environment)
            Set(key, value, result, notCompared, shellEnvironment);
        return result;
    }

    private static void Set(string key, string? value, Dictionary<string, string> result, List<string> notCompared, Func<string, string?> shell)
    {
        value ??= shell(key);
        if (value is null)
        {
            // Inherited from a variable that is not set here: compose leaves it out (or takes it from its own shell).
            result.Remove(key);
            if (!notCompared.Contains(key))
                notCompared.Add(key);
            return;
        }
        notCompared.Remove(key);
        result[key] = value;
    }

    /// <summary>"busybox" == "busybox:latest" == "docker.io/library/busybox:latest".</summary>
    public static string NormalizeImage(string image)
    {
        var name = image.Trim();
        if (name.StartsWith("sha256:", StringComparison.Ordinal))
            return name;
        foreach (var prefix in new[] { "docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/" })
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                name = name[prefix.Length..];
                break;
            }
        }
        if (name.StartsWith("library/", StringComparison.Ordinal))
            name = name["library/".Length..];
        var lastSlash = name.LastIndexOf('/');
        if (!name.Contains('@') && name.IndexOf(':', lastSlash + 1) < 0)
            name += ":latest";
        return name;
    }
}
