using StingOps.Core.Common;

namespace StingOps.Core.Tests.Compose;

public class IncludeTests
{
    [Fact]
    public void Included_projects_add_their_services_with_their_own_paths_and_env()
    {
        using var p = new TempProject();
        p.Write("infra/compose.yaml", """
            services:
              db:
                image: postgres:${PG_VERSION}
                env_file: db.env
            """);
        p.Write("infra/.env", "PG_VERSION=16\n");
        var project = p.LoadYaml("""
            include:
              - infra/compose.yaml
            services:
              app: {image: app, depends_on: [db]}
            """);
        var db = project.Find("db")!;
        Assert.Equal("postgres:16", db.Image);
        Assert.Equal(p.PathOf("infra/db.env"), db.EnvFiles[0].Path);
        Assert.EndsWith("infra/compose.yaml:2", db.Source!.Replace('\\', '/'));
        Assert.Equal("db", project.Find("app")!.DependsOn[0].Service);
    }

    [Fact]
    public void The_long_form_takes_paths_project_directory_and_env_file()
    {
        using var p = new TempProject();
        p.Write("parts/a.yml", "services:\n  a: {image: \"a:${A_TAG}\"}\n");
        p.Write("parts/a-extra.yml", "services:\n  a: {restart: always}\n");
        p.Write("parts/a.env", "A_TAG=7\n");
        var project = p.LoadYaml("""
            include:
              - path: [parts/a.yml, parts/a-extra.yml]
                env_file: parts/a.env
            services:
              main: {image: m}
            """);
        Assert.Equal("a:7", project.Find("a")!.Image);
        Assert.Equal("always", project.Find("a")!.Restart);
    }

    [Fact]
    public void The_including_file_refines_an_imported_service()
    {
        using var p = new TempProject();
        p.Write("lib.yml", "services:\n  db: {image: postgres, restart: always}\n");
        var db = p.LoadYaml("include: [lib.yml]\nservices:\n  db: {restart: \"no\"}\n").Find("db")!;
        Assert.Equal("postgres", db.Image);
        Assert.Equal("no", db.Restart);
    }

    [Fact]
    public void An_include_cycle_is_reported()
    {
        using var p = new TempProject();
        p.Write("a.yml", "include: [b.yml]\nservices:\n  a: {image: a}\n");
        p.Write("b.yml", "include: [a.yml]\nservices:\n  b: {image: b}\n");
        StingAssert.Fails(() => p.Load(p.Request("a.yml")), ErrorIds.ComposeFileInvalid, "include cycle", "a.yml");
    }

    [Fact]
    public void A_missing_included_file_is_named()
    {
        using var p = new TempProject();
        p.Write("compose.yaml", "include: [missing.yml]\nservices:\n  a: {image: a}\n");
        StingAssert.Fails(() => p.Load(), ErrorIds.ComposeFileNotFound, "missing.yml", "compose.yaml:1");
    }
}
