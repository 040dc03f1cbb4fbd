using System.Text.Json.Nodes;
using StingOps.Core.Common;
using StingOps.Core.Engine;
using StingOps.Core.Engine.Docker;

namespace StingOps.Core.Tests.Engine;

public sealed class EngineParsingTests
{
    [Fact]
    public void Engine_info_is_read_from_the_version_and_info_answers()
    {
        var version = DockerModels.ParseVersion("""{"Platform":{"Name":""},"Version":"26.1.5+dfsg1","ApiVersion":"1.45","MinAPIVersion":"1.24","Os":"linux"}""");
        var info = DockerModels.ParseInfo("""{"ID":"x","ServerVersion":"26.1.5","DockerRootDir":"/var/lib/docker","MemTotal":8589934592,"OperatingSystem":"Debian GNU/Linux 12 (bookworm)","Plugins":{"Volume":["local"]}}""");
        var engine = DockerModels.ToInfo("unix:///var/run/docker.sock", version, info);
        Assert.Equal(new EngineInfo("unix:///var/run/docker.sock", "26.1.5+dfsg1", "1.45", "/var/lib/docker", 8589934592, "Debian GNU/Linux 12 (bookworm)"), engine);
    }

    [Fact]
    public void Engine_info_without_version_or_memory_falls_back_as_before()
    {
        var engine = DockerModels.ToInfo("e", DockerModels.ParseVersion("""{"apiversion":"1.41"}"""), DockerModels.ParseInfo("""{"ServerVersion":"20.10.24","MemTotal":0,"OperatingSystem":""}"""));
        Assert.Equal("20.10.24", engine.ServerVersion);
        Assert.Equal("1.41", engine.ApiVersion);
        Assert.Null(engine.MemoryTotalBytes);
        Assert.Null(engine.OperatingSystem);
    }

    [Theory]
    [InlineData("Up 5 seconds (healthy)", "healthy")]
    [InlineData("Up 2 minutes (unhealthy)", "unhealthy")]
    [InlineData("Up 1 second (health: starting)", "starting")]
    [InlineData("Up 3 hours", null)]
    [InlineData("Up 3 hours (Paused)", null)]
    [InlineData("Exited (0) 3 seconds ago", null)]
    [InlineData("Restarting (1) 2 seconds ago", null)]
    [InlineData("Created", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Health_is_read_from_the_list_status(string? status, string? expected)
    {
        Assert.Equal(expected, DockerModels.HealthFromStatus(status));
    }

    [Theory]
    [InlineData("Exited (0) 3 seconds ago", 0)]
    [InlineData("Exited (137) About a minute ago", 137)]
    [InlineData("Up 3 hours", null)]
    [InlineData("Restarting (1) 2 seconds ago", null)]
    [InlineData("Created", null)]
    [InlineData(null, null)]
    public void The_exit_code_is_read_from_the_list_status(string? status, int? expected)
    {
        Assert.Equal(expected, DockerModels.ExitCodeFromStatus(status));
    }

    private const string DieLine =
        """{"status":"die","id":"abc123","from":"img","Type":"container","Action":"die","Actor":{"ID":"abc123","Attributes":{"com.docker.compose.project":"p","com.docker.compose.service":"db","exitCode":"143","image":"img","name":"p-db-1"}},"scope":"local","time":1700000000,"timeNano":1700000000123456789}""";

    [Fact]
    public void A_die_event_carries_service_and_exit_code()
    {
        var e = EngineEventParser.Parse(DieLine, "p");
        Assert.NotNull(e);
        Assert.Equal("abc123", e.ContainerId);
        Assert.Equal("db", e.Service);
        Assert.Equal("die", e.Action);
        Assert.Equal(143, e.ExitCode);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000).AddTicks(1234567), e.Time);
    }

