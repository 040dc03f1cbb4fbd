using System.Collections.Concurrent;
using System.Formats.Tar;
using System.Text;
using System.Text.Json.Nodes;
using StingOps.Core.Common;
using StingOps.Core.Engine;
using StingOps.Core.Engine.Docker;

namespace StingOps.Core.Tests.Engine;

/// <summary>
/// Whether a Docker engine answers here; integration tests skip (with this reason) only when none does,
/// and never under CI=true: CI has an engine by construction, so a missing one must fail the tests with
/// their real error instead of passing them as skipped.
/// </summary>
public static class EngineAvailability
{
    private static readonly Lazy<string?> Reason = new(Probe);

    public static string? SkipReason => SkippingAllowed(Environment.GetEnvironmentVariable("CI")) ? Reason.Value : null;

    /// <summary>Skipping is for local runs only: CI set to "true" (any case) forbids it.</summary>
    public static bool SkippingAllowed(string? ci) => !string.Equals(ci?.Trim(), "true", StringComparison.OrdinalIgnoreCase);

    public static Uri Endpoint => DockerEndpoint.Resolve();

    private static string? Probe()
    {
        Uri endpoint;
        try
        {
            endpoint = DockerEndpoint.Resolve();
        }
        catch (StingException e)
        {
            return "No Docker endpoint: " + e.Message;
        }
        try
        {
            // Generous: a busy machine can make a present engine slow. Only "nothing there" skips; an engine that
            // is there but slow runs the tests (and lets them say what is wrong).
            using var engine = new DockerContainerEngine(endpoint, DockerEngineOptions.Default with { ConnectTimeout = TimeSpan.FromSeconds(30) });
            engine.GetInfoAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (StingException e) when (e.Kind is StingErrorKind.ConnectionError or StingErrorKind.InvalidArgument)
        {
            return $"No Docker engine answers at {endpoint} ({e.Message}). Run tools/test-engine.sh to start one.";
        }
        catch (StingException)
        {
        }
        if (!DockerEngineFixture.ImageExists(endpoint) && !File.Exists("/bin/busybox"))
        {
            return $"The test image {DockerEngineFixture.Image} is missing and /bin/busybox (busybox-static) is not there to build it.";
        }
        return null;
    }
}

/// <summary>A fact that runs against the real engine, skipped only when no engine answers.</summary>
public sealed class IntegrationFactAttribute : FactAttribute
{
    public IntegrationFactAttribute()
    {
        if (EngineAvailability.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>One compose-labelled test container.</summary>
public sealed record TestContainerSpec(string Service, params string[] Command)
{
    /// <summary>A CMD-SHELL healthcheck, run every <see cref="HealthInterval"/>.</summary>
    public string? HealthCommand { get; init; }
    public TimeSpan HealthInterval { get; init; } = TimeSpan.FromMilliseconds(500);
    public int HealthRetries { get; init; } = 1;
    /// <summary>null: no oneoff label at all (as old compose made them).</summary>
    public string? OneOff { get; init; } = "False";
    public string[] Env { get; init; } = [];
    public bool Tty { get; init; }
    public string[] AnonymousVolumes { get; init; } = [];
    public bool Start { get; init; } = true;
    public string? Image { get; init; }
    public string? Name { get; init; }
}

/// <summary>
/// The real engine for one test class: a random compose project, the busybox test image (built offline from
/// the host's /bin/busybox when missing), containers created with compose's labels on network_mode host, and
/// removed (with their anonymous volumes) when the class is done, whatever happened. Leftovers of an
/// interrupted earlier run (marker label, older than an hour) are removed first.
/// </summary>
public sealed class DockerEngineFixture : IAsyncLifetime
{
    public const string Image = "stingops-enginetest:local";
    public const string MarkerLabel = "org.stingops.test";
    public const string MarkerValue = "engine";

    private static readonly SemaphoreSlim ImageLock = new(1, 1);
    private readonly ConcurrentBag<string> _created = [];
    private readonly ConcurrentBag<string> _images = [];
    private readonly ConcurrentBag<string> _projects = [];

    public DockerEngineFixture()
    {
        var endpoint = EngineAvailability.Endpoint;
        Engine = new DockerContainerEngine(endpoint);
        Raw = new RawEngineHttp(endpoint);
        Project = NewProject();
    }

    public DockerContainerEngine Engine { get; }

    internal RawEngineHttp Raw { get; }

    /// <summary>The class's default project.</summary>
    public string Project { get; }

    public string NewProject()
    {
        var project = "stingengtest-" + Guid.NewGuid().ToString("N")[..10];
        _projects.Add(project);
        return project;
    }

    public async Task InitializeAsync()
    {
        if (EngineAvailability.SkipReason is not null)
        {
            return;
        }
        await RemoveStaleLeftoversAsync();
        await EnsureImageAsync(Raw);
    }

    public async Task DisposeAsync()
    {
        if (EngineAvailability.SkipReason is null)
        {
            foreach (var project in _projects)
            {
                foreach (var c in await ListAllAsync($"com.docker.compose.project={project}"))
                {
                    _created.Add(c);
                }
            }
            await RemoveContainersAsync(_created.Distinct());
            foreach (var image in _images)
            {
                await TryAsync(() => Raw.SendAsync(HttpMethod.Delete, $"images/{Uri.EscapeDataString(image)}?force=1", null, nullOn404: true, CancellationToken.None));
            }
        }
        Engine.Dispose();
        Raw.Dispose();
    }

    /// <summary>Creates (and by default starts) a container of <paramref name="project"/>; returns its id.</summary>
    public async Task<string> CreateAsync(string project, TestContainerSpec spec)
    {
        var labels = new JsonObject
        {
            ["com.docker.compose.project"] = project,
            ["com.docker.compose.service"] = spec.Service,
            ["com.docker.compose.container-number"] = "1",
            [MarkerLabel] = MarkerValue,
        };
        if (spec.OneOff is not null)
        {
            labels["com.docker.compose.oneoff"] = spec.OneOff;
        }

        var body = new JsonObject
        {
            ["Image"] = spec.Image ?? Image,
            ["Cmd"] = new JsonArray(spec.Command.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()),
            ["Env"] = new JsonArray(spec.Env.Select(e => (JsonNode?)JsonValue.Create(e)).ToArray()),
            ["Tty"] = spec.Tty,
            ["Labels"] = labels,
            ["HostConfig"] = new JsonObject { ["NetworkMode"] = "host", ["Init"] = true },
        };
        if (spec.HealthCommand is not null)
        {
            body["Healthcheck"] = new JsonObject
            {
                ["Test"] = new JsonArray("CMD-SHELL", spec.HealthCommand),
                ["Interval"] = spec.HealthInterval.Ticks * 100,
                ["Timeout"] = TimeSpan.FromSeconds(5).Ticks * 100,
                ["Retries"] = spec.HealthRetries,
            };
        }
        if (spec.AnonymousVolumes.Length > 0)
        {
            body["Volumes"] = new JsonObject(spec.AnonymousVolumes.Select(v => KeyValuePair.Create(v, (JsonNode?)new JsonObject())));
        }

        var name = spec.Name ?? (spec.OneOff == "True"
            ? $"{project}-{spec.Service}-run-{Guid.NewGuid().ToString("N")[..6]}"
            : $"{project}-{spec.Service}-1");
        var created = await Raw.SendAsync(HttpMethod.Post, $"containers/create?name={Uri.EscapeDataString(name)}", body.ToJsonString(), nullOn404: false, CancellationToken.None);
        var id = JsonNode.Parse(created!)!["Id"]!.GetValue<string>();
        _created.Add(id);
        if (spec.Start)
        {
            await Raw.SendAsync(HttpMethod.Post, $"containers/{id}/start", null, nullOn404: false, CancellationToken.None);
        }
        return id;
    }

    /// <summary>Registers a container made by the code under test, for cleanup.</summary>
    public void Track(string containerId) => _created.Add(containerId);

    /// <summary>Registers an image (tag or id) made by a test, for cleanup.</summary>
    public void TrackImage(string image) => _images.Add(image);

    /// <summary>Builds a tiny image FROM the test image (a cached layer, quick) and returns its id.</summary>
    public async Task<string> BuildDerivedImageAsync(string tag, string label)
    {
        var dockerfile = $"FROM {Image}\nLABEL org.stingops.test.derived=\"{label}\"\n";
        var id = await BuildAsync(Raw, tag, new Dictionary<string, byte[]> { ["Dockerfile"] = Encoding.UTF8.GetBytes(dockerfile) });
        TrackImage(tag);
        return id;
    }

    public async Task TagAsync(string source, string repo, string tag)
    {
        await Raw.SendAsync(HttpMethod.Post, $"images/{Uri.EscapeDataString(source)}/tag?repo={Uri.EscapeDataString(repo)}&tag={Uri.EscapeDataString(tag)}",
            null, nullOn404: false, CancellationToken.None);
        TrackImage($"{repo}:{tag}");
    }

    public async Task<string> ImageIdAsync(string image)
    {
        var json = await Raw.SendAsync(HttpMethod.Get, $"images/{Uri.EscapeDataString(image)}/json", null, nullOn404: false, CancellationToken.None);
        return JsonNode.Parse(json!)!["Id"]!.GetValue<string>();
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        T last;
        while (true)
        {
            last = await probe();
            if (condition(last))
            {
                return last;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for {what}; last: {last}");
            }
            await Task.Delay(100);
        }
    }

    internal static bool ImageExists(Uri endpoint)
    {
        using var raw = new RawEngineHttp(endpoint);
        try
        {
            return raw.SendAsync(HttpMethod.Get, $"images/{Uri.EscapeDataString(Image)}/json", null, nullOn404: true, CancellationToken.None)
                .GetAwaiter().GetResult() is not null;
        }
        catch (Exception)
        {
            return false;
        }
    }

    private static async Task EnsureImageAsync(RawEngineHttp raw)
    {
        await ImageLock.WaitAsync();
        try
        {
            if (await raw.SendAsync(HttpMethod.Get, $"images/{Uri.EscapeDataString(Image)}/json", null, nullOn404: true, CancellationToken.None) is not null)
            {
                return;
            }
            const string dockerfile = """
                FROM scratch
                COPY busybox /bin/busybox
                RUN ["/bin/busybox","--install","-s","/bin"]
                RUN ["/bin/busybox","mkdir","-p","-m","1777","/tmp"]
                RUN ["/bin/busybox","mkdir","-p","/data"]
                """;
            await BuildAsync(raw, Image, new Dictionary<string, byte[]>
            {
                ["Dockerfile"] = Encoding.UTF8.GetBytes(dockerfile),
                ["busybox"] = await File.ReadAllBytesAsync("/bin/busybox"),
            });
        }
        finally
        {
            ImageLock.Release();
        }
    }

    /// <summary>POST /build with a tar context (the classic builder: works offline, no registry).</summary>
    private static async Task<string> BuildAsync(RawEngineHttp raw, string tag, IReadOnlyDictionary<string, byte[]> files)
    {
        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var (name, content) in files)
            {
                var entry = new UstarTarEntry(TarEntryType.RegularFile, name)
                {
                    DataStream = new MemoryStream(content),
                    Mode = name == "busybox"
                        ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute
                        : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                };
                await writer.WriteEntryAsync(entry);
            }
        }
        var output = await raw.SendBinaryAsync(HttpMethod.Post, $"build?t={Uri.EscapeDataString(tag)}&rm=1&forcerm=1", tar.ToArray(), "application/x-tar", CancellationToken.None);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (JsonNode.Parse(line) is JsonObject o && o["error"] is { } error)
            {
                throw new InvalidOperationException($"Building {tag} failed: {error}");
            }
        }
        var json = await raw.SendAsync(HttpMethod.Get, $"images/{Uri.EscapeDataString(tag)}/json", null, nullOn404: false, CancellationToken.None);
        return JsonNode.Parse(json!)!["Id"]!.GetValue<string>();
    }

