using Microsoft.Extensions.Time.Testing;
using StingOps.Core.Common;
using StingOps.Core.Engine;

namespace StingOps.Core.Tests.Swarm;

/// <summary>How one fake swarm service answers a forced update.</summary>
public sealed class FakeSwarmBehaviour
{
    /// <summary>From the update to every new task running (healthy).</summary>
    public TimeSpan ConvergeAfter { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>From a rollback asked for to the old tasks running again; null: <see cref="ConvergeAfter"/>.</summary>
    public TimeSpan? RollbackAfter { get; set; }
    /// <summary>The new tasks never get healthy: they fail after <see cref="FailAfter"/>, and Swarm acts by <see cref="FailureAction"/>.</summary>
    public bool NeverHealthy { get; set; }
    public TimeSpan FailAfter { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>pause (Swarm's default) or rollback.</summary>
    public string FailureAction { get; set; } = "pause";
    public long? Replicas { get; set; } = 1;
}

/// <summary>
/// A manager node whose services move through Swarm's update states on fake time: a forced update replaces the
/// tasks (new ones starting, then running after ConvergeAfter), a broken one fails and pauses or rolls back.
/// Records when each update and rollback was asked for.
/// </summary>
public sealed class FakeSwarm(FakeTimeProvider time) : ISwarmEngine
{
    private readonly object _gate = new();
    private readonly Dictionary<string, State> _services = new(StringComparer.Ordinal);

    public List<(string Service, DateTimeOffset At)> Updates { get; } = [];
    public List<(string Service, DateTimeOffset At)> Rollbacks { get; } = [];
    public List<SwarmNode> Nodes { get; } = [new("node-1", "host", "manager", "active", "ready", true, new Dictionary<string, string>())];

    public string Endpoint => "unix:///fake/swarm.sock";

    public FakeSwarmBehaviour Add(string composeName)
    {
        var behaviour = new FakeSwarmBehaviour();
        lock (_gate)
            _services[composeName] = new State(composeName, behaviour);
        return behaviour;
    }

    public IReadOnlyDictionary<string, SwarmService> Services()
    {
        lock (_gate)
            return _services.Values.ToDictionary(s => s.Name, s => s.Snapshot(time.GetUtcNow()), StringComparer.Ordinal);
    }

    public SwarmMembership Membership { get; set; } = new("active", true, "node-1");

    public Task<SwarmMembership> GetSwarmMembershipAsync(CancellationToken cancellationToken) => Task.FromResult(Membership);

    public Task<IReadOnlyList<SwarmNode>> ListNodesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<SwarmNode>>(Nodes.ToList());

    public Task<IReadOnlyList<SwarmService>> ListStackServicesAsync(string stack, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SwarmService>>(Services().Values.ToList());

    public Task<SwarmService?> InspectServiceAsync(string serviceId, CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult(Find(serviceId)?.Snapshot(time.GetUtcNow()));
    }

    public Task<IReadOnlyList<SwarmTask>> ListTasksAsync(string serviceId, CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<SwarmTask>>(Find(serviceId)?.Tasks(time.GetUtcNow()) ?? []);
    }

    public Task<ulong> ForceUpdateAsync(SwarmService service, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var state = Find(service.Id)!;
            state.CheckVersion(service.Version);
            Updates.Add((state.Name, time.GetUtcNow()));
            return Task.FromResult(state.Update(time.GetUtcNow(), state.ForceUpdate + 1, rollback: false));
        }
    }

    public Task RollbackAsync(SwarmService service, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var state = Find(service.Id)!;
            state.CheckVersion(service.Version);
            Rollbacks.Add((state.Name, time.GetUtcNow()));
            state.Update(time.GetUtcNow(), state.ForceUpdate - 1, rollback: true);
            return Task.CompletedTask;
        }
    }

    private State? Find(string id) => _services.Values.FirstOrDefault(s => s.Id == id);

    private sealed class State(string name, FakeSwarmBehaviour behaviour)
    {
        public string Name { get; } = name;
        public string Id { get; } = "svc-" + name;
        public ulong ForceUpdate { get; private set; }
        private ulong _version = 10;
        private DateTimeOffset? _since;
        private bool _rollingBack;

        public void CheckVersion(ulong version)
        {
            if (version != _version)
                throw new StingException(ErrorIds.EngineOperationFailed, StingErrorKind.InvalidOperation, "update out of sequence");
        }

        public ulong Update(DateTimeOffset now, ulong forceUpdate, bool rollback)
        {
            ForceUpdate = forceUpdate;
            _version++;
            _since = now;
            _rollingBack = rollback;
            return forceUpdate;
        }

        /// <summary>A broken spec is the one after the original (ForceUpdate 1): a rollback returns to a healthy one.</summary>
        private bool Broken => behaviour.NeverHealthy && !_rollingBack;

        private string? UpdateState(DateTimeOffset now)
        {
            if (_since is not { } since)
                return null;
            if (Broken)
                return now - since < behaviour.FailAfter ? "updating"
                    : behaviour.FailureAction == "rollback" ? (now - since < behaviour.FailAfter + behaviour.ConvergeAfter ? "rollback_started" : "rollback_completed")
                    : "paused";
            if (_rollingBack)
                return now - since < (behaviour.RollbackAfter ?? behaviour.ConvergeAfter) ? "rollback_started" : "rollback_completed";
            return now - since < behaviour.ConvergeAfter ? "updating" : "completed";
        }

        /// <summary>The spec the live tasks run: Swarm's own rollback (failure_action) goes back to the one before.</summary>
        private ulong LiveSpec(DateTimeOffset now) => UpdateState(now) is "rollback_started" or "rollback_completed" && Broken ? ForceUpdate - 1 : ForceUpdate;

        public SwarmService Snapshot(DateTimeOffset now)
        {
            var state = UpdateState(now);
            var live = LiveSpec(now);
            return new SwarmService(Id, "stack_" + Name, "stack", _version, live, behaviour.Replicas, behaviour.Replicas ?? 1, Tasks(now).Count(t => t.IsRunning),
                "img:1", true, state is null ? null : new SwarmUpdateStatus(state, _since, null, state == "paused" ? $"update paused due to failure or early termination of task {Name}.1" : null),
                "{\"TaskTemplate\":{}}", _since is not null, new Dictionary<string, string>());
        }

        public List<SwarmTask> Tasks(DateTimeOffset now)
        {
            var replicas = behaviour.Replicas ?? 1;
            var list = new List<SwarmTask>();
            var state = UpdateState(now);
            var live = LiveSpec(now);
            for (var slot = 1; slot <= replicas; slot++)
            {
                if (_since is null)
                {
                    list.Add(Task(slot, "running", "running", ForceUpdate, now));
                    continue;
                }
                list.Add(Task(slot, "shutdown", "shutdown", live - 1 == ulong.MaxValue ? 0 : live - 1, _since.Value));
                var healthy = state is "completed" or "rollback_completed";
                if (Broken && state is "paused")
                    list.Add(Task(slot, "failed", "shutdown", live, _since.Value + behaviour.FailAfter, "task: non-zero exit (1): dockerexec: unhealthy container"));
                else
                    list.Add(Task(slot, healthy ? "running" : "starting", "running", live, _since.Value));
            }
            return list;
        }

        private SwarmTask Task(long slot, string state, string desired, ulong forceUpdate, DateTimeOffset at, string? error = null) =>
            new($"{Id}.{slot}.{forceUpdate}.{state}", Id, "node-1", slot, state, desired, forceUpdate, at, state, error, "c-" + slot, null);
    }
}
