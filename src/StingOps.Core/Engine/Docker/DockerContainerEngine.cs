using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Docker.DotNet;
using Docker.DotNet.LegacyHttp;
using Docker.DotNet.Models;
using Docker.DotNet.Unix;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using StingOps.Core.Common;

namespace StingOps.Core.Engine.Docker;

/// <summary>
/// <see cref="IContainerEngine"/> over the Docker Engine API (Docker.DotNet.Enhanced, no pinned API version:
/// requests go to unversioned paths, which every engine answers in its own current version).
/// </summary>
/// <remarks>
/// <para>Every call is bounded (see <see cref="DockerEngineOptions"/>) and honours its token. Idempotent calls
/// (info, list, inspect, logs, start, stop, remove, subscribing to events) are retried on transient failures
/// (connection refused/reset, an attempt timing out, 5xx on reads, 502-504 on start/stop) through a Polly
/// pipeline; 404/409 and runtime errors are never retried.</para>
/// <para>Errors leave as <see cref="StingException"/>: StingEngineUnavailable (cannot connect, or no answer in
/// time), StingContainerNotFound, StingEngineOperationFailed (the engine refused). Caller cancellation leaves
/// as OperationCanceledException. No Docker.DotNet type crosses this class's public surface.</para>
/// <para>The <see cref="TimeProvider"/> drives timeouts and retry delays. Timestamps sent to the engine (the
/// event subscription's <c>since</c>) use the real clock, since the engine stamps events with its own.</para>
/// <para>Thread-safe: make one per endpoint and share it; dispose it at the end.</para>
/// <para>Snapshots and event streams go through a small raw HTTP client (<c>RawEngineHttp</c>) beside
/// Docker.DotNet: a snapshot must survive verbatim (fields the library's model lacks included), and the
/// library's only event API that reports when the stream is established is marked obsolete.</para>
/// </remarks>
public sealed class DockerContainerEngine : IContainerEngine
{
    private const string ProjectLabel = EngineEventParser.ProjectLabel;
    private const string ServiceLabel = EngineEventParser.ServiceLabel;
    private const string OneoffLabel = EngineEventParser.OneoffLabel;

    private static readonly ResiliencePropertyKey<TimeSpan> AttemptTimeoutKey = new("stingops.attempt-timeout");

    private readonly Uri _endpoint;
    private readonly DockerEngineOptions _options;
    private readonly TimeProvider _time;
    private readonly DockerClient _client;
    private readonly RawEngineHttp _raw;
    private readonly ResiliencePipeline _readPipeline;
    private readonly ResiliencePipeline _controlPipeline;
    private readonly ResiliencePipeline _oncePipeline;

    public DockerContainerEngine(Uri endpoint, TimeProvider? timeProvider = null)
        : this(endpoint, DockerEngineOptions.Default, timeProvider)
    {
    }

    public DockerContainerEngine(string endpoint, TimeProvider? timeProvider = null)
        : this(DockerEndpoint.ParseHost(endpoint, "the endpoint argument"), DockerEngineOptions.Default, timeProvider)
    {
    }

