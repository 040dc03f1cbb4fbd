using StingOps.Core.Common;
using StingOps.Core.Compose;

namespace StingOps.Core.Tests.Compose;

public class ProjectLocatorTests
{
    private const string Minimal = "services:\n  app:\n    image: busybox\n";

    [Theory]
    [InlineData("compose.yaml")]
    [InlineData("compose.yml")]
    [InlineData("docker-compose.yaml")]
    [InlineData("docker-compose.yml")]
    public void Finds_each_default_file_name(string name)
    {
        using var p = new TempProject();
        p.Write(name, Minimal);
        var location = p.Locate();
        Assert.Equal([p.PathOf(name)], location.ComposeFiles);
        Assert.True(location.FoundByDefault);
        Assert.Equal(p.Directory, location.ProjectDirectory);
    }

    [Fact]
    public void Prefers_compose_yaml_as_compose_does()
    {
        using var p = new TempProject();
        p.Write("docker-compose.yml", Minimal);
        p.Write("compose.yaml", Minimal);
        Assert.Equal([p.PathOf("compose.yaml")], p.Locate().ComposeFiles);
    }

    [Theory]
    [InlineData("docker-compose.yml", "docker-compose.override.yml")]
    [InlineData("docker-compose.yml", "docker-compose.override.yaml")]
    [InlineData("compose.yaml", "compose.override.yaml")]
    [InlineData("compose.yaml", "compose.override.yml")]
    public void Picks_up_an_override_file_beside_a_default_file(string main, string over)
    {
        using var p = new TempProject();
        p.Write(main, Minimal);
        p.Write(over, "services:\n  app:\n    restart: always\n");
        Assert.Equal([p.PathOf(main), p.PathOf(over)], p.Locate().ComposeFiles);
    }

    [Fact]
    public void Does_not_add_an_override_file_to_explicit_files()
    {
        using var p = new TempProject();
        p.Write("compose.yaml", Minimal);
        p.Write("compose.override.yaml", Minimal);
        var location = p.Locate(p.Request("compose.yaml"));
        Assert.Equal([p.PathOf("compose.yaml")], location.ComposeFiles);
        Assert.False(location.FoundByDefault);
    }

    [Fact]
    public void Explicit_files_keep_their_order_and_set_the_project_directory()
    {
        using var p = new TempProject();
        p.Write("deploy/base.yml", Minimal);
        p.Write("deploy/prod.yml", Minimal);
        var location = p.Locate(p.Request("deploy/base.yml", "deploy/prod.yml"));
        Assert.Equal([p.PathOf("deploy/base.yml"), p.PathOf("deploy/prod.yml")], location.ComposeFiles);
        Assert.Equal(p.PathOf("deploy"), location.ProjectDirectory);
        Assert.Equal("deploy", location.ProjectName);
    }

    [Fact]
    public void An_explicit_project_directory_wins_over_the_files_directory()
    {
        using var p = new TempProject();
        p.Write("deploy/base.yml", Minimal);
        var location = p.Locate(p.Request("deploy/base.yml") with { ProjectDirectory = p.Directory });
        Assert.Equal(p.Directory, location.ProjectDirectory);
    }

    [Fact]
    public void An_explicit_file_that_does_not_exist_is_named()
    {
        using var p = new TempProject();
        StingAssert.Fails(() => p.Locate(p.Request("nope.yml")), ErrorIds.ComposeFileNotFound, p.PathOf("nope.yml"));
    }

    [Fact]
    public void No_compose_file_names_where_it_looked()
    {
        using var p = new TempProject();
        StingAssert.Fails(() => p.Locate(p.Request() with { ProjectDirectory = p.Directory }),
            ErrorIds.ComposeFileNotFound, p.Directory, "compose.yaml", "docker-compose.yml");
    }

    [Fact]
    public void Uses_COMPOSE_FILE_with_the_path_separator()
    {
        using var p = new TempProject();
        p.Write("a.yml", Minimal);
        p.Write("b.yml", Minimal);
        p.Write("compose.yaml", Minimal);
        p.Environment["COMPOSE_FILE"] = $"a.yml{Path.PathSeparator}b.yml";
        Assert.Equal([p.PathOf("a.yml"), p.PathOf("b.yml")], p.Locate().ComposeFiles);
    }

    [Fact]
    public void Honours_COMPOSE_PATH_SEPARATOR()
    {
        using var p = new TempProject();
        p.Write("a.yml", Minimal);
        p.Write("b.yml", Minimal);
        p.Environment["COMPOSE_FILE"] = "a.yml,b.yml";
        p.Environment["COMPOSE_PATH_SEPARATOR"] = ",";
        Assert.Equal([p.PathOf("a.yml"), p.PathOf("b.yml")], p.Locate().ComposeFiles);
    }

    [Fact]
    public void Reads_COMPOSE_FILE_from_the_dot_env_file()
    {
        using var p = new TempProject();
        p.Write("stack.yml", Minimal);
        p.Write(".env", "COMPOSE_FILE=stack.yml\n");
        Assert.Equal([p.PathOf("stack.yml")], p.Locate().ComposeFiles);
    }

    [Fact]
    public void A_missing_COMPOSE_FILE_entry_is_named()
    {
        using var p = new TempProject();
        p.Environment["COMPOSE_FILE"] = "missing.yml";
        StingAssert.Fails(() => p.Locate(), ErrorIds.ComposeFileNotFound, "missing.yml", "COMPOSE_FILE");
    }

