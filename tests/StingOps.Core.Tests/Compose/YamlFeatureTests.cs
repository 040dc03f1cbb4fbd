using StingOps.Core.Compose;
namespace StingOps.Core.Tests.Compose;

public class YamlFeatureTests
{
    [Fact]
    public void Anchors_aliases_and_merge_keys()
    {
        using var p = new TempProject();
        var project = p.LoadYaml("""
            x-common: &common
              restart: unless-stopped
              environment: &env
                LOG_LEVEL: info
                SHARED: "yes"
            x-health: &health
              healthcheck:
                test: ["CMD", "true"]
                interval: 10s
            services:
              a:
                <<: *common
                image: a
              b:
                <<: [*common, *health]
                image: b
                restart: always
              c:
                image: c
                environment: *env
            """);
        var a = project.Find("a")!;
        Assert.Equal("unless-stopped", a.Restart);
        Assert.Equal("info", a.Environment["LOG_LEVEL"]);
        var b = project.Find("b")!;
        Assert.Equal("always", b.Restart); // explicit keys win over merged ones
        Assert.Equal(["CMD", "true"], b.HealthCheck!.Test);
        Assert.Equal("yes", project.Find("c")!.Environment["SHARED"]);
    }

    [Fact]
    public void Earlier_merge_sources_win_over_later_ones()
    {
        using var p = new TempProject();
        var project = p.LoadYaml("""
            x-a: &a {restart: always, image: from-a}
            x-b: &b {restart: "no", container_name: from-b}
            services:
              s:
                <<: [*a, *b]
            """);
        var s = project.Find("s")!;
        Assert.Equal("always", s.Restart);
        Assert.Equal("from-a", s.Image);
        Assert.Equal("from-b", s.ContainerName);
    }

    [Fact]
    public void An_inline_merge_mapping_works_too()
    {
        using var p = new TempProject();
        var project = p.LoadYaml("""
            services:
              s:
                <<: {image: inline, restart: always}
                restart: "no"
            """);
        Assert.Equal("inline", project.Find("s")!.Image);
        Assert.Equal("no", project.Find("s")!.Restart);
    }

    [Fact]
    public void Extension_fields_and_version_are_ignored()
    {
        using var p = new TempProject();
        var project = p.LoadYaml("""
            version: "3.8"
            x-anything: {whatever: [1, 2, {deep: true}]}
            services:
              s:
                image: s
                x-custom-field: ignored
                x-other: [1, 2]
            """);
        Assert.Equal("s", Assert.Single(project.Services).Name);
    }

    [Fact]
    public void Top_level_name_sets_the_project_name_and_is_interpolated_and_normalised()
    {
        using var p = new TempProject();
        p.Environment["SUFFIX"] = "Prod";
        var project = p.LoadYaml("name: Sting_${SUFFIX}\nservices:\n  s:\n    image: s\n");
        Assert.Equal("sting_prod", project.Name);
    }

    [Fact]
    public void An_explicit_name_wins_over_the_top_level_name()
    {
        using var p = new TempProject();
        p.Write("compose.yaml", "name: fromfile\nservices:\n  s:\n    image: s\n");
        Assert.Equal("explicit", p.Load(p.Request() with { ProjectName = "explicit" }).Name);
    }

    [Fact]
    public void ReadProjectName_gives_the_name_Load_gives_without_reading_the_services()
    {
        using var p = new TempProject();
        p.Environment["SUFFIX"] = "Prod";
        // A service the loader would reject: the metrics cmdlets still learn whose history to read.
        p.Write("compose.yaml", "name: Sting_${SUFFIX}\nservices:\n  s:\n    depends_on: [missing]\n");
        Assert.Equal("sting_prod", ComposeLoader.ReadProjectName(p.Locate(), p.Environment));
        Assert.Equal("explicit", ComposeLoader.ReadProjectName(p.Locate(p.Request() with { ProjectName = "explicit" }), p.Environment));
        p.Write("compose.yaml", "services:\n  s:\n    image: s\n");
        Assert.Equal("proj", ComposeLoader.ReadProjectName(p.Locate(), p.Environment));
    }

    [Fact]
    public void The_top_level_name_wins_over_COMPOSE_PROJECT_NAME_as_the_contract_orders_them()
    {
        using var p = new TempProject();
        p.Environment["COMPOSE_PROJECT_NAME"] = "fromenv";
        Assert.Equal("fromfile", p.LoadYaml("name: fromfile\nservices:\n  s:\n    image: s\n").Name);
        Assert.Equal("fromenv", p.LoadYaml("services:\n  s:\n    image: s\n").Name);
    }

    [Fact]
    public void COMPOSE_PROJECT_NAME_interpolates_to_the_resolved_name()
    {
        using var p = new TempProject();
        var project = p.LoadYaml("name: stack\nservices:\n  s:\n    image: s\n    container_name: ${COMPOSE_PROJECT_NAME}-s\n");
        Assert.Equal("stack-s", project.Find("s")!.ContainerName);
    }

    [Fact]
    public void Several_documents_in_one_file_are_merged_in_order()
    {
        using var p = new TempProject();
        var project = p.LoadYaml("""
            services:
              s:
                image: one
            ---
            services:
              s:
                restart: always
              t:
                image: two
            """);
        Assert.Equal("one", project.Find("s")!.Image);
        Assert.Equal("always", project.Find("s")!.Restart);
        Assert.NotNull(project.Find("t"));
    }

    [Fact]
    public void Quoted_null_is_a_string_and_plain_null_is_null()
    {
        using var p = new TempProject();
        var project = p.LoadYaml("""
            services:
              s:
                image: s
                environment:
                  A: null
                  B: "null"
                  C: ~
                  D:
                  E: ""
                  F: 0123
                  G: true
            """);
        var env = project.Find("s")!.Environment;
        Assert.Null(env["A"]);
        Assert.Equal("null", env["B"]);
        Assert.Null(env["C"]);
        Assert.Null(env["D"]);
        Assert.Equal("", env["E"]);
        Assert.Equal("0123", env["F"]);
        Assert.Equal("true", env["G"]);
    }

    [Fact]
    public void Flow_style_and_block_scalars_are_read()
    {
        using var p = new TempProject();
        var project = p.LoadYaml("""
            services:
              s: {image: s, healthcheck: {test: [CMD-SHELL, "curl -f http://localhost || exit 1"]}}
              t:
                image: t
                healthcheck:
                  test: >-
                    wget -q -O /dev/null
                    http://localhost:8080/health
            """);
        Assert.Equal(["CMD-SHELL", "curl -f http://localhost || exit 1"], project.Find("s")!.HealthCheck!.Test);
        Assert.Equal(["CMD-SHELL", "wget -q -O /dev/null http://localhost:8080/health"], project.Find("t")!.HealthCheck!.Test);
    }

    [Fact]
    public void No_services_key_is_an_empty_project()
    {
        using var p = new TempProject();
        Assert.Empty(p.LoadYaml("name: nothing\nnetworks:\n  default: {}\n").Services);
        Assert.Empty(p.LoadYaml("services:\n").Services);
        Assert.Empty(p.LoadYaml("services: {}\n").Services);
    }
}
