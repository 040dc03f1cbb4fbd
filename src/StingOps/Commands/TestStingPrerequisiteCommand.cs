using System.Management.Automation;
using StingOps.Core.Preflight;
using StingOps.Core.Restart;

namespace StingOps.Commands;

/// <summary>
/// The checks Restart-StingService runs before it touches anything: engine, disk, memory, compose file, restart
/// configuration, env files, dependencies, lock, configuration drift (and the compose CLI with -Recreate).
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "StingPrerequisite")]
[OutputType(typeof(PrerequisiteResult))]
[OutputType(typeof(bool))]
public sealed class TestStingPrerequisiteCommand : StingServiceCmdlet
{
    /// <summary>Free space required in the engine's data directory and the project directory; default: minimum_free_space_gb, else 1.</summary>
    [Parameter]
    [ValidateRange(0, 1_000_000)]
    public double? MinimumFreeSpaceGB { get; set; }

    /// <summary>Include the dependents of the named services, as Restart-StingService -IncludeDependents would.</summary>
    [Parameter]
    public SwitchParameter IncludeDependents { get; set; }

    /// <summary>Check as for Restart-StingService -Recreate (the compose CLI must exist).</summary>
    [Parameter]
    public SwitchParameter Recreate { get; set; }

    /// <summary>Return only $true (no check failed with Error severity) or $false.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void EndProcessing()
    {
        if (Recreate)
            RefuseStack("-Recreate does not apply to a Swarm stack: 'docker stack deploy' applies changed compose files.");
        var environment = EnvironmentSnapshot();
        var trace = EngineTracer();
        var checker = new PrerequisiteChecker(() => trace(EngineConnections.For(environment)), TimeProvider.System, StateDirectory.Resolve(environment), environment);
        var options = new PrerequisiteOptions
        {
            Names = Names,
            IncludeDependents = IncludeDependents,
            Recreate = Recreate,
            MinimumFreeSpaceGB = MinimumFreeSpaceGB,
        };
        var results = IsStack
            ? Await(new SwarmPrerequisites(() => EngineConnections.For(environment), StateDirectory.Resolve(environment)).InspectAsync(OpenProject(), options, Cancellation)).Results
            : Await(checker.CheckAsync(BuildRequest(), options, Cancellation));
        if (Quiet)
        {
            WriteObject(!results.Any(r => r.IsBlocking));
            return;
        }
        foreach (var r in results)
            WriteObject(PreflightMapper.ToResult(r));
    }
}
