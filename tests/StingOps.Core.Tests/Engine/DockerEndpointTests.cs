using System.Security.Cryptography;
using System.Text;
using StingOps.Core.Common;
using StingOps.Core.Engine;
using StingOps.Core.Engine.Docker;

namespace StingOps.Core.Tests.Engine;

public sealed class DockerEndpointTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("stingops-endpoint-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private string ConfigDir => Path.Combine(_home, ".docker");

    private Dictionary<string, string?> Env(params (string Key, string? Value)[] pairs)
    {
        var env = new Dictionary<string, string?> { ["HOME"] = _home };
        foreach (var (k, v) in pairs)
        {
            env[k] = v;
        }
        return env;
    }

    private void WriteContext(string configDir, string name, string host, bool tls = false)
    {
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(name))).ToLowerInvariant();
        var dir = Path.Combine(configDir, "contexts", "meta", hash);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "meta.json"),
            new System.Text.Json.Nodes.JsonObject
            {
                ["Name"] = name,
                ["Metadata"] = new System.Text.Json.Nodes.JsonObject { ["Description"] = "" },
                ["Endpoints"] = new System.Text.Json.Nodes.JsonObject
                {
                    ["docker"] = new System.Text.Json.Nodes.JsonObject { ["Host"] = host, ["SkipTLSVerify"] = false },
                },
            }.ToJsonString());
        if (tls)
        {
            Directory.CreateDirectory(Path.Combine(configDir, "contexts", "tls", hash, "docker"));
        }
    }

    private void WriteConfig(string configDir, string json)
    {
        Directory.CreateDirectory(configDir);
        File.WriteAllText(Path.Combine(configDir, "config.json"), json);
    }

    [Fact]
    public void Nothing_configured_is_the_platform_socket()
    {
        var resolved = DockerEndpoint.ResolveDetailed(Env());
        Assert.Equal(new Uri("unix:///var/run/docker.sock"), resolved.Uri);
        Assert.Equal("platform default", resolved.Source);
    }

    [Fact]
    public void DOCKER_HOST_wins_over_a_context()
    {
        WriteContext(ConfigDir, "remote", "unix:///run/remote.sock");
        var uri = DockerEndpoint.Resolve(Env(("DOCKER_HOST", "unix:///run/explicit.sock"), ("DOCKER_CONTEXT", "remote")));
        Assert.Equal(new Uri("unix:///run/explicit.sock"), uri);
    }

    [Theory]
    [InlineData("tcp://127.0.0.1:2376", "tcp://127.0.0.1:2376/")]
    [InlineData("tcp://127.0.0.1", "tcp://127.0.0.1:2375/")]
    [InlineData("127.0.0.1:2375", "tcp://127.0.0.1:2375/")]
    [InlineData("  unix:///tmp/d.sock ", "unix:///tmp/d.sock")]
    [InlineData("npipe:////./pipe/docker_engine", "npipe://./pipe/docker_engine")]
    public void DOCKER_HOST_is_parsed_as_the_cli_does(string value, string expected)
    {
        Assert.Equal(expected, DockerEndpoint.Resolve(Env(("DOCKER_HOST", value))).ToString());
    }

    [Fact]
    public void DOCKER_CONTEXT_reads_the_context_meta()
    {
        WriteContext(ConfigDir, "colima", "unix:///home/me/.colima/docker.sock");
        var resolved = DockerEndpoint.ResolveDetailed(Env(("DOCKER_CONTEXT", "colima")));
        Assert.Equal(new Uri("unix:///home/me/.colima/docker.sock"), resolved.Uri);
        Assert.Contains("colima", resolved.Source);
        Assert.False(resolved.TlsMaterialIgnored);
    }

    [Fact]
    public void CurrentContext_in_config_json_is_used_and_DOCKER_CONFIG_is_honoured()
    {
        var configDir = Path.Combine(_home, "custom-config");
        WriteConfig(configDir, """{"auths":{},"currentContext":"lab"}""");
        WriteContext(configDir, "lab", "tcp://127.0.0.1:23750");
        // A config under HOME must be ignored when DOCKER_CONFIG points elsewhere.
        WriteConfig(ConfigDir, """{"currentContext":"other"}""");

        var uri = DockerEndpoint.Resolve(Env(("DOCKER_CONFIG", configDir)));
        Assert.Equal(new Uri("tcp://127.0.0.1:23750"), uri);
    }

    [Fact]
    public void DOCKER_CONTEXT_wins_over_currentContext()
    {
        WriteConfig(ConfigDir, """{"currentContext":"lab"}""");
        WriteContext(ConfigDir, "lab", "unix:///run/lab.sock");
        WriteContext(ConfigDir, "other", "unix:///run/other.sock");
        Assert.Equal(new Uri("unix:///run/other.sock"), DockerEndpoint.Resolve(Env(("DOCKER_CONTEXT", "other"))));
    }

    [Fact]
    public void The_default_context_is_the_platform_socket()
    {
        WriteConfig(ConfigDir, """{"currentContext":"default"}""");
        Assert.Equal(DockerEndpoint.UnixDefault, DockerEndpoint.Resolve(Env()));
        Assert.Equal(DockerEndpoint.UnixDefault, DockerEndpoint.Resolve(Env(("DOCKER_CONTEXT", "default"))));
    }

    [Fact]
    public void A_missing_context_is_an_error_naming_it()
    {
        var e = Assert.Throws<StingException>(() => DockerEndpoint.Resolve(Env(("DOCKER_CONTEXT", "ghost"))));
        Assert.Equal(ErrorIds.EngineUnavailable, e.ErrorId);
        Assert.Contains("ghost", e.Message);
        Assert.Contains("DOCKER_CONTEXT", e.Message);
    }

    [Fact]
    public void An_unreadable_config_json_is_ignored_as_the_cli_does()
    {
        WriteConfig(ConfigDir, "{ not json");
        Assert.Equal(DockerEndpoint.UnixDefault, DockerEndpoint.Resolve(Env()));
    }

    [Fact]
    public void A_tls_context_is_returned_and_flagged()
    {
        WriteContext(ConfigDir, "secure", "tcp://127.0.0.1:2376", tls: true);
        var resolved = DockerEndpoint.ResolveDetailed(Env(("DOCKER_CONTEXT", "secure")));
        Assert.Equal(new Uri("tcp://127.0.0.1:2376"), resolved.Uri);
        Assert.True(resolved.TlsMaterialIgnored);
    }

    [Fact]
    public void Empty_DOCKER_HOST_counts_as_unset()
    {
        WriteContext(ConfigDir, "lab", "unix:///run/lab.sock");
        Assert.Equal(new Uri("unix:///run/lab.sock"), DockerEndpoint.Resolve(Env(("DOCKER_HOST", ""), ("DOCKER_CONTEXT", "lab"))));
    }
}
