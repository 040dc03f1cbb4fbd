using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.EnvFiles;

namespace StingOps.Core.Tests.Compose;

public class ServiceShapeTests
{
    [Fact]
    public void Depends_on_short_form()
    {
        using var p = new TempProject();
        var project = p.LoadYaml("""
            services:
              app: {image: app, depends_on: [db, cache, db]}
              db: {image: db}
              cache: {image: cache}
            """);
        var deps = project.Find("app")!.DependsOn;
        Assert.Equal(["db", "cache"], deps.Select(d => d.Service));
        Assert.All(deps, d => Assert.Equal(new ServiceDependency(d.Service), d));
    }

    [Fact]
    public void Depends_on_long_form()
    {
        using var p = new TempProject();
        var project = p.LoadYaml("""
            services:
              app:
                image: app
                depends_on:
                  db: {condition: service_healthy, restart: true}
                  migrate: {condition: service_completed_successfully}
                  cache: {condition: service_started, required: false}
                  plain:
              db: {image: db}
              migrate: {image: m}
              cache: {image: c}
              plain: {image: p}
            """);
        var deps = project.Find("app")!.DependsOn.ToDictionary(d => d.Service);
        Assert.Equal(new ServiceDependency("db", DependencyCondition.ServiceHealthy, Restart: true), deps["db"]);
        Assert.Equal(DependencyCondition.ServiceCompletedSuccessfully, deps["migrate"].Condition);
        Assert.False(deps["cache"].Required);
        Assert.Equal(new ServiceDependency("plain"), deps["plain"]);
    }

    [Fact]
    public void Depends_on_booleans_may_come_from_interpolation()
    {
        using var p = new TempProject();
        p.Environment["RESTART_DEPS"] = "true";
        var project = p.LoadYaml("""
            services:
              app: {image: a, depends_on: {db: {condition: service_started, restart: "${RESTART_DEPS}", required: "yes"}}}
              db: {image: d}
            """);
        Assert.True(project.Find("app")!.DependsOn[0].Restart);
    }

    [Fact]
    public void A_missing_optional_dependency_is_dropped_with_a_warning()
    {
        using var p = new TempProject();
        var project = p.LoadYaml("""
            services:
              app:
                image: a
                depends_on:
                  ghost: {condition: service_started, required: false}
            """);
        Assert.Empty(project.Find("app")!.DependsOn);
        Assert.Contains(project.Warnings, w => w.Contains("ghost") && w.Contains("app"));
    }

    [Theory]
    [InlineData("test: [\"CMD\", \"curl\", \"-f\", \"http://localhost\"]", new[] { "CMD", "curl", "-f", "http://localhost" })]
    [InlineData("test: [\"CMD-SHELL\", \"pg_isready -U postgres\"]", new[] { "CMD-SHELL", "pg_isready -U postgres" })]
    [InlineData("test: pg_isready -U postgres", new[] { "CMD-SHELL", "pg_isready -U postgres" })]
    [InlineData("test: 'redis-cli ping | grep PONG'", new[] { "CMD-SHELL", "redis-cli ping | grep PONG" })]
    public void Healthcheck_test_forms(string testLine, string[] expected)
    {
        using var p = new TempProject();
        var project = p.LoadYaml($"services:\n  s:\n    image: s\n    healthcheck:\n      {testLine}\n");
        var check = project.Find("s")!.HealthCheck!;
        Assert.Equal(expected, check.Test);
        Assert.False(check.Disabled);
    }

    [Theory]
    [InlineData("test: [\"NONE\"]")]
    [InlineData("disable: true")]
    [InlineData("test: [\"CMD\", \"true\"]\n      disable: true")]
    public void Healthcheck_can_be_disabled(string body)
    {
        using var p = new TempProject();
        var check = p.LoadYaml($"services:\n  s:\n    image: s\n    healthcheck:\n      {body}\n").Find("s")!.HealthCheck!;
        Assert.True(check.Disabled);
        Assert.Null(check.Test);
    }

    [Fact]
    public void Healthcheck_timings()
    {
        using var p = new TempProject();
        var check = p.LoadYaml("""
            services:
              s:
                image: s
                healthcheck:
                  test: ["CMD", "true"]
                  interval: 1m30s
                  timeout: 500ms
                  retries: 5
                  start_period: 2h45m
                  start_interval: 1.5s
            """).Find("s")!.HealthCheck!;
        Assert.Equal(TimeSpan.FromSeconds(90), check.Interval);
        Assert.Equal(TimeSpan.FromMilliseconds(500), check.Timeout);
        Assert.Equal(5, check.Retries);
        Assert.Equal(new TimeSpan(2, 45, 0), check.StartPeriod);
        Assert.Equal(TimeSpan.FromSeconds(1.5), check.StartInterval);
    }

    [Fact]
    public void Healthcheck_without_test_inherits_the_image_test()
    {
        using var p = new TempProject();
        var check = p.LoadYaml("services:\n  s:\n    image: s\n    healthcheck:\n      interval: 3s\n").Find("s")!.HealthCheck!;
        Assert.Null(check.Test);
        Assert.False(check.Disabled);
        Assert.Equal(TimeSpan.FromSeconds(3), check.Interval);
    }

