using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StingOps.Core.Engine.Docker;

/// <summary>
/// The swarm side of the Engine API through the raw client: an update must send the service's spec back verbatim
/// with only ForceUpdate changed, fields the library's model lacks included (as a container snapshot must).
/// </summary>
internal sealed class DockerSwarm(DockerTransport transport)
{
    public const string StackLabel = "com.docker.stack.namespace";

    private RawEngineHttp Raw => transport.Raw;
    private DockerEngineOptions Options => transport.Options;

    public async Task<SwarmMembership> GetMembershipAsync(CancellationToken cancellationToken)
    {
        var json = await ReadAsync("query the engine information", null, "info", cancellationToken).ConfigureAwait(false);
        var swarm = JsonNode.Parse(json ?? "{}")?["Swarm"];
        return new SwarmMembership(Text(swarm?["LocalNodeState"]) ?? "inactive", swarm?["ControlAvailable"]?.GetValue<bool>() ?? false, Text(swarm?["NodeID"]));
    }

    public async Task<IReadOnlyList<SwarmNode>> ListNodesAsync(CancellationToken cancellationToken)
    {
        var json = await ReadAsync("list the swarm nodes", null, "nodes", cancellationToken).ConfigureAwait(false);
        return Items(json).Select(ToNode).ToList();
    }

    public async Task<IReadOnlyList<SwarmService>> ListStackServicesAsync(string stack, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(stack);
        var filters = Filters("label", $"{StackLabel}={stack}");
        var json = await ReadAsync("list the stack's services", stack, $"services?status=true&filters={filters}", cancellationToken).ConfigureAwait(false);
        return Items(json).Select(ToService).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
    }

    public async Task<SwarmService?> InspectServiceAsync(string serviceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        // Inspect has no status=true: the counts come from the list, filtered to this one service.
        var filters = Filters("id", serviceId);
        var json = await ReadAsync("inspect the service", serviceId, $"services?status=true&filters={filters}", cancellationToken).ConfigureAwait(false);
        // The id filter matches prefixes: take the exact one.
        return Items(json).Select(ToService).FirstOrDefault(s => s.Id == serviceId);
    }

    public async Task<IReadOnlyList<SwarmTask>> ListTasksAsync(string serviceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        var json = await ReadAsync("list the service's tasks", serviceId, $"tasks?filters={Filters("service", serviceId)}", cancellationToken).ConfigureAwait(false);
        return Items(json).Select(ToTask).Where(t => t.ServiceId == serviceId).ToList();
    }

    public async Task<ulong> ForceUpdateAsync(SwarmService service, CancellationToken cancellationToken)
    {
        var spec = JsonNode.Parse(service.SpecJson)!.AsObject();
        var template = spec["TaskTemplate"] as JsonObject ?? throw new InvalidOperationException($"the spec of service {service.Name} has no TaskTemplate");
        var next = service.ForceUpdate + 1;
        template["ForceUpdate"] = next;
        await UpdateAsync("force an update of the service", service, spec.ToJsonString(), rollback: false, cancellationToken).ConfigureAwait(false);
        return next;
    }

    public Task RollbackAsync(SwarmService service, CancellationToken cancellationToken) =>
        // The engine wants a body even for a rollback (the CLI sends the current spec); it takes the previous one from its store.
        UpdateAsync("roll the service back", service, service.SpecJson, rollback: true, cancellationToken);

    private Task UpdateAsync(string operation, SwarmService service, string specJson, bool rollback, CancellationToken cancellationToken)
    {
        var query = $"services/{Uri.EscapeDataString(service.Id)}/update?version={service.Version.ToString(CultureInfo.InvariantCulture)}" + (rollback ? "&rollback=previous" : "");
        // Once: a retried update would be out of sequence at best, a second forced replacement at worst.
        return transport.CallAsync(operation, service.Name, transport.Once, Options.RequestTimeout, Options.RequestTimeout,
            token => Raw.SendAsync(HttpMethod.Post, query, specJson, nullOn404: false, token, notFoundIsContainer: false), cancellationToken);
    }

