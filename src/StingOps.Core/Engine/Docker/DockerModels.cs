using System.Globalization;
using System.Text.Json;
using Docker.DotNet.Models;

namespace StingOps.Core.Engine.Docker;

/// <summary>Docker.DotNet's answers as the core's records, so that no library type leaves the adapter.</summary>
internal static partial class DockerModels
{
    /// <summary>The fields of the engine's /version answer the core uses.</summary>
    internal sealed record VersionFields(string? Version, string? ApiVersion);

    /// <summary>The fields of the engine's /info answer the core uses.</summary>
    internal sealed record InfoFields(string? ServerVersion, string? DockerRootDir, long MemTotal, string? OperatingSystem);

    /// <summary>Names are matched as the library matched them, ignoring case; a missing field is null (0 for MemTotal).</summary>
    public static VersionFields ParseVersion(string? json)
    {
        using var document = JsonDocument.Parse(string.IsNullOrEmpty(json) ? "{}" : json);
        return new(JsonString(document.RootElement, "Version"), JsonString(document.RootElement, "ApiVersion"));
    }

    public static InfoFields ParseInfo(string? json)
    {
        using var document = JsonDocument.Parse(string.IsNullOrEmpty(json) ? "{}" : json);
        var root = document.RootElement;
        return new(JsonString(root, "ServerVersion"), JsonString(root, "DockerRootDir"), JsonInt64(root, "MemTotal"), JsonString(root, "OperatingSystem"));
    }

    public static EngineInfo ToInfo(string endpoint, VersionFields version, InfoFields info) => new(
        endpoint,
        (string.IsNullOrEmpty(version.Version) ? info.ServerVersion : version.Version)!,
        version.ApiVersion!,
        info.DockerRootDir!,
        info.MemTotal > 0 ? info.MemTotal : null,
        string.IsNullOrEmpty(info.OperatingSystem) ? null : info.OperatingSystem);

    private static JsonElement? JsonProperty(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object)
            return null;
        if (element.TryGetProperty(name, out var exact))
            return exact;
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                return property.Value;
        }
        return null;
    }

    private static string? JsonString(JsonElement element, string name) =>
        JsonProperty(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    private static long JsonInt64(JsonElement element, string name) =>
        JsonProperty(element, name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt64(out var number) ? number : 0;

    /// <summary>Null for a one-off container (<c>docker compose run</c>): not a service's container.</summary>
    public static ContainerSummary? ToSummary(ContainerListResponse c, string project)
    {
        var labels = c.Labels is null
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : new Dictionary<string, string>(c.Labels, StringComparer.Ordinal);
        if (labels.TryGetValue(EngineEventParser.OneoffLabel, out var oneoff) && string.Equals(oneoff, "True", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        // API 1.52+ reports health in the summary; older engines only inside the Status text.
        var health = NormalizeHealth(c.Health?.Status) ?? HealthFromStatus(c.Status);
        return new ContainerSummary(
            c.ID,
            ContainerName(c.Names),
            labels.GetValueOrDefault(EngineEventParser.ProjectLabel) ?? project,
            labels.GetValueOrDefault(EngineEventParser.ServiceLabel) ?? string.Empty,
            c.State,
            health,
            c.Image,
            AsUtc(c.Created),
            labels)
        {
            ExitCode = ExitCodeFromStatus(c.Status),
        };
    }

    /// <summary>The code of a list Status such as "Exited (137) 5 seconds ago"; else null.</summary>
    internal static int? ExitCodeFromStatus(string? status) =>
        status is not null && ExitedStatus().Match(status) is { Success: true } m
            && int.TryParse(m.Groups[1].Value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var code)
            ? code : null;

    [System.Text.RegularExpressions.GeneratedRegex(@"^Exited \((-?\d+)\)")]
    private static partial System.Text.RegularExpressions.Regex ExitedStatus();

    public static ContainerDetails ToDetails(ContainerInspectResponse response, int maxHealthOutputChars)
    {
        var state = response.State;
        var config = response.Config;
        var labels = config?.Labels is null
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : new Dictionary<string, string>(config.Labels, StringComparer.Ordinal);
        var status = state?.Status ?? "unknown";
        var health = state?.Health;
        string? lastOutput = null;
        if (health?.Log is { Count: > 0 } log)
        {
            lastOutput = Truncate(log[^1].Output?.Trim() ?? string.Empty, maxHealthOutputChars);
        }

        return new ContainerDetails(
            response.ID,
            response.Name.TrimStart('/'),
            labels.GetValueOrDefault(EngineEventParser.ServiceLabel) ?? string.Empty,
            status,
            NormalizeHealth(health?.Status),
            lastOutput,
            status is "exited" or "dead" && state is not null ? (int)state.ExitCode : null,
            ParseEngineTime(state?.StartedAt),
            ParseEngineTime(state?.FinishedAt),
            (int)response.RestartCount,
            config?.Image ?? string.Empty,
            response.Image,
            config?.Env?.ToArray() ?? [],
            labels,
            config?.Healthcheck?.Test?.ToArray(),
            config?.Cmd?.ToArray(),
            config?.Entrypoint?.ToArray(),
            health?.Log?.Select(ToProbe).ToArray());
    }

    private static HealthProbe ToProbe(HealthcheckResult result) =>
        new(AsUtc(result.Start), AsUtc(result.End), (int)result.ExitCode);

    /// <summary>healthy, unhealthy, starting from a list Status such as "Up 5 seconds (health: starting)"; else null.</summary>
    internal static string? HealthFromStatus(string? status)
    {
        if (string.IsNullOrEmpty(status))
        {
            return null;
        }
        if (status.Contains("(healthy)", StringComparison.Ordinal))
        {
            return "healthy";
        }
        if (status.Contains("(unhealthy)", StringComparison.Ordinal))
        {
            return "unhealthy";
        }
        if (status.Contains("(health: starting)", StringComparison.Ordinal))
        {
            return "starting";
        }
        return null;
    }

    private static string? NormalizeHealth(string? status) =>
        string.IsNullOrEmpty(status) || status == "none" ? null : status;

    private static string ContainerName(IList<string>? names)
    {
        if (names is null || names.Count == 0)
        {
            return string.Empty;
        }
        // Legacy links add names like /other/alias; the container's own name has a single slash.
        var own = names.FirstOrDefault(n => n.LastIndexOf('/') == 0) ?? names[0];
        return own.TrimStart('/');
    }

    private static DateTimeOffset AsUtc(DateTime value) =>
        new(value.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(value, DateTimeKind.Utc) : value.ToUniversalTime());

    /// <summary>The engine writes "0001-01-01T00:00:00Z" for "never".</summary>
    internal static DateTimeOffset? ParseEngineTime(string? value)
    {
        if (string.IsNullOrEmpty(value)
            || !DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            || parsed.Year <= 1)
        {
            return null;
        }
        return parsed;
    }

    public static string Truncate(string value, int max) =>
        value.Length <= max ? value : string.Concat(value.AsSpan(0, max), "…");
}
