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

/// <summary>Which before-restart step a run has, and how its failure reads: the same for a compose project and a Swarm stack.</summary>
public static class BeforeRestart
{
    /// <summary>The caller's step, else the config's before_restart; only Restart and Start have one.</summary>
    public static BeforeRestartStep? Of(Project.StingProject project, RestartSessionRequest request) =>
        request.Operation is not (SessionOperation.Restart or SessionOperation.Start) ? null
        : request.BeforeRestart ?? (project.Options.BeforeRestart is { } command ? BeforeRestartCommand.For(command, project.Location.ProjectDirectory) : null);

    /// <summary>The refusal of a run whose step failed: nothing was touched; its output shown, through <paramref name="mask"/>.</summary>
    public static StingException Failed(BeforeRestartOutcome outcome, string project, Func<string, string> mask)
    {
        var output = outcome.Output.Trim();
        return new StingException(ErrorIds.BeforeRestartFailed, StingErrorKind.InvalidOperation,
            mask($"The before-restart step {outcome.Failure}; nothing was touched." + (output.Length == 0 ? " It wrote no output." : $" Its output:{Environment.NewLine}{output}")),
            target: project);
    }
}