    /// <exception cref="StingException">StingEngineUnavailable (InvalidArgument) for endpoints that are not supported (ssh://, fd://).</exception>
    public DockerContainerEngine(Uri endpoint, DockerEngineOptions? options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _endpoint = endpoint;
        _options = options ?? DockerEngineOptions.Default;
        _time = timeProvider ?? TimeProvider.System;
        Endpoint = endpoint.ToString();

        var builder = new DockerClientBuilder().WithEndpoint(endpoint);
        _client = endpoint.Scheme.ToLowerInvariant() switch
        {
            // The library's handler would honour HTTP(S)_PROXY even for a local socket; a socket is never proxied.
            "unix" => builder.WithTransportOptions(new UnixSocketTransportOptions { ConfigureHandler = h => h.UseProxy = false }).Build(),
            "tcp" or "http" => builder.WithTransportOptions(new LegacyHttpTransportOptions()).Build(),
            "npipe" or "https" => builder.Build(),
            "ssh" => throw new StingException(ErrorIds.EngineUnavailable, StingErrorKind.InvalidArgument,
                $"The Docker endpoint {endpoint} uses ssh://, which StingOps does not support. Forward the remote socket " +
                "(ssh -NL /tmp/docker.sock:/var/run/docker.sock host) and set DOCKER_HOST=unix:///tmp/docker.sock.", null, Endpoint),
            _ => throw new StingException(ErrorIds.EngineUnavailable, StingErrorKind.InvalidArgument,
                $"The Docker endpoint {endpoint} has an unsupported scheme '{endpoint.Scheme}' (use unix://, tcp:// or npipe://).", null, Endpoint),
        };
        _raw = new RawEngineHttp(endpoint);

        _readPipeline = BuildPipeline(IsTransientForRead, _options.MaxRetryAttempts);
        _controlPipeline = BuildPipeline(IsTransientForControl, _options.MaxRetryAttempts);
        _oncePipeline = BuildPipeline(static _ => false, 0);
    }

    public string Endpoint { get; }

    // ------------------------------------------------------------------------------------------------ info

    public async Task<EngineInfo> GetInfoAsync(CancellationToken cancellationToken)
    {
        var budget = _options.ConnectTimeout;
        var versionTask = CallAsync("query the engine version", null, _readPipeline, budget, budget,
            token => _client.System.GetVersionAsync(token), cancellationToken);
        var infoTask = CallAsync("query the engine information", null, _readPipeline, budget, budget,
            token => _client.System.GetSystemInfoAsync(token), cancellationToken);
        await Task.WhenAll(versionTask, infoTask).ConfigureAwait(false);
        var version = await versionTask.ConfigureAwait(false);
        var info = await infoTask.ConfigureAwait(false);

        return new EngineInfo(
            Endpoint,
            string.IsNullOrEmpty(version.Version) ? info.ServerVersion : version.Version,
            version.APIVersion,
            info.DockerRootDir,
            info.MemTotal > 0 ? info.MemTotal : null,
            string.IsNullOrEmpty(info.OperatingSystem) ? null : info.OperatingSystem);
    }

