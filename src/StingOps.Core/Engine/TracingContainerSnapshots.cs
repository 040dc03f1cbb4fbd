using static StingOps.Core.Engine.EngineTrace;

namespace StingOps.Core.Engine;

/// <summary>
/// <see cref="TracingContainerEngine"/> for the snapshot side of an engine: reports every call to
/// <paramref name="trace"/>. Snapshot documents carry the container's environment and are never traced.
/// </summary>
public sealed class TracingContainerSnapshots(IContainerSnapshots inner, Action<string> trace, Func<string, string>? redact = null) : IContainerSnapshots
{
    private readonly EngineTrace _trace = new(trace, redact);

    public Task<string?> GetInspectJsonAsync(string containerId, CancellationToken cancellationToken) =>
        _trace.Traced($"inspect {Short(containerId)} for a snapshot", () => inner.GetInspectJsonAsync(containerId, cancellationToken), j => j is null ? "gone" : $"{j.Length} bytes");

    public Task<string> CreateFromSnapshotAsync(string inspectJson, string name, CancellationToken cancellationToken) =>
        _trace.Traced($"create {name} from a snapshot", () => inner.CreateFromSnapshotAsync(inspectJson, name, cancellationToken), id => Short(id));

    public Task RenameAsync(string containerId, string newName, CancellationToken cancellationToken) =>
        _trace.Traced($"rename {Short(containerId)} to {newName}", () => inner.RenameAsync(containerId, newName, cancellationToken));

    public Task RemoveAsync(string containerId, bool force, CancellationToken cancellationToken) =>
        _trace.Traced($"remove {Short(containerId)}{(force ? " (force)" : "")}", () => inner.RemoveAsync(containerId, force, cancellationToken));
}
