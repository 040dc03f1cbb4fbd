using System.Globalization;
using StingOps.Core.Compose;
using StingOps.Core.Configuration;
using StingOps.Core.Engine;

namespace StingOps.Core.UseCases;

/// <summary>
/// When a dependency became ready in the sense its dependent's <c>depends_on</c> condition asks, as far as the
/// engine's records tell: exactly, only within bounds, not yet, or not at all.
/// </summary>
internal abstract record DependencyReadyTime
{
    /// <summary>Known to the instant. <paramref name="Event"/> completes "before its dependency db …" (started, was ready, completed).</summary>
    public sealed record At(DateTimeOffset Time, string Event, string Evidence) : DependencyReadyTime;

    /// <summary>Known only to lie after its start and, when <paramref name="NotAfter"/> is given, before that.</summary>
    public sealed record Within(DateTimeOffset NotBefore, DateTimeOffset? NotAfter, string Evidence) : DependencyReadyTime;

    /// <summary>It is not ready now, so anything that runs on it started too early.</summary>
    public sealed record NotYet(string Event, string Reason) : DependencyReadyTime;

    /// <summary>The engine reports too little to tell (no start time).</summary>
    public sealed record Unknown(string Reason) : DependencyReadyTime;

    /// <param name="seenReady">When a StingOps run's probe saw this start of the dependency ready, if it made it.</param>
    public static DependencyReadyTime Of(ServiceDependency dependency, ContainerDetails container, ProbeSpec probe, int healthLogSize, DateTimeOffset? seenReady = null)
    {
        var name = dependency.Service;
        if (container.StartedAt is not { } started)
            return new Unknown($"the engine does not report when {name} started");
        var fromEngine = FromEngine(dependency, container, probe, healthLogSize, name, started);
        // StingOps's probe passes before the engine's next healthcheck: for a start StingOps made, what it saw is the readiness.
        if (seenReady is not { } seen || dependency.Condition != DependencyCondition.ServiceHealthy)
            return fromEngine;
        return fromEngine switch
        {
            At exact when exact.Time <= seen => exact,
            Within bounded when bounded.NotAfter < seen => bounded,
            _ => new At(seen, "was ready", $"a StingOps run saw {name} ready at {Clock(seen)}"),
        };
    }

    private static DependencyReadyTime FromEngine(ServiceDependency dependency, ContainerDetails container, ProbeSpec probe, int healthLogSize,
        string name, DateTimeOffset started) =>
        dependency.Condition switch
        {
            DependencyCondition.ServiceStarted => new At(started, "started", $"at {Clock(started)}"),
            DependencyCondition.ServiceCompletedSuccessfully => Completion(name, container, started),
            _ => EngineProbes(container) ? FromHealthLog(name, container, started, healthLogSize)
                : probe.Kind == ProbeKind.Running ? new At(started, "started", $"at {Clock(started)}")
                : new Within(started, null, Unrecorded(name, probe)),
        };

    private static DependencyReadyTime Completion(string name, ContainerDetails container, DateTimeOffset started)
    {
        if (container.State is "running" or "restarting" or "paused")
            return new NotYet("completed", $"{name} still runs");
        if (container.ExitCode != 0)
            return new NotYet("completed", $"{name} exited with code {container.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}");
        return container.FinishedAt is { } finished
            ? new At(finished, "completed", $"it exited 0 at {Clock(finished)}")
            : new Within(started, null, $"the engine does not report when {name} completed");
    }

    /// <summary>
    /// The engine's log holds the last few probes of any start, oldest first. All probes of the current start are
    /// in it as long as they are fewer than the log holds; once they fill it, the first pass may have rolled out,
    /// and a pass still in the log only bounds readiness from above. That bound is what keeps a repaired project
    /// from looking early again once its dependencies' logs fill with passes.
    /// </summary>
    private static DependencyReadyTime FromHealthLog(string name, ContainerDetails container, DateTimeOffset started, int healthLogSize)
    {
        var sinceStart = (container.HealthLog ?? [])
            .Where(p => p.Start >= started)
            .OrderBy(p => p.Start).ThenBy(p => p.End)
            .ToList();
        var full = sinceStart.Count >= healthLogSize;
        var firstPass = sinceStart.FirstOrDefault(p => p.ExitCode == 0);
        if (firstPass is not null && !full)
            return new At(firstPass.End, "was ready", $"{name} passed its first health check at {Clock(firstPass.End)}");
        if (firstPass is not null)
            return new Within(started, firstPass.End,
                $"{name}'s first passing health check may have rolled out of the engine's health log, which holds only checks since its start; it was ready by {Clock(firstPass.End)}");
        // A container's health state starts over at each start, so "healthy" means it passed since: only the record is gone.
        if (container.Health == "healthy")
            return container.HealthLog is null
                ? new Within(started, null, $"the engine reports {name} healthy but no health log")
                : new Within(started, full ? sinceStart[0].Start : null, $"{name}'s passing health checks have rolled out of the engine's health log");
        return new NotYet("was ready", $"{name} has not passed a health check since it started at {Clock(started)}");
    }

    /// <summary>The engine runs the container's own healthcheck and logs its results.</summary>
    private static bool EngineProbes(ContainerDetails container) =>
        container.HealthTest is { Count: > 0 } test && test[0] != "NONE";

    private static string Unrecorded(string name, ProbeSpec probe) => probe.Kind switch
    {
        ProbeKind.Docker => $"its container has no healthcheck, so the engine has no record of when {name} became ready",
        // The probe's target is not shown: a URL or command may carry credentials.
        _ => $"its {probe.Kind.ToString().ToLowerInvariant()} probe is not run by the engine, so there is no record of when {name} became ready",
    };

    /// <summary>Time of day in UTC to a tenth of a second: what an operator matches against logs.</summary>
    public static string Clock(DateTimeOffset time) =>
        time.UtcDateTime.ToString("HH:mm:ss.f", CultureInfo.InvariantCulture) + " UTC";
}