    private Task<string?> ReadAsync(string operation, string? target, string pathAndQuery, CancellationToken cancellationToken) =>
        transport.CallAsync(operation, target, transport.Reads, Options.RequestTimeout, Options.ReadBudget,
            token => Raw.SendAsync(HttpMethod.Get, pathAndQuery, null, nullOn404: false, token, notFoundIsContainer: false), cancellationToken);

    private static string Filters(string key, string value) =>
        Uri.EscapeDataString(new JsonObject { [key] = new JsonArray(value) }.ToJsonString());

    private static IEnumerable<JsonObject> Items(string? json) =>
        (JsonNode.Parse(string.IsNullOrEmpty(json) ? "[]" : json) as JsonArray ?? []).OfType<JsonObject>();

    internal static SwarmNode ToNode(JsonObject n)
    {
        var spec = n["Spec"];
        return new SwarmNode(
            Text(n["ID"]) ?? "",
            Text(n["Description"]?["Hostname"]) ?? "",
            Text(spec?["Role"]) ?? "",
            Text(spec?["Availability"]) ?? "",
            Text(n["Status"]?["State"]) ?? "unknown",
            n["ManagerStatus"]?["Leader"]?.GetValue<bool>() ?? false,
            Labels(spec?["Labels"]));
    }

    internal static SwarmService ToService(JsonObject s)
    {
        var spec = s["Spec"] as JsonObject ?? new JsonObject();
        var labels = Labels(spec["Labels"]);
        var template = spec["TaskTemplate"];
        var update = s["UpdateStatus"];
        var status = s["ServiceStatus"];
        return new SwarmService(
            Text(s["ID"]) ?? "",
            Text(spec["Name"]) ?? "",
            labels.GetValueOrDefault(StackLabel) ?? "",
            Unsigned(s["Version"]?["Index"]) ?? 0,
            Unsigned(template?["ForceUpdate"]) ?? 0,
            spec["Mode"]?["Replicated"] is { } replicated ? Signed(replicated["Replicas"]) ?? 1 : null,
            Signed(status?["DesiredTasks"]),
            Signed(status?["RunningTasks"]),
            Text(template?["ContainerSpec"]?["Image"]) ?? "",
            HasHealthCheck(template?["ContainerSpec"]?["Healthcheck"]),
            update is null ? null : new SwarmUpdateStatus(Text(update["State"]) ?? "", Time(update["StartedAt"]), Time(update["CompletedAt"]), Text(update["Message"])),
            spec.ToJsonString(),
            s["PreviousSpec"] is not null,
            labels);
    }

    internal static SwarmTask ToTask(JsonObject t)
    {
        var status = t["Status"];
        return new SwarmTask(
            Text(t["ID"]) ?? "",
            Text(t["ServiceID"]) ?? "",
            Text(t["NodeID"]),
            Signed(t["Slot"]),
            Text(status?["State"]) ?? "",
            Text(t["DesiredState"]) ?? "",
            Unsigned(t["Spec"]?["ForceUpdate"]) ?? 0,
            Time(status?["Timestamp"]),
            Text(status?["Message"]),
            Text(status?["Err"]),
            Text(status?["ContainerStatus"]?["ContainerID"]),
            Signed(status?["ContainerStatus"]?["ExitCode"]) is { } code ? (int)code : null);
    }

    /// <summary>A healthcheck that runs: NONE (or an empty test) disables the image's.</summary>
    private static bool HasHealthCheck(JsonNode? healthcheck) =>
        healthcheck?["Test"] is JsonArray { Count: > 0 } test && Text(test[0]) is { } kind && kind != "NONE";

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static long? Signed(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<long>(out var number) ? number : null;

    private static ulong? Unsigned(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<ulong>(out var number) ? number : null;

    private static DateTimeOffset? Time(JsonNode? node) =>
        Text(node) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            && time.Year > 1 ? time.ToUniversalTime() : null;

    private static IReadOnlyDictionary<string, string> Labels(JsonNode? node) =>
        (node as JsonObject ?? []).Where(p => Text(p.Value) is not null).ToDictionary(p => p.Key, p => Text(p.Value)!, StringComparer.Ordinal);
}