    [Fact]
    public void Falls_back_to_STING_INSTALL_DIR()
    {
        using var p = new TempProject("sting");
        p.Write("docker-compose.yml", Minimal);
        var elsewhere = Path.Combine(p.Root, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        p.Environment["STING_INSTALL_DIR"] = p.Directory;
        var location = ProjectLocator.Locate(new ProjectRequest(elsewhere), p.Environment);
        Assert.Equal(p.Directory, location.ProjectDirectory);
        Assert.Equal("sting", location.ProjectName);
    }

    [Fact]
    public void Searches_parent_directories_of_the_current_location_like_compose()
    {
        using var p = new TempProject();
        p.Write("compose.yaml", Minimal);
        var nested = Path.Combine(p.Directory, "src", "deep");
        Directory.CreateDirectory(nested);
        var location = ProjectLocator.Locate(new ProjectRequest(nested), p.Environment);
        Assert.Equal(p.Directory, location.ProjectDirectory);
    }

    [Theory]
    [InlineData("My Project", "myproject")]
    [InlineData("STING-ce", "sting-ce")]
    [InlineData("_under", "under")]
    [InlineData("a.b.c", "abc")]
    public void The_directory_name_is_normalised_as_compose_does(string directory, string expected)
    {
        using var p = new TempProject(directory);
        p.Write("compose.yaml", Minimal);
        var location = p.Locate();
        Assert.Equal(expected, location.ProjectName);
        Assert.Equal(ProjectNameSource.Directory, location.ProjectNameSource);
    }

    [Fact]
    public void Name_precedence_explicit_then_environment_then_dot_env()
    {
        using var p = new TempProject();
        p.Write("compose.yaml", Minimal);
        p.Write(".env", "COMPOSE_PROJECT_NAME=fromdotenv\n");
        Assert.Equal(("fromdotenv", ProjectNameSource.DotEnv), (p.Locate().ProjectName, p.Locate().ProjectNameSource));
        p.Environment["COMPOSE_PROJECT_NAME"] = "fromenv";
        Assert.Equal(("fromenv", ProjectNameSource.Environment), (p.Locate().ProjectName, p.Locate().ProjectNameSource));
        var location = p.Locate(p.Request() with { ProjectName = "explicit" });
        Assert.Equal(("explicit", ProjectNameSource.Explicit), (location.ProjectName, location.ProjectNameSource));
    }

    [Theory]
    [InlineData("Bad Name")]
    [InlineData("-dash")]
    [InlineData("UPPER")]
    public void An_invalid_explicit_name_is_an_error(string name)
    {
        using var p = new TempProject();
        p.Write("compose.yaml", Minimal);
        StingAssert.Fails(() => p.Locate(p.Request() with { ProjectName = name }), ErrorIds.ProjectNameInvalid, name);
    }

    [Fact]
    public void Profiles_come_from_the_request_then_COMPOSE_PROFILES_then_dot_env()
    {
        using var p = new TempProject();
        p.Write("compose.yaml", Minimal);
        p.Write(".env", "COMPOSE_PROFILES=fromfile\n");
        Assert.Equal(["fromfile"], p.Locate().Profiles);
        p.Environment["COMPOSE_PROFILES"] = "debug, observability,,debug";
        Assert.Equal(["debug", "observability"], p.Locate().Profiles);
        Assert.Equal(["x", "y", "z"], p.Locate(p.Request() with { Profiles = ["x", "y,z"] }).Profiles);
    }

    [Fact]
    public void Config_path_prefers_conf_config_yml_then_config_yml()
    {
        using var p = new TempProject();
        p.Write("compose.yaml", Minimal);
        Assert.Null(p.Locate().ConfigPath);
        p.Write("config.yml", "x: 1\n");
        Assert.Equal(p.PathOf("config.yml"), p.Locate().ConfigPath);
        p.Write("conf/config.yml", "x: 1\n");
        Assert.Equal(p.PathOf("conf/config.yml"), p.Locate().ConfigPath);
        Assert.Equal(p.PathOf("other.yml"), p.Locate(p.Request() with { ConfigPath = "other.yml" }).ConfigPath);
    }

    [Fact]
    public void Reads_the_project_dot_env()
    {
        using var p = new TempProject();
        p.Write("compose.yaml", Minimal);
        p.Write(".env", "TAG=1.2\n");
        var location = p.Locate();
        Assert.Equal("1.2", location.DotEnv["TAG"]);
        Assert.Equal(p.PathOf(".env"), location.DotEnvPath);
    }

    [Fact]
    public void A_dangling_dot_env_link_reads_as_no_dot_env()
    {
        if (OperatingSystem.IsWindows()) return; // symbolic links need privileges there
        using var p = new TempProject();
        p.Write("compose.yaml", Minimal);
        File.CreateSymbolicLink(p.PathOf(".env"), p.PathOf("mailcow.conf"));
        var location = p.Locate();
        Assert.Empty(location.DotEnv);
        Assert.Null(location.DotEnvPath);
    }

    [Fact]
    public void COMPOSE_FILE_in_the_STING_install_dot_env_is_used_from_anywhere()
    {
        using var p = new TempProject("sting");
        p.Write("docker-compose.yml", Minimal);
        p.Write("docker-compose.full.yml", Minimal);
        p.Write(".env", "COMPOSE_FILE=docker-compose.yml:docker-compose.full.yml\nCOMPOSE_PATH_SEPARATOR=:\n");
        p.Environment["STING_INSTALL_DIR"] = p.Directory;
        var location = ProjectLocator.Locate(new ProjectRequest(p.Root), p.Environment);
        Assert.Equal([p.PathOf("docker-compose.yml"), p.PathOf("docker-compose.full.yml")], location.ComposeFiles);
    }

    [Fact]
    public void Find_looks_services_up_by_name()
    {
        using var p = new TempProject();
        var project = p.LoadYaml("services:\n  a: {image: a}\n  b: {image: b}\n");
        Assert.Equal("b", project.Find("b")!.Image);
        Assert.Null(project.Find("c"));
    }
}
