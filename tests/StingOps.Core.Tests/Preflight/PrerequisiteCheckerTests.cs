using StingOps.Core.Common;
using StingOps.Core.Compose.Cli;
using StingOps.Core.Drift;
using StingOps.Core.Preflight;
using StingOps.Core.Restart;
using StingOps.Core.Tests.Engine;

namespace StingOps.Core.Tests.Preflight;

public sealed class PrerequisiteCheckerTests
{
    private static PrerequisiteCheckResult Single(IEnumerable<PrerequisiteCheckResult> results, PrerequisiteCheck check, string? target = null) =>
        results.Single(r => r.Check == check && (target is null || r.Target == target));

    private static void AssertNoSecret(IEnumerable<PrerequisiteCheckResult> results)
    {
        foreach (var r in results)
        {
            Assert.DoesNotContain(PreflightFixture.DbSecret, r.Message);
            Assert.DoesNotContain(PreflightFixture.DbSecret, r.Target);
        }
    }

    [Fact]
    public async Task CheckAsync_HealthyProject_NothingBlocks_AndEngineVersionIsReported()
    {
        using var f = new PreflightFixture();

        var results = await f.CheckAsync();

        Assert.DoesNotContain(results, r => r.IsBlocking);
        var engine = Single(results, PrerequisiteCheck.DockerEngine);
        Assert.True(engine.Passed);
        Assert.Contains("20.10.24", engine.Message);
        Assert.Contains("1.41", engine.Message);
        Assert.True(Single(results, PrerequisiteCheck.EnvironmentFile, "db").Passed);
        Assert.True(Single(results, PrerequisiteCheck.RestartLock).Passed);
        Assert.All(results.Where(r => r.Check == PrerequisiteCheck.ConfigDrift), r => Assert.True(r.Passed));
        Assert.Equal(2, results.Count(r => r.Check == PrerequisiteCheck.DiskSpace));
        Assert.DoesNotContain(results, r => r.Check == PrerequisiteCheck.ComposeCli);
        AssertNoSecret(results);
    }

    [Fact]
    public async Task CheckAsync_EngineUnreachable_FailsDockerEngine_NamingEndpoint_AndSkipsEngineChecks()
    {
        using var f = new PreflightFixture();
        f.Engine.Unreachable = true;

        var results = await f.CheckAsync(new PrerequisiteOptions { Names = ["app"] });

        var engine = Single(results, PrerequisiteCheck.DockerEngine);
        Assert.True(engine.IsBlocking);
        Assert.Contains("fake://engine", engine.Message);
        Assert.Contains("DOCKER_HOST", engine.Message);
        Assert.DoesNotContain(results, r => r.Check is PrerequisiteCheck.Dependencies or PrerequisiteCheck.ConfigDrift);
        Assert.Contains(results, r => r.Check == PrerequisiteCheck.DiskSpace && r.Target == f.Project.Directory);
    }

    [Fact]
    public async Task CheckAsync_MissingEnvFile_FailsEnvironmentFile_ForThatService()
    {
        using var f = new PreflightFixture();
        File.Delete(f.Project.PathOf("env/db.env"));

        var results = await f.CheckAsync();

        var env = Single(results, PrerequisiteCheck.EnvironmentFile, "db");
        Assert.True(env.IsBlocking);
        Assert.Contains("FileNotFound", env.Message);
        Assert.Contains("db.env", env.Message);
    }

    [Fact]
    public async Task CheckAsync_OptionalMissingEnvFile_Passes()
    {
        using var f = new PreflightFixture();
        f.Project.Write("compose.yaml", """
            services:
              db:
                image: busybox:latest
                env_file:
                  - path: env/db.env
                  - path: env/local.env
                    required: false
            """);

        var results = await f.CheckAsync();

        Assert.True(Single(results, PrerequisiteCheck.EnvironmentFile, "db").Passed);
    }

