using Docker.DotNet;
using Docker.DotNet.LegacyHttp;
using Docker.DotNet.Unix;
using Polly;
using StingOps.Core.Common;

namespace StingOps.Core.Engine.Docker;

/// <summary>
/// The connection to one engine: Docker.DotNet's client, the raw HTTP client beside it (<see cref="RawEngineHttp"/>),
/// the retry pipelines, and <see cref="CallAsync{T}"/>, the bounded call every operation goes through.
/// </summary>
internal sealed class DockerTransport : IDisposable
{
    /// <exception cref="StingException">StingEngineUnavailable (InvalidArgument) for endpoints that are not supported (ssh://, fd://).</exception>
    public DockerTransport(Uri endpoint, DockerEngineOptions options, TimeProvider time)
    {
        Endpoint = endpoint.ToString();
        Options = options;
        Time = time;
        Errors = new DockerErrors(endpoint);
        Client = CreateClient(endpoint, Endpoint);
        Raw = new RawEngineHttp(endpoint);
        var policy = new DockerRetryPolicy(Errors, options, time);
        Reads = policy.Reads();
        Controls = policy.Controls();
        Once = policy.Once();
    }

    public string Endpoint { get; }
    public DockerEngineOptions Options { get; }
    public TimeProvider Time { get; }
    public DockerErrors Errors { get; }
    public DockerClient Client { get; }
    public RawEngineHttp Raw { get; }

    /// <summary>Idempotent reads (info, list, inspect, logs, subscribing to events).</summary>
    public ResiliencePipeline Reads { get; }

    /// <summary>Idempotent changes (start, stop, remove).</summary>
    public ResiliencePipeline Controls { get; }

    /// <summary>Calls that must not run twice (create, rename, exec create, network connect).</summary>
    public ResiliencePipeline Once { get; }

    private static DockerClient CreateClient(Uri endpoint, string display)
    {
        var builder = new DockerClientBuilder().WithEndpoint(endpoint);
        return endpoint.Scheme.ToLowerInvariant() switch
        {
            // The library's handler would honour HTTP(S)_PROXY even for a local socket; a socket is never proxied.
            "unix" => builder.WithTransportOptions(new UnixSocketTransportOptions { ConfigureHandler = h => h.UseProxy = false }).Build(),
            "tcp" or "http" => builder.WithTransportOptions(new LegacyHttpTransportOptions()).Build(),
            "npipe" or "https" => builder.Build(),
            "ssh" => throw new StingException(ErrorIds.EngineUnavailable, StingErrorKind.InvalidArgument,
                $"The Docker endpoint {endpoint} uses ssh://, which StingOps does not support. Forward the remote socket " +
                "(ssh -NL /tmp/docker.sock:/var/run/docker.sock host) and set DOCKER_HOST=unix:///tmp/docker.sock.", null, display),
            _ => throw new StingException(ErrorIds.EngineUnavailable, StingErrorKind.InvalidArgument,
                $"The Docker endpoint {endpoint} has an unsupported scheme '{endpoint.Scheme}' (use unix://, tcp:// or npipe://).", null, display),
        };
    }

    public async Task CallAsync(string operation, string? target, ResiliencePipeline pipeline, TimeSpan attemptTimeout, TimeSpan budget,
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
    public async Task<T> CallAsync<T>(string operation, string? target, ResiliencePipeline pipeline, TimeSpan attemptTimeout, TimeSpan budget,
        Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var budgetCts = new CancellationTokenSource(budget, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budgetCts.Token);
        var context = ResilienceContextPool.Shared.Get(linked.Token);
        context.Properties.Set(DockerRetryPolicy.AttemptTimeoutKey, attemptTimeout < budget ? attemptTimeout : budget);
        var returnContext = true;
        try
        {
            var task = pipeline.ExecuteAsync(
                static async (ctx, state) => await state(ctx.CancellationToken).ConfigureAwait(false),
                context,
                call).AsTask();
            try
            {
                return await task.WaitAsync(budget + TimeSpan.FromSeconds(1), Time, cancellationToken).ConfigureAwait(false);
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
            throw Errors.Translate(e, operation, target, budget);
        }
        finally
        {
            if (returnContext)
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }
    }

    public void Dispose()
    {
        Client.Dispose();
        Raw.Dispose();
    }
}
