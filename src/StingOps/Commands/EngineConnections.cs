using System.Collections.Concurrent;
using StingOps.Core.Engine.Docker;

namespace StingOps.Commands;

/// <summary>
/// One engine client per endpoint for the session: a warm Get-StingService reuses its connection instead
/// of paying for a new one each call.
/// </summary>
internal static class EngineConnections
{
    private static readonly ConcurrentDictionary<string, DockerContainerEngine> Clients = new(StringComparer.Ordinal);

    public static DockerContainerEngine For(IReadOnlyDictionary<string, string?> environment)
    {
        var endpoint = DockerEndpoint.Resolve(environment);
        return Clients.GetOrAdd(endpoint.ToString(), _ => new DockerContainerEngine(endpoint));
    }
}
