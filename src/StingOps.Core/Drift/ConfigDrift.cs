using StingOps.Core.Compose;
using StingOps.Core.Compose.Cli;
using StingOps.Core.Engine;
using StingOps.Core.EnvFiles;

namespace StingOps.Core.Drift;

/// <summary>How drift was judged.</summary>
public enum DriftMethod
{
    /// <summary>compose v2's own verdict: <c>config --hash</c> against the container's config-hash label.</summary>
    ComposeConfigHash,
    /// <summary>The compose model against the container's inspect data (v1-made containers, or no usable CLI).</summary>
    ComposeModel,
}

/// <summary>
/// How a running container differs from what the compose model would create now. Names keys only, never values.
/// </summary>
/// <param name="ChangedKeys">Environment keys the model sets whose value in the container differs, or that the container lacks.</param>
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
    public DriftMethod Method { get; init; } = DriftMethod.ComposeModel;

    /// <summary>Settings other than the environment that differ: <c>labels.KEY</c>, <c>command</c>, <c>entrypoint</c>, <c>healthcheck.test</c>.</summary>
    public IReadOnlyList<string> ChangedSettings { get; init; } = [];

    /// <summary>With <see cref="DriftMethod.ComposeConfigHash"/>: the container's config-hash label is not what compose computes now.</summary>
    public bool HashChanged { get; init; }

    /// <summary>Why the config hash was not used, when it was not (no CLI, another generation made the container, ...).</summary>
    public string? MethodNote { get; init; }

    public bool ImageChanged => ExpectedImage is not null && DriftDetector.NormalizeImage(ExpectedImage) != DriftDetector.NormalizeImage(ActualImage);

    /// <summary>False where compose's <c>config --hash</c> is known not to reproduce the label (see <see cref="DriftBaseline.HashIsExact"/>).</summary>
    public bool HashIsExact { get; init; } = true;

    private bool ModelDiffers => ChangedKeys.Count > 0 || ImageChanged || ChangedSettings.Count > 0;

    /// <summary>
    /// With an exact config hash, compose's verdict is final: what the model comparison names only explains it. With
    /// an inexact one, an equal hash still means no drift, a differing one counts only where the model names a change.
    /// </summary>
    public bool HasDrift => Method == DriftMethod.ComposeConfigHash
        ? HashChanged && (HashIsExact || ModelDiffers)
        : ModelDiffers;

    public string MethodName => Method == DriftMethod.ComposeConfigHash
        ? "compose config hash"
        : "compose model: environment, image, labels, command, entrypoint, healthcheck test";

    /// <summary>"environment differs in 2 key(s): A, B; labels.x, command differ; ... (compose config hash)" (keys only).</summary>
    public string Describe()
    {
        var method = $" ({MethodName}{(MethodNote is null ? "" : $"; {MethodNote}")})";
        if (!HasDrift)
            return "matches the compose file" + method;
        var parts = new List<string>();
        if (ChangedKeys.Count > 0)
            parts.Add($"environment differs in {ChangedKeys.Count} key(s): {string.Join(", ", ChangedKeys)}");
        if (ChangedSettings.Count > 0)
            parts.Add($"{string.Join(", ", ChangedSettings)} differ{(ChangedSettings.Count == 1 ? "s" : "")}");
        if (ImageChanged)
            parts.Add($"image is '{ActualImage}', the compose file says '{ExpectedImage}'");
        if (parts.Count == 0)
            parts.Add("configuration changed");
        return string.Join("; ", parts) + method;
    }
}

/// <summary>
/// Detects configuration drift of a service's container. On compose v2 the verdict is compose's own: the hash
/// <c>config --hash</c> prints against the container's <c>com.docker.compose.config-hash</c> label (the caller passes
/// the hash only when the container was made by v2; v1 hashes other input). What changed is then named, and without a
/// hash judged, by comparing the model with the container's inspect data:
/// <list type="bullet">
/// <item>the environment the model gives the container (the service's env_file entries in order, then its
/// <c>environment:</c>, later wins) against Config.Env, key by key. Keys the container has beyond the model (image ENV,
/// removed keys) are not judged.</item>
/// <item>the image name against Config.Image (<c>docker.io/library/</c> and <c>:latest</c> normalised). A tag that now
/// points at a newer image is not detected.</item>
/// <item>the model's label keys against Config.Labels (the container's compose and image labels are not the model's);
/// command, entrypoint and healthcheck test where the model sets them (else the image's apply and cannot be told).</item>
/// </list>
/// </summary>
public static class DriftDetector
{
    /// <param name="expectedConfigHash">What compose v2 computes for the service now; null: judge by the model.</param>
    /// <param name="modelNote">Why the model is the judge (no CLI, a v1-made container, ...), for the message.</param>
    public static ConfigDrift Detect(ComposeService service, ContainerDetails container, Func<string, string?> shellEnvironment,
        string? expectedConfigHash = null, string? modelNote = null, bool hashIsExact = true)
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
        var drift = new ConfigDrift(service.Name, container.Id, changed, notCompared.Distinct().ToList(), service.Image, container.Image)
        {
            ChangedSettings = ChangedSettings(service, container),
            MethodNote = modelNote,
        };
        if (expectedConfigHash is null)
            return drift;
        return drift with
        {
            Method = DriftMethod.ComposeConfigHash,
            HashChanged = container.Labels.GetValueOrDefault(ComposeGenerations.ConfigHashLabel) != expectedConfigHash,
            HashIsExact = hashIsExact,
            MethodNote = hashIsExact ? null : DriftBaseline.InexactHashNote,
        };
    }

    /// <summary>labels.KEY (model keys only), command, entrypoint, healthcheck.test: what differs, by name.</summary>
    public static List<string> ChangedSettings(ComposeService service, ContainerDetails container)
    {
        var changed = new List<string>();
        foreach (var (key, value) in service.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            // A bare label key reaches the container with an empty value.
            if (!container.Labels.TryGetValue(key, out var have) || have != (value ?? ""))
                changed.Add($"labels.{key}");
        }
        if (service.Entrypoint is not null && !SameWords(service.Entrypoint, container.Entrypoint))
            changed.Add("entrypoint");
        if (service.Command is not null && !SameWords(service.Command, container.Command))
            changed.Add("command");
        if (service.HealthCheck?.Test is { } test && !SameWords(test, container.HealthTest))
            changed.Add("healthcheck.test");
        return changed;
    }

    // An empty list in the model clears the image's value; the engine reports that as null or [].
    private static bool SameWords(IReadOnlyList<string> expected, IReadOnlyList<string>? actual) =>
        expected.SequenceEqual(actual ?? [], StringComparer.Ordinal);

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
