using System.Net;
using System.Net.Sockets;
using Docker.DotNet;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace StingOps.Core.Engine.Docker;

/// <summary>
/// Which failures of an engine call are worth another attempt, as Polly pipelines: reads retry on 5xx and
/// connection blips, controls (start, stop, remove) only on 502-504 and blips, and calls that are not
/// idempotent (create, rename, exec) never. 404/409 and runtime errors are never retried. Each attempt is
/// bounded by the timeout its caller puts in the context (<see cref="AttemptTimeoutKey"/>).
/// </summary>
internal sealed class DockerRetryPolicy(DockerErrors errors, DockerEngineOptions options, TimeProvider time)
{
    public static readonly ResiliencePropertyKey<TimeSpan> AttemptTimeoutKey = new("stingops.attempt-timeout");

    public ResiliencePipeline Reads() => Build(IsTransientForRead, options.MaxRetryAttempts);

    public ResiliencePipeline Controls() => Build(IsTransientForControl, options.MaxRetryAttempts);

    public ResiliencePipeline Once() => Build(static _ => false, 0);

    private ResiliencePipeline Build(Func<Exception, bool> isTransient, int retries)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } e && !args.Context.CancellationToken.IsCancellationRequested && isTransient(e)),
                MaxRetryAttempts = retries,
                Delay = options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            });
        }
        builder.AddTimeout(new TimeoutStrategyOptions
        {
            TimeoutGenerator = args => ValueTask.FromResult(args.Context.Properties.GetValue(AttemptTimeoutKey, options.RequestTimeout)),
        });
        return builder.Build();
    }

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
        if (!DockerErrors.IsConnectionFailure(e))
        {
            return false;
        }
        // A socket file that does not exist will not appear within a retry delay; say so at once.
        if (errors.SocketFileMissing)
        {
            return false;
        }
        return DockerErrors.Find<SocketException>(e)?.SocketErrorCode is not SocketError.AccessDenied;
    }
}
