namespace StingOps.Core.Engine;

/// <summary>
/// What replacing a container needs beyond <see cref="IContainerEngine"/>: save it as a snapshot, take it
/// aside or away, and create it again from the snapshot (a recreate and its rollback). Only the recreate path
/// takes it; <see cref="Docker.DockerContainerEngine"/> implements both.
/// </summary>
public interface IContainerSnapshots
{
    /// <summary>The engine's inspect document for the container, verbatim (for snapshots); null when it does not exist.
    /// Contains the environment: secret-bearing, store it only where only the user can read it.</summary>
    Task<string?> GetInspectJsonAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>
    /// Creates (does not start) a container named <paramref name="name"/> from a saved inspect document: its
    /// Config (image pinned to the saved image ID unless the saved image name still resolves to it), HostConfig,
    /// labels, networks and its anonymous volumes (re-attached, so their data survives). Returns the new id.
    /// </summary>
    Task<string> CreateFromSnapshotAsync(string inspectJson, string name, CancellationToken cancellationToken);

    /// <summary>Renames a container (e.g. to keep the old one aside during a recreate).</summary>
    /// <exception cref="Common.StingException">StingContainerNotFound; StingEngineOperationFailed when the name is taken.</exception>
    Task RenameAsync(string containerId, string newName, CancellationToken cancellationToken);

    /// <summary>Removes a container; <paramref name="force"/> kills it first when running. Its volumes are kept.
    /// A container that no longer exists is not an error.</summary>
    Task RemoveAsync(string containerId, bool force, CancellationToken cancellationToken);
}
