using System.Diagnostics;
using System.Text;

namespace StingOps.Core.Tests.Compose;

[CollectionDefinition(nameof(TimingSensitive), DisableParallelization = true)]
public sealed class TimingSensitive;

/// <summary>
/// A generated 2,000-service project loads, and fast. The budget (parse and plan in under a second) is measured by
/// the benchmarks; this bound is loose so a busy test machine does not fail it, but quadratic work would.
/// </summary>
[Collection(nameof(TimingSensitive))]
public class ScaleTests
{
    private static string Generate(int count)
    {
        var yaml = new StringBuilder();
        yaml.Append("x-base: &base\n  restart: unless-stopped\n  logging: {driver: json-file, options: {max-size: 10m}}\n");
        yaml.Append("  healthcheck: {interval: 10s, timeout: 5s, retries: 3}\nservices:\n");
        for (var i = 0; i < count; i++)
        {
            yaml.Append($"  svc-{i:D4}:\n    <<: *base\n    image: registry.local/app-{i % 17}:${{TAG:-latest}}\n");
            yaml.Append("    environment:\n");
            for (var k = 0; k < 8; k++) yaml.Append($"      KEY_{k}: value-{i}-{k}\n");
            yaml.Append($"    ports: [\"{10000 + i}:80\"]\n    volumes: [\"data-{i}:/data\"]\n");
            if (i > 0)
            {
                yaml.Append("    depends_on:\n");
                for (var d = 1; d <= Math.Min(3, i); d++) yaml.Append($"      svc-{i - d:D4}: {{condition: service_healthy}}\n");
            }
            yaml.Append("    healthcheck:\n      test: [\"CMD\", \"true\"]\n");
        }
        return yaml.ToString();
    }

    [Fact]
    public void Two_thousand_services_load_quickly()
    {
        using var p = new TempProject();
        p.Write("compose.yaml", Generate(2000));
        p.Load(); // warm-up: JIT

        var clock = Stopwatch.StartNew();
        var project = p.Load();
        clock.Stop();

        Assert.Equal(2000, project.Services.Count);
        Assert.Equal(3, project.Find("svc-1999")!.DependsOn.Count);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
    }
}
