using StingOps.Core.Compose.Cli;

namespace StingOps.Core.Tests.Compose;

/// <summary>Where the compose plugin is looked for: the CLI's own order, and nothing where the CLI's view is unknown.</summary>
public sealed class ComposePluginTests : IDisposable
{
    private readonly string _config = Directory.CreateTempSubdirectory("stingops-plugin-").FullName;

    public void Dispose() => Directory.Delete(_config, recursive: true);

    private Dictionary<string, string?> Environment => new() { ["DOCKER_CONFIG"] = _config, ["HOME"] = "/nonexistent" };

    private string UserPlugin()
    {
        var directory = Directory.CreateDirectory(Path.Combine(_config, "cli-plugins")).FullName;
        var path = Path.Combine(directory, "docker-compose");
        File.WriteAllText(path, "");
        return path;
    }

    [Fact]
    public void Find_UserPluginDirectory_ComesFirst()
    {
        if (!OperatingSystem.IsLinux())
            return;
        var plugin = UserPlugin();
        Assert.Equal(plugin, ComposePlugin.Find("/usr/bin/docker", Environment));
    }

    [Fact]
    public void Find_DockerOutsideSystemDirectories_EnsureNull()
    {
        UserPlugin();
        Assert.Null(ComposePlugin.Find("/snap/bin/docker", Environment));
        Assert.Null(ComposePlugin.Find(Path.Combine(_config, "docker"), Environment));
    }

    [Theory]
    [InlineData("""{ "cliPluginsExtraDirs": ["/opt/plugins"] }""")]
    [InlineData("""{ "auths": """)]
    [InlineData("[]")]
    public void Find_ExtraPluginDirectoriesOrUnreadableConfig_EnsureNull(string config)
    {
        UserPlugin();
        File.WriteAllText(Path.Combine(_config, "config.json"), config);
        Assert.Null(ComposePlugin.Find("/usr/bin/docker", Environment));
    }

    [Fact]
    public void Find_ConfigWithoutExtraDirectories_FindsPlugin()
    {
        if (!OperatingSystem.IsLinux())
            return;
        var plugin = UserPlugin();
        File.WriteAllText(Path.Combine(_config, "config.json"), """{ "currentContext": "default", }""");
        Assert.Equal(plugin, ComposePlugin.Find("/usr/local/bin/docker", Environment));
    }

    [Fact]
    public void LocalExecutable_WithoutPlugin_IsTheCli()
    {
        var cli = new ComposeCliInfo(ComposeCliKind.V2Plugin, "/usr/bin/docker", ["compose"], "2.26.1");
        Assert.Equal("/usr/bin/docker", cli.LocalExecutable);
        Assert.Equal(["compose"], cli.LocalPrefixArguments);
        var direct = cli with { PluginExecutable = "/usr/lib/docker/cli-plugins/docker-compose" };
        Assert.Equal("/usr/lib/docker/cli-plugins/docker-compose", direct.LocalExecutable);
        Assert.Empty(direct.LocalPrefixArguments);
        Assert.Equal("/usr/bin/docker", direct.Executable);
    }
}