    [Fact]
    public async Task CheckAsync_RequiredKeyMissingOrEmpty_Fails_WithoutAnyValue()
    {
        using var f = new PreflightFixture();
        f.Project.Write("env/db.env", $"DB_USER={PreflightFixture.DbSecret}\nDB_PASSWORD=\n");

        var results = await f.CheckAsync();

        var env = Single(results, PrerequisiteCheck.EnvironmentFile, "db");
        Assert.True(env.IsBlocking);
        Assert.Contains("EmptyRequiredKey", env.Message);
        Assert.Contains("DB_PASSWORD", env.Message);
        AssertNoSecret(results);
    }

    [Fact]
    public async Task CheckAsync_InvalidComposeFile_FailsComposeFile_WithTheLoadersMessage_InsteadOfThrowing()
    {
        using var f = new PreflightFixture();
        f.Project.Write("compose.yaml", "services:\n  db:\n    image: [unclosed\n");

        var results = await f.CheckAsync();

        var compose = Single(results, PrerequisiteCheck.ComposeFile);
        Assert.True(compose.IsBlocking);
        Assert.Contains("StingComposeFileInvalid", compose.Message);
        Assert.Contains("compose.yaml", compose.Message);
        Assert.True(Single(results, PrerequisiteCheck.DockerEngine).Passed);
        Assert.DoesNotContain(results, r => r.Check == PrerequisiteCheck.EnvironmentFile);
    }

    [Fact]
    public async Task CheckAsync_InvalidRestartConfiguration_FailsRestartConfiguration()
    {
        using var f = new PreflightFixture();
        f.Project.Write("conf/config.yml", "restart_configuration:\n  default_timeout: soon\n");

        var results = await f.CheckAsync();

        var config = Single(results, PrerequisiteCheck.RestartConfiguration);
        Assert.True(config.IsBlocking);
        Assert.Contains("StingRestartConfigurationInvalid", config.Message);
        Assert.Contains("config.yml", config.Message);
        Assert.True(Single(results, PrerequisiteCheck.ComposeFile).Passed);
    }

    [Fact]
    public async Task CheckAsync_LowDisk_FailsDiskSpace_AndInvisibleEngineDirectoryIsAWarning()
    {
        using var f = new PreflightFixture();
        f.Resources.Free[f.Project.Directory] = 200L << 20;
        f.Resources.Free["/var/lib/docker"] = null;

        var results = await f.CheckAsync(new PrerequisiteOptions { MinimumFreeSpaceGB = 0.5 });

        var project = Single(results, PrerequisiteCheck.DiskSpace, f.Project.Directory);
        Assert.True(project.IsBlocking);
        Assert.Contains("0.20 GB", project.Message);
        Assert.Contains("0.5 GB", project.Message);
        var engine = Single(results, PrerequisiteCheck.DiskSpace, "/var/lib/docker");
        Assert.False(engine.Passed);
        Assert.Equal(PrerequisiteCheckSeverity.Warning, engine.Severity);
        Assert.Contains("not visible", engine.Message);
    }

    [Fact]
    public async Task CheckAsync_ConfiguredMinimumFreeSpace_IsUsed()
    {
        using var f = new PreflightFixture();
        f.Project.Write("conf/config.yml", "restart_configuration:\n  minimum_free_space_gb: 200\n");

        var results = await f.CheckAsync();

        Assert.All(results.Where(r => r.Check == PrerequisiteCheck.DiskSpace), r => Assert.True(r.IsBlocking));
    }

    [Fact]
    public async Task CheckAsync_LowMemory_IsAWarning_NotBlocking()
    {
        using var f = new PreflightFixture();
        f.Resources.Memory = 100L << 20;

        var results = await f.CheckAsync();

        var memory = Single(results, PrerequisiteCheck.Memory);
        Assert.False(memory.Passed);
        Assert.False(memory.IsBlocking);
        Assert.Contains("100 MiB", memory.Message);
    }

