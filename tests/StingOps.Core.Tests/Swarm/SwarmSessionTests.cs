using Microsoft.Extensions.Time.Testing;
using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Configuration;
using StingOps.Core.Project;
using StingOps.Core.Restart;
using StingOps.Core.UseCases;

namespace StingOps.Core.Tests.Swarm;

public sealed class SwarmSessionTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("stingops-swarm-session-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    /// <summary>The run's events, while fake time moves on (the fake swarm converges on it, the executor polls on it).</summary>
    private async Task<List<ServiceOutcome>> DrainAsync(SessionRun run)
    {
        var outcomes = new List<ServiceOutcome>();
        var drain = Task.Run(async () =>
        {
            await foreach (var e in run.Events.ReadAllAsync())
                if (e is ServiceFinished f)
                    lock (outcomes) outcomes.Add(f.Outcome);
        });
        for (var step = 0; !drain.IsCompleted && step < 20_000; step++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(1);
        }
        await drain;
        return outcomes;
    }

    private (FakeSwarm Swarm, SwarmSession Session) Make()
    {
        var swarm = new FakeSwarm(_time);
        swarm.Add("db");
        swarm.Add("api");
        var compose = new ComposeProject
        {
            Name = "stack", ProjectDirectory = _root, ComposeFiles = [Path.Combine(_root, "compose.yaml")], ActiveProfiles = [],
            Services =
            [
                new ComposeService { Name = "api", DependsOn = [new ServiceDependency("db", DependencyCondition.ServiceStarted)] },
                new ComposeService { Name = "db" },
            ],
        };
        var location = new ProjectLocation { ComposeFiles = compose.ComposeFiles, ProjectDirectory = _root, ProjectName = "stack" };
        var environment = new Dictionary<string, string?> { ["XDG_STATE_HOME"] = Path.Combine(_root, "state"), ["STING_LOG_DIR"] = Path.Combine(_root, "metrics") };
        return (swarm, new SwarmSession(StingProject.Create(location, compose, new RestartOptions()), swarm, environment, _time, s => s));
    }

    [Theory]
    [InlineData(SessionOperation.Stop, false)]
    [InlineData(SessionOperation.Start, false)]
    [InlineData(SessionOperation.Repair, false)]
    [InlineData(SessionOperation.Restart, true)]
    public async Task PrepareAsync_WhatHasNoMeaningOnAStack_IsRefusedBeforeTheManagerIsAsked(SessionOperation operation, bool recreate)
    {
        var (swarm, session) = Make();

        var error = await Assert.ThrowsAsync<StingException>(() => session.PrepareAsync(new RestartSessionRequest { Operation = operation, Recreate = recreate }, default));

        Assert.Equal(ErrorIds.SwarmOperationNotSupported, error.ErrorId);
        Assert.Contains("Nothing was touched", error.Message);
        Assert.Empty(swarm.Updates);
    }

    [Fact]
    public async Task StartAsync_NamedServiceWhoseDependencyHasNotConverged_IsRefusedTouchingNothing()
    {
        var (swarm, session) = Make();
        // db is mid-update: its new task is still starting.
        await swarm.ForceUpdateAsync(swarm.Services()["db"], default);

        var prepared = await session.PrepareAsync(new RestartSessionRequest { Names = ["api"] }, default);
        var run = await session.StartAsync(prepared, default);
        var outcomes = await DrainAsync(run);

        Assert.True(run.Refused);
        var api = Assert.Single(outcomes);
        Assert.Equal((OutcomeStatus.Failed, OutcomeReason.Dependency), (api.Status, api.Reason));
        Assert.Contains("not converged", api.Message);
        Assert.Single(swarm.Updates);
    }

    [Fact]
    public async Task StartAsync_WholeStack_RestartsThroughTheSwarmAndRecordsTheRun()
    {
        var (swarm, session) = Make();

        var prepared = await session.PrepareAsync(new RestartSessionRequest(), default);
        Assert.Null(prepared.Refusal);
        var outcomes = await DrainAsync(await session.StartAsync(prepared, default));

        Assert.Equal(["db", "api"], swarm.Updates.Select(u => u.Service));
        Assert.All(outcomes, o => Assert.Equal(OutcomeStatus.Succeeded, o.Status));
        Assert.Single(Directory.EnumerateFiles(Path.Combine(_root, "metrics"), "restart_metrics.jsonl", SearchOption.AllDirectories));
    }
}
