using Docker.DotNet;
using Docker.DotNet.Models;
using StingOps.Core.Common;

namespace StingOps.Core.Engine.Docker;

/// <summary>What changes a container's state: stop, start, rename, remove. Each attempt is bounded by what the engine
/// itself may take (a stop waits out its grace period), and only the idempotent ones are retried.</summary>
internal sealed class DockerLifecycle(DockerTransport transport)
{
    private DockerClient Client => transport.Client;
    private DockerEngineOptions Options => transport.Options;

    public Task StopAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(containerId);
        var seconds = gracePeriod <= TimeSpan.Zero ? 0u : (uint)Math.Ceiling(gracePeriod.TotalSeconds);
        var attempt = TimeSpan.FromSeconds(seconds) + Options.StopSlack;
        var parameters = new ContainerStopParameters { WaitBeforeKillSeconds = seconds };
        // 304 (already stopped) is success: the library answers false.
        return transport.CallAsync("stop the container", containerId, transport.Controls, attempt, attempt + Options.RequestTimeout,
            token => Client.Containers.StopContainerAsync(containerId, parameters, token), cancellationToken);
    }

    public Task StartAsync(string containerId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(containerId);
        // 304 (already running) is success: the library answers false.
        return transport.CallAsync("start the container", containerId, transport.Controls, Options.StartTimeout, Options.StartTimeout + Options.RequestTimeout,
            token => Client.Containers.StartContainerAsync(containerId, null, token), cancellationToken);
    }

    public Task RenameAsync(string containerId, string newName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(containerId);
        ArgumentException.ThrowIfNullOrEmpty(newName);
        return transport.CallAsync($"rename the container to '{newName}'", containerId, transport.Once, Options.RequestTimeout, Options.RequestTimeout,
            async token =>
            {
                await Client.Containers.RenameContainerAsync(containerId, new ContainerRenameParameters { NewName = newName }, token).ConfigureAwait(false);
                return true;
            }, cancellationToken);
    }

    public async Task RemoveAsync(string containerId, bool force, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(containerId);
        try
        {
            await transport.CallAsync("remove the container", containerId, transport.Controls, Options.StopSlack, Options.StopSlack + Options.RequestTimeout,
                async token =>
                {
                    await Client.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = force, RemoveVolumes = false }, token)
                        .ConfigureAwait(false);
                    return true;
                }, cancellationToken).ConfigureAwait(false);
        }
        catch (StingException e) when (e.ErrorId == ErrorIds.ContainerNotFound)
        {
            // Gone already: what was asked for.
        }
    }
}
