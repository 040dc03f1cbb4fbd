using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using StingOps.Core.Compose;
using StingOps.Core.Configuration;
using StingOps.Core.Engine;

namespace StingOps.Core.Health;

/// <summary>The result of one probe: ready or not, and what the probe said (for diagnostics).</summary>
public sealed record ProbeResult(bool Ready, string? Output)
{
    /// <summary>The probe could not run at all (the engine refused or failed the exec): no verdict on the service.</summary>
    public bool Inconclusive { get; init; }

    /// <summary>What the probe cost: the tests it ran and the execs the engine ran them in.</summary>
    public ProbeTally Cost { get; init; } = ProbeTally.One;
}

/// <summary>Probing's cost: how many times a test ran (in the container, or an HTTP or TCP attempt), and how many
/// execs the engine ran for them (each a runtime process: the expensive part).</summary>
public readonly record struct ProbeTally(int Runs, int Execs)
{
    public static readonly ProbeTally None = new(0, 0);
    /// <summary>One attempt that needed no exec (HTTP, TCP).</summary>
    public static readonly ProbeTally One = new(1, 0);
    public static ProbeTally operator +(ProbeTally a, ProbeTally b) => new(a.Runs + b.Runs, a.Execs + b.Execs);
    public override string ToString() => $"{Runs} probe{(Runs == 1 ? "" : "s")} in {Execs} exec{(Execs == 1 ? "" : "s")}";
}

public interface IProbeRunner
{
    /// <summary>
    /// Probes a running container; never throws for a failed probe, only for cancellation. A probe run inside
    /// the container may repeat there for up to <paramref name="pollFor"/> and return at its first pass
    /// (zero: probe once).
    /// </summary>
    Task<ProbeResult> ProbeAsync(ContainerDetails container, ProbeSpec probe, HealthCheckSpec? composeHealthCheck, TimeSpan pollFor, CancellationToken cancellationToken);
}

/// <summary>
/// Runs the effective probe. The docker kind runs the compose healthcheck's own test inside the container,
/// so readiness is seen within a probe interval of ours rather than docker's (often 30 s). Tests run inside
/// the container repeat there every 100 ms (<see cref="InContainerPoll"/>): one exec per poll window instead
/// of one per probe, which both sees readiness sooner and costs the engine far less.
/// </summary>
public sealed class ProbeRunner(IContainerEngine engine) : IProbeRunner
{
    private static readonly TimeSpan DefaultProbeTimeout = TimeSpan.FromSeconds(5);

    // Containers probed one exec at a time: no /bin/sh for the poll loop, or a test too slow for it.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _singleExec = new(StringComparer.Ordinal);

