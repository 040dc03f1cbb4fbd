using Docker.DotNet;
using Docker.DotNet.Models;
using StingOps.Core.Common;

namespace StingOps.Core.Engine.Docker;

/// <summary>
/// <see cref="IContainerEngine.ExecAsync"/>: create the exec, attach to its output until it closes or the
/// timeout passes, then ask for its exit code. A timed-out command is abandoned, not killed: the engine has no
/// way to kill an exec.
/// </summary>
internal sealed class DockerExec(DockerTransport transport)
{
    private DockerClient Client => transport.Client;
    private DockerEngineOptions Options => transport.Options;

    public async Task<ExecResult> ExecAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, ExecOptions? options, CancellationToken cancellationToken)
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

        string execId;
        try
        {
            execId = await CreateAsync(containerId, command, options, cancellationToken).ConfigureAwait(false);
        }
        catch (StingException e) when (e.ErrorId == ErrorIds.EngineOperationFailed && e.Data["HttpStatus"] is 409)
        {
            // "Container ... is not running" (or paused, or restarting): the probe fails, it is not an engine fault.
            return new ExecResult(ExecResult.NotRunningExitCode, e.Message) { ContainerNotRunning = true };
        }

        var output = new BoundedOutput(Options.MaxExecOutputBytes);
        if (await ReadOutputAsync(execId, containerId, command, timeout, output, cancellationToken).ConfigureAwait(false) is { } timedOut)
        {
            return timedOut;
        }
        var exitCode = await WaitForExitCodeAsync(execId, containerId, cancellationToken).ConfigureAwait(false);
        return new ExecResult(exitCode is null ? -1 : (int)exitCode.Value, output.ToString()) { Truncated = output.Truncated };
    }

    private async Task<string> CreateAsync(string containerId, IReadOnlyList<string> command, ExecOptions? options, CancellationToken cancellationToken)
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
        var created = await transport.CallAsync("create an exec in the container", containerId, transport.Once, Options.RequestTimeout, Options.RequestTimeout,
            token => Client.Exec.CreateContainerExecAsync(containerId, parameters, token), cancellationToken).ConfigureAwait(false);
        return created.ID;
    }

    /// <summary>Null once the output ended; the result to report when the timeout passed first.</summary>
    private async Task<ExecResult?> ReadOutputAsync(string execId, string containerId, IReadOnlyList<string> command, TimeSpan timeout,
        BoundedOutput output, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(timeout, transport.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            using var stream = await AttachAsync(execId, timeout, linked.Token, cancellationToken).ConfigureAwait(false);
            await using var registration = linked.Token.Register(static s => ((MultiplexedStream)s!).Dispose(), stream).ConfigureAwait(false);
            await MultiplexedOutput.ReadToEndAsync(stream, output, 8192, linked.Token).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && deadline.IsCancellationRequested
                                  && e is OperationCanceledException or ObjectDisposedException or IOException or TimeoutException or HttpRequestException)
        {
            return new ExecResult(
                ExecResult.TimeoutExitCode,
                AppendNote(output.ToString(), $"[stingops] {FormatCommand(command)} timed out after {DockerErrors.FormatSeconds(timeout)} and was abandoned"))
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
            throw transport.Errors.Translate(e, "run a command in the container", containerId, timeout);
        }
    }

    /// <summary>Starts the exec attached; bounded even should the library not observe <paramref name="token"/>.</summary>
    private async Task<MultiplexedStream> AttachAsync(string execId, TimeSpan timeout, CancellationToken token, CancellationToken cancellationToken)
    {
        var startTask = Client.Exec.StartContainerExecAsync(execId, new ContainerExecStartParameters { Detach = false, TTY = false }, token);
        try
        {
            return await startTask.WaitAsync(timeout + TimeSpan.FromSeconds(1), transport.Time, cancellationToken).ConfigureAwait(false);
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
    }

    private async Task<long?> WaitForExitCodeAsync(string execId, string containerId, CancellationToken cancellationToken)
    {
        // The output ends when the process closes it; its exit code may be recorded a moment later.
        for (var i = 0; i < 50; i++)
        {
            var inspect = await transport.CallAsync("inspect the exec", containerId, transport.Reads, Options.RequestTimeout, Options.ReadBudget,
                token => Client.Exec.InspectContainerExecAsync(execId, token), cancellationToken).ConfigureAwait(false);
            if (!inspect.Running && inspect.ExitCode is not null)
            {
                return inspect.ExitCode;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), transport.Time, cancellationToken).ConfigureAwait(false);
        }
        return null;
    }

    private static string AppendNote(string output, string note) =>
        output.Length == 0 ? note : output.EndsWith('\n') ? output + note : output + "\n" + note;

    private static string FormatCommand(IReadOnlyList<string> command)
    {
        var text = string.Join(' ', command);
        return text.Length <= 80 ? $"'{text}'" : $"'{text[..80]}…'";
    }
}
