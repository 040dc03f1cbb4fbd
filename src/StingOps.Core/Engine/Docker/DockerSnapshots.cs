using System.Text.Json.Nodes;
using StingOps.Core.Common;

namespace StingOps.Core.Engine.Docker;

/// <summary>
/// Saving a container as its verbatim inspect document and creating it again from one, through the raw
/// client: a snapshot must survive verbatim, fields the library's model lacks included.
/// </summary>
internal sealed class DockerSnapshots(DockerTransport transport, DockerLifecycle lifecycle)
{
    private RawEngineHttp Raw => transport.Raw;
    private DockerEngineOptions Options => transport.Options;

    public Task<string?> GetInspectJsonAsync(string containerId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(containerId);
        return transport.CallAsync("inspect the container", containerId, transport.Reads, Options.RequestTimeout, Options.ReadBudget,
            token => Raw.SendAsync(HttpMethod.Get, $"containers/{Uri.EscapeDataString(containerId)}/json", null, nullOn404: true, token),
            cancellationToken);
    }

    public async Task<string> CreateFromSnapshotAsync(string inspectJson, string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(inspectJson);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var plan = ContainerSnapshot.Build(inspectJson);
        await KeepImageNameIfSameAsync(plan, cancellationToken).ConfigureAwait(false);
        var id = await CreateAsync(plan, name, cancellationToken).ConfigureAwait(false);
        try
        {
            await ConnectExtraNetworksAsync(plan, id, name, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // A half-connected copy is worse than none.
            try
            {
                await lifecycle.RemoveAsync(id, force: true, CancellationToken.None).ConfigureAwait(false);
            }
            catch (StingException)
            {
            }
            throw;
        }
        return id;
    }

    /// <summary>Keep the readable image name when it still means the same image; otherwise the saved ID stays
    /// pinned (the usual rollback case: the tag now points at the new image).</summary>
    private async Task KeepImageNameIfSameAsync(ContainerSnapshot.CreatePlan plan, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(plan.ImageName) || plan.ImageName.StartsWith("sha256:", StringComparison.Ordinal))
        {
            return;
        }
        var image = await transport.CallAsync("inspect the image", plan.ImageName, transport.Reads, Options.RequestTimeout, Options.ReadBudget,
            token => Raw.SendAsync(HttpMethod.Get, $"images/{Uri.EscapeDataString(plan.ImageName)}/json", null, nullOn404: true, token),
            cancellationToken).ConfigureAwait(false);
        if (image is not null && JsonNode.Parse(image)?["Id"]?.GetValue<string>() == plan.ImageId)
        {
            plan.Body["Image"] = plan.ImageName;
        }
    }

    private async Task<string> CreateAsync(ContainerSnapshot.CreatePlan plan, string name, CancellationToken cancellationToken)
    {
        var created = await transport.CallAsync("create the container", name, transport.Once, Options.RequestTimeout, Options.RequestTimeout,
            token => Raw.SendAsync(HttpMethod.Post, $"containers/create?name={Uri.EscapeDataString(name)}", plan.Body.ToJsonString(), nullOn404: false, token, notFoundIsContainer: false),
            cancellationToken).ConfigureAwait(false);
        return JsonNode.Parse(created!)?["Id"]?.GetValue<string>()
               ?? throw new StingException(ErrorIds.EngineOperationFailed, StingErrorKind.InvalidData,
                   $"The Docker engine at {transport.Endpoint} created container '{name}' but did not say its id.", null, name);
    }

    private async Task ConnectExtraNetworksAsync(ContainerSnapshot.CreatePlan plan, string id, string name, CancellationToken cancellationToken)
    {
        foreach (var (network, settings) in plan.ExtraNetworks)
        {
            var body = new JsonObject { ["Container"] = id, ["EndpointConfig"] = settings.DeepClone() };
            await transport.CallAsync($"connect the container to network '{network}'", name, transport.Once, Options.RequestTimeout, Options.RequestTimeout,
                token => Raw.SendAsync(HttpMethod.Post, $"networks/{Uri.EscapeDataString(network)}/connect", body.ToJsonString(), nullOn404: false, token, notFoundIsContainer: false),
                cancellationToken).ConfigureAwait(false);
        }
    }
}
