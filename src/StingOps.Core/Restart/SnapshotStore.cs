using System.Text.Json.Nodes;

namespace StingOps.Core.Restart;

/// <summary>A saved inspect document: the container's full configuration, environment included (secret-bearing).</summary>
public sealed record ContainerSnapshotFile(string Service, string ContainerId, string ContainerName, string Path, string InspectJson);

/// <summary>
/// Snapshots of containers about to be recreated, in the private state directory (0700), each file 0600 and named
/// after project, service and run, so an interrupted run leaves something an operator can restore from.
/// </summary>
public static class SnapshotStore
{
    public static string DirectoryFor(string stateDirectory) => System.IO.Path.Combine(stateDirectory, "snapshots");

    public static async Task<ContainerSnapshotFile> SaveAsync(string stateDirectory, string project, string runId, string service, string inspectJson, CancellationToken cancellationToken)
    {
        StateDirectory.Ensure(stateDirectory);
        var directory = StateDirectory.Ensure(DirectoryFor(stateDirectory));
        var path = System.IO.Path.Combine(directory, $"{project}.{service}.{runId}.json");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using (var stream = new FileStream(path, options))
        await using (var writer = new StreamWriter(stream))
            await writer.WriteAsync(inspectJson.AsMemory(), cancellationToken).ConfigureAwait(false);

        var node = JsonNode.Parse(inspectJson);
        var id = node?["Id"]?.GetValue<string>() ?? "";
        var name = (node?["Name"]?.GetValue<string>() ?? "").TrimStart('/');
        return new ContainerSnapshotFile(service, id, name, path, inspectJson);
    }

    public static void Delete(ContainerSnapshotFile snapshot)
    {
        try
        {
            File.Delete(snapshot.Path);
        }
        catch (IOException)
        {
        }
    }
}
