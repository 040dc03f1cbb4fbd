using System.Threading.Channels;
using StingOps.Core.Common;
using StingOps.Core.Preflight;
using StingOps.Core.Restart;

namespace StingOps.Core.UseCases;

/// <summary>How a session refuses to run, the same for a compose project and a Swarm stack.</summary>
internal static class SessionRefusals
{
    /// <summary>The failed Error-severity checks as one refusal; null when none failed.</summary>
    /// <param name="what">"the restart of project 'x'", "the start of project 'x'", "the restart of stack 'x'".</param>
    /// <param name="check">The command that shows every check.</param>
    /// <param name="forceSkips">Whether -Force skips the checks (Restart only).</param>
    public static StingException? Prerequisites(IReadOnlyList<PrerequisiteCheckResult> failed, string what, string project, string check, bool forceSkips)
    {
        if (failed.Count == 0)
            return null;
        var list = string.Join(Environment.NewLine, failed.Select(r => $"  {r.Check} [{r.Target}]: {r.Message}"));
        return new StingException(ErrorIds.PrerequisiteFailed, StingErrorKind.ResourceUnavailable,
            $"{failed.Count} prerequisite(s) of {what} failed; nothing was touched:{Environment.NewLine}{list}" +
            $"{Environment.NewLine}Fix them ({check} shows every check)" + (forceSkips ? ", or use -Force to skip the checks." : "."),
            target: project);
    }

    /// <summary>
    /// A run whose dependencies outside it are not ready: refused unless forced (its outcomes say why, recorded like any
    /// run), or, forced, a warning per dependency. Null when the run goes ahead.
    /// </summary>
    public static SessionRun? UnreadyDependencies(RestartRunner runner, PreparedSession session, string runId, TimeProvider time, List<SessionMessage> messages)
    {
        var prepared = session.Restart;
        if (prepared.Blocking.Count == 0)
            return null;
        if (!session.Request.Force)
            return new SessionRun(runId, Completed(session.Request.Operation switch
            {
                SessionOperation.Start => runner.Refuse(prepared, runId, "started", "use -IncludeDependencies to start it too"),
                SessionOperation.Repair => runner.Refuse(prepared, runId, "repaired", "repair it too: Repair-StingService without -Name"),
                _ => runner.Refuse(prepared, runId, "restarted", "use -Force to restart anyway"),
            }, time), messages, Refused: true);
        messages.AddRange(prepared.Blocking.Select(u =>
            SessionMessage.Warning($"-Force: restarting '{u.Service}' although its dependency '{u.Dependency}' is {u.Observed}.")));
        return null;
    }

    private static ChannelReader<RestartEvent> Completed(IEnumerable<ServiceOutcome> outcomes, TimeProvider time)
    {
        var channel = Channel.CreateUnbounded<RestartEvent>();
        foreach (var o in outcomes)
            channel.Writer.TryWrite(new ServiceFinished(time.GetUtcNow(), o));
        channel.Writer.TryComplete();
        return channel.Reader;
    }
}