    [Fact]
    public void Environment_as_list_and_as_map()
    {
        using var p = new TempProject();
        p.Environment["FROM_SHELL"] = "shell";
        var project = p.LoadYaml("""
            services:
              list:
                image: l
                environment:
                  - A=1
                  - B=with=equals
                  - BARE
                  - EMPTY=
                  - C=${FROM_SHELL}
                  - A=2
              map:
                image: m
                environment:
                  A: 1
                  BARE:
                  C: ${FROM_SHELL}
            """);
        var list = project.Find("list")!.Environment;
        Assert.Equal("2", list["A"]);
        Assert.Equal("with=equals", list["B"]);
        Assert.Null(list["BARE"]);
        Assert.Equal("", list["EMPTY"]);
        Assert.Equal("shell", list["C"]);
        var map = project.Find("map")!.Environment;
        Assert.Equal("1", map["A"]);
        Assert.Null(map["BARE"]);
        Assert.Equal("shell", map["C"]);
    }

    [Fact]
    public void Env_file_forms_resolved_against_the_project_directory()
    {
        using var p = new TempProject();
        var project = p.LoadYaml("""
            services:
              one: {image: a, env_file: .env.app}
              list: {image: a, env_file: [a.env, ./conf/b.env, /abs/c.env]}
              long:
                image: a
                env_file:
                  - path: required.env
                  - path: optional.env
                    required: false
                  - plain.env
            """);
        Assert.Equal([new EnvFileReference(p.PathOf(".env.app"), true, project.Find("one")!.EnvFiles[0].Source)], project.Find("one")!.EnvFiles);
        Assert.Equal([p.PathOf("a.env"), p.PathOf("conf/b.env"), "/abs/c.env"], project.Find("list")!.EnvFiles.Select(e => e.Path));
        var lng = project.Find("long")!.EnvFiles;
        Assert.Equal([true, false, true], lng.Select(e => e.Required));
        Assert.EndsWith("compose.yaml:7", lng[0].Source);
    }

    [Fact]
    public void Simple_string_keys()
    {
        using var p = new TempProject();
        var s = p.LoadYaml("""
            services:
              s:
                image: registry.local:5000/team/app:1.2
                container_name: sting-app
                restart: unless-stopped
                network_mode: host
                stop_grace_period: 1m30s
                labels: [com.example.role=api, com.example.bare]
            """).Find("s")!;
        Assert.Equal("registry.local:5000/team/app:1.2", s.Image);
        Assert.Equal("sting-app", s.ContainerName);
        Assert.Equal("unless-stopped", s.Restart);
        Assert.Equal("host", s.NetworkMode);
        Assert.Equal(TimeSpan.FromSeconds(90), s.StopGracePeriod);
        Assert.Equal("api", s.Labels["com.example.role"]);
        Assert.Null(s.Labels["com.example.bare"]);
        Assert.False(s.HasBuild);
    }

    [Theory]
    [InlineData("build: .")]
    [InlineData("build:\n      context: ./app\n      dockerfile: Dockerfile.prod\n      args: [A=1]")]
    public void Build_as_string_or_mapping(string build)
    {
        using var p = new TempProject();
        Assert.True(p.LoadYaml($"services:\n  s:\n    {build}\n").Find("s")!.HasBuild);
    }

    [Fact]
    public void Unknown_and_unused_keys_are_accepted()
    {
        using var p = new TempProject();
        var project = p.LoadYaml("""
            services:
              s:
                image: s
                ports: ["8080:80", {target: 443, published: 8443}]
                volumes:
                  - type: bind
                    source: ./data
                    target: /data
                deploy: {resources: {limits: {cpus: "0.5", memory: 512M}}}
                some_future_key: {anything: [1, 2]}
                ulimits: {nofile: {soft: 1024, hard: 2048}, nproc: 65535}
            """);
        Assert.Single(project.Services);
    }

    [Fact]
    public void Services_are_sorted_by_name_and_carry_their_source_line()
    {
        using var p = new TempProject();
        var project = p.LoadYaml("services:\n  zeta:\n    image: z\n  alpha:\n    image: a\n");
        Assert.Equal(["alpha", "zeta"], project.Services.Select(s => s.Name));
        Assert.EndsWith("compose.yaml:4", project.Find("alpha")!.Source);
        Assert.StartsWith(p.Directory, project.Find("alpha")!.Source);
    }

    [Fact]
    public void A_service_without_image_or_build_is_a_warning()
    {
        using var p = new TempProject();
        var project = p.LoadYaml("services:\n  s:\n    restart: always\n");
        Assert.Contains(project.Warnings, w => w.Contains("\"s\"") && w.Contains("neither an image nor a build"));
    }

