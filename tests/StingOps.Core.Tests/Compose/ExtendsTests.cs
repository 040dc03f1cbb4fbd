using StingOps.Core.Common;

namespace StingOps.Core.Tests.Compose;

public class ExtendsTests
{
    [Fact]
    public void Extends_a_service_in_the_same_file()
    {
        using var p = new TempProject();
        var project = p.LoadYaml("""
            services:
              base:
                image: base
                restart: always
                environment: {A: "1"}
                healthcheck: {test: [CMD, "true"], interval: 5s}
              web:
                extends: base
                environment: {B: "2"}
              worker:
                extends:
                  service: web
                container_name: worker
            """);
        var web = project.Find("web")!;
        Assert.Equal("base", web.Image);
        Assert.Equal("always", web.Restart);
        Assert.Equal(["A", "B"], web.Environment.Keys.Order());
        var worker = project.Find("worker")!;
        Assert.Equal(["A", "B"], worker.Environment.Keys.Order());
        Assert.Equal("worker", worker.ContainerName);
        Assert.Equal(TimeSpan.FromSeconds(5), worker.HealthCheck!.Interval);
    }

    [Fact]
    public void Extends_a_service_in_another_file_with_its_relative_paths()
    {
        using var p = new TempProject();
        p.Write("common/base.yml", """
            services:
              template:
                image: shared
                env_file: common.env
                depends_on: [db]
              db: {image: db}
            """);
        var project = p.LoadYaml("""
            services:
              app:
                extends: {file: common/base.yml, service: template}
              db: {image: postgres}
            """);
        var app = project.Find("app")!;
        Assert.Equal("shared", app.Image);
        Assert.Equal(p.PathOf("common/common.env"), app.EnvFiles[0].Path);
        Assert.Equal("db", app.DependsOn[0].Service);
        Assert.Equal("postgres", project.Find("db")!.Image);
    }

    [Fact]
    public void Reset_on_the_extending_service_removes_what_the_base_brings()
    {
        using var p = new TempProject();
        var project = p.LoadYaml("""
            services:
              base: {image: b, depends_on: [db]}
              db: {image: d}
              app:
                extends: base
                depends_on: !reset []
            """);
        Assert.Empty(project.Find("app")!.DependsOn);
    }

    [Fact]
    public void An_extends_cycle_is_reported()
    {
        using var p = new TempProject();
        p.Write("compose.yaml", "services:\n  a: {extends: b, image: a}\n  b: {extends: a, image: b}\n");
        StingAssert.Fails(() => p.Load(), ErrorIds.ComposeFileInvalid, "extends cycle", "compose.yaml");
    }

    [Fact]
    public void Extending_an_unknown_service_names_both()
    {
        using var p = new TempProject();
        p.Write("compose.yaml", "services:\n  app:\n    extends: nothere\n");
        StingAssert.Fails(() => p.Load(), ErrorIds.ComposeFileInvalid, "compose.yaml:3:14", "\"app\"", "nothere");
    }

    [Fact]
    public void Extending_from_a_missing_file_names_the_file()
    {
        using var p = new TempProject();
        p.Write("compose.yaml", "services:\n  app:\n    extends: {file: gone.yml, service: x}\n");
        StingAssert.Fails(() => p.Load(), ErrorIds.ComposeFileNotFound, "gone.yml", "app");
    }
}
