using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Engine;
using StingOps.Core.Health;

namespace StingOps.Core.Restart;

/// <summary>
/// Runs compose's lifecycle hooks (<c>post_start</c>, <c>pre_stop</c>) the way compose 2.30+ does: each command
/// through the engine's exec in the service's container, in order, with the hook's user, privileges, working
/// directory and added environment; the first that exits non-zero ends the list and is the failure.
/// </summary>
public sealed class LifecycleHooks(IContainerEngine engine, Func<string, string> redact)
{
    private const int OutputChars = 400;

    /// <summary>
    /// Null when every hook exited 0, or when the container was not running (as compose, which ignores a hook the
    /// engine refuses for that: a pre_stop of a container that already died); otherwise what failed, with its
    /// output (secrets masked).
    /// </summary>
    /// <param name="timeout">For all hooks of the list together: a hook that hangs must not hold the run forever.</param>
    public async Task<string?> RunAsync(string containerId, string kind, IReadOnlyList<ServiceHook> hooks, TimeSpan timeout,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        for (var i = 0; i < hooks.Count; i++)
        {
            var hook = hooks[i];
            var left = timeout - time.GetElapsedTime(started);
            var what = hooks.Count == 1 ? $"{kind} hook '{redact(hook.ToString())}'" : $"{kind} hook {i + 1} of {hooks.Count} '{redact(hook.ToString())}'";
            if (left <= TimeSpan.Zero)
                return $"{what} did not run: the {DurationText.Seconds(timeout)} for the hooks were spent";
            var result = await engine.ExecAsync(containerId, hook.Command, left, OptionsOf(hook), cancellationToken).ConfigureAwait(false);
            if (result.ContainerNotRunning)
                return null;
            if (result.ExitCode == 0)
                continue;
            var output = ReadinessWaiter.OneLine(result.Output, OutputChars);
            var how = result.TimedOut ? $"timed out after {DurationText.Seconds(left)}" : $"exited with status {result.ExitCode}";
            return redact($"{what} {how}" + (output.Length == 0 ? "" : $": {output}"));
        }
        return null;
    }

    /// <summary>A bare name in the hook's environment keeps the container's own value: it is not passed.</summary>
    private static ExecOptions OptionsOf(ServiceHook hook) => new(
        hook.User,
        hook.Privileged,
        hook.WorkingDir,
        hook.Environment.Where(e => e.Value is not null).Select(e => $"{e.Key}={e.Value}").ToList());
}
