using StingOps.Core.Common;
using StingOps.Core.Compose;

namespace StingOps.Core.Tests.Compose;

public class MergeTests
{
    private static ComposeProject LoadTwo(TempProject p, string first, string second)
    {
        p.Write("compose.yaml", first);
        p.Write("compose.override.yaml", second);
        return p.Load();
    }

    [Fact]
    public void The_override_file_is_merged_key_by_key()
    {
        using var p = new TempProject();
        var project = LoadTwo(p, """
            services:
              app:
                image: app:1
                restart: always
                container_name: app
            """, """
            services:
              app:
                image: app:2
              extra:
                image: extra
            """);
        var app = project.Find("app")!;
        Assert.Equal("app:2", app.Image);
        Assert.Equal("always", app.Restart);
        Assert.Equal("app", app.ContainerName);
        Assert.NotNull(project.Find("extra"));
        Assert.Equal(2, project.ComposeFiles.Count);
        Assert.EndsWith("compose.yaml:2", app.Source); // where it was first defined
    }

    [Fact]
    public void Depends_on_short_and_long_forms_merge_per_dependency()
    {
        using var p = new TempProject();
        var project = LoadTwo(p, """
            services:
              app:
                image: a
                depends_on: [db]
              db: {image: d}
              cache: {image: c}
            """, """
            services:
              app:
                depends_on:
                  cache: {condition: service_healthy}
            """);
        var deps = project.Find("app")!.DependsOn.ToDictionary(d => d.Service);
        Assert.Equal(DependencyCondition.ServiceStarted, deps["db"].Condition);
        Assert.Equal(DependencyCondition.ServiceHealthy, deps["cache"].Condition);
    }

    [Fact]
    public void A_later_long_form_refines_an_earlier_dependency()
    {
        using var p = new TempProject();
        var project = LoadTwo(p, """
            services:
              app: {image: a, depends_on: {db: {condition: service_healthy, restart: true}}}
              db: {image: d}
            """, """
            services:
              app: {depends_on: {db: {required: false}}}
            """);
        Assert.Equal(new ServiceDependency("db", DependencyCondition.ServiceHealthy, true, false), project.Find("app")!.DependsOn[0]);
    }

    [Fact]
    public void Environment_merges_by_key_across_list_and_map_forms()
    {
        using var p = new TempProject();
        var project = LoadTwo(p, """
            services:
              app:
                image: a
                environment: [A=1, B=2, C=3]
            """, """
            services:
              app:
                environment:
                  B: overridden
                  D: new
            """);
        var env = project.Find("app")!.Environment;
        Assert.Equal("1", env["A"]);
        Assert.Equal("overridden", env["B"]);
        Assert.Equal("3", env["C"]);
        Assert.Equal("new", env["D"]);
    }

    [Fact]
    public void Labels_merge_by_key()
    {
        using var p = new TempProject();
        var project = LoadTwo(p, "services:\n  app:\n    image: a\n    labels: {a: '1', b: '2'}\n",
            "services:\n  app:\n    labels: [b=3, c=4]\n");
        Assert.Equal(new Dictionary<string, string?> { ["a"] = "1", ["b"] = "3", ["c"] = "4" }, project.Find("app")!.Labels);
    }

    [Fact]
    public void Env_files_are_appended_and_kept_once_per_path()
    {
        using var p = new TempProject();
        var project = LoadTwo(p, "services:\n  app:\n    image: a\n    env_file: [a.env, b.env]\n",
            "services:\n  app:\n    env_file:\n      - path: a.env\n        required: false\n      - c.env\n");
        var files = project.Find("app")!.EnvFiles;
        Assert.Equal([p.PathOf("a.env"), p.PathOf("b.env"), p.PathOf("c.env")], files.Select(f => f.Path));
        Assert.False(files[0].Required); // the later definition, at the earlier position
    }

    [Fact]
    public void Profiles_are_appended_as_the_spec_says_for_sequences()
    {
        using var p = new TempProject();
        var project = LoadTwo(p, "services:\n  app:\n    image: a\n    profiles: [debug]\n",
            "services:\n  app:\n    profiles: [tools, debug]\n");
        Assert.Equal(["debug", "tools"], project.Find("app")!.Profiles);
    }

    [Fact]
    public void Healthcheck_test_is_replaced_and_the_rest_merged()
    {
        using var p = new TempProject();
        var project = LoadTwo(p, """
            services:
              app:
                image: a
                healthcheck: {test: [CMD, old, arg], interval: 10s, retries: 3}
            """, """
            services:
              app:
                healthcheck: {test: [CMD, new], retries: 9}
            """);
        var check = project.Find("app")!.HealthCheck!;
        Assert.Equal(["CMD", "new"], check.Test);
        Assert.Equal(TimeSpan.FromSeconds(10), check.Interval);
        Assert.Equal(9, check.Retries);
    }