    private async Task RemoveStaleLeftoversAsync()
    {
        var filters = Uri.EscapeDataString(new JsonObject { ["label"] = new JsonObject { [$"{MarkerLabel}={MarkerValue}"] = true } }.ToJsonString());
        var json = await Raw.SendAsync(HttpMethod.Get, $"containers/json?all=1&filters={filters}", null, nullOn404: false, CancellationToken.None);
        var cutoff = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds();
        await RemoveContainersAsync(JsonNode.Parse(json!)!.AsArray().OfType<JsonObject>()
            .Where(c => c["Created"]!.GetValue<long>() < cutoff)
            .Select(c => c["Id"]!.GetValue<string>())
            .ToList());
    }

    /// <summary>
    /// Removes containers with their anonymous volumes. Anonymous volumes re-attached by name (snapshot
    /// re-create) count as named for the engine, which keeps them on "rm -v": so every 64-hex volume of these
    /// containers is noted first and removed after them.
    /// </summary>
    private async Task RemoveContainersAsync(IEnumerable<string> ids)
    {
        var volumes = new HashSet<string>();
        foreach (var id in ids)
        {
            await TryAsync(async () =>
            {
                var json = await Raw.SendAsync(HttpMethod.Get, $"containers/{id}/json", null, nullOn404: true, CancellationToken.None);
                if (json is not null && JsonNode.Parse(json)?["Mounts"] is JsonArray mounts)
                {
                    foreach (var m in mounts.OfType<JsonObject>())
                    {
                        if (m["Type"]?.GetValue<string>() == "volume" && m["Name"]?.GetValue<string>() is { Length: 64 } name)
                        {
                            volumes.Add(name);
                        }
                    }
                }
            });
            await TryAsync(() => Raw.SendAsync(HttpMethod.Delete, $"containers/{id}?force=1&v=1", null, nullOn404: true, CancellationToken.None));
        }
        foreach (var volume in volumes)
        {
            await TryAsync(() => Raw.SendAsync(HttpMethod.Delete, $"volumes/{volume}", null, nullOn404: true, CancellationToken.None));
        }
    }

    private async Task<List<string>> ListAllAsync(string label)
    {
        var filters = Uri.EscapeDataString(new JsonObject { ["label"] = new JsonObject { [label] = true } }.ToJsonString());
        var json = await Raw.SendAsync(HttpMethod.Get, $"containers/json?all=1&filters={filters}", null, nullOn404: false, CancellationToken.None);
        return JsonNode.Parse(json!)!.AsArray().Select(c => c!["Id"]!.GetValue<string>()).ToList();
    }

    private static async Task TryAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception)
        {
            // Cleanup is best effort; one failure must not keep the rest from being removed.
        }
    }
}
