using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using StingOps.Core.Common;
using StingOps.Core.Engine;
using StingOps.Core.Health;

namespace StingOps.Core.Tests.Engine;

/// <summary>How a fake container behaves each time it is started.</summary>
public sealed class FakeBehaviour
{
    /// <summary>Time from start until its probe passes.</summary>
    public TimeSpan StartupDelay { get; set; } = TimeSpan.FromMilliseconds(500);
    public bool NeverHealthy { get; set; }
    /// <summary>How many of the next starts exit at once with code 1.</summary>
    public int CrashingStarts { get; set; }
    /// <summary>The next start exits with code 1 this long after starting, before it is ready.</summary>
    public TimeSpan? CrashAfter { get; set; }
    /// <summary>The stop call returns this long after the container died (the engine cleaning up).</summary>
    public TimeSpan StopCleanup { get; set; }
    /// <summary>
    /// Docker 26: the stop call returns this long before the container's "die" event is stamped and sent. The event
    /// still comes before the container's next "start" event (the engine handles the exit before it starts it again).
    /// </summary>
    public TimeSpan DieEventAfterStopReturns { get; set; }
    /// <summary>The start call returns this long after the engine started the container (its "start" event).</summary>
    public TimeSpan StartCallTakes { get; set; }
    /// <summary>The engine fails every exec in this container (a probe that cannot run).</summary>
    public bool ExecFails { get; set; }
    /// <summary>Exits with this code right after start (a one-shot job).</summary>
    public int? ExitsWith { get; set; }
    /// <summary>Config.Env as KEY=VALUE (secret-bearing in real life).</summary>
    public List<string> Environment { get; set; } = [];
    /// <summary>Config.Image.</summary>
    public string Image { get; set; } = "fake:latest";
    /// <summary>restart: unless-stopped: the daemon starts it again when it comes back, unless we stopped it.</summary>
    public bool RestartUnlessStopped { get; set; }
    /// <summary>Config.Labels (the list answer carries them too).</summary>
    public Dictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Config.Cmd.</summary>
    public List<string>? Command { get; set; }
    /// <summary>Answers execs run with options (lifecycle hooks): exit code and output; unset: exit 0, no output.</summary>
    public Func<IReadOnlyList<string>, ExecOptions, ExecResult>? Hook { get; set; }
    /// <summary>State.Health.Log as inspect reports it; unset: none.</summary>
    public List<HealthProbe>? HealthLog { get; set; }
    /// <summary>Runs the probe's poll loop (<see cref="InContainerPoll"/>) as the container's shell would: a test
    /// every 100 ms of fake time until it passes or the loop's iterations run out. Unset: every exec answers at once.</summary>
    public bool PollsInside { get; set; }
}

/// <summary>How one event subscription behaves: fails to subscribe, or ends/breaks after a number of events.</summary>
public enum EventStreamEnd { SubscribeFails, Ends, Breaks }

public sealed record EventStreamScript(EventStreamEnd End, int AfterEvents = 0);

/// <summary>
/// An in-memory engine whose clock is a FakeTimeProvider: containers become ready after their start-up
/// delay in fake time. Records every lifecycle operation so tests can judge order and timing.
/// </summary>
public sealed class FakeEngine(TimeProvider time) : IContainerEngine, IContainerSnapshots
{
    private readonly ConcurrentDictionary<string, FakeContainer> _containers = new();
    private readonly Channel<EngineEvent> _events = Channel.CreateUnbounded<EngineEvent>();

    public ConcurrentQueue<(DateTimeOffset Time, string Operation, string Service)> Log { get; } = new();
    public string Endpoint => "fake://engine";
    public bool Unreachable { get; set; }

    /// <summary>Scripts for the next event subscriptions, one per subscribe; none left: a subscription that works.</summary>
    public ConcurrentQueue<EventStreamScript> EventScripts { get; } = new();
    public int Subscriptions => Volatile.Read(ref _subscriptions);
    private int _subscriptions;
    private readonly object _outageGate = new();
    private DateTimeOffset? _downUntil;
    private CancellationTokenSource _streamsBreak = new();
    private List<FakeContainer> _killedByOutage = [];