    [Fact]
    public void Links_volumes_from_and_shared_namespaces_add_implicit_dependencies_as_compose_does()
    {
        using var p = new TempProject();
        var project = p.LoadYaml("""
            services:
              app:
                image: a
                depends_on: {db: {condition: service_healthy}}
                links: ["db:database", cache]
                volumes_from: [data:ro, "container:external"]
                network_mode: service:vpn
              db: {image: d}
              cache: {image: c}
              data: {image: x}
              vpn: {image: v}
            """);
        var deps = project.Find("app")!.DependsOn;
        Assert.Equal(["db", "cache", "vpn", "data"], deps.Select(d => d.Service));
        Assert.Equal(DependencyCondition.ServiceHealthy, deps[0].Condition); // explicit wins
        Assert.Equal(new ServiceDependency("cache", DependencyCondition.ServiceStarted, Restart: true), deps[1]);
        Assert.Equal(new ServiceDependency("vpn", DependencyCondition.ServiceStarted, Restart: true), deps[2]);
        Assert.Equal(new ServiceDependency("data"), deps[3]);
    }

    [Fact]
    public void An_implicit_dependency_on_an_undefined_service_is_an_error()
    {
        using var p = new TempProject();
        p.Write("compose.yaml", "services:\n  app:\n    image: a\n    network_mode: service:vpn\n");
        StingAssert.Fails(() => p.Load(), ErrorIds.UndefinedDependency, "compose.yaml:4:19", "\"app\"", "\"vpn\"");
    }

    [Fact]
    public void Replicas_and_stop_signal()
    {
        using var p = new TempProject();
        p.Environment["WORKERS"] = "3";
        var project = p.LoadYaml("""
            services:
              a: {image: a, scale: 0, stop_signal: SIGINT}
              b: {image: b, deploy: {replicas: "${WORKERS}"}}
              c: {image: c}
            """);
        Assert.Equal(0, project.Find("a")!.Replicas);
        Assert.Equal("SIGINT", project.Find("a")!.StopSignal);
        Assert.Equal(3, project.Find("b")!.Replicas);
        Assert.Null(project.Find("c")!.Replicas);
    }

    [Fact]
    public void Command_and_entrypoint_strings_are_split_as_compose_does_lists_are_kept()
    {
        using var p = new TempProject();
        var project = p.LoadYaml("""
            services:
              a:
                image: a
                command: sh -c 'echo "hi there"' "two words" x\ y
                entrypoint: ["/bin/sh", "-c"]
              b:
                image: b
            """);
        var a = project.Find("a")!;
        Assert.Equal(["sh", "-c", "echo \"hi there\"", "two words", "x y"], a.Command);
        Assert.Equal(["/bin/sh", "-c"], a.Entrypoint);
        Assert.Null(project.Find("b")!.Command);
        Assert.Null(project.Find("b")!.Entrypoint);
    }

    [Fact]
    public void Lifecycle_hooks_are_read_with_their_options_and_merged_by_appending()
    {
        using var p = new TempProject();
        p.Write("compose.override.yaml", """
            services:
              db:
                post_start:
                  - command: ["sh", "-c", "echo second"]
            """);
        var project = p.LoadYaml("""
            services:
              db:
                image: db
                post_start:
                  - command: chown -R "1001:1001" /data
                    user: root
                    privileged: true
                    working_dir: /data
                    environment: {MODE: restart, FROM_SHELL: null}
                pre_stop:
                  - command: [pg_ctl, stop, -m, fast]
            """);
        var db = project.Find("db")!;
        Assert.Equal(2, db.PostStart.Count);
        var first = db.PostStart[0];
        Assert.Equal(["chown", "-R", "1001:1001", "/data"], first.Command);
        Assert.Equal("root", first.User);
        Assert.True(first.Privileged);
        Assert.Equal("/data", first.WorkingDir);
        Assert.Equal("restart", first.Environment["MODE"]);
        Assert.Null(first.Environment["FROM_SHELL"]);
        Assert.EndsWith("compose.yaml:5", first.Source);
        Assert.Equal(["sh", "-c", "echo second"], db.PostStart[1].Command);
        Assert.Equal(["pg_ctl", "stop", "-m", "fast"], Assert.Single(db.PreStop).Command);
        Assert.False(db.PreStop[0].Privileged);
    }

    [Theory]
    [InlineData("post_start: [{user: root}]", "compose.yaml:4:18", "post_start[0].command is required")]
    [InlineData("pre_stop: {command: x}", "compose.yaml:4:15", "pre_stop must be a list of hooks")]
    [InlineData("post_start: [{command: x, privilege: true}]", "compose.yaml:4:31", "unknown key \"privilege\"")]
    [InlineData("post_start: [{command: x, privileged: maybe}]", "compose.yaml:4:43", "post_start[0].privileged must be true or false")]
    public void Lifecycle_hooks_of_the_wrong_shape_are_errors_with_their_place(string hooks, string where, string problem)
    {
        using var p = new TempProject();
        p.Write("compose.yaml", $"""
            services:
              db:
                image: db
                {hooks}
            """);
        StingAssert.Fails(() => p.Load(), ErrorIds.ComposeFileInvalid, where, problem);
    }
}
