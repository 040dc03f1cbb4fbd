using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;
using StingOps.Core.Common;

namespace StingOps.Core.Engine.Docker;

/// <summary>What the engine is asked, never told: its version, a project's containers, one container, a log tail.</summary>
internal sealed class DockerQueries(DockerTransport transport)
{
    private DockerClient Client => transport.Client;
    private DockerEngineOptions Options => transport.Options;

    /// <remarks>
    /// Raw JSON, read for the six fields the core uses: the library's typed /info answer is the biggest model it has
    /// (about a hundred properties and a dozen nested types), and building its serialisation metadata in a fresh process
    /// was one of the largest single costs of a cold Get-StingService or Restart-StingService.
    /// </remarks>
    public async Task<EngineInfo> GetInfoAsync(CancellationToken cancellationToken)
    {
        var budget = Options.ConnectTimeout;
        var versionTask = transport.CallAsync("query the engine version", null, transport.Reads, budget, budget,
            async token => DockerModels.ParseVersion(await transport.Raw.SendAsync(HttpMethod.Get, "version", null, nullOn404: false, token).ConfigureAwait(false)),
            cancellationToken);
        var infoTask = transport.CallAsync("query the engine information", null, transport.Reads, budget, budget,
            async token => DockerModels.ParseInfo(await transport.Raw.SendAsync(HttpMethod.Get, "info", null, nullOn404: false, token).ConfigureAwait(false)),
            cancellationToken);
        await Task.WhenAll(versionTask, infoTask).ConfigureAwait(false);
        return DockerModels.ToInfo(transport.Endpoint, await versionTask.ConfigureAwait(false), await infoTask.ConfigureAwait(false));
    }

    public async Task<IReadOnlyList<ContainerSummary>> ListProjectContainersAsync(string project, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(project);
        // One call. oneoff=False is not a filter: containers made by old compose lack the label, and label
        // filters cannot say "not True", so one-off containers are dropped here instead.
        var parameters = new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"{EngineEventParser.ProjectLabel}={project}"] = true },
            },
        };
        var list = await transport.CallAsync("list containers", project, transport.Reads, Options.RequestTimeout, Options.ReadBudget,
            token => Client.Containers.ListContainersAsync(parameters, token), cancellationToken).ConfigureAwait(false);
        var result = new List<ContainerSummary>(list.Count);
        foreach (var c in list)
        {
            if (DockerModels.ToSummary(c, project) is { } summary)
            {
                result.Add(summary);
            }
        }
        return result;
    }

    public async Task<ContainerDetails?> InspectAsync(string containerId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(containerId);
        ContainerInspectResponse response;
        try
        {
            response = await transport.CallAsync("inspect the container", containerId, transport.Reads, Options.RequestTimeout, Options.ReadBudget,
                token => Client.Containers.InspectContainerAsync(containerId, token), cancellationToken).ConfigureAwait(false);
        }
        catch (StingException e) when (e.ErrorId == ErrorIds.ContainerNotFound)
        {
            return null;
        }
        return DockerModels.ToDetails(response, Options.MaxHealthOutputChars);
    }

    public async Task<string> GetLogTailAsync(string containerId, int lines, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(containerId);
        ArgumentOutOfRangeException.ThrowIfNegative(lines);
        if (lines == 0)
        {
            return string.Empty;
        }
        var parameters = new ContainerLogsParameters
        {
            ShowStdout = true,
            ShowStderr = true,
            Follow = false,
            Timestamps = false,
            Tail = lines.ToString(CultureInfo.InvariantCulture),
        };
        return await transport.CallAsync("read the container log", containerId, transport.Reads, Options.RequestTimeout, Options.ReadBudget,
            token => ReadLogTailAsync(containerId, parameters, token), cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> ReadLogTailAsync(string containerId, ContainerLogsParameters parameters, CancellationToken token)
    {
        // The library inspects first to learn whether the container has a TTY (then the log is not multiplexed).
        using var stream = await Client.Containers.GetContainerLogsAsync(containerId, parameters, token).ConfigureAwait(false);
        await using var registration = token.Register(static s => ((MultiplexedStream)s!).Dispose(), stream).ConfigureAwait(false);
        var tail = new TailBuffer(Options.MaxLogBytes);
        try
        {
            await MultiplexedOutput.ReadToEndAsync(stream, tail, 16384, token).ConfigureAwait(false);
        }
        catch (Exception) when (token.IsCancellationRequested)
        {
            // Disposing the stream is how a read gets cancelled; report it as the cancellation it is.
            throw new OperationCanceledException(token);
        }
        return tail.ToString();
    }
}
