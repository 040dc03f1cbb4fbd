using System.Collections;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using StingOps.Core.Common;

namespace StingOps.Core.Engine.Docker;

/// <summary>An engine endpoint and where it came from (for messages: "from DOCKER_HOST", "from context 'x'").</summary>
/// <param name="Uri">unix:///var/run/docker.sock, tcp://127.0.0.1:2375, npipe://./pipe/docker_engine, ...</param>
/// <param name="Source">"DOCKER_HOST", "docker context 'name' (path/to/meta.json)", or "platform default".</param>
/// <param name="TlsMaterialIgnored">True when the context carries TLS material (or DOCKER_TLS_VERIFY is set):
/// StingOps does not do TLS client authentication; such endpoints are out of scope.</param>
public sealed record ResolvedDockerEndpoint(Uri Uri, string Source, bool TlsMaterialIgnored = false);

/// <summary>
/// Finds the engine the way the docker CLI does: <c>DOCKER_HOST</c>; else the current docker context
/// (<c>DOCKER_CONTEXT</c>, else <c>currentContext</c> in <c>$DOCKER_CONFIG/config.json</c> or
/// <c>~/.docker/config.json</c>) read from <c>contexts/meta/&lt;sha256(name)&gt;/meta.json</c>
/// (<c>Endpoints.docker.Host</c>); else the platform socket.
/// </summary>
/// <remarks>
/// TLS contexts and <c>DOCKER_TLS_VERIFY</c>/<c>DOCKER_CERT_PATH</c> are out of scope: the endpoint is
/// still returned, flagged with <see cref="ResolvedDockerEndpoint.TlsMaterialIgnored"/>. <c>ssh://</c>
/// endpoints are returned as they are; <see cref="DockerContainerEngine"/> refuses them with a message
/// suggesting an SSH tunnel.
/// </remarks>
public static class DockerEndpoint
{
    public static readonly Uri UnixDefault = new("unix:///var/run/docker.sock");
    public static readonly Uri WindowsDefault = new("npipe://./pipe/docker_engine");

    /// <summary>The endpoint for the current process environment.</summary>
    public static Uri Resolve() => Resolve(CurrentEnvironment());

    /// <summary>The endpoint the docker CLI would use given these environment variables.</summary>
    public static Uri Resolve(IReadOnlyDictionary<string, string?> environment) => ResolveDetailed(environment).Uri;