    [Fact]
    public async Task CheckAsync_ConfiguredMinimumMemory_BelowIt_Blocks_AboveIt_Passes()
    {
        using var f = new PreflightFixture();
        f.Project.Write("conf/config.yml", "restart_configuration:\n  minimum_available_memory_mb: 2048\n");
        f.Resources.Memory = 1000L << 20;

        var low = Single(await f.CheckAsync(), PrerequisiteCheck.Memory);
        f.Resources.Memory = 3000L << 20;
        var enough = Single(await f.CheckAsync(), PrerequisiteCheck.Memory);

        Assert.True(low.IsBlocking);
        Assert.Contains("below 2048 MiB", low.Message);
        Assert.Contains("minimum_available_memory_mb", low.Message);
        Assert.True(enough.Passed);
    }

    [Fact]
    public async Task CheckAsync_NamedRequest_DependencyDown_FailsDependencies()
    {
        using var f = new PreflightFixture();
        await f.Engine.StopAsync(f.Engine.IdOf("db"), TimeSpan.Zero, default);

        var results = await f.CheckAsync(new PrerequisiteOptions { Names = ["app"] });

        var deps = Single(results, PrerequisiteCheck.Dependencies, "app");
        Assert.True(deps.IsBlocking);
        Assert.Contains("'db' is exited", deps.Message);
        // Only the affected service's env files are looked at.
        Assert.DoesNotContain(results, r => r.Check == PrerequisiteCheck.EnvironmentFile);
    }

    [Fact]
    public async Task CheckAsync_DependenciesNotWanted_AreNotJudged()
    {
        using var f = new PreflightFixture();
        await f.Engine.StopAsync(f.Engine.IdOf("db"), TimeSpan.Zero, default);

        var results = await f.CheckAsync(new PrerequisiteOptions { Names = ["app"], CheckDependencies = false });

        Assert.DoesNotContain(results, r => r.Check == PrerequisiteCheck.Dependencies);
    }

    [Fact]
    public async Task CheckAsync_UnknownService_Throws()
    {
        using var f = new PreflightFixture();

        var ex = await Assert.ThrowsAsync<StingException>(() => f.CheckAsync(new PrerequisiteOptions { Names = ["nope"] }));

        Assert.Equal(ErrorIds.UnknownService, ex.ErrorId);
    }

    [Fact]
    public async Task CheckAsync_LockHeld_FailsRestartLock_NamingThePid()
    {
        using var f = new PreflightFixture();
        using var held = await RestartLock.AcquireAsync(f.StateDirectory, "proj", TimeSpan.Zero, TimeProvider.System, default);

        var results = await f.CheckAsync();

        var lck = Single(results, PrerequisiteCheck.RestartLock);
        Assert.True(lck.IsBlocking);
        Assert.Contains($"pid {Environment.ProcessId}", lck.Message);
    }

    [Fact]
    public async Task CheckAsync_NoJournal_PassesInterruptedRun()
    {
        using var f = new PreflightFixture();

        var results = await f.CheckAsync();

        Assert.True(Single(results, PrerequisiteCheck.InterruptedRun).Passed);
    }

    [Fact]
    public async Task CheckAsync_JournalOfADeadRun_WarnsInterruptedRun_NamingRunTimeAndServices()
    {
        using var f = new PreflightFixture();
        Directory.CreateDirectory(f.StateDirectory);
        File.WriteAllText(RunJournal.PathFor(f.StateDirectory, "proj"),
            "{\"event\":\"run\",\"at\":\"2026-11-29T02:00:00+00:00\",\"runId\":\"r-dead\",\"pid\":999999,\"services\":[\"db\"]}\n" +
            "{\"event\":\"stopped\",\"at\":\"2026-11-29T02:00:01+00:00\",\"service\":\"db\"}\n");

        var results = await f.CheckAsync();

        var interrupted = Single(results, PrerequisiteCheck.InterruptedRun);
        Assert.False(interrupted.Passed);
        Assert.False(interrupted.IsBlocking);
        Assert.Equal(PrerequisiteCheckSeverity.Warning, interrupted.Severity);
        Assert.Contains("r-dead", interrupted.Message);
        Assert.Contains("2026-11-29 02:00:00Z", interrupted.Message);
        Assert.Contains("left db stopped", interrupted.Message);
    }

