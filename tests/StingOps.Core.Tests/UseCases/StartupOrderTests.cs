using Microsoft.Extensions.Time.Testing;
using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Configuration;
using StingOps.Core.Engine;
using StingOps.Core.Graph;
using StingOps.Core.Restart;
using StingOps.Core.Tests.Engine;
using StingOps.Core.UseCases;

namespace StingOps.Core.Tests.UseCases;

public sealed class StartupOrderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly string[] Check = ["CMD-SHELL", "true"];

    private static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    private static ServiceDependency Healthy(string service) => new(service, DependencyCondition.ServiceHealthy);
    private static ServiceDependency Started(string service) => new(service, DependencyCondition.ServiceStarted);
    private static ServiceDependency Completed(string service) => new(service, DependencyCondition.ServiceCompletedSuccessfully);

    private static ComposeService Svc(string name, params ServiceDependency[] dependencies) => new() { Name = name, DependsOn = dependencies };

    /// <summary>A service with a compose healthcheck.</summary>
    private static ComposeService Checked(string name, params ServiceDependency[] dependencies) =>
        new() { Name = name, DependsOn = dependencies, HealthCheck = new HealthCheckSpec { Test = Check } };

    private static ServiceGraph Graph(params ComposeService[] services) => ServiceGraph.Build(new ComposeProject
    {
        Name = "p", ProjectDirectory = "/p", ComposeFiles = [], ActiveProfiles = [], Services = services,
    }, RestartOptions.Defaults);

    /// <summary>Running since T0 + <paramref name="startedAt"/> seconds, without a healthcheck.</summary>
    private static ContainerDetails Running(string service, double startedAt) => new(
        "id-" + service, $"p-{service}-1", service, "running", null, null, null, At(startedAt), null, 0,
        "img:1", "sha256:1", [], new Dictionary<string, string>(), null);

    /// <summary>Running with a healthcheck the engine probes; its log as (start second, exit code), each probe 0.1 s long.</summary>
    private static ContainerDetails Probed(string service, double startedAt, string health, params (double Start, int ExitCode)[] log) =>
        Running(service, startedAt) with
        {
            Health = health,
            HealthTest = Check,
            HealthLog = log.Select(p => new HealthProbe(At(p.Start), At(p.Start + 0.1), p.ExitCode)).ToList(),
        };

    private static ContainerDetails Exited(string service, int code, double startedAt = -60, double finishedAt = -30) =>
        Running(service, startedAt) with { State = "exited", ExitCode = code, FinishedAt = At(finishedAt) };

    private static Dictionary<string, ContainerDetails> Containers(params ContainerDetails[] containers) =>
        containers.ToDictionary(c => c.Service, StringComparer.Ordinal);

    private static IReadOnlyDictionary<string, StepChoice> Judge(ServiceGraph graph, Dictionary<string, ContainerDetails> containers,
        string[]? scope = null, JournaledRun? interrupted = null, Dictionary<string, ProbeSpec>? configuredProbes = null) =>
        StartupOrder.Judge(graph, scope ?? [], containers,
            s => configuredProbes?.GetValueOrDefault(s) ?? RestartPlan.EffectiveProbe(graph[s].Service, ServiceRestartOptions.Empty),
            interrupted);

    private static void AssertChoice(IReadOnlyDictionary<string, StepChoice> choices, string service, StepAction action, string? whyContains = null)
    {
        Assert.True(choices.TryGetValue(service, out var choice), $"no choice for {service}; choices: {string.Join(", ", choices.Keys)}");
        Assert.True(action == choice.Action, $"{service}: expected {action}, got {choice.Action} ({choice.Why})");
        if (whyContains is not null)
            Assert.Contains(whyContains, choice.Why ?? "");
    }

    // --- order after a reboot, and idempotence ---

    [Fact]
    public void A_dependent_StingOps_started_right_after_its_own_probe_saw_the_dependency_ready_is_in_order()
    {
        // The engine's first healthcheck of db since its start passes only at 2.0 s, but the run saw db ready at 1.2 s
        // (its own probe) and started app at 1.3 s: in order, and a second repair must keep it.
        var graph = Graph(Checked("db"), Svc("app", Healthy("db")));
        var containers = Containers(Probed("db", 0.0, "healthy", (2.0, 0)), Running("app", 1.3));
        var seen = new Dictionary<string, ObservedReadiness> { ["db"] = new("db", "id-db", At(1.2)) };
        var probes = (string s) => RestartPlan.EffectiveProbe(graph[s].Service, ServiceRestartOptions.Empty);

        AssertChoice(StartupOrder.Judge(graph, [], containers, probes, null, seen), "app", StepAction.Keep);
        // Without the record, or with one of another container or an earlier start, the engine's log judges: early.
        AssertChoice(StartupOrder.Judge(graph, [], containers, probes, null), "app", StepAction.Restart, "before its dependency db was ready");
        AssertChoice(StartupOrder.Judge(graph, [], containers, probes, null, new Dictionary<string, ObservedReadiness> { ["db"] = new("db", "id-other", At(1.2)) }), "app", StepAction.Restart);
        AssertChoice(StartupOrder.Judge(graph, [], containers, probes, null, new Dictionary<string, ObservedReadiness> { ["db"] = new("db", "id-db", At(-5)) }), "app", StepAction.Restart);
    }

    [Fact]
    public void A_record_later_than_the_engines_first_pass_does_not_move_readiness_later()
    {
        var graph = Graph(Checked("db"), Svc("app", Healthy("db")));
        var containers = Containers(Probed("db", 0.0, "healthy", (1.0, 0)), Running("app", 1.5));
        var seen = new Dictionary<string, ObservedReadiness> { ["db"] = new("db", "id-db", At(3.0)) };

        AssertChoice(StartupOrder.Judge(graph, [], containers, s => RestartPlan.EffectiveProbe(graph[s].Service, ServiceRestartOptions.Empty), null, seen),
            "app", StepAction.Keep);
    }


    [Fact]
    public void After_a_reboot_dependents_that_started_before_their_dependency_was_ready_restart_and_so_do_theirs()
    {
        // The engine started everything within a second; vault passed its first check only at 2.1 s.
        var graph = Graph(Checked("vault"), Checked("app", Healthy("vault")), Svc("web", Started("app")), Svc("worker", Started("web")), Svc("cache"));
        var choices = Judge(graph, Containers(
            // The pass at -300 s is from before the reboot: the engine keeps the log across restarts.
            Probed("vault", 0.0, "healthy", (-300, 0), (1.0, 1), (2.0, 0)),
            Probed("app", 0.3, "healthy", (1.3, 0)),
            Running("web", 0.6),
            Running("worker", 0.9),
            Running("cache", 0.2)));

        Assert.Equal(new StepChoice(StepAction.Keep), choices["vault"]);
        Assert.Equal(new StepChoice(StepAction.Restart, "started 1.8 s before its dependency vault was ready (vault passed its first health check at 10:00:02.1 UTC)"), choices["app"]);
        Assert.Equal(new StepChoice(StepAction.Restart, "its dependency app is restarted"), choices["web"]);
        Assert.Equal(new StepChoice(StepAction.Restart, "its dependency web is restarted"), choices["worker"]);
        AssertChoice(choices, "cache", StepAction.Keep);
        Assert.Equal(["app", "cache", "vault", "web", "worker"], choices.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    // Started after vault started but before the oldest pass still in its full log: the first pass may have rolled out.
    [InlineData(10.0, StepAction.Keep, "in order as far as can be told: started 10.0 s after its dependency vault started; vault's first passing health check may have rolled out")]
    // After the oldest pass in the log ended: in order for certain.
    [InlineData(40.0, StepAction.Keep, null)]
    // Before vault started at all: early, however the log reads.
    [InlineData(-1.0, StepAction.Restart, "started 1.0 s before its dependency vault started (at 10:00:00.0 UTC), so before it was ready")]
    public void A_health_log_full_of_passes_since_the_start_only_bounds_readiness_so_a_repaired_project_stays_kept(double appStartedAt, StepAction expected, string? why)
    {
        var graph = Graph(Checked("vault"), Svc("app", Healthy("vault")));
        var choices = Judge(graph, Containers(
            Probed("vault", 0, "healthy", (30, 0), (60, 0), (90, 0), (120, 0), (150, 0)),
            Running("app", appStartedAt)));

        AssertChoice(choices, "vault", StepAction.Keep);
        AssertChoice(choices, "app", expected, why);
        if (why is null)
            Assert.Null(choices["app"].Why);
    }

    [Fact]
    public void A_health_log_not_yet_full_holds_every_check_since_the_start_so_readiness_is_exact()
    {
        var graph = Graph(Checked("vault"), Svc("app", Healthy("vault")));
        var choices = Judge(graph, Containers(
            Probed("vault", 0, "healthy", (30, 0), (60, 0), (90, 0), (120, 0)),
            Running("app", 10)));

        Assert.Equal("started 20.1 s before its dependency vault was ready (vault passed its first health check at 10:00:30.1 UTC)", choices["app"].Why);
        AssertChoice(choices, "app", StepAction.Restart);
    }

    [Fact]
    public void A_full_health_log_whose_oldest_check_failed_still_only_bounds_readiness()
    {
        // Earlier checks of this start have rolled out; one of them may have passed before this failure.
        var graph = Graph(Checked("vault"), Svc("app", Healthy("vault")));
        var choices = Judge(graph, Containers(
            Probed("vault", 0, "healthy", (30, 1), (60, 0), (90, 0), (120, 0), (150, 0)),
            Running("app", 10)));

        AssertChoice(choices, "app", StepAction.Keep, "it was ready by 10:01:00.1 UTC");
    }

    [Fact]
    public void A_dependency_that_has_not_passed_since_it_started_is_not_ready_so_its_dependent_is_early()
    {
        var graph = Graph(Checked("vault"), Svc("app", Healthy("vault")));
        var choices = Judge(graph, Containers(
            Probed("vault", 0, "starting", (-10, 0), (5, 1)),
            Running("app", 1)));

        // The executor waits for a starting service; it is not restarted for it.
        AssertChoice(choices, "vault", StepAction.Keep);
        Assert.Null(choices["vault"].Why);
        Assert.Equal(new StepChoice(StepAction.Restart, "started before its dependency vault was ready: vault has not passed a health check since it started at 10:00:00.0 UTC"), choices["app"]);
    }

    [Fact]
    public void A_starting_service_whose_dependencies_are_in_order_is_kept()
    {
        var graph = Graph(Svc("db"), Checked("app", Started("db")));
        var choices = Judge(graph, Containers(Running("db", 0), Probed("app", 5, "starting")));

        Assert.Equal(new StepChoice(StepAction.Keep), choices["app"]);
    }

    [Fact]
    public void Service_started_readiness_is_the_dependency_start()
    {
        // db was restarted by hand after app: app now runs on a db that started after it.
        var graph = Graph(Svc("db"), Svc("app", Started("db")));
        var choices = Judge(graph, Containers(Running("db", 50), Running("app", 10)));

        Assert.Equal(new StepChoice(StepAction.Restart, "started 40.0 s before its dependency db started (at 10:00:50.0 UTC)"), choices["app"]);
    }

    [Fact]
    public void A_gap_too_small_to_show_is_said_so()
    {
        var graph = Graph(Svc("db"), Svc("app", Started("db")));
        var choices = Judge(graph, Containers(Running("db", 0), Running("app", -0.01)));

        AssertChoice(choices, "app", StepAction.Restart, "started less than 0.1 s before its dependency db started");
    }

    [Fact]
    public void Every_early_dependency_is_named()
    {
        var graph = Graph(Svc("db"), Svc("vault"), Svc("app", Started("vault"), Started("db")));
        var choices = Judge(graph, Containers(Running("db", 5), Running("vault", 8), Running("app", 1)));

        Assert.Equal("started 4.0 s before its dependency db started (at 10:00:05.0 UTC); it also started too early for vault", choices["app"].Why);
    }

    [Fact]
    public void A_probe_the_engine_does_not_run_bounds_readiness_by_the_dependency_start_and_is_not_shown()
    {
        var graph = Graph(Svc("api"), Svc("web", Healthy("api")));
        var probes = new Dictionary<string, ProbeSpec> { ["api"] = new(ProbeKind.Http, "http://ops:s3cret@api:8080/health") };

        var after = Judge(graph, Containers(Running("api", 0), Running("web", 1)), configuredProbes: probes);
        AssertChoice(after, "web", StepAction.Keep, "in order as far as can be told: started 1.0 s after its dependency api started; its http probe is not run by the engine");
        Assert.DoesNotContain("s3cret", after["web"].Why);

        var before = Judge(graph, Containers(Running("api", 0), Running("web", -1)), configuredProbes: probes);
        Assert.Equal(new StepChoice(StepAction.Restart, "started 1.0 s before its dependency api started (at 10:00:00.0 UTC), so before it was ready"), before["web"]);
    }

    [Fact]
    public void A_running_probe_makes_the_dependency_ready_at_its_start()
    {
        var graph = Graph(Svc("api"), Svc("web", Healthy("api")));

        Assert.Equal(new StepChoice(StepAction.Keep), Judge(graph, Containers(Running("api", 0), Running("web", 1)))["web"]);
        AssertChoice(Judge(graph, Containers(Running("api", 3), Running("web", 1))), "web", StepAction.Restart, "started 2.0 s before its dependency api started");
    }

    // --- state ---

    [Fact]
    public void A_stopped_dependency_is_started_and_its_running_dependents_restart()
    {
        var graph = Graph(Checked("db"), Svc("app", Healthy("db")), Svc("web", Started("app")));
        var choices = Judge(graph, Containers(Exited("db", 137), Running("app", 0), Running("web", 1)));

        Assert.Equal(new StepChoice(StepAction.Start, "not running (exited with code 137)"), choices["db"]);
        Assert.Equal(new StepChoice(StepAction.Restart, "its dependency db is started"), choices["app"]);
        Assert.Equal(new StepChoice(StepAction.Restart, "its dependency app is restarted"), choices["web"]);
    }

    [Fact]
    public void A_stopped_dependent_is_started_whatever_its_cascade()
    {
        var graph = Graph(Svc("db"), Svc("app", Started("db")));

        Assert.Equal(new StepChoice(StepAction.Start, "not running (exited with code 1)"), Judge(graph, Containers(Running("db", 0), Exited("app", 1)))["app"]);
        var created = Running("app", 0) with { State = "created", StartedAt = null };
        var choices = Judge(graph, Containers(Exited("db", 2), created));
        Assert.Equal(new StepChoice(StepAction.Start, "not running (created, never started)"), choices["app"]);
        AssertChoice(choices, "db", StepAction.Start, "exited with code 2");
    }

    [Fact]
    public void A_service_without_a_container_is_started_and_its_dependents_restart()
    {
        var graph = Graph(Svc("db"), Svc("app", Started("db")));
        var choices = Judge(graph, Containers(Running("app", 0)));

        Assert.Equal(new StepChoice(StepAction.Start, "no container"), choices["db"]);
        Assert.Equal(new StepChoice(StepAction.Restart, "its dependency db is started"), choices["app"]);
    }

    [Fact]
    public void An_unhealthy_service_restarts_and_so_do_its_dependents()
    {
        var graph = Graph(Checked("db"), Svc("app", Healthy("db")));
        var choices = Judge(graph, Containers(Probed("db", 0, "unhealthy", (1, 0), (31, 1), (61, 1), (91, 1)), Running("app", 5)));

        AssertChoice(choices, "db", StepAction.Restart, "unhealthy");
        Assert.Equal(new StepChoice(StepAction.Restart, "its dependency db is restarted"), choices["app"]);
    }

    [Fact]
    public void A_crash_looping_service_restarts()
    {
        var graph = Graph(Svc("db"));
        var choices = Judge(graph, Containers(Running("db", 0) with { State = "restarting", RestartCount = 7 }));

        AssertChoice(choices, "db", StepAction.Restart, "crash-looping");
        AssertChoice(choices, "db", StepAction.Restart, "restarted 7 times");
    }

    [Fact]
    public void A_paused_service_restarts()
    {
        var choices = Judge(Graph(Svc("db")), Containers(Running("db", 0) with { State = "paused" }));

        AssertChoice(choices, "db", StepAction.Restart, "paused");
    }

    [Fact]
    public void An_unhealthy_reason_of_its_own_wins_over_the_cascade()
    {
        var graph = Graph(Svc("db"), Checked("app", Started("db")));
        var choices = Judge(graph, Containers(Exited("db", 1), Probed("app", 0, "unhealthy", (1, 1))));

        Assert.Equal("unhealthy: its health check fails", choices["app"].Why);
    }

    // --- one-shot jobs ---

    [Fact]
    public void A_completed_one_shot_job_is_kept_and_its_dependent_judged_against_its_finish()
    {
        var graph = Graph(Svc("db"), Svc("migrate", Started("db")), Svc("app", Completed("migrate"), Started("db")));

        var inOrder = Judge(graph, Containers(Running("db", 0), Exited("migrate", 0, startedAt: 1, finishedAt: 5), Running("app", 10)));
        Assert.Equal(new StepChoice(StepAction.Keep, "completed successfully"), inOrder["migrate"]);
        Assert.Equal(new StepChoice(StepAction.Keep), inOrder["app"]);

        var early = Judge(graph, Containers(Running("db", 0), Exited("migrate", 0, startedAt: 1, finishedAt: 5), Running("app", 3)));
        Assert.Equal(new StepChoice(StepAction.Restart, "started 2.0 s before its dependency migrate completed (it exited 0 at 10:00:05.0 UTC)"), early["app"]);
    }

    [Fact]
    public void A_job_still_running_has_not_completed()
    {
        var graph = Graph(Svc("migrate"), Svc("app", Completed("migrate")));
        var choices = Judge(graph, Containers(Running("migrate", 1), Running("app", 3)));

        AssertChoice(choices, "migrate", StepAction.Keep);
        Assert.Equal(new StepChoice(StepAction.Restart, "started before its dependency migrate completed: migrate still runs"), choices["app"]);
    }

    [Fact]
    public void A_completed_job_whose_dependency_is_started_runs_again()
    {
        var graph = Graph(Svc("db"), Svc("migrate", Started("db")), Svc("app", Completed("migrate"), Started("db")));
        var choices = Judge(graph, Containers(Exited("db", 137), Exited("migrate", 0), Running("app", 10)));

        Assert.Equal(new StepChoice(StepAction.Start, "its dependency db is started, so it runs again"), choices["migrate"]);
        Assert.Equal(new StepChoice(StepAction.Restart, "its dependencies db and migrate are started"), choices["app"]);
    }

    [Fact]
    public void A_failed_job_and_a_service_that_exited_0_are_started()
    {
        var graph = Graph(Svc("migrate"), Svc("app", Completed("migrate")), Svc("web"));
        var choices = Judge(graph, Containers(Exited("migrate", 2), Exited("app", 0), Exited("web", 0)));

        Assert.Equal(new StepChoice(StepAction.Start, "not running (exited with code 2)"), choices["migrate"]);
        // Nothing waits for web to complete: it is a service that should run.
        Assert.Equal(new StepChoice(StepAction.Start, "not running (exited with code 0)"), choices["web"]);
    }

    [Fact]
    public void Mixed_cascades_name_what_is_started_and_what_is_restarted()
    {
        var graph = Graph(Svc("cache"), Svc("db"), Checked("vault"), Svc("app", Started("vault"), Started("db"), Started("cache")));
        var choices = Judge(graph, Containers(Exited("cache", 1), Running("db", -5), Probed("vault", -5, "unhealthy", (1, 1)), Running("app", 0)));

        Assert.Equal("its dependency cache is started and its dependency vault is restarted", choices["app"].Why);
        AssertChoice(choices, "db", StepAction.Keep);
        var all = Judge(graph, Containers(Exited("cache", 1), Exited("db", 1), Probed("vault", -5, "unhealthy", (1, 1)), Running("app", 0)));
        Assert.Equal("its dependencies cache and db are started and its dependency vault is restarted", all["app"].Why);
    }

    // --- an interrupted run ---

    [Fact]
    public void An_interrupted_run_is_completed()
    {
        // Killed after it had stopped web, app and db (dependents first) and brought db back; cache it never reached.
        var graph = Graph(Svc("db"), Svc("app", Healthy("db")), Svc("web", Started("app")), Svc("cache"), Svc("queue"));
        var run = new JournaledRun("20260301T095900-ab12cd34", 4242, "host", At(-60), ["db", "app", "web", "cache"],
        [
            new JournalEntry(JournalEntry.Stopped, At(-59), "web"),
            new JournalEntry(JournalEntry.Stopped, At(-58), "app"),
            new JournalEntry(JournalEntry.Stopped, At(-57), "db"),
            new JournalEntry(JournalEntry.Started, At(-50), "db"),
            new JournalEntry(JournalEntry.Finished, At(-40), "db", "Succeeded"),
        ]);
        var choices = Judge(graph, Containers(Running("db", -50), Exited("app", 0), Exited("web", 0), Running("cache", -1000), Running("queue", -1000)), interrupted: run);

        Assert.Equal(new StepChoice(StepAction.Keep), choices["db"]);
        Assert.Equal(new StepChoice(StepAction.Start, "not running (exited with code 0); the interrupted run 20260301T095900-ab12cd34 left it stopped"), choices["app"]);
        AssertChoice(choices, "web", StepAction.Start, "left it stopped");
        Assert.Equal(new StepChoice(StepAction.Restart, "the interrupted run 20260301T095900-ab12cd34 had not restarted it"), choices["cache"]);
        Assert.Equal(new StepChoice(StepAction.Keep), choices["queue"]);
    }

    [Fact]
    public void A_service_the_interrupted_run_started_but_did_not_finish_restarts()
    {
        var graph = Graph(Svc("db"));
        var run = new JournaledRun("r1", 1, null, At(-60), ["db"],
            [new JournalEntry(JournalEntry.Stopped, At(-59), "db"), new JournalEntry(JournalEntry.Started, At(-58), "db")]);

        Assert.Equal(new StepChoice(StepAction.Restart, "the interrupted run r1 had not finished restarting it"),
            Judge(graph, Containers(Running("db", -58)), interrupted: run)["db"]);
    }

    // --- scope ---

    [Fact]
    public void Named_services_bring_their_dependencies_and_nothing_else_when_all_is_in_order()
    {
        var graph = Graph(Svc("vault"), Svc("app", Started("vault")), Svc("web", Started("app")), Svc("cache"));
        var containers = Containers(Running("vault", 0), Running("app", 1), Running("web", 2), Running("cache", 0));

        var choices = Judge(graph, containers, scope: ["app"]);
        Assert.Equal(["app", "vault"], choices.Keys.Order(StringComparer.Ordinal));
        Assert.All(choices.Values, c => Assert.Equal(StepAction.Keep, c.Action));

        Assert.Equal(["app", "vault"], Judge(graph, containers, scope: ["a*"]).Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_named_service_whose_dependency_is_started_brings_its_dependents_too()
    {
        var graph = Graph(Svc("vault"), Svc("app", Started("vault")), Svc("web", Started("app")), Svc("cache"));
        var choices = Judge(graph, Containers(Exited("vault", 1), Running("app", 1), Running("web", 2), Running("cache", 0)), scope: ["app"]);

        Assert.Equal(["app", "vault", "web"], choices.Keys.Order(StringComparer.Ordinal));
        AssertChoice(choices, "vault", StepAction.Start);
        AssertChoice(choices, "app", StepAction.Restart, "its dependency vault is started");
        AssertChoice(choices, "web", StepAction.Restart, "its dependency app is restarted");
    }

    [Fact]
    public void An_unknown_name_is_an_error()
    {
        var e = Assert.Throws<StingException>(() => Judge(Graph(Svc("db")), Containers(Running("db", 0)), scope: ["nope"]));
        Assert.Equal(ErrorIds.UnknownService, e.ErrorId);
    }

    [Fact]
    public void An_optional_dependency_without_a_container_is_ignored()
    {
        var graph = Graph(Svc("metrics"), Svc("app", new ServiceDependency("metrics", DependencyCondition.ServiceHealthy, Required: false)));
        var containers = Containers(Running("app", 0));

        var named = Judge(graph, containers, scope: ["app"]);
        Assert.Equal(["app"], named.Keys);
        Assert.Equal(new StepChoice(StepAction.Keep), named["app"]);

        // The whole project includes it (it has no container), but starting it does not move app: else every repair would.
        var whole = Judge(graph, containers);
        Assert.Equal(new StepChoice(StepAction.Start, "no container"), whole["metrics"]);
        Assert.Equal(new StepChoice(StepAction.Keep), whole["app"]);
    }

    [Fact]
    public void An_optional_dependency_with_a_stopped_container_is_started_first()
    {
        var graph = Graph(Svc("metrics"), Svc("app", new ServiceDependency("metrics", DependencyCondition.ServiceStarted, Required: false)));
        var choices = Judge(graph, Containers(Exited("metrics", 1), Running("app", 0)), scope: ["app"]);

        AssertChoice(choices, "metrics", StepAction.Start);
        AssertChoice(choices, "app", StepAction.Restart, "its dependency metrics is started");
    }

    // --- inspecting ---

    [Fact]
    public async Task InspectAll_inspects_every_container_and_leaves_out_one_that_is_gone()
    {
        using var engine = new FakeEngine(new FakeTimeProvider(T0));
        engine.Add("db").HealthLog = [new HealthProbe(At(1), At(1.2), 0)];
        engine.Add("app");
        var summaries = (await engine.ListProjectContainersAsync("proj", CancellationToken.None)).ToDictionary(s => s.Service, StringComparer.Ordinal);
        summaries["gone"] = summaries["app"] with { Id = "removed-meanwhile", Service = "gone" };

        var details = await StartupOrder.InspectAllAsync(engine, summaries, CancellationToken.None);

        Assert.Equal(["app", "db"], details.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(engine.IdOf("db"), details["db"].Id);
        Assert.Equal(new[] { new HealthProbe(At(1), At(1.2), 0) }, details["db"].HealthLog!);
        Assert.Null(details["app"].HealthLog);
    }
}
