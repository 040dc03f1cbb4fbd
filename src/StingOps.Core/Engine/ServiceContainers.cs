namespace StingOps.Core.Engine;

public static class ServiceContainers
{
    /// <summary>Picks each service's container: a running one first, then the newest.</summary>
    public static Dictionary<string, ContainerSummary> ByService(IEnumerable<ContainerSummary> containers) =>
        containers
            .GroupBy(c => c.Service, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(c => c.State == "running").ThenByDescending(c => c.Created).First(), StringComparer.Ordinal);
}