    [Fact]
    public async Task CheckAsync_ChangedEnvFile_WarnsConfigDrift_NamingKeysOnly()
    {
        using var f = new PreflightFixture();
        f.Project.Write("env/db.env", "DB_USER=sting\nDB_PASSWORD=fake-new-secret-55aa\nDB_NEW=1\n");

        var results = await f.CheckAsync();

        var drift = Single(results, PrerequisiteCheck.ConfigDrift, "db");
        Assert.False(drift.Passed);
        Assert.Equal(PrerequisiteCheckSeverity.Warning, drift.Severity);
        Assert.Contains("DB_NEW, DB_PASSWORD", drift.Message);
        Assert.DoesNotContain("DB_USER", drift.Message);
        Assert.Contains("-Recreate", drift.Message);
        Assert.DoesNotContain("fake-new-secret-55aa", drift.Message);
        AssertNoSecret(results);
        Assert.DoesNotContain(results, r => r.IsBlocking);
    }

    [Fact]
    public async Task CheckAsync_ChangedImage_WarnsConfigDrift()
    {
        using var f = new PreflightFixture();
        f.Project.Write("compose.yaml", """
            services:
              db:
                image: busybox:1.36
                env_file: env/db.env
                environment:
                  DB_PORT: "5432"
            """);

        var results = await f.CheckAsync();

        var drift = Single(results, PrerequisiteCheck.ConfigDrift, "db");
        Assert.False(drift.Passed);
        Assert.Contains("busybox:1.36", drift.Message);
    }

    [Fact]
    public async Task CheckAsync_Recreate_ChecksComposeCli()
    {
        using var f = new PreflightFixture();

        var found = Single(await f.CheckAsync(new PrerequisiteOptions { Recreate = true }), PrerequisiteCheck.ComposeCli);
        f.Cli = null;
        var missing = Single(await f.CheckAsync(new PrerequisiteOptions { Recreate = true }), PrerequisiteCheck.ComposeCli);

        Assert.True(found.Passed);
        Assert.Contains("docker-compose version 1.29.2", found.Message);
        Assert.True(missing.IsBlocking);
    }

    private const string OldHash = "1111111111111111111111111111111111111111111111111111111111111111";
    private const string NewHash = "2222222222222222222222222222222222222222222222222222222222222222";
    private static readonly ComposeCliInfo V2 = new(ComposeCliKind.V2Plugin, "/usr/bin/docker", ["compose"], "2.27.0");

    private static void MadeBy(FakeBehaviour container, string composeVersion, string hash)
    {
        container.Labels["com.docker.compose.version"] = composeVersion;
        container.Labels["com.docker.compose.config-hash"] = hash;
    }

    private static PreflightFixture V2Project(string dbHashNow)
    {
        var f = new PreflightFixture { Cli = V2 };
        foreach (var service in new[] { "db", "app" })
            MadeBy(f.Engine.ContainersOf(service).Single().Behaviour, "2.27.0", OldHash);
        f.ConfigHashes = new ComposeConfigHashes(new Dictionary<string, string> { ["db"] = dbHashNow, ["app"] = OldHash }, null);
        return f;
    }

    /// <summary>cache: no env_file, no depends_on, so compose's config --hash reproduces its label exactly.</summary>
    private static void AddExactCache(PreflightFixture f, string labels = "")
    {
        f.Project.Write("compose.yaml", $$"""
            services:
              db:
                image: busybox:latest
                env_file: env/db.env
                environment:
                  DB_PORT: "5432"{{labels}}
              app:
                image: busybox:latest
                depends_on: [db]
              cache:
                image: busybox:latest
            """);
        var cache = f.Engine.Add("cache");
        cache.Image = "busybox:latest";
        MadeBy(cache, "2.27.0", OldHash);
    }