    [Fact]
    public void Health_status_actions_are_kept_whole()
    {
        var line = """{"Type":"container","Action":"health_status: healthy","Actor":{"ID":"x","Attributes":{"com.docker.compose.project":"p","com.docker.compose.service":"web"}},"time":1700000000}""";
        var e = EngineEventParser.Parse(line, "p");
        Assert.Equal("health_status: healthy", e!.Action);
        Assert.Null(e.ExitCode);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), e.Time);
    }

    [Theory]
    [InlineData("""{"Type":"network","Action":"connect","Actor":{"ID":"n","Attributes":{}}}""")]
    [InlineData("""{"Type":"container","Action":"start","Actor":{"ID":"x","Attributes":{"com.docker.compose.project":"other"}}}""")]
    [InlineData("""{"Type":"container","Action":"start","Actor":{"ID":"x","Attributes":{"com.docker.compose.project":"p","com.docker.compose.oneoff":"True"}}}""")]
    [InlineData("   ")]
    public void Foreign_and_one_off_events_are_dropped(string line)
    {
        Assert.Null(EngineEventParser.Parse(line, "p"));
    }

    [Fact]
    public void Old_engines_without_Actor_still_parse()
    {
        var e = EngineEventParser.Parse("""{"status":"start","id":"deadbeef","from":"img","time":1700000000}""", "p");
        Assert.Equal("deadbeef", e!.ContainerId);
        Assert.Equal("start", e.Action);
        Assert.Equal(string.Empty, e.Service);
    }

    [Fact]
    public void Since_is_seconds_dot_nanoseconds()
    {
        var t = DateTimeOffset.FromUnixTimeSeconds(1700000000).AddTicks(1234567);
        Assert.Equal("1700000000.123456700", EngineEventParser.FormatSince(t));
    }

    [Theory]
    [InlineData("""{"message":"Conflict. The container name \"/x\" is already in use"}""", "Conflict. The container name \"/x\" is already in use")]
    [InlineData("plain text", "plain text")]
    [InlineData("", "no details")]
    public void Engine_error_bodies_give_their_message(string body, string expected)
    {
        Assert.Equal(expected, DockerErrors.EngineMessage(body));
    }

    [Fact]
    public void Engine_times_of_never_are_null()
    {
        Assert.Null(DockerModels.ParseEngineTime("0001-01-01T00:00:00Z"));
        Assert.Null(DockerModels.ParseEngineTime(""));
        var parsed = DockerModels.ParseEngineTime("2024-05-01T10:00:00.123456789Z");
        Assert.NotNull(parsed);
        Assert.Equal(TimeSpan.Zero, parsed.Value.Offset);
        Assert.InRange((parsed.Value - new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero)).Ticks, 1234567, 1234568);
    }

    [Fact]
    public void Inspect_keeps_the_health_log_in_UTC_oldest_first()
    {
        var response = new Docker.DotNet.Models.ContainerInspectResponse
        {
            ID = "c1",
            Name = "/p-vault-1",
            State = new Docker.DotNet.Models.State
            {
                Status = "running",
                StartedAt = "2026-03-01T10:00:00.5Z",
                Health = new Docker.DotNet.Models.Health
                {
                    Status = "healthy",
                    Log =
                    [
                        new() { Start = new DateTime(2026, 3, 1, 10, 0, 1, DateTimeKind.Utc), End = new DateTime(2026, 3, 1, 10, 0, 1, 200, DateTimeKind.Utc), ExitCode = 1, Output = "sealed" },
                        new() { Start = new DateTime(2026, 3, 1, 12, 0, 6, DateTimeKind.Unspecified), End = new DateTime(2026, 3, 1, 12, 0, 6, 300, DateTimeKind.Unspecified), ExitCode = 0, Output = "ok" },
                    ],
                },
            },
            Config = new Docker.DotNet.Models.ContainerConfig { Labels = new Dictionary<string, string> { ["com.docker.compose.service"] = "vault" } },
        };

        var details = DockerModels.ToDetails(response, 100);

        Assert.Equal("ok", details.LastHealthOutput);
        Assert.NotNull(details.HealthLog);
        Assert.Equal(2, details.HealthLog.Count);
        Assert.Equal(new HealthProbe(new DateTimeOffset(2026, 3, 1, 10, 0, 1, TimeSpan.Zero), new DateTimeOffset(2026, 3, 1, 10, 0, 1, 200, TimeSpan.Zero), 1), details.HealthLog[0]);
        // An unspecified kind is the engine's UTC, never the local zone.
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 0, 6, 300, TimeSpan.Zero), details.HealthLog[1].End);
        Assert.Equal(0, details.HealthLog[1].ExitCode);
    }

    [Fact]
    public void Inspect_without_a_health_state_has_no_health_log()
    {
        var response = new Docker.DotNet.Models.ContainerInspectResponse
        {
            ID = "c2",
            Name = "/p-web-1",
            State = new Docker.DotNet.Models.State { Status = "running", StartedAt = "2026-03-01T10:00:00Z" },
            Config = new Docker.DotNet.Models.ContainerConfig(),
        };

        Assert.Null(DockerModels.ToDetails(response, 100).HealthLog);
    }

    private const string HostInspect = """
        {
          "Id": "f5a39c7b9d9cec750298ab0c5dfb8cb723cd1bb119f739a34d3b3b0d89ff1373",
          "Image": "sha256:6753db76c152",
          "Name": "/p-web-1",
          "HostConfig": { "NetworkMode": "host", "Binds": ["named:/named:rw"], "Init": true },
          "Mounts": [
            { "Type": "volume", "Name": "anon123", "Destination": "/data", "RW": true },
            { "Type": "volume", "Name": "named", "Destination": "/named", "RW": true },
            { "Type": "volume", "Name": "ro456", "Destination": "/ro", "RW": false },
            { "Type": "bind", "Source": "/etc/x", "Destination": "/x", "RW": true }
          ],
          "Config": {
            "Hostname": "vm", "Domainname": "", "Image": "busy:local", "Env": ["A=1"],
            "Labels": { "com.docker.compose.project": "p", "com.docker.compose.service": "web" },
            "Healthcheck": { "Test": ["CMD-SHELL", "true"], "Interval": 1000000000 }
          },
          "NetworkSettings": { "Networks": { "host": { "NetworkID": "n1", "EndpointID": "e1", "IPAddress": "" } } }
        }
        """;

    [Fact]
    public void A_snapshot_keeps_config_and_host_config_and_pins_the_image_id()
    {
        var plan = ContainerSnapshot.Build(HostInspect);
        var body = plan.Body;
        Assert.Equal("sha256:6753db76c152", plan.ImageId);
        Assert.Equal("busy:local", plan.ImageName);
        Assert.Equal("sha256:6753db76c152", body["Image"]!.GetValue<string>());
        Assert.Equal("web", body["Labels"]!["com.docker.compose.service"]!.GetValue<string>());
        Assert.Equal("A=1", body["Env"]![0]!.GetValue<string>());
        Assert.Equal("host", body["HostConfig"]!["NetworkMode"]!.GetValue<string>());
        Assert.True(body["HostConfig"]!["Init"]!.GetValue<bool>());
        // The host's name is not carried over under network_mode host, and no endpoint config is sent.
        Assert.Null(body["Hostname"]);
        Assert.Null(body["NetworkingConfig"]);
        Assert.Empty(plan.ExtraNetworks);
    }

    [Fact]
    public void A_snapshot_reattaches_anonymous_volumes_by_name()
    {
        var binds = ContainerSnapshot.Build(HostInspect).Body["HostConfig"]!["Binds"]!.AsArray()
            .Select(b => b!.GetValue<string>()).ToList();
        Assert.Equal(["named:/named:rw", "anon123:/data", "ro456:/ro:ro"], binds);
    }

    [Fact]
    public void A_snapshot_fills_in_anonymous_mounts_of_HostConfig_Mounts()
    {
        var inspect = JsonNode.Parse(HostInspect)!.AsObject();
        inspect["HostConfig"]!["Binds"] = null;
        inspect["HostConfig"]!["Mounts"] = new JsonArray(new JsonObject { ["Type"] = "volume", ["Target"] = "/data" });
        var hostConfig = ContainerSnapshot.Build(inspect.ToJsonString()).Body["HostConfig"]!;
        Assert.Equal("anon123", hostConfig["Mounts"]![0]!["Source"]!.GetValue<string>());
        var binds = hostConfig["Binds"]!.AsArray().Select(b => b!.GetValue<string>()).ToList();
        Assert.DoesNotContain(binds, b => b.EndsWith(":/data", StringComparison.Ordinal));
    }

    [Fact]
    public void A_snapshot_on_user_networks_creates_on_the_primary_and_connects_the_rest()
    {
        var inspect = JsonNode.Parse(HostInspect)!.AsObject();
        var id = inspect["Id"]!.GetValue<string>();
        inspect["HostConfig"]!["NetworkMode"] = "p_back";
        inspect["Config"]!["Hostname"] = id[..12];
        inspect["NetworkSettings"] = JsonNode.Parse($$"""
            { "Networks": {
                "p_front": { "Aliases": ["web", "{{id[..12]}}"], "NetworkID": "n2", "IPAddress": "10.1.0.2", "IPAMConfig": null },
                "p_back":  { "Aliases": ["web"], "NetworkID": "n1", "IPAddress": "10.0.0.2", "DriverOpts": null }
            } }
            """);
        var plan = ContainerSnapshot.Build(inspect.ToJsonString());
        var endpoints = plan.Body["NetworkingConfig"]!["EndpointsConfig"]!.AsObject();
        Assert.Equal(["p_back"], endpoints.Select(p => p.Key));
        Assert.Null(endpoints["p_back"]!["IPAddress"]);
        Assert.Null(endpoints["p_back"]!["NetworkID"]);
        var extra = Assert.Single(plan.ExtraNetworks);
        Assert.Equal("p_front", extra.Key);
        Assert.Equal(["web"], extra.Value["Aliases"]!.AsArray().Select(a => a!.GetValue<string>()));
        // The generated hostname (old short id) is dropped so the engine gives the new container its own.
        Assert.Null(plan.Body["Hostname"]);
    }

    [Fact]
    public void A_broken_snapshot_is_an_error()
    {
        var e = Assert.Throws<StingException>(() => ContainerSnapshot.Build("{ nope"));
        Assert.Equal(ErrorIds.EngineOperationFailed, e.ErrorId);
        Assert.Throws<StingException>(() => ContainerSnapshot.Build("""{"Id":"x"}"""));
    }
}