    /// <summary>
    /// The daemon stops now for <paramref name="duration"/> of fake time: it stops every running container,
    /// every call and subscription fails with StingEngineUnavailable, open event streams break; when it is back,
    /// containers with RestartUnlessStopped that it stopped (not we) run again.
    /// </summary>
    public void BeginOutage(TimeSpan duration)
    {
        lock (_outageGate)
        {
            var now = time.GetUtcNow();
            _downUntil = now + duration;
            Log.Enqueue((now, "outage", ""));
            foreach (var c in _containers.Values.Where(c => c.State == "running"))
            {
                c.State = "exited";
                c.ExitCode = 143;
                _killedByOutage.Add(c);
            }
            _streamsBreak.Cancel();
            _streamsBreak = new CancellationTokenSource();
        }
    }

    private void ThrowIfDown()
    {
        lock (_outageGate)
        {
            if (_downUntil is not { } until)
                return;
            var now = time.GetUtcNow();
            if (now < until)
                throw new StingException(ErrorIds.EngineUnavailable, StingErrorKind.ConnectionError, "Cannot reach the Docker engine at fake://engine (no socket at /fake.sock)");
            _downUntil = null;
            Log.Enqueue((now, "back", ""));
            foreach (var c in _killedByOutage.Where(c => c.Behaviour.RestartUnlessStopped))
            {
                c.State = "running";
                c.StartedAt = now;
                Log.Enqueue((now, "revived", c.Service));
            }
            _killedByOutage = [];
        }
    }

