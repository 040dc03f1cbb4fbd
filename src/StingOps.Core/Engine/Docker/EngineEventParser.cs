using System.Globalization;
using System.Text.Json;

namespace StingOps.Core.Engine.Docker;

/// <summary>Turns one line of the engine's /events stream into an <see cref="EngineEvent"/>.</summary>
internal static class EngineEventParser
{
    public const string ProjectLabel = "com.docker.compose.project";
    public const string ServiceLabel = "com.docker.compose.service";
    public const string OneoffLabel = "com.docker.compose.oneoff";

    /// <summary>
    /// The container actions a restart cares about. Sent to the engine as an <c>event</c> filter, so the
    /// exec_create/exec_start/exec_die noise of every healthcheck run (and of probes) never crosses the wire.
    /// "health_status" is matched by prefix by the engine (moby #25798).
    /// </summary>
    public static readonly IReadOnlyList<string> Actions =
    [
        "create", "start", "restart", "stop", "kill", "die", "oom", "pause", "unpause", "rename", "destroy", "health_status",
    ];

    /// <summary>Null for lines that are not a container event of the project (or are a one-off container's).</summary>
    public static EngineEvent? Parse(string line, string project)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return null;
        }

        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var type = GetString(root, "Type");
        if (type is not null && type != "container")
        {
            return null;
        }

        var action = GetString(root, "Action") ?? GetString(root, "status");
        if (string.IsNullOrEmpty(action))
        {
            return null;
        }

        var (id, attributes) = ReadActor(root);
        if (string.IsNullOrEmpty(id))
        {
            return null;
        }

        if (attributes.TryGetValue(ProjectLabel, out var p2) && p2 != project)
        {
            return null;
        }
        if (attributes.TryGetValue(OneoffLabel, out var oneoff) && string.Equals(oneoff, "True", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return new EngineEvent(
            id,
            attributes.GetValueOrDefault(ServiceLabel) ?? string.Empty,
            action.Trim(),
            ReadTime(root),
            ReadExitCode(attributes));
    }

    /// <summary>The container's id and its string attributes (labels among them); the id from the older top-level "id" when Actor lacks one.</summary>
    private static (string? Id, Dictionary<string, string> Attributes) ReadActor(JsonElement root)
    {
        string? id = null;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("Actor", out var actor) && actor.ValueKind == JsonValueKind.Object)
        {
            id = GetString(actor, "ID");
            if (actor.TryGetProperty("Attributes", out var attrs) && attrs.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in attrs.EnumerateObject())
                {
                    if (p.Value.ValueKind == JsonValueKind.String)
                    {
                        attributes[p.Name] = p.Value.GetString()!;
                    }
                }
            }
        }
        return (id ?? GetString(root, "id"), attributes);
    }

    private static DateTimeOffset ReadTime(JsonElement root)
    {
        if (root.TryGetProperty("timeNano", out var nanos) && nanos.ValueKind == JsonValueKind.Number && nanos.TryGetInt64(out var ns) && ns > 0)
        {
            return DateTimeOffset.UnixEpoch.AddTicks(ns / 100);
        }
        if (root.TryGetProperty("time", out var secs) && secs.ValueKind == JsonValueKind.Number && secs.TryGetInt64(out var s))
        {
            return DateTimeOffset.FromUnixTimeSeconds(s);
        }
        return DateTimeOffset.UtcNow;
    }

    private static int? ReadExitCode(Dictionary<string, string> attributes) =>
        attributes.TryGetValue("exitCode", out var ec) && int.TryParse(ec, NumberStyles.Integer, CultureInfo.InvariantCulture, out var code)
            ? code
            : null;

    /// <summary>The engine's <c>since</c> syntax: seconds.nanoseconds since the epoch.</summary>
    public static string FormatSince(DateTimeOffset since)
    {
        var ticks = (since.UtcDateTime - DateTime.UnixEpoch).Ticks;
        if (ticks < 0)
        {
            ticks = 0;
        }
        var seconds = ticks / TimeSpan.TicksPerSecond;
        var nanos = ticks % TimeSpan.TicksPerSecond * 100;
        return seconds.ToString(CultureInfo.InvariantCulture) + "." + nanos.ToString("D9", CultureInfo.InvariantCulture);
    }

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