    /// <summary>As <see cref="Resolve(IReadOnlyDictionary{string, string?})"/>, saying where the endpoint came from.</summary>
    /// <exception cref="StingException">StingEngineUnavailable (InvalidArgument): DOCKER_HOST is malformed, or the
    /// selected context does not exist or has no docker endpoint.</exception>
    public static ResolvedDockerEndpoint ResolveDetailed(IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var tlsVerify = !string.IsNullOrEmpty(Get(environment, "DOCKER_TLS_VERIFY"));

        var host = Get(environment, "DOCKER_HOST");
        if (!string.IsNullOrWhiteSpace(host))
        {
            return new ResolvedDockerEndpoint(ParseHost(host, "DOCKER_HOST"), "DOCKER_HOST", tlsVerify);
        }

        var configDir = ConfigDirectory(environment);
        var contextName = Get(environment, "DOCKER_CONTEXT");
        var contextSource = "DOCKER_CONTEXT";
        if (string.IsNullOrEmpty(contextName))
        {
            contextName = CurrentContextFromConfig(Path.Combine(configDir, "config.json"));
            contextSource = "currentContext in " + Path.Combine(configDir, "config.json");
        }

        if (string.IsNullOrEmpty(contextName) || contextName == "default")
        {
            return new ResolvedDockerEndpoint(PlatformDefault, "platform default", tlsVerify);
        }

        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(contextName))).ToLowerInvariant();
        var metaPath = Path.Combine(configDir, "contexts", "meta", hash, "meta.json");
        var contextHost = ContextHost(metaPath, contextName, contextSource);
        var tlsDir = Path.Combine(configDir, "contexts", "tls", hash, "docker");
        var tls = tlsVerify || Directory.Exists(tlsDir);
        return new ResolvedDockerEndpoint(
            ParseHost(contextHost, $"docker context '{contextName}'"),
            $"docker context '{contextName}' ({metaPath})",
            tls);
    }

    /// <summary>Endpoints.docker.Host of a context's meta.json.</summary>
    private static string ContextHost(string metaPath, string contextName, string contextSource)
    {
        string? contextHost;
        try
        {
            using var stream = File.OpenRead(metaPath);
            using var meta = JsonDocument.Parse(stream);
            contextHost = meta.RootElement.TryGetProperty("Endpoints", out var endpoints)
                          && endpoints.ValueKind == JsonValueKind.Object
                          && endpoints.TryGetProperty("docker", out var docker)
                          && docker.ValueKind == JsonValueKind.Object
                          && docker.TryGetProperty("Host", out var h)
                          && h.ValueKind == JsonValueKind.String
                ? h.GetString()
                : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new StingException(ErrorIds.EngineUnavailable, StingErrorKind.InvalidArgument,
                $"Docker context '{contextName}' (from {contextSource}) does not exist: {metaPath} is missing. " +
                "Run 'docker context ls', or set DOCKER_HOST.", e, contextName);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new StingException(ErrorIds.EngineUnavailable, StingErrorKind.InvalidArgument,
                $"Docker context '{contextName}' (from {contextSource}) cannot be read from {metaPath}: {e.Message}", e, contextName);
        }

        if (string.IsNullOrWhiteSpace(contextHost))
        {
            throw new StingException(ErrorIds.EngineUnavailable, StingErrorKind.InvalidArgument,
                $"Docker context '{contextName}' has no docker endpoint (Endpoints.docker.Host) in {metaPath}.", null, contextName);
        }
        return contextHost;
    }

    /// <summary>A snapshot of the process environment, in the shape <see cref="Resolve(IReadOnlyDictionary{string, string?})"/> takes.</summary>
    public static IReadOnlyDictionary<string, string?> CurrentEnvironment()
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            result[(string)entry.Key] = entry.Value as string;
        }
        return result;
    }

    private static Uri PlatformDefault =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? WindowsDefault : UnixDefault;

    private static string? Get(IReadOnlyDictionary<string, string?> environment, string name) => DockerCliConfig.Variable(environment, name);

    private static string ConfigDirectory(IReadOnlyDictionary<string, string?> environment) => DockerCliConfig.Directory(environment);

    /// <summary>currentContext from the CLI config; an unreadable config is ignored, as the CLI only warns.</summary>
    private static string? CurrentContextFromConfig(string configPath)
    {
        try
        {
            if (!File.Exists(configPath))
            {
                return null;
            }
            using var stream = File.OpenRead(configPath);
            using var config = JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true });
            return config.RootElement.ValueKind == JsonValueKind.Object
                   && config.RootElement.TryGetProperty("currentContext", out var current)
                   && current.ValueKind == JsonValueKind.String
                ? current.GetString()
                : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Parses a host as the CLI's ParseHost does: "host:port" without a scheme means tcp; tcp without a
    /// port means 2375; npipe:////./pipe/x is normalised.
    /// </summary>
    internal static Uri ParseHost(string value, string source)
    {
        var text = value.Trim();
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = "tcp://" + text;
        }
        text = text.Replace("npipe:////./", "npipe://./", StringComparison.OrdinalIgnoreCase);

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            throw new StingException(ErrorIds.EngineUnavailable, StingErrorKind.InvalidArgument,
                $"The Docker host '{value}' (from {source}) is not a valid endpoint; expected e.g. unix:///var/run/docker.sock or tcp://127.0.0.1:2375.",
                null, value);
        }

        if (uri.Scheme == "tcp" && uri.IsDefaultPort)
        {
            uri = new UriBuilder(uri) { Port = 2375 }.Uri;
        }
        return uri;
    }
}
