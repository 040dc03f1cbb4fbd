using System.Text.Json.Nodes;
using StingOps.Core.Engine;
using StingOps.Core.Engine.Docker;
using StingOps.Core.Swarm;

namespace StingOps.Core.Tests.Swarm;

public sealed class SwarmModelTests
{
    // Trimmed from an engine 26.1 answer to GET /services?status=true during a forced update.
    private const string ServiceJson = """
    {"ID":"abc123","Version":{"Index":42},
     "Spec":{"Name":"sting_api","Labels":{"com.docker.stack.namespace":"sting","com.docker.stack.image":"stingops-fixture:local"},
       "TaskTemplate":{"ContainerSpec":{"Image":"stingops-fixture:local","Healthcheck":{"Test":["CMD-SHELL","wget -q -O- http://127.0.0.1:18003/health"],"Interval":2000000000},
         "Isolation":"default","SomeFieldOfANewerEngine":{"x":1}},"ForceUpdate":3,"Runtime":"container"},
       "Mode":{"Replicated":{"Replicas":2}},
       "UpdateConfig":{"Parallelism":1,"FailureAction":"pause","Monitor":5000000000,"MaxFailureRatio":0,"Order":"stop-first"}},
     "PreviousSpec":{"Name":"sting_api"},
     "UpdateStatus":{"State":"updating","StartedAt":"2026-12-04T01:02:03.123456789Z","Message":"update in progress"},
     "ServiceStatus":{"RunningTasks":1,"DesiredTasks":2,"CompletedTasks":0}}
    """;

    [Fact]
    public void ToService_ReadsTheFieldsTheRestartJudgesBy()
    {
        var s = DockerSwarm.ToService(JsonNode.Parse(ServiceJson)!.AsObject());

        Assert.Equal(("abc123", "sting_api", "sting", "api"), (s.Id, s.Name, s.Stack, s.ComposeName));
        Assert.Equal(42UL, s.Version);
        Assert.Equal(3UL, s.ForceUpdate);
        Assert.Equal(2, s.Replicas);
        Assert.False(s.IsGlobal);
        Assert.Equal((2L, 1L), (s.DesiredTasks!.Value, s.RunningTasks!.Value));
        Assert.True(s.HasHealthCheck);
        Assert.True(s.HasPreviousSpec);
        Assert.Equal("updating", s.UpdateStatus!.State);
        Assert.Equal(new DateTimeOffset(2026, 12, 4, 1, 2, 3, TimeSpan.Zero), s.UpdateStatus.StartedAt!.Value.AddTicks(-s.UpdateStatus.StartedAt.Value.Ticks % TimeSpan.TicksPerSecond));
        // The spec goes back verbatim: a field this model does not know survives an update.
        Assert.Contains("SomeFieldOfANewerEngine", s.SpecJson);
    }

    [Fact]
    public void ToService_GlobalServiceWithHealthcheckNone_HasNoReplicasAndNoHealthCheck()
    {
        var s = DockerSwarm.ToService(JsonNode.Parse("""
            {"ID":"g1","Version":{"Index":7},"Spec":{"Name":"sting_worker","Labels":{"com.docker.stack.namespace":"sting"},
             "TaskTemplate":{"ContainerSpec":{"Image":"x","Healthcheck":{"Test":["NONE"]}}},"Mode":{"Global":{}}}}
            """)!.AsObject());

        Assert.True(s.IsGlobal);
        Assert.False(s.HasHealthCheck);
        Assert.Null(s.UpdateStatus);
        Assert.Equal(0UL, s.ForceUpdate);
    }

    [Fact]
    public void ToTask_ReadsStateSpecAndError()
    {
        var t = DockerSwarm.ToTask(JsonNode.Parse("""
            {"ID":"t1","ServiceID":"abc123","NodeID":"n2","Slot":2,"Spec":{"ForceUpdate":4},"DesiredState":"shutdown",
             "Status":{"Timestamp":"2026-12-04T01:02:09Z","State":"failed","Message":"started","Err":"task: non-zero exit (1)",
               "ContainerStatus":{"ContainerID":"c9","ExitCode":1}}}
            """)!.AsObject());

        Assert.Equal(("t1", "abc123", "n2", 2L), (t.Id, t.ServiceId, t.NodeId, t.Slot!.Value));
        Assert.Equal(("failed", "shutdown", 4UL), (t.State, t.DesiredState, t.ForceUpdate));
        Assert.Equal("task: non-zero exit (1)", t.Error);
        Assert.Equal(("c9", 1), (t.ContainerId, t.ExitCode!.Value));
        Assert.True(t.HasEnded);
    }

    [Fact]
    public void ToNode_PrefersTheStingOpsLabelAsItsName()
    {
        var n = DockerSwarm.ToNode(JsonNode.Parse("""
            {"ID":"n2abcdefghijklmn","Description":{"Hostname":"host"},"Spec":{"Role":"worker","Availability":"active","Labels":{"stingops.node":"node2"}},
             "Status":{"State":"down"}}
            """)!.AsObject());

        Assert.Equal(("worker", "active", "down"), (n.Role, n.Availability, n.State));
        Assert.False(n.IsReady);
        Assert.Equal("node2", n.DisplayName);
    }

    private static SwarmService Service(string? updateState, long replicas = 2, string? message = null) =>
        new("s1", "st_api", "st", 5, 3, replicas, replicas, null, "img", true,
            updateState is null ? null : new SwarmUpdateStatus(updateState, null, null, message), "{}", true, new Dictionary<string, string>());

