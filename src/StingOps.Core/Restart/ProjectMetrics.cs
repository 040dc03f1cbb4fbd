using StingOps.Core.Metrics;
using StingOps.Core.Project;

namespace StingOps.Core.Restart;

public static class ProjectMetrics
{
    /// <summary>Where a project's runs record their metrics (docs/configuration.md, "Files the module writes").</summary>
    public static string Directory(StingProject project, IReadOnlyDictionary<string, string?> environment) =>
        MetricStore.ResolveDirectory(project.Options.MetricsDirectory, project.Location.ProjectDirectory, k => environment.GetValueOrDefault(k), project.Name);
}
