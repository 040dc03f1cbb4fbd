using StingOps.Core.Common;
using StingOps.Core.Compose.Cli;

namespace StingOps.Core.UseCases;

/// <summary>What the step before a restart reported. <paramref name="Failure"/> says how it failed ("exited with code 3"); null when it passed.</summary>
/// <param name="Output">Its output, unmasked: the session masks it before anyone sees it.</param>
public sealed record BeforeRestartOutcome(string Output, string? Failure)
{
    public bool Succeeded => Failure is null;
}

/// <summary>
/// The step that prepares a restart (STING regenerates its env files), run under the project's lock before anything
/// stops: the restart configuration's <c>before_restart</c> command, or the caller's own (-BeforeRestart).
/// </summary>
public delegate Task<BeforeRestartOutcome> BeforeRestartStep(TimeSpan timeout, CancellationToken cancellationToken);

/// <summary><c>before_restart:</c> run by the platform's shell in the project directory.</summary>
public static class BeforeRestartCommand
{
    public static BeforeRestartStep For(string command, string projectDirectory) => async (timeout, cancellationToken) =>
    {
        var (shell, flag) = OperatingSystem.IsWindows() ? ("cmd.exe", "/c") : ("/bin/sh", "-c");
        var result = await ComposeCli.RunAsync(shell, [flag, command], null, timeout, cancellationToken, projectDirectory).ConfigureAwait(false);
        return new BeforeRestartOutcome(result.Output,
            result.TimedOut ? $"did not finish within {DurationText.Seconds(timeout)}"
            : result.ExitCode != 0 ? $"exited with code {result.ExitCode}"
            : null);
    };
}