    public async Task<ProbeResult> ProbeAsync(ContainerDetails container, ProbeSpec probe, HealthCheckSpec? composeHealthCheck, TimeSpan pollFor, CancellationToken cancellationToken)
    {
        if (!container.IsRunning)
            return new ProbeResult(false, $"container is {container.State}") { Cost = ProbeTally.None };
        switch (probe.Kind)
        {
            case ProbeKind.Running:
                return new ProbeResult(true, null) { Cost = ProbeTally.None };
            case ProbeKind.Command:
                return await ExecTestAsync(container, ["sh", "-c", probe.Target!], DefaultProbeTimeout, pollFor, cancellationToken).ConfigureAwait(false);
            case ProbeKind.Http:
                return await HttpAsync(probe, cancellationToken).ConfigureAwait(false);
            case ProbeKind.Tcp:
                return await TcpAsync(probe.Target!, cancellationToken).ConfigureAwait(false);
            default:
                // The engine's own verdict costs this run nothing.
                if (container.Health == "healthy")
                    return new ProbeResult(true, container.LastHealthOutput) { Cost = ProbeTally.None };
                var test = container.HealthTest ?? composeHealthCheck?.Test;
                var command = ToCommand(test);
                if (command is null)
                    return new ProbeResult(container.Health is null, container.LastHealthOutput) { Cost = ProbeTally.None };
                var timeout = composeHealthCheck?.Timeout ?? DefaultProbeTimeout;
                return await ExecTestAsync(container, command, timeout, pollFor, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The engine's form (["CMD", argv...] or ["CMD-SHELL", script]) as an argv for exec.</summary>
    public static IReadOnlyList<string>? ToCommand(IReadOnlyList<string>? test)
    {
        if (test is null || test.Count == 0)
            return null;
        return test[0] switch
        {
            "CMD" when test.Count > 1 => test.Skip(1).ToArray(),
            "CMD-SHELL" when test.Count > 1 => ["/bin/sh", "-c", test[1]],
            "NONE" => null,
            _ => null,
        };
    }

    /// <summary>Runs a test in the container: in the poll loop when there is time to poll and a shell to run it.</summary>
    private async Task<ProbeResult> ExecTestAsync(ContainerDetails container, IReadOnlyList<string> test, TimeSpan testTimeout, TimeSpan pollFor, CancellationToken cancellationToken)
    {
        var polls = InContainerPoll.Iterations(pollFor);
        if (polls <= 1 || _singleExec.ContainsKey(container.Id))
            return await ExecAsync(container, test, testTimeout, cancellationToken).ConfigureAwait(false);

        var result = await TryExecAsync(container, InContainerPoll.Command(test, polls), pollFor + testTimeout + TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        if (result.Failure is { } failure)
            return failure;
        var exec = result.Exec!;
        var (looped, output, runs) = InContainerPoll.ReadOutput(exec.Output);
        // A test too slow for its window would leave loops piling up in the container; no shell cannot loop at all.
        if (exec.TimedOut || (!looped && InContainerPoll.IsMissingShell(output)))
        {
            _singleExec[container.Id] = true;
            if (!looped)
            {
                var single = await ExecAsync(container, test, testTimeout, cancellationToken).ConfigureAwait(false);
                return single with { Cost = single.Cost + new ProbeTally(0, 1) };
            }
        }
        return new ProbeResult(exec.ExitCode == 0, output) { Cost = new ProbeTally(looped ? runs : 1, 1) };
    }

    private async Task<ProbeResult> ExecAsync(ContainerDetails container, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await TryExecAsync(container, command, timeout, cancellationToken).ConfigureAwait(false);
        return result.Failure ?? new ProbeResult(result.Exec!.ExitCode == 0, result.Exec.Output) { Cost = new ProbeTally(1, 1) };
    }

    /// <summary>One exec; an engine that fails the exec gives an inconclusive probe result, not an error of the run.</summary>
    private async Task<(ExecResult? Exec, ProbeResult? Failure)> TryExecAsync(ContainerDetails container, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return (await engine.ExecAsync(container.Id, command, timeout, null, cancellationToken).ConfigureAwait(false), null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // A container that is going away refuses exec; that is "not ready", not a failure of the run.
            return (null, new ProbeResult(false, "the probe could not run: " + ex.Message) { Inconclusive = true, Cost = new ProbeTally(0, 1) });
        }
    }

    private static async Task<ProbeResult> HttpAsync(ProbeSpec probe, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler { ConnectTimeout = DefaultProbeTimeout };
        if (probe.Insecure)
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true };
        using var client = new HttpClient(handler) { Timeout = DefaultProbeTimeout };
        try
        {
            using var response = await client.GetAsync(probe.Target, cancellationToken).ConfigureAwait(false);
            var code = (int)response.StatusCode;
            return new ProbeResult(code is >= 200 and < 400, $"HTTP {code}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            return new ProbeResult(false, ex.GetBaseException().Message);
        }
    }

    private static async Task<ProbeResult> TcpAsync(string target, CancellationToken cancellationToken)
    {
        var colon = target.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(target[(colon + 1)..], out var port))
            return new ProbeResult(false, $"'{target}' is not host:port");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(DefaultProbeTimeout);
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(target[..colon].Trim('[', ']'), port, timeout.Token).ConfigureAwait(false);
            return new ProbeResult(true, $"connected to {target}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            return new ProbeResult(false, ex.GetBaseException().Message);
        }
    }
}
