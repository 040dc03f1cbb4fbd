using System.Management.Automation;

namespace StingOps.Commands;

/// <summary>
/// A project cmdlet that acts on services named (with wildcards) as arguments or through the pipeline.
/// Names piped in are collected, so EndProcessing works on ONE request covering all of them.
/// </summary>
public abstract class StingServiceCmdlet : StingCmdlet
{
    private readonly List<string> _names = [];

    /// <remarks>Alias Service: what a plan step, a restart result or a metric names its service by, so they pipe in too
    /// (Restart-StingService | Wait-StingService, Get-StingRestartPlan | Restart-StingService).</remarks>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Service")]
    [ArgumentCompleter(typeof(ServiceNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Every name given so far; empty means the whole project.</summary>
    protected IReadOnlyList<string> Names => _names;

    protected override void ProcessRecord()
    {
        if (Name is not null)
            _names.AddRange(Name);
    }
}
