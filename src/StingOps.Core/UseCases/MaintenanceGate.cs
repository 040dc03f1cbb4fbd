using StingOps.Core.Common;
using StingOps.Core.Metrics;
using StingOps.Core.Project;

namespace StingOps.Core.UseCases;

/// <summary>A restart waits for its maintenance window, whatever it restarts (a compose project or a Swarm stack).</summary>
public static class MaintenanceGate
{
    /// <summary>The given window ('cron;duration'), else the config's maintenance_window: outside it, refuse before touching anything.</summary>
    public static void EnsureOpen(StingProject project, string? given, TimeProvider time)
    {
        var window = given is { } text ? MaintenanceWindow.Parse(text)
            : project.Options.MaintenanceWindow is { } spec ? MaintenanceWindow.FromSpec(spec) : null;
        if (window is null || window.IsOpen(time, out var next))
            return;
        var opens = next is { } n ? $"; it next opens at {n:yyyy-MM-dd HH:mm zzz}" : "";
        throw new StingException(ErrorIds.OutsideMaintenanceWindow, StingErrorKind.InvalidOperation,
            $"Outside the maintenance window '{window}'{opens}. Nothing was touched.", target: window.ToString());
    }
}