    public Task<IEngineEventSubscription> SubscribeEventsAsync(string project, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _subscriptions);
        ThrowIfDown();
        EventScripts.TryDequeue(out var script);
        if (script?.End == EventStreamEnd.SubscribeFails)
            throw new StingException(ErrorIds.EngineOperationFailed, StingErrorKind.InvalidOperation, "The Docker engine at fake://engine could not subscribe to events: fake 500 (HTTP 500).");
        CancellationToken breaks;
        lock (_outageGate)
            breaks = _streamsBreak.Token;
        return Task.FromResult<IEngineEventSubscription>(new ChannelEventSubscription(token => ProduceAsync(script, breaks, token), time.GetUtcNow()));
    }

    private async IAsyncEnumerable<EngineEvent> ProduceAsync(EventStreamScript? script, CancellationToken breaks, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(breaks, cancellationToken);
        for (var delivered = 0; ; delivered++)
        {
            if (script is not null && delivered >= script.AfterEvents)
            {
                if (script.End == EventStreamEnd.Breaks)
                    throw new StingException(ErrorIds.EngineUnavailable, StingErrorKind.ConnectionError, "The event stream from the Docker engine at fake://engine broke (connection reset).");
                yield break;
            }
            EngineEvent e;
            try
            {
                e = await _events.Reader.ReadAsync(either.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new StingException(ErrorIds.EngineUnavailable, StingErrorKind.ConnectionError, "The Docker engine at fake://engine closed the event stream (did it stop or restart?).");
            }
            yield return e;
        }
    }

    public FakeBehaviour Add(string service, string project = "proj")
    {
        var c = new FakeContainer(service, project);
        _containers[c.Id] = c;
        return c.Behaviour;
    }

    public string IdOf(string service) => _containers.Values.Single(c => c.Service == service).Id;

    /// <summary>The containers of a service, e.g. to prove a rollback left exactly one.</summary>
    public IReadOnlyList<(string Id, string Name, string State, FakeBehaviour Behaviour)> ContainersOf(string service) =>
        _containers.Values.Where(c => c.Service == service).Select(c => (c.Id, c.Name, c.State, c.Behaviour)).ToList();

    /// <summary>A new container of a service, as compose would create it (state created until started).</summary>
    public string Create(string service, FakeBehaviour behaviour, string? name = null, string project = "proj")
    {
        var c = new FakeContainer(service, project, behaviour) { State = "created", StartedAt = null, Created = time.GetUtcNow() };
        if (name is not null)
            c.Name = name;
        _containers[c.Id] = c;
        Log.Enqueue((time.GetUtcNow(), "create", service));
        return c.Id;
    }

    public Task RenameAsync(string containerId, string newName, CancellationToken cancellationToken)
    {
        var c = _containers[containerId];
        Log.Enqueue((time.GetUtcNow(), "rename", c.Service));
        c.Name = newName;
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string containerId, bool force, CancellationToken cancellationToken)
    {
        if (_containers.TryRemove(containerId, out var c))
            Log.Enqueue((time.GetUtcNow(), "remove", c.Service));
        return Task.CompletedTask;
    }

    public Task<string?> GetInspectJsonAsync(string containerId, CancellationToken cancellationToken) =>
        Task.FromResult(_containers.TryGetValue(containerId, out var c)
            ? System.Text.Json.JsonSerializer.Serialize(new FakeInspect(c.Id, "/" + c.Name, c.Service, c.Project, c.Behaviour.Image, c.Behaviour.Environment, c.Behaviour.NeverHealthy,
                c.Behaviour.Labels, c.Behaviour.Command))
            : null);

    public Task<string> CreateFromSnapshotAsync(string inspectJson, string name, CancellationToken cancellationToken)
    {
        var saved = System.Text.Json.JsonSerializer.Deserialize<FakeInspect>(inspectJson)!;
        if (_containers.Values.Any(c => c.Name == name))
            throw new StingException(ErrorIds.EngineOperationFailed, StingErrorKind.InvalidOperation, $"name '{name}' is in use");
        Log.Enqueue((time.GetUtcNow(), "restore", saved.Service));
        return Task.FromResult(Create(saved.Service, new FakeBehaviour { Image = saved.Image, Environment = saved.Env.ToList(), NeverHealthy = saved.NeverHealthy, StartupDelay = TimeSpan.FromMilliseconds(500),
            Labels = new(saved.Labels, StringComparer.Ordinal), Command = saved.Command?.ToList() }, name, saved.Project));
    }

    private sealed record FakeInspect(string Id, string Name, string Service, string Project, string Image, IReadOnlyList<string> Env, bool NeverHealthy,
        IReadOnlyDictionary<string, string> Labels, IReadOnlyList<string>? Command);

    public IEnumerable<(DateTimeOffset Time, string Operation)> OpsOf(string service) =>
        Log.Where(l => l.Service == service).Select(l => (l.Time, l.Operation));

    public DateTimeOffset TimeOf(string service, string operation) =>
        Log.Where(l => l.Service == service && l.Operation == operation).Select(l => l.Time).DefaultIfEmpty(DateTimeOffset.MaxValue).Last();

    public Task<EngineInfo> GetInfoAsync(CancellationToken cancellationToken) => Unreachable
        ? throw new StingException(ErrorIds.EngineUnavailable, StingErrorKind.ConnectionError, "fake engine unreachable")
        : Task.FromResult(new EngineInfo(Endpoint, "20.10.24", "1.41", "/var/lib/docker", 8L << 30, "Fake"));

    /// <summary>How often the project's containers were listed: a use case that looks once must not look twice.</summary>
    public int ListCalls => _listCalls;
    private int _listCalls;

    public Task<IReadOnlyList<ContainerSummary>> ListProjectContainersAsync(string project, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _listCalls);
        return Down() ?? Task.FromResult<IReadOnlyList<ContainerSummary>>(_containers.Values.Where(c => c.Project == project).Select(c => c.Summary()).ToList());
    }

    public Task<ContainerDetails?> InspectAsync(string containerId, CancellationToken cancellationToken) =>
        Down<ContainerDetails?>() ?? Task.FromResult(_containers.TryGetValue(containerId, out var c) ? c.Details(time.GetUtcNow()) : null);

    /// <summary>The daemon goes away for this long at the first stop call (the run's first lifecycle call), which then fails.</summary>
    public TimeSpan? OutageAtFirstStop { get; set; }

    /// <summary>Called with the service's name the moment its stop is asked for, before the container is touched.</summary>
    public Action<string>? OnStop { get; set; }

    public async Task StopAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        OnStop?.Invoke(_containers[containerId].Service);
        lock (_outageGate)
        {
            if (OutageAtFirstStop is { } outage)
            {
                OutageAtFirstStop = null;
                BeginOutage(outage);
            }
        }
        ThrowIfDown();
        var c = _containers[containerId];
        Log.Enqueue((time.GetUtcNow(), "stop", c.Service));
        c.State = "exited";
        c.ExitCode = 0;
        if (c.Behaviour.StopCleanup > TimeSpan.Zero)
        {
            _events.Writer.TryWrite(new EngineEvent(c.Id, c.Service, "die", time.GetUtcNow(), 0));
            await Task.Delay(c.Behaviour.StopCleanup, time, cancellationToken);
            Log.Enqueue((time.GetUtcNow(), "stopped", c.Service));
        }
        else if (c.Behaviour.DieEventAfterStopReturns > TimeSpan.Zero)
        {
            var lag = c.Behaviour.DieEventAfterStopReturns;
            lock (c)
                c.PendingDie = time.GetUtcNow() + lag;
            lock (_faults)
                _faults.Add(time.CreateTimer(_ => SendPendingDie(c), null, lag, Timeout.InfiniteTimeSpan));
        }
    }

    private void SendPendingDie(FakeContainer c)
    {
        lock (c)
        {
            if (c.PendingDie is { } at)
                _events.Writer.TryWrite(new EngineEvent(c.Id, c.Service, "die", at, 0));
            c.PendingDie = null;
        }
    }

    private readonly List<ITimer> _faults = [];

    /// <summary>
    /// <c>docker kill</c> of a service's container <paramref name="after"/> from now in fake time (exit 137). With
    /// <paramref name="revivedAfter"/> it is a crash its restart policy revives: "restarting" for that long, then running anew.
    /// </summary>
    public void KillAfter(string service, TimeSpan after, TimeSpan? revivedAfter = null)
    {
        var c = _containers.Values.Single(x => x.Service == service);
        lock (_faults)
            _faults.Add(time.CreateTimer(_ =>
            {
                var now = time.GetUtcNow();
                Log.Enqueue((now, "kill", service));
                c.State = revivedAfter is null ? "exited" : "restarting";
                c.ExitCode = 137;
                _events.Writer.TryWrite(new EngineEvent(c.Id, c.Service, "die", now, 137));
                if (revivedAfter is { } delay)
                    lock (_faults)
                        _faults.Add(time.CreateTimer(_ =>
                        {
                            var back = time.GetUtcNow();
                            Log.Enqueue((back, "revived", service));
                            c.State = "running";
                            c.StartedAt = back;
                            _events.Writer.TryWrite(new EngineEvent(c.Id, c.Service, "start", back, null));
                        }, null, delay, Timeout.InfiniteTimeSpan));
            }, null, after, Timeout.InfiniteTimeSpan));
    }

    public async Task StartAsync(string containerId, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        var c = _containers[containerId];
        // Its last stop's death first, as the engine handles an exit before it starts the container again.
        SendPendingDie(c);
        var now = time.GetUtcNow();
        Log.Enqueue((now, "start", c.Service));
        c.StartedAt = now;
        _events.Writer.TryWrite(new EngineEvent(c.Id, c.Service, "start", now, null));
        if (c.Behaviour.CrashingStarts > 0)
        {
            c.Behaviour.CrashingStarts--;
            c.State = "exited";
            c.ExitCode = 1;
            _events.Writer.TryWrite(new EngineEvent(c.Id, c.Service, "die", now, 1));
        }
        else if (c.Behaviour.ExitsWith is { } code)
        {
            c.State = "exited";
            c.ExitCode = code;
        }
        else
        {
            c.State = "running";
        }
        if (c.Behaviour.StartCallTakes > TimeSpan.Zero)
            await Task.Delay(c.Behaviour.StartCallTakes, time, cancellationToken);
    }

    public Task<ExecResult> ExecAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, ExecOptions? options, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        var c = _containers[containerId];
        if (options is not null)
        {
            // A hook: logged with what it ran, so tests can tell where it ran among stops and starts.
            Log.Enqueue((time.GetUtcNow(), "hook " + string.Join(' ', command), c.Service));
            if (c.State != "running")
                return Task.FromResult(new ExecResult(ExecResult.NotRunningExitCode, $"container {containerId} is not running") { ContainerNotRunning = true });
            return Task.FromResult(c.Behaviour.Hook?.Invoke(command, options) ?? new ExecResult(0, ""));
        }
        if (c.Behaviour.ExecFails)
            throw new StingException(ErrorIds.EngineUnavailable, StingErrorKind.OperationTimeout, "fake engine: exec timed out");
        if (c.Behaviour.PollsInside && command.Count > 3 && command[3] == "stingops-poll")
            return PollAsync(c, command[2], cancellationToken);
        var ready = c.IsReady(time.GetUtcNow());
        return Task.FromResult(new ExecResult(ready ? 0 : 1, ready ? "ok" : "connection refused (fake-secret-value)"));
    }

    private async Task<ExecResult> PollAsync(FakeContainer c, string script, CancellationToken cancellationToken)
    {
        var iterations = int.Parse(System.Text.RegularExpressions.Regex.Match(script, @"-ge (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Log.Enqueue((time.GetUtcNow(), "poll", c.Service));
        for (var run = 1; ; run++)
        {
            if (c.IsReady(time.GetUtcNow()))
                return new ExecResult(0, $"{InContainerPoll.Marker}\n{InContainerPoll.RunsMarker} {run}\nok");
            if (run >= iterations || c.State != "running")
                return new ExecResult(1, $"{InContainerPoll.Marker}\n{InContainerPoll.RunsMarker} {run}\nconnection refused");
            await Task.Delay(InContainerPoll.Pause, time, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<string> GetLogTailAsync(string containerId, int lines, CancellationToken cancellationToken) =>
        Task.FromResult($"{_containers[containerId].Service}: starting\nDB_PASSWORD=fake-secret-value\n");

    private Task<T>? Down<T>()
    {
        try
        {
            ThrowIfDown();
            return null;
        }
        catch (StingException e)
        {
            return Task.FromException<T>(e);
        }
    }

    private Task<IReadOnlyList<ContainerSummary>>? Down() => Down<IReadOnlyList<ContainerSummary>>();

    public void Dispose() { }

    private sealed class FakeContainer(string service, string project, FakeBehaviour? behaviour = null)
    {
        public string Id { get; } = Guid.NewGuid().ToString("N");
        public string Service { get; } = service;
        public string Project { get; } = project;
        public FakeBehaviour Behaviour { get; } = behaviour ?? new();
        public string Name { get; set; } = $"{project}-{service}-1";
        public DateTimeOffset Created { get; set; } = DateTimeOffset.UnixEpoch;
        public string State { get; set; } = "running";
        public int ExitCode { get; set; }
        public DateTimeOffset? StartedAt { get; set; } = DateTimeOffset.MinValue;
        /// <summary>When the last stop's "die" event is stamped, while it is not sent yet (DieEventAfterStopReturns).</summary>
        public DateTimeOffset? PendingDie { get; set; }

        public bool IsReady(DateTimeOffset now) =>
            State == "running" && Behaviour.CrashAfter is null && !Behaviour.NeverHealthy && StartedAt is { } s && now - s >= Behaviour.StartupDelay;

        public ContainerSummary Summary() =>
            new(Id, Name, Project, Service, State, null, Behaviour.Image, Created, Behaviour.Labels) { ExitCode = State == "exited" ? ExitCode : null };

        public ContainerDetails Details(DateTimeOffset now)
        {
            if (Behaviour.CrashAfter is { } after && State == "running" && StartedAt is { } s && now - s >= after)
            {
                Behaviour.CrashAfter = null;
                State = "exited";
                ExitCode = 1;
            }
            return new(Id, Name, Service, State, IsReady(now) ? "healthy" : "starting", null, ExitCode, StartedAt, null, 0,
                Behaviour.Image, "sha256:fake", Behaviour.Environment, Behaviour.Labels, ["CMD", "true"], Behaviour.Command, HealthLog: Behaviour.HealthLog);
        }
    }
}