    private static SwarmTask Task(long slot, string state, ulong forceUpdate, string desired = "running", string node = "n1", string? error = null) =>
        new($"t{slot}{state}{forceUpdate}", "s1", node, slot, state, desired, forceUpdate, DateTimeOffset.UnixEpoch.AddSeconds(slot), null, error, null, null);

    private static readonly HashSet<string> BothNodes = ["n1", "n2"];

    [Fact]
    public void Judge_UpdateCompletedAndEveryTaskOfTheNewSpecRunning_IsConverged()
    {
        var c = Convergence.Judge(Service("completed"), 3, [Task(1, "running", 3), Task(2, "running", 3, node: "n2"), Task(1, "shutdown", 2, "shutdown")], BothNodes);

        Assert.Equal(ConvergenceState.Converged, c.State);
        Assert.Equal("2/2 running", c.Detail);
    }

    [Fact]
    public void Judge_OldTaskStillRunningOrNewOneWaitingForHealth_IsConverging()
    {
        var c = Convergence.Judge(Service("updating"), 3, [Task(1, "starting", 3), Task(2, "running", 2)], BothNodes);

        Assert.Equal(ConvergenceState.Converging, c.State);
        Assert.Equal(0, c.Running);
        Assert.Equal(1, c.Started);
        Assert.Contains("1 starting (waiting for health)", c.Detail);
    }

    [Fact]
    public void Judge_CompletedButTooFewTasksOfTheNewSpec_IsStillConverging()
    {
        var c = Convergence.Judge(Service("completed"), 3, [Task(1, "running", 3)], BothNodes);

        Assert.Equal(ConvergenceState.Converging, c.State);
    }

    [Fact]
    public void Judge_UpdatePaused_FailsWithSwarmsMessageAndTheLastTaskError()
    {
        var c = Convergence.Judge(Service("paused", message: "update paused due to failure or early termination of task x"), 3,
            [Task(1, "failed", 3, "shutdown", error: "task: non-zero exit (1)")], BothNodes);

        Assert.Equal(ConvergenceState.Failed, c.State);
        Assert.Contains("update paused due to failure", c.Detail);
        Assert.Contains("task 1 failed: task: non-zero exit (1)", c.Detail);
    }

    [Fact]
    public void Judge_RollbackCompleted_IsFailureForTheUpdateAndSuccessForTheRollback()
    {
        var tasks = new[] { Task(1, "running", 2), Task(2, "running", 2) };

        Assert.Equal(ConvergenceState.Failed, Convergence.Judge(Service("rollback_completed"), 3, tasks, BothNodes).State);
        Assert.Equal(ConvergenceState.Converged, Convergence.Judge(Service("rollback_completed"), 2, tasks, BothNodes, rollingBack: true).State);
    }

    [Fact]
    public void Judge_GlobalServiceWhileANodesReplacementIsPrepared_CountsThatNodeAsWanted()
    {
        // What the engine shows mid-update: n2's old task told to shut down, its replacement created with desired state "ready".
        var global = Service("updating") with { Replicas = null, DesiredTasks = 1 };
        var tasks = new[] { Task(1, "running", 3), Task(2, "running", 2, "shutdown", node: "n2"), Task(3, "assigned", 3, "ready", node: "n2") };

        var c = Convergence.Judge(global with { UpdateStatus = new SwarmUpdateStatus("completed", null, null, null) }, 3, tasks, BothNodes);

        Assert.Equal(ConvergenceState.Converging, c.State);
        Assert.Equal(2, c.Desired);
        Assert.Equal(1, c.Running);
    }

    [Fact]
    public void Judge_UnhealthyTaskKilledBySwarm_EndsCompleteAndIsReported()
    {
        var killed = Task(1, "complete", 3, "shutdown") with { Message = "finished", ExitCode = 0 };

        Assert.Equal("task 1 complete: finished (exit 0)", Convergence.LastError([killed, Task(2, "starting", 3)], 3));
    }

    [Fact]
    public void Judge_UpdateStuckOnANodeThatWasLost_IsConvergedOnTheNodesThatAreUp()
    {
        // Swarm's updater waits for ever for the task it was replacing on the lost node; the others run the new spec.
        var global = Service("updating") with { Replicas = null };
        var tasks = new[] { Task(1, "running", 3), Task(2, "running", 3, node: "n2"), Task(3, "running", 2, "shutdown", node: "n3") };

        Assert.Equal(ConvergenceState.Converged, Convergence.Judge(global, 3, tasks, BothNodes).State);
        // Without a lost node, the same counts are still an update in progress.
        Assert.Equal(ConvergenceState.Converging, Convergence.Judge(global, 3, tasks.Take(2).ToList(), BothNodes).State);
    }

    [Fact]
    public void Judge_ReplicaNoNodeCanTake_IsConvergingAndSaysSo()
    {
        var pending = Task(3, "pending", 3, node: "n1") with { NodeId = null };

        var c = Convergence.Judge(Service("updating", replicas: 3), 3, [Task(1, "running", 3), Task(2, "running", 3, node: "n2"), pending], BothNodes);

        Assert.Equal(ConvergenceState.Converging, c.State);
        Assert.Contains("1 pending (no node can take it)", c.Detail);
    }

    [Fact]
    public void Judge_TaskOnANodeThatIsDown_CountsNeitherWay()
    {
        var global = Service("completed") with { Replicas = null, DesiredTasks = 1 };

        var c = Convergence.Judge(global, 3, [Task(1, "running", 3), Task(2, "running", 2, node: "n2")], new HashSet<string> { "n1" });

        Assert.Equal(ConvergenceState.Converged, c.State);
    }
}
