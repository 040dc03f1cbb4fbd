using Microsoft.Extensions.Time.Testing;
using StingOps.Core.Compose;
using StingOps.Core.Configuration;
using StingOps.Core.Engine;
using StingOps.Core.Preflight;
using StingOps.Core.Project;

namespace StingOps.Core.Tests.Swarm;

public sealed class SwarmPrerequisitesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("stingops-swarm-pre-").FullName;
    private readonly FakeSwarm _swarm = new(new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 2, 0, 0, TimeSpan.Zero)));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private StingProject Project(params ComposeService[] services)
    {
        var compose = new ComposeProject
        {
            Name = "stack", ProjectDirectory = _root, ComposeFiles = [Path.Combine(_root, "compose.yaml")], ActiveProfiles = [], Services = services,
        };
        var location = new ProjectLocation { ComposeFiles = compose.ComposeFiles, ProjectDirectory = _root, ProjectName = "stack" };
        return StingProject.Create(location, compose, new RestartOptions());
    }

    private static ComposeService Service(string name, string? image = "img:1", int? replicas = null) => new()
    {
        Name = name, Image = image, Replicas = replicas, HealthCheck = new HealthCheckSpec { Test = ["CMD", "true"] },
    };

    private Task<SwarmPreflightReport> CheckAsync(StingProject project) =>
        new SwarmPrerequisites(() => _swarm, Path.Combine(_root, "state")).InspectAsync(project, new PrerequisiteOptions(), default);

    [Fact]
    public async Task InspectAsync_HealthyStackThatMatchesTheFiles_PassesEveryCheck()
    {
        _swarm.Add("db");
        _swarm.Add("api");

        var report = await CheckAsync(Project(Service("db"), Service("api")));

        Assert.All(report.Results, r => Assert.True(r.Passed, r.ToString()));
        Assert.Contains(report.Results, r => r.Check == PrerequisiteCheck.SwarmManager);
        Assert.Contains(report.Results, r => r.Check == PrerequisiteCheck.StackServices);
        Assert.Equal(2, report.Stack!.Services.Count);
    }

    [Fact]
    public async Task InspectAsync_WorkerNode_FailsSwarmManagerAndReadsNoStack()
    {
        _swarm.Membership = new SwarmMembership("active", false, "node-2");

        var report = await CheckAsync(Project(Service("db")));

        Assert.Contains(report.Blocking, r => r.Check == PrerequisiteCheck.SwarmManager && r.Message.Contains("worker"));
        Assert.Null(report.Stack);
    }

    [Fact]
    public async Task InspectAsync_ServiceMissingFromTheStack_FailsStackServicesNamingIt()
    {
        _swarm.Add("db");

        var report = await CheckAsync(Project(Service("db"), Service("api")));

        var failed = Assert.Single(report.Blocking);
        Assert.Equal(PrerequisiteCheck.StackServices, failed.Check);
        Assert.Contains("api", failed.Message);
    }

    [Fact]
    public async Task InspectAsync_NodeDownOrDrained_RefusesForDownAndWarnsForDrained()
    {
        _swarm.Add("db");
        _swarm.Nodes.Add(new SwarmNode("node-2", "host", "worker", "active", "down", false, new Dictionary<string, string> { ["stingops.node"] = "node2" }));
        _swarm.Nodes.Add(new SwarmNode("node-3", "host", "worker", "drain", "ready", false, new Dictionary<string, string> { ["stingops.node"] = "node3" }));

        var report = await CheckAsync(Project(Service("db")));

        var nodes = report.Results.Where(r => r.Check == PrerequisiteCheck.SwarmNodes).ToList();
        Assert.Contains(nodes, r => r.IsBlocking && r.Target == "node2" && r.Message.Contains("down"));
        Assert.Contains(nodes, r => !r.Passed && !r.IsBlocking && r.Target == "node3" && r.Message.Contains("drain"));
    }

    [Fact]
    public async Task InspectAsync_DeployedImageReplicasOrHealthcheckNotTheFiles_WarnsOfDrift()
    {
        _swarm.Add("db");
        _swarm.Add("api").Replicas = 1;

        var report = await CheckAsync(Project(Service("db", image: "img:2"), Service("api", replicas: 3)));

        var drift = report.Results.Where(r => r.Check == PrerequisiteCheck.ConfigDrift).ToList();
        Assert.All(drift, r => Assert.False(r.IsBlocking));
        Assert.Contains(drift, r => r.Target == "db" && r.Message.Contains("'img:1' is not the compose file's 'img:2'"));
        Assert.Contains(drift, r => r.Target == "api" && r.Message.Contains("1 replica(s) deployed, the compose file says 3"));
    }
}