    [Fact]
    public void A_null_in_the_later_file_keeps_the_earlier_value()
    {
        using var p = new TempProject();
        var project = LoadTwo(p, "services:\n  app:\n    image: a\n    restart: always\n", "services:\n  app:\n    restart:\n");
        Assert.Equal("always", project.Find("app")!.Restart);
    }

    [Fact]
    public void Build_as_a_string_merges_with_a_build_mapping()
    {
        using var p = new TempProject();
        var project = LoadTwo(p, "services:\n  app:\n    build: ./app\n", "services:\n  app:\n    build:\n      dockerfile: Dockerfile.dev\n");
        Assert.True(project.Find("app")!.HasBuild);
    }

    [Fact]
    public void Reset_removes_a_value_from_earlier_files()
    {
        using var p = new TempProject();
        var project = LoadTwo(p, """
            services:
              app:
                image: a
                depends_on: [db]
                healthcheck: {test: [CMD, "true"]}
                profiles: [debug]
              db: {image: d}
            """, """
            services:
              app:
                depends_on: !reset []
                healthcheck: !reset null
                profiles: !reset []
            """);
        var app = project.Find("app")!;
        Assert.Empty(app.DependsOn);
        Assert.Null(app.HealthCheck);
        Assert.Empty(app.Profiles);
        Assert.True(app.Enabled);
    }

    [Fact]
    public void Override_replaces_instead_of_merging()
    {
        using var p = new TempProject();
        var project = LoadTwo(p, """
            services:
              app:
                image: a
                environment: {A: "1", B: "2"}
                depends_on: [db, cache]
              db: {image: d}
              cache: {image: c}
            """, """
            services:
              app:
                environment: !override {C: "3"}
                depends_on: !override [cache]
            """);
        var app = project.Find("app")!;
        Assert.Equal(["C"], app.Environment.Keys);
        Assert.Equal(["cache"], app.DependsOn.Select(d => d.Service));
    }

    [Fact]
    public void Reset_can_remove_a_whole_service()
    {
        using var p = new TempProject();
        var project = LoadTwo(p, "services:\n  a: {image: a}\n  b: {image: b}\n", "services:\n  b: !reset\n");
        Assert.Equal(["a"], project.Services.Select(s => s.Name));
    }

    [Fact]
    public void Three_files_merge_in_order()
    {
        using var p = new TempProject();
        p.Write("base.yml", "services:\n  app:\n    image: v1\n    restart: \"no\"\n");
        p.Write("mid.yml", "services:\n  app:\n    image: v2\n");
        p.Write("top.yml", "services:\n  app:\n    restart: always\n");
        var app = p.Load(p.Request("base.yml", "mid.yml", "top.yml")).Find("app")!;
        Assert.Equal("v2", app.Image);
        Assert.Equal("always", app.Restart);
    }

    [Fact]
    public void Relative_paths_in_later_files_are_relative_to_the_project_directory()
    {
        using var p = new TempProject();
        p.Write("compose.yaml", "services:\n  app:\n    image: a\n");
        p.Write("overrides/dev.yml", "services:\n  app:\n    env_file: dev.env\n");
        var app = p.Load(p.Request("compose.yaml", "overrides/dev.yml")).Find("app")!;
        Assert.Equal(p.PathOf("dev.env"), app.EnvFiles[0].Path);
    }

    [Fact]
    public void An_empty_override_file_changes_nothing()
    {
        using var p = new TempProject();
        var project = LoadTwo(p, "services:\n  app: {image: a}\n", "# nothing yet\n");
        Assert.Equal("a", project.Find("app")!.Image);
    }

    [Fact]
    public void A_later_short_form_resets_the_condition_as_compose_merges_it()
    {
        using var p = new TempProject();
        var project = LoadTwo(p, """
            services:
              app: {image: a, depends_on: {db: {condition: service_healthy}}}
              db: {image: d}
            """, "services:\n  app:\n    depends_on: [db]\n");
        Assert.Equal(DependencyCondition.ServiceStarted, project.Find("app")!.DependsOn[0].Condition);
    }

    [Fact]
    public void Files_that_are_only_a_version_are_empty()
    {
        using var p = new TempProject();
        p.Write("compose.yaml", "version: '3.8'\n");
        StingAssert.Fails(() => p.Load(), ErrorIds.ComposeFileInvalid, "compose.yaml", "empty");
    }
}