    [Fact]
    public async Task CheckAsync_V2_ExactHashDiffers_WarnsConfigDrift_ByConfigHash_WithoutARecreateRequest()
    {
        using var f = V2Project(dbHashNow: NewHash);
        AddExactCache(f);
        f.ConfigHashes = new ComposeConfigHashes(new Dictionary<string, string> { ["db"] = OldHash, ["app"] = OldHash, ["cache"] = NewHash }, null);

        var results = await f.CheckAsync();

        var drift = Single(results, PrerequisiteCheck.ConfigDrift, "cache");
        Assert.False(drift.Passed);
        Assert.StartsWith("configuration changed (compose config hash)", drift.Message);
        Assert.True(Single(results, PrerequisiteCheck.ConfigDrift, "app").Passed);
        Assert.Equal(1, f.HashReads);
        Assert.Equal([ComposeGeneration.V2], f.DetectedFor);
        Assert.DoesNotContain(results, r => r.Check == PrerequisiteCheck.ComposeCli);
    }

    [Fact]
    public async Task CheckAsync_V2_InexactHashDiffers_NothingNamed_IsNoDrift_AndSaysWhy()
    {
        // db has an env_file: compose 2.22+ hashes it unresolved in config --hash, so a differing hash proves nothing.
        using var f = V2Project(dbHashNow: NewHash);

        var db = Single(await f.CheckAsync(), PrerequisiteCheck.ConfigDrift, "db");

        Assert.True(db.Passed);
        Assert.Contains("docker/compose#14001", db.Message);
    }

    [Fact]
    public async Task CheckAsync_V2_LabelChanged_NamesLabelsKey_AndHashEqualIsNoDrift()
    {
        using var f = V2Project(dbHashNow: NewHash);
        AddExactCache(f, labels: "\n    labels:\n      team: storage");
        f.ConfigHashes = new ComposeConfigHashes(new Dictionary<string, string> { ["db"] = NewHash, ["app"] = OldHash, ["cache"] = OldHash }, null);

        var results = await f.CheckAsync();

        var db = Single(results, PrerequisiteCheck.ConfigDrift, "db");
        Assert.False(db.Passed);
        Assert.StartsWith("labels.team differs (compose config hash", db.Message);
        Assert.DoesNotContain("storage", db.Message);
        Assert.True(Single(results, PrerequisiteCheck.ConfigDrift, "cache").Passed);
    }

    [Fact]
    public async Task CheckAsync_V1MadeContainers_CompareTheModel_AndSayWhy_EvenWhenTheCliIsV2()
    {
        using var f = new PreflightFixture { Cli = V2 };
        foreach (var service in new[] { "db", "app" })
            MadeBy(f.Engine.ContainersOf(service).Single().Behaviour, "1.29.2", OldHash);
        f.ConfigHashes = new ComposeConfigHashes(new Dictionary<string, string> { ["db"] = NewHash, ["app"] = NewHash }, null);
        f.Project.Write("env/db.env", $"DB_USER=sting\nDB_PASSWORD={PreflightFixture.DbSecret}\nDB_NEW=1\n");

        var results = await f.CheckAsync();

        Assert.Equal([ComposeGeneration.V1], f.DetectedFor);
        var db = Single(results, PrerequisiteCheck.ConfigDrift, "db");
        Assert.False(db.Passed);
        Assert.Contains("environment differs in 1 key(s): DB_NEW", db.Message);
        Assert.Contains("compose model", db.Message);
        Assert.Contains("made by compose v1 (1.29.2)", db.Message);
        // Another hash does not make a v1-made container drift.
        var app = Single(results, PrerequisiteCheck.ConfigDrift, "app");
        Assert.True(app.Passed);
        Assert.Contains("compose model", app.Message);
        AssertNoSecret(results);
    }

    [Fact]
    public async Task CheckAsync_NoComposeCli_FallsBackToTheModel_AndSaysSo()
    {
        using var f = V2Project(dbHashNow: NewHash);
        f.Cli = null;

        var results = await f.CheckAsync();

        var db = Single(results, PrerequisiteCheck.ConfigDrift, "db");
        Assert.True(db.Passed);
        Assert.Contains("no compose CLI on PATH", db.Message);
        Assert.Equal(0, f.HashReads);
    }
}
