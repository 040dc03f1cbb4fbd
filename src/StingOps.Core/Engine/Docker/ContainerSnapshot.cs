using System.Text.Json;
using System.Text.Json.Nodes;
using StingOps.Core.Common;

namespace StingOps.Core.Engine.Docker;

/// <summary>
/// Turns a saved inspect document into the body of POST /containers/create, the way container updaters
/// (watchtower) re-create a container: Config as it was (labels, env, command, healthcheck, ...), HostConfig
/// as it was, the networks it was attached to, and its anonymous volumes re-attached by name.
/// </summary>
internal static class ContainerSnapshot
{
    /// <param name="Body">The create body; Image is the saved image ID (the caller may put the name back).</param>
    /// <param name="ImageId">The image the container ran (sha256:...).</param>
    /// <param name="ImageName">Config.Image as saved (e.g. "redis:7"), or null.</param>
    /// <param name="ExtraNetworks">Networks beyond the first, to connect after create (engines before API 1.44
    /// accept a single network at create time).</param>
    internal sealed record CreatePlan(
        JsonObject Body,
        string ImageId,
        string? ImageName,
        IReadOnlyList<KeyValuePair<string, JsonObject>> ExtraNetworks);

    /// <summary>Endpoint settings a create/connect accepts; the rest (IDs, addresses in use) is runtime state.</summary>
    private static readonly string[] EndpointConfigKeys = ["IPAMConfig", "Links", "Aliases", "DriverOpts"];

    public static CreatePlan Build(string inspectJson)
    {
        var inspect = Parse(inspectJson);
        var config = (inspect["Config"] as JsonObject)?.DeepClone() as JsonObject
                     ?? throw new StingException(ErrorIds.EngineOperationFailed, StingErrorKind.InvalidData,
                         "The container snapshot has no Config section.");
        var hostConfig = (inspect["HostConfig"] as JsonObject)?.DeepClone() as JsonObject ?? new JsonObject();
        var oldId = inspect["Id"]?.GetValue<string>() ?? string.Empty;
        var imageId = inspect["Image"]?.GetValue<string>();
        var imageName = config["Image"]?.GetValue<string>();
        if (string.IsNullOrEmpty(imageId))
        {
            imageId = imageName ?? throw new StingException(ErrorIds.EngineOperationFailed, StingErrorKind.InvalidData,
                "The container snapshot names no image.");
        }

        var networkMode = hostConfig["NetworkMode"]?.GetValue<string>() ?? "default";
        var sharesHostName = networkMode == "host" || networkMode.StartsWith("container:", StringComparison.Ordinal);
        DropEngineHostname(config, oldId, sharesHostName);
        config["Image"] = imageId;
        ReattachAnonymousVolumes(inspect, hostConfig);

        var body = config;
        body["HostConfig"] = hostConfig;
        var extra = new List<KeyValuePair<string, JsonObject>>();
        if (!sharesHostName && networkMode != "none"
            && inspect["NetworkSettings"]?["Networks"] is JsonObject networks && networks.Count > 0)
        {
            body["NetworkingConfig"] = new JsonObject { ["EndpointsConfig"] = SplitNetworks(networks, networkMode, oldId, extra) };
        }
        return new CreatePlan(body, imageId, imageName, extra);
    }

    private static JsonObject Parse(string inspectJson)
    {
        try
        {
            return JsonNode.Parse(inspectJson) as JsonObject
                   ?? throw new JsonException("The document is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new StingException(ErrorIds.EngineOperationFailed, StingErrorKind.InvalidData,
                $"The container snapshot is not a valid inspect document: {e.Message}", e);
        }
    }

    private static void DropEngineHostname(JsonObject config, string oldId, bool sharesHostName)
    {
        var hostname = config["Hostname"]?.GetValue<string>();
        // The engine fills Hostname in: the host's name (network host), the other container's (container:x), or
        // the container's short id; none of them must be carried over, a set hostname on a user network is.
        if (sharesHostName || (oldId.Length >= 12 && hostname == oldId[..12]))
        {
            config.Remove("Hostname");
            config.Remove("Domainname");
        }
    }