    // ------------------------------------------------------------------------------------------------ list

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
                ["label"] = new Dictionary<string, bool> { [$"{ProjectLabel}={project}"] = true },
            },
        };
        var list = await CallAsync("list containers", project, _readPipeline, _options.RequestTimeout, _options.ReadBudget,
            token => _client.Containers.ListContainersAsync(parameters, token), cancellationToken).ConfigureAwait(false);

        var result = new List<ContainerSummary>(list.Count);
        foreach (var c in list)
        {
            var labels = c.Labels is null
                ? new Dictionary<string, string>(StringComparer.Ordinal)
                : new Dictionary<string, string>(c.Labels, StringComparer.Ordinal);
            if (labels.TryGetValue(OneoffLabel, out var oneoff) && string.Equals(oneoff, "True", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            // API 1.52+ reports health in the summary; older engines only inside the Status text.
            var health = NormalizeHealth(c.Health?.Status) ?? HealthFromStatus(c.Status);
            result.Add(new ContainerSummary(
                c.ID,
                ContainerName(c.Names),
                labels.GetValueOrDefault(ProjectLabel) ?? project,
                labels.GetValueOrDefault(ServiceLabel) ?? string.Empty,
                c.State,
                health,
                c.Image,
                AsUtc(c.Created),
                labels));
        }
        return result;
    }

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

    // --------------------------------------------------------------------------------------------- inspect

    public async Task<ContainerDetails?> InspectAsync(string containerId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(containerId);
        ContainerInspectResponse response;
        try
        {
            response = await CallAsync("inspect the container", containerId, _readPipeline, _options.RequestTimeout, _options.ReadBudget,
                token => _client.Containers.InspectContainerAsync(containerId, token), cancellationToken).ConfigureAwait(false);
        }
        catch (StingException e) when (e.ErrorId == ErrorIds.ContainerNotFound)
        {
            return null;
        }

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
            lastOutput = Truncate(log[^1].Output?.Trim() ?? string.Empty, _options.MaxHealthOutputChars);
        }

        return new ContainerDetails(
            response.ID,
            response.Name.TrimStart('/'),
            labels.GetValueOrDefault(ServiceLabel) ?? string.Empty,
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
            config?.Entrypoint?.ToArray());
    }

    public Task<string?> GetInspectJsonAsync(string containerId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(containerId);
        return CallAsync("inspect the container", containerId, _readPipeline, _options.RequestTimeout, _options.ReadBudget,
            token => _raw.SendAsync(HttpMethod.Get, $"containers/{Uri.EscapeDataString(containerId)}/json", null, nullOn404: true, token),
            cancellationToken);
    }

    // ---------------------------------------------------------------------------------------- stop, start

    public Task StopAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(containerId);
        var seconds = gracePeriod <= TimeSpan.Zero ? 0u : (uint)Math.Ceiling(gracePeriod.TotalSeconds);
        var attempt = TimeSpan.FromSeconds(seconds) + _options.StopSlack;
        var parameters = new ContainerStopParameters { WaitBeforeKillSeconds = seconds };
        // 304 (already stopped) is success: the library answers false.
        return CallAsync("stop the container", containerId, _controlPipeline, attempt, attempt + _options.RequestTimeout,
            token => _client.Containers.StopContainerAsync(containerId, parameters, token), cancellationToken);
    }

    public Task StartAsync(string containerId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(containerId);
        // 304 (already running) is success: the library answers false.
        return CallAsync("start the container", containerId, _controlPipeline, _options.StartTimeout, _options.StartTimeout + _options.RequestTimeout,
            token => _client.Containers.StartContainerAsync(containerId, null, token), cancellationToken);
    }

    // ------------------------------------------------------------------------------------------------ exec

    public async Task<ExecResult> ExecAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken, ExecOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(containerId);
        ArgumentNullException.ThrowIfNull(command);
        if (command.Count == 0)
        {
            throw new ArgumentException("The command is empty.", nameof(command));
        }
        if (timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), "The timeout must be positive.");
        }

        ContainerExecCreateResponse created;
        try
        {
            var parameters = new ContainerExecCreateParameters
            {
                AttachStdout = true,
                AttachStderr = true,
                Cmd = command.ToList(),
                User = options?.User ?? "",
                Privileged = options?.Privileged ?? false,
                WorkingDir = options?.WorkingDir ?? "",
                Env = options?.Environment?.ToList() ?? [],
            };
            created = await CallAsync("create an exec in the container", containerId, _oncePipeline, _options.RequestTimeout, _options.RequestTimeout,
                token => _client.Exec.CreateContainerExecAsync(containerId, parameters, token), cancellationToken).ConfigureAwait(false);
        }
        catch (StingException e) when (e.ErrorId == ErrorIds.EngineOperationFailed && e.Data["HttpStatus"] is 409)
        {
            // "Container ... is not running" (or paused, or restarting): the probe fails, it is not an engine fault.
            return new ExecResult(ExecResult.NotRunningExitCode, e.Message) { ContainerNotRunning = true };
        }

        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var output = new BoundedOutput(_options.MaxExecOutputBytes);
        try
        {
            var startTask = _client.Exec.StartContainerExecAsync(created.ID, new ContainerExecStartParameters { Detach = false, TTY = false }, linked.Token);
            MultiplexedStream stream;
            try
            {
                stream = await startTask.WaitAsync(timeout + TimeSpan.FromSeconds(1), _time, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (!startTask.IsCompleted)
            {
                // Abandoned: close the connection should it still arrive.
                _ = startTask.ContinueWith(static t =>
                {
                    if (t.IsCompletedSuccessfully)
                    {
                        t.Result.Dispose();
                    }
                    else
                    {
                        _ = t.Exception;
                    }
                }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                throw;
            }
            using var ownedStream = stream;
            await using var registration = linked.Token.Register(static s => ((MultiplexedStream)s!).Dispose(), stream).ConfigureAwait(false);
            var buffer = new byte[8192];
            while (true)
            {
                var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, linked.Token).ConfigureAwait(false);
                if (read.EOF)
                {
                    break;
                }
                output.Append(buffer.AsSpan(0, read.Count));
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && deadline.IsCancellationRequested
                                  && e is OperationCanceledException or ObjectDisposedException or IOException or TimeoutException or HttpRequestException)
        {
            return new ExecResult(
                ExecResult.TimeoutExitCode,
                AppendNote(output.ToString(), $"[stingops] {FormatCommand(command)} timed out after {FormatSeconds(timeout)} and was abandoned"))
            {
                TimedOut = true,
                Truncated = output.Truncated,
            };
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Disposing the stream is how the read is interrupted; whatever it threw, this is the caller's cancellation.
            throw new OperationCanceledException(cancellationToken);
        }
        catch (Exception e)
        {
            throw Translate(e, "run a command in the container", containerId, timeout);
        }

        // The output ends when the process closes it; its exit code may be recorded a moment later.
        long? exitCode = null;
        for (var i = 0; i < 50; i++)
        {
            var inspect = await CallAsync("inspect the exec", containerId, _readPipeline, _options.RequestTimeout, _options.ReadBudget,
                token => _client.Exec.InspectContainerExecAsync(created.ID, token), cancellationToken).ConfigureAwait(false);
            if (!inspect.Running && inspect.ExitCode is not null)
            {
                exitCode = inspect.ExitCode;
                break;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), _time, cancellationToken).ConfigureAwait(false);
        }

        return new ExecResult(exitCode is null ? -1 : (int)exitCode.Value, output.ToString()) { Truncated = output.Truncated };
    }

    // ------------------------------------------------------------------------------------------------ logs

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
        return await CallAsync("read the container log", containerId, _readPipeline, _options.RequestTimeout, _options.ReadBudget, async token =>
        {
            // The library inspects first to learn whether the container has a TTY (then the log is not multiplexed).
            using var stream = await _client.Containers.GetContainerLogsAsync(containerId, parameters, token).ConfigureAwait(false);
            await using var registration = token.Register(static s => ((MultiplexedStream)s!).Dispose(), stream).ConfigureAwait(false);
            var tail = new TailBuffer(_options.MaxLogBytes);
            var buffer = new byte[16384];
            try
            {
                while (true)
                {
                    var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, token).ConfigureAwait(false);
                    if (read.EOF)
                    {
                        break;
                    }
                    tail.Append(buffer.AsSpan(0, read.Count));
                }
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                // Disposing the stream is how a read gets cancelled; report it as the cancellation it is.
                throw new OperationCanceledException(token);
            }
            return tail.ToString();
        }, cancellationToken).ConfigureAwait(false);
    }

    // ---------------------------------------------------------------------------------------------- events

    public async IAsyncEnumerable<EngineEvent> WatchEventsAsync(string project, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var subscription = await SubscribeEventsAsync(project, cancellationToken).ConfigureAwait(false);
        await foreach (var item in subscription.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    /// <summary>
    /// Opens GET /events (type=container, label project, the actions in <see cref="EngineEventParser.Actions"/>)
    /// and returns once the engine answered with its headers.
    /// </summary>
    /// <remarks>
    /// The engine flushes the response headers a moment before it registers the listener, so "the headers
    /// arrived" alone leaves a tiny gap. The request therefore carries <c>since</c> = the instant before it was
    /// sent: the engine replays events from its buffer since then and registers the listener under the same
    /// lock, so no event after that instant is lost. This assumes the engine's clock agrees with ours, as it
    /// does for a local socket; for a remote engine with a skewed clock events in the first moments can be
    /// missed (if its clock is behind) or a few older ones replayed (if ahead) - compare EngineEvent.Time.
    /// </remarks>
    public async Task<IEngineEventSubscription> SubscribeEventsAsync(string project, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(project);
        var since = DateTimeOffset.UtcNow;
        var filters = new JsonObject
        {
            ["type"] = new JsonObject { ["container"] = true },
            ["label"] = new JsonObject { [$"{ProjectLabel}={project}"] = true },
            ["event"] = new JsonObject(EngineEventParser.Actions.Select(a => KeyValuePair.Create(a, (JsonNode?)JsonValue.Create(true)))),
        };
        var path = $"events?since={EngineEventParser.FormatSince(since)}&filters={Uri.EscapeDataString(filters.ToJsonString())}";

        // Through the raw client: Docker.DotNet's stream-returning MonitorEventsAsync is obsolete, and its
        // IProgress form cannot tell when the subscription is live.
        var stream = await CallAsync("subscribe to events", project, _readPipeline, _options.ConnectTimeout, _options.ConnectTimeout,
            attemptToken => _raw.OpenStreamAsync(path, attemptToken), cancellationToken).ConfigureAwait(false);
        return new ChannelEventSubscription(token => ReadEventsAsync(stream, project, token), since);
    }

    private async IAsyncEnumerable<EngineEvent> ReadEventsAsync(Stream stream, string project, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Reads on the library's stream may not observe the token: closing the stream ends them for sure.
        await using var registration = cancellationToken.Register(static s => ((Stream)s!).Dispose(), stream).ConfigureAwait(false);
        using var reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: 16384, leaveOpen: false);
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or HttpRequestException or SocketException)
            {
                throw Unavailable($"The event stream from the Docker engine at {Endpoint} broke ({e.Message}). " +
                                  "Events may have been missed; check the engine and subscribe again.", e);
            }

            if (line is null)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException(cancellationToken);
                }
                throw Unavailable($"The Docker engine at {Endpoint} closed the event stream (did it stop or restart?). " +
                                  "Events may have been missed; check the engine and subscribe again.", null);
            }

            EngineEvent? item;
            try
            {
                item = EngineEventParser.Parse(line, project);
            }
            catch (JsonException)
            {
                continue;
            }
            if (item is not null)
            {
                yield return item;
            }
        }
    }

    // ------------------------------------------------------------------------------- rename, remove, create

    public Task RenameAsync(string containerId, string newName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(containerId);
        ArgumentException.ThrowIfNullOrEmpty(newName);
        return CallAsync($"rename the container to '{newName}'", containerId, _oncePipeline, _options.RequestTimeout, _options.RequestTimeout,
            async token =>
            {
                await _client.Containers.RenameContainerAsync(containerId, new ContainerRenameParameters { NewName = newName }, token).ConfigureAwait(false);
                return true;
            }, cancellationToken);
    }

    public async Task RemoveAsync(string containerId, bool force, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(containerId);
        try
        {
            await CallAsync("remove the container", containerId, _controlPipeline, _options.StopSlack, _options.StopSlack + _options.RequestTimeout,
                async token =>
                {
                    await _client.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = force, RemoveVolumes = false }, token)
                        .ConfigureAwait(false);
                    return true;
                }, cancellationToken).ConfigureAwait(false);
        }
        catch (StingException e) when (e.ErrorId == ErrorIds.ContainerNotFound)
        {
            // Gone already: what was asked for.
        }
    }

    public async Task<string> CreateFromSnapshotAsync(string inspectJson, string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(inspectJson);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var plan = ContainerSnapshot.Build(inspectJson);

        // Keep the readable image name when it still means the same image; otherwise pin the saved ID (the
        // usual rollback case: the tag now points at the new image).
        if (!string.IsNullOrEmpty(plan.ImageName) && !plan.ImageName.StartsWith("sha256:", StringComparison.Ordinal))
        {
            var image = await CallAsync("inspect the image", plan.ImageName, _readPipeline, _options.RequestTimeout, _options.ReadBudget,
                token => _raw.SendAsync(HttpMethod.Get, $"images/{Uri.EscapeDataString(plan.ImageName)}/json", null, nullOn404: true, token),
                cancellationToken).ConfigureAwait(false);
            if (image is not null && JsonNode.Parse(image)?["Id"]?.GetValue<string>() == plan.ImageId)
            {
                plan.Body["Image"] = plan.ImageName;
            }
        }

        var created = await CallAsync("create the container", name, _oncePipeline, _options.RequestTimeout, _options.RequestTimeout,
            token => _raw.SendAsync(HttpMethod.Post, $"containers/create?name={Uri.EscapeDataString(name)}", plan.Body.ToJsonString(), nullOn404: false, token, notFoundIsContainer: false),
            cancellationToken).ConfigureAwait(false);
        var id = JsonNode.Parse(created!)?["Id"]?.GetValue<string>()
                 ?? throw new StingException(ErrorIds.EngineOperationFailed, StingErrorKind.InvalidData,
                     $"The Docker engine at {Endpoint} created container '{name}' but did not say its id.", null, name);

        try
        {
            foreach (var (network, settings) in plan.ExtraNetworks)
            {
                var body = new JsonObject { ["Container"] = id, ["EndpointConfig"] = settings.DeepClone() };
                await CallAsync($"connect the container to network '{network}'", name, _oncePipeline, _options.RequestTimeout, _options.RequestTimeout,
                    token => _raw.SendAsync(HttpMethod.Post, $"networks/{Uri.EscapeDataString(network)}/connect", body.ToJsonString(), nullOn404: false, token, notFoundIsContainer: false),
                    cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            // A half-connected copy is worse than none.
            try
            {
                await RemoveAsync(id, force: true, CancellationToken.None).ConfigureAwait(false);
            }
            catch (StingException)
            {
            }
            throw;
        }
        return id;
    }

    public void Dispose()
    {
        _client.Dispose();
        _raw.Dispose();
    }

    // ---------------------------------------------------------------------------- resilience and errors

    private ResiliencePipeline BuildPipeline(Func<Exception, bool> isTransient, int retries)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = _time };
        if (retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } e && !args.Context.CancellationToken.IsCancellationRequested && isTransient(e)),
                MaxRetryAttempts = retries,
                Delay = _options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            });
        }
        builder.AddTimeout(new TimeoutStrategyOptions
        {
            TimeoutGenerator = args => ValueTask.FromResult(args.Context.Properties.GetValue(AttemptTimeoutKey, _options.RequestTimeout)),
        });
        return builder.Build();
    }

    private async Task CallAsync(string operation, string? target, ResiliencePipeline pipeline, TimeSpan attemptTimeout, TimeSpan budget,
        Func<CancellationToken, Task> call, CancellationToken cancellationToken)
    {
        await CallAsync(operation, target, pipeline, attemptTimeout, budget, async token =>
        {
            await call(token).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs one engine call: attempts bounded by <paramref name="attemptTimeout"/>, retries (per pipeline) within
    /// <paramref name="budget"/>, and a hard bound slightly above the budget even should a transport ignore
    /// cancellation (the library's TCP connect does). Everything but caller cancellation becomes a StingException.
    /// </summary>
    private async Task<T> CallAsync<T>(string operation, string? target, ResiliencePipeline pipeline, TimeSpan attemptTimeout, TimeSpan budget,
        Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var budgetCts = new CancellationTokenSource(budget, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budgetCts.Token);
        var context = ResilienceContextPool.Shared.Get(linked.Token);
        context.Properties.Set(AttemptTimeoutKey, attemptTimeout < budget ? attemptTimeout : budget);
        var returnContext = true;
        try
        {
            var task = pipeline.ExecuteAsync(
                static async (ctx, state) => await state(ctx.CancellationToken).ConfigureAwait(false),
                context,
                call).AsTask();
            try
            {
                return await task.WaitAsync(budget + TimeSpan.FromSeconds(1), _time, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (!task.IsCompleted)
            {
                // Abandoned (timeout or caller cancellation): the context is still in use; observe the outcome.
                returnContext = false;
                _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                    TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                throw;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (StingException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw Translate(e, operation, target, budget);
        }
        finally
        {
            if (returnContext)
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }
    }

    private StingException Translate(Exception e, string operation, string? target, TimeSpan budget)
    {
        var subject = target is null ? operation : $"{operation} ({target})";
        switch (e)
        {
            case DockerContainerNotFoundException:
                return new StingException(ErrorIds.ContainerNotFound, StingErrorKind.ObjectNotFound,
                    $"Container '{target}' does not exist on the Docker engine at {Endpoint} (could not {operation}).", e, target);

            case DockerApiException api:
            {
                var code = (int)api.StatusCode;
                var kind = code switch
                {
                    409 => StingErrorKind.ResourceBusy,
                    400 => StingErrorKind.InvalidArgument,
                    404 => StingErrorKind.ObjectNotFound,
                    _ => StingErrorKind.InvalidOperation,
                };
                var error = new StingException(ErrorIds.EngineOperationFailed, kind,
                    $"The Docker engine at {Endpoint} could not {subject}: {EngineMessage(api.ResponseBody)} (HTTP {code}).", e, target);
                error.Data["HttpStatus"] = code;
                return error;
            }

            case TimeoutRejectedException or TimeoutException or OperationCanceledException:
                return new StingException(ErrorIds.EngineUnavailable, StingErrorKind.OperationTimeout,
                    $"The Docker engine at {Endpoint} did not answer in time ({FormatSeconds(budget)}) when asked to {subject}. " +
                    "It may be overloaded or hung: check it with 'docker info', restart it, or point DOCKER_HOST at one that answers.",
                    e, target ?? Endpoint);

            case JsonException or NotSupportedException or InvalidOperationException when !IsConnectionFailure(e):
                return new StingException(ErrorIds.EngineOperationFailed, StingErrorKind.InvalidData,
                    $"Unexpected answer from the Docker engine at {Endpoint} when asked to {subject}: {e.Message}", e, target);

            default:
                return Unavailable(
                    $"Cannot reach the Docker engine at {Endpoint} ({ConnectionReason(e)}) to {subject}. " +
                    "Start the Docker engine, or set DOCKER_HOST (or the docker context) to one that is running.", e);
        }
    }

    private StingException Unavailable(string message, Exception? inner) =>
        new(ErrorIds.EngineUnavailable, StingErrorKind.ConnectionError, message, inner, Endpoint);

    private string ConnectionReason(Exception e)
    {
        if (SocketFileMissing)
        {
            return $"no socket at {_endpoint.LocalPath}";
        }
        var socket = Find<SocketException>(e);
        return socket?.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.AccessDenied => $"permission denied; is this user allowed to use {_endpoint.LocalPath} (the 'docker' group)?",
            SocketError.ConnectionReset => "connection reset",
            SocketError.TimedOut => "connection timed out",
            SocketError.HostNotFound or SocketError.NoData => "host not found",
            not null => socket.Message,
            null => Innermost(e).Message,
        };
    }

    /// <summary>A unix endpoint whose socket file is not there (Path.Exists: File.Exists says false for sockets).</summary>
    private bool SocketFileMissing => _endpoint.Scheme == "unix" && !Path.Exists(_endpoint.LocalPath);

    private bool IsTransientForRead(Exception e) => e switch
    {
        DockerContainerNotFoundException => false,
        DockerApiException api => (int)api.StatusCode >= 500 && api.StatusCode != HttpStatusCode.NotImplemented,
        TimeoutRejectedException => true,
        _ => IsRetryableConnectionFailure(e),
    };

    private bool IsTransientForControl(Exception e) => e switch
    {
        DockerContainerNotFoundException => false,
        DockerApiException api => api.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout,
        TimeoutRejectedException => true,
        _ => IsRetryableConnectionFailure(e),
    };

    private bool IsRetryableConnectionFailure(Exception e)
    {
        if (!IsConnectionFailure(e))
        {
            return false;
        }
        // A socket file that does not exist will not appear within a retry delay; say so at once.
        if (SocketFileMissing)
        {
            return false;
        }
        return Find<SocketException>(e)?.SocketErrorCode is not SocketError.AccessDenied;
    }

    private static bool IsConnectionFailure(Exception e) =>
        e is HttpRequestException or SocketException or IOException or EndOfStreamException
        || (e is AggregateException agg && agg.InnerExceptions.All(IsConnectionFailure))
        || (e.InnerException is not null && e is not DockerApiException && IsConnectionFailure(e.InnerException));

    private static T? Find<T>(Exception e) where T : Exception
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is T found)
            {
                return found;
            }
            if (x is AggregateException agg)
            {
                foreach (var inner in agg.InnerExceptions)
                {
                    if (Find<T>(inner) is { } f)
                    {
                        return f;
                    }
                }
            }
        }
        return null;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }
        return e;
    }

    /// <summary>The "message" of an engine error body, or the body itself, shortened.</summary>
    internal static string EngineMessage(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return "no details";
        }
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
            {
                return Truncate(m.GetString()!.Trim(), 1024);
            }
        }
        catch (JsonException)
        {
        }
        return Truncate(body.Trim(), 1024);
    }

    // ----------------------------------------------------------------------------------------------- helpers

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

    private static string Truncate(string value, int max) =>
        value.Length <= max ? value : string.Concat(value.AsSpan(0, max), "…");

    private static string AppendNote(string output, string note) =>
        output.Length == 0 ? note : output.EndsWith('\n') ? output + note : output + "\n" + note;

    private static string FormatSeconds(TimeSpan span) =>
        span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    private static string FormatCommand(IReadOnlyList<string> command)
    {
        var text = string.Join(' ', command);
        return text.Length <= 80 ? $"'{text}'" : $"'{text[..80]}…'";
    }

    /// <summary>Keeps the first <c>max</c> bytes of a stream (exec output), counting the rest.</summary>
    private sealed class BoundedOutput(int max)
    {
        private readonly MemoryStream _bytes = new();

        public bool Truncated { get; private set; }

        public void Append(ReadOnlySpan<byte> data)
        {
            var room = max - (int)_bytes.Length;
            if (data.Length > room)
            {
                Truncated = true;
                data = data[..Math.Max(room, 0)];
            }
            _bytes.Write(data);
        }

        public override string ToString() => Encoding.UTF8.GetString(_bytes.GetBuffer(), 0, (int)_bytes.Length);
    }

    /// <summary>Keeps the last <c>max</c> bytes of a stream (a log tail).</summary>
    private sealed class TailBuffer(int max)
    {
        private byte[] _bytes = new byte[Math.Min(max, 16384)];
        private int _length;

        public void Append(ReadOnlySpan<byte> data)
        {
            if (data.Length >= max)
            {
                _bytes = data[^max..].ToArray();
                _length = max;
                return;
            }
            if (_length + data.Length > _bytes.Length)
            {
                var keep = Math.Min(_length, max - data.Length);
                var grown = new byte[Math.Min(max, Math.Max(_bytes.Length * 2, keep + data.Length))];
                Array.Copy(_bytes, _length - keep, grown, 0, keep);
                _bytes = grown;
                _length = keep;
            }
            data.CopyTo(_bytes.AsSpan(_length));
            _length += data.Length;
        }

        public override string ToString()
        {
            var text = Encoding.UTF8.GetString(_bytes, 0, _length);
            // A cut in the middle of a multi-byte character decodes as U+FFFD at the start; drop it.
            return text.TrimStart('\uFFFD');
        }
    }
}
