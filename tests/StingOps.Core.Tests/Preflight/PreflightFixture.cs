using Microsoft.Extensions.Time.Testing;
using StingOps.Core.Compose.Cli;
using StingOps.Core.Drift;
using StingOps.Core.Preflight;
using StingOps.Core.Tests.Compose;
using StingOps.Core.Tests.Engine;

namespace StingOps.Core.Tests.Preflight;

/// <summary>Disk and memory figures chosen by the test.</summary>
internal sealed class FakeResources : ISystemResources
{
    public Dictionary<string, long?> Free { get; } = new(StringComparer.Ordinal);
    public long? DefaultFree { get; set; } = 100L << 30;
    public long? Memory { get; set; } = 4L << 30;

    public long? FreeBytes(string path) => Free.TryGetValue(path, out var v) ? v : DefaultFree;
    public long? AvailableMemoryBytes() => Memory;
}

/// <summary>A temp project "proj" (db with an env file, app depending on db), a fake engine with both containers, a private state directory.</summary>
internal sealed class PreflightFixture : IDisposable
{
    public const string DbSecret = "fake-db-secret-9d2c41";

    public TempProject Project { get; } = new("proj");
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 29, 2, 0, 0, TimeSpan.Zero));
    public FakeEngine Engine { get; }
    public FakeResources Resources { get; } = new();
    public ComposeCliInfo? Cli { get; set; } = new(ComposeCliKind.V1Standalone, "/usr/bin/docker-compose", [], "1.29.2");
    /// <summary>What the fake <c>config --hash</c> answers.</summary>
    public ComposeConfigHashes ConfigHashes { get; set; } = new(null, "not asked for in this test");
    /// <summary>The generations the checker asked the CLI detection for, in order.</summary>
    public List<ComposeGeneration> DetectedFor { get; } = [];
    public int HashReads { get; private set; }
    public string StateDirectory => Path.Combine(Project.Root, "state");

    public PreflightFixture()
    {
        Engine = new FakeEngine(Time);
        Project.Write("compose.yaml", """
            services:
              db:
                image: busybox:latest
                env_file: env/db.env
                environment:
                  DB_PORT: "5432"
              app:
                image: busybox:latest
                depends_on: [db]
            """);
        Project.Write("env/db.env", $"DB_USER=sting\nDB_PASSWORD={DbSecret}\n");
        Project.Write("conf/config.yml", """
            restart_configuration:
              service_specific:
                db:
                  required_env: [DB_PASSWORD]
            """);
        var db = Engine.Add("db");
        db.Image = "busybox:latest";
        db.Environment = ["PATH=/bin", "DB_USER=sting", $"DB_PASSWORD={DbSecret}", "DB_PORT=5432"];
        Engine.Add("app").Image = "busybox";
    }

    public PrerequisiteChecker Checker() =>
        new(() => Engine, Time, StateDirectory, Project.Environment, Resources,
            (madeBy, _) => { DetectedFor.Add(madeBy); return Task.FromResult(Cli); },
            (_, _, _) => { HashReads++; return Task.FromResult(ConfigHashes); });

    public Task<IReadOnlyList<PrerequisiteCheckResult>> CheckAsync(PrerequisiteOptions? options = null) =>
        Checker().CheckAsync(Project.Request(), options ?? new PrerequisiteOptions(), CancellationToken.None);

    public void Dispose() => Project.Dispose();
}
