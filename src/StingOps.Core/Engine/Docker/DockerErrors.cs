using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Docker.DotNet;
using Polly.Timeout;
using StingOps.Core.Common;

namespace StingOps.Core.Engine.Docker;

/// <summary>
/// Turns what a failed engine call threw (Docker.DotNet's exceptions, Polly's timeouts, socket and HTTP errors)
/// into the <see cref="StingException"/> a user reads: what was asked, of which engine, and what to do about it.
/// </summary>
internal sealed class DockerErrors(Uri endpoint)
{
    private string Endpoint { get; } = endpoint.ToString();

    /// <summary>A unix endpoint whose socket file is not there (Path.Exists: File.Exists says false for sockets).</summary>
    public bool SocketFileMissing => endpoint.Scheme == "unix" && !Path.Exists(endpoint.LocalPath);

    public StingException Translate(Exception e, string operation, string? target, TimeSpan budget)
    {
        var subject = target is null ? operation : $"{operation} ({target})";
        switch (e)
        {
            case DockerContainerNotFoundException:
                return new StingException(ErrorIds.ContainerNotFound, StingErrorKind.ObjectNotFound,
                    $"Container '{target}' does not exist on the Docker engine at {Endpoint} (could not {operation}).", e, target);

            case DockerApiException api:
                return Refused(api, subject, target);

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

    public StingException Unavailable(string message, Exception? inner) =>
        new(ErrorIds.EngineUnavailable, StingErrorKind.ConnectionError, message, inner, Endpoint);

    private StingException Refused(DockerApiException api, string subject, string? target)
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
            $"The Docker engine at {Endpoint} could not {subject}: {EngineMessage(api.ResponseBody)} (HTTP {code}).", api, target);
        error.Data["HttpStatus"] = code;
        return error;
    }

    private string ConnectionReason(Exception e)
    {
        if (SocketFileMissing)
        {
            return $"no socket at {endpoint.LocalPath}";
        }
        var socket = Find<SocketException>(e);
        return socket?.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.AccessDenied => $"permission denied; is this user allowed to use {endpoint.LocalPath} (the 'docker' group)?",
            SocketError.ConnectionReset => "connection reset",
            SocketError.TimedOut => "connection timed out",
            SocketError.HostNotFound or SocketError.NoData => "host not found",
            not null => socket.Message,
            null => Innermost(e).Message,
        };
    }

    public static bool IsConnectionFailure(Exception e) =>
        e is HttpRequestException or SocketException or IOException or EndOfStreamException
        || (e is AggregateException agg && agg.InnerExceptions.All(IsConnectionFailure))
        || (e.InnerException is not null && e is not DockerApiException && IsConnectionFailure(e.InnerException));

    public static T? Find<T>(Exception e) where T : Exception
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
                return DockerModels.Truncate(m.GetString()!.Trim(), 1024);
            }
        }
        catch (JsonException)
        {
        }
        return DockerModels.Truncate(body.Trim(), 1024);
    }

    public static string FormatSeconds(TimeSpan span) =>
        span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