    /// <summary>The endpoint to create the container on (the primary network); the others go to <paramref name="extra"/>.</summary>
    private static JsonObject SplitNetworks(JsonObject networks, string networkMode, string oldId, List<KeyValuePair<string, JsonObject>> extra)
    {
        var primaryName = networkMode == "default" ? "bridge" : networkMode;
        var endpoints = new JsonObject();
        foreach (var (name, value) in networks)
        {
            var settings = EndpointConfig(value as JsonObject, oldId);
            if (endpoints.Count == 0 && (name == primaryName || !networks.ContainsKey(primaryName)))
            {
                endpoints[name] = settings;
            }
            else
            {
                extra.Add(new KeyValuePair<string, JsonObject>(name, settings));
            }
        }
        return endpoints;
    }

    private static JsonObject EndpointConfig(JsonObject? saved, string oldId)
    {
        var result = new JsonObject();
        if (saved is null)
        {
            return result;
        }
        foreach (var key in EndpointConfigKeys)
        {
            if (saved[key] is { } value)
            {
                result[key] = value.DeepClone();
            }
        }
        // The engine adds the container's short id as an alias by itself; the old one would point at nothing.
        if (result["Aliases"] is JsonArray aliases && oldId.Length >= 12)
        {
            var shortId = oldId[..12];
            for (var i = aliases.Count - 1; i >= 0; i--)
            {
                if (aliases[i]?.GetValue<string>() == shortId)
                {
                    aliases.RemoveAt(i);
                }
            }
        }
        return result;
    }

    /// <summary>
    /// Anonymous volumes (an image VOLUME, compose's "- /data") exist only in the inspect's Mounts; a plain
    /// create would give the new container fresh, empty ones. Bind them by name instead, as compose does
    /// when it recreates a container.
    /// </summary>
    private static void ReattachAnonymousVolumes(JsonObject inspect, JsonObject hostConfig)
    {
        if (inspect["Mounts"] is not JsonArray mounts)
        {
            return;
        }

        var covered = BindTargets(hostConfig);
        if (hostConfig["Mounts"] is JsonArray hostMounts)
        {
            PointAnonymousMountsAtOldVolumes(hostMounts, mounts, covered);
        }

        var added = new List<string>();
        foreach (var mount in mounts.OfType<JsonObject>())
        {
            var type = mount["Type"]?.GetValue<string>();
            var name = mount["Name"]?.GetValue<string>();
            var destination = mount["Destination"]?.GetValue<string>();
            if (type != "volume" || string.IsNullOrEmpty(name) || string.IsNullOrEmpty(destination) || covered.Contains(destination))
            {
                continue;
            }
            var readWrite = mount["RW"]?.GetValue<bool>() ?? true;
            added.Add($"{name}:{destination}{(readWrite ? string.Empty : ":ro")}");
        }

        if (added.Count > 0)
        {
            var list = hostConfig["Binds"] as JsonArray ?? new JsonArray();
            foreach (var bind in added)
            {
                list.Add(bind);
            }
            hostConfig["Binds"] = list;
        }
    }

    /// <summary>The container paths the saved HostConfig.Binds already mount.</summary>
    private static HashSet<string> BindTargets(JsonObject hostConfig)
    {
        var covered = new HashSet<string>(StringComparer.Ordinal);
        if (hostConfig["Binds"] is JsonArray binds)
        {
            foreach (var bind in binds)
            {
                var parts = bind?.GetValue<string>().Split(':');
                if (parts is { Length: >= 2 })
                {
                    covered.Add(parts[1]);
                }
            }
        }
        return covered;
    }

    /// <summary>Anonymous ones get the old container's volume as their source; every target counts as covered.</summary>
    private static void PointAnonymousMountsAtOldVolumes(JsonArray hostMounts, JsonArray mounts, HashSet<string> covered)
    {
        foreach (var m in hostMounts.OfType<JsonObject>())
        {
            var target = m["Target"]?.GetValue<string>();
            if (target is null)
            {
                continue;
            }
            // A volume mount without a source is anonymous: point it at the volume the old container got.
            if (m["Type"]?.GetValue<string>() == "volume" && string.IsNullOrEmpty(m["Source"]?.GetValue<string>()))
            {
                var name = mounts.OfType<JsonObject>()
                    .FirstOrDefault(x => x["Destination"]?.GetValue<string>() == target && x["Type"]?.GetValue<string>() == "volume")
                    ?["Name"]?.GetValue<string>();
                if (!string.IsNullOrEmpty(name))
                {
                    m["Source"] = name;
                }
            }
            covered.Add(target);
        }
    }
}
