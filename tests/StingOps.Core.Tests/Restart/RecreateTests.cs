using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Compose.Cli;
using StingOps.Core.Drift;
using StingOps.Core.Restart;
using StingOps.Core.Tests.Engine;

namespace StingOps.Core.Tests.Restart;

/// <summary>Plays compose's <c>up --force-recreate</c> on the fake engine: the old container goes, a new one starts.</summary>
internal sealed class FakeComposeCli(FakeEngine engine, Func<FakeBehaviour> next) : IComposeCli
{
    public ComposeCliInfo Info { get; } = new(ComposeCliKind.V1Standalone, "/usr/bin/docker-compose", [], "1.29.2");
    public int Runs { get; private set; }
    /// <summary>The config-hash label compose stamps on the new container (null: none).</summary>
    public string? StampsHash { get; set; }
    /// <summary>Exit with this code after removing the old container and before creating the new one.</summary>
    public int? FailAfterRemove { get; set; }

    public async Task<CliResult> UpForceRecreateAsync(string service, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Runs++;
        foreach (var old in engine.ContainersOf(service))
            await engine.RemoveAsync(old.Id, force: true, cancellationToken);
        if (FailAfterRemove is { } code)
            return new CliResult(code, "Recreating proj_db_1 ...\nERROR: for db  Cannot start service db: DB_PASSWORD=fake-secret-value", false);
        var behaviour = next();
        if (StampsHash is not null)
            behaviour.Labels[ComposeGenerations.ConfigHashLabel] = StampsHash;
        var id = engine.Create(service, behaviour);
        await engine.StartAsync(id, cancellationToken);
        return new CliResult(0, "Recreating proj_db_1 ... done", false);
    }
}

public sealed class RecreateTests : IDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), "stingops-recreate-" + Guid.NewGuid().ToString("N"), "state");
    private const string OldSecret = "DB_PASSWORD=old-fake-secret-1234";
    private const string NewSecret = "DB_PASSWORD=new-fake-secret-5678";

    public void Dispose()
    {
        try { Directory.Delete(Path.GetDirectoryName(_state)!, recursive: true); } catch (IOException) { }
    }

    private static ExecutorHarness Stack()
    {
        var h = new ExecutorHarness();
        var db = h.Service("db");
        db.Environment = [OldSecret];
        h.Service("app", "db");
        return h;
    }

    /// <summary>The model db is recreated towards: the new secret (what the fake CLI's new container carries unless told otherwise).</summary>
    private static readonly ComposeService DbModel = new()
    {
        Name = "db",
        Environment = new Dictionary<string, string?> { ["DB_PASSWORD"] = NewSecret["DB_PASSWORD=".Length..] },
    };

    private async Task<ServiceRecreator> RecreatorAsync(ExecutorHarness h, IComposeCli cli, bool rollback = true, AppliedConfigCheck? expected = null) =>
        await ServiceRecreator.PrepareAsync(h.Engine, h.Engine, cli, "proj", new Dictionary<string, string> { ["db"] = h.Engine.IdOf("db") },
            new Dictionary<string, AppliedConfigCheck> { ["db"] = expected ?? AppliedConfigCheck.ByModel(DbModel, _ => null) },
            _state, "run-1", rollback, s => s.Replace("fake-secret-value", "***"), default);

    private string[] SnapshotFiles() =>
        Directory.Exists(SnapshotStore.DirectoryFor(_state)) ? Directory.GetFiles(SnapshotStore.DirectoryFor(_state)) : [];

    [Fact]
    public async Task PrepareAsync_SavesSnapshotReadableOnlyByTheUser()
    {
        var h = Stack();
        var recreator = await RecreatorAsync(h, new FakeComposeCli(h.Engine, () => new FakeBehaviour()));

        var file = Assert.Single(SnapshotFiles());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(SnapshotStore.DirectoryFor(_state)));
        Assert.Equal("proj-db-1", recreator.Snapshots.Single().ContainerName);
    }

    [Fact]
    public async Task Recreate_NewContainerReady_Succeeds_ThenDependentStarts_AndSnapshotIsDeleted()
    {
        var h = Stack();
        var cli = new FakeComposeCli(h.Engine, () => new FakeBehaviour { Environment = [NewSecret] });
        var recreator = await RecreatorAsync(h, cli);

        var outcomes = await h.RunAsync(recreator: recreator);

        var db = outcomes.Single(o => o.Service == "db");
        Assert.Equal(OutcomeStatus.Succeeded, db.Status);
        Assert.Contains("recreated", db.Message);
        Assert.Equal(OutcomeStatus.Succeeded, outcomes.Single(o => o.Service == "app").Status);
        var container = Assert.Single(h.Engine.ContainersOf("db"));
        Assert.Equal([NewSecret], container.Behaviour.Environment);
        Assert.Equal(1, cli.Runs);
        Assert.True(h.Engine.TimeOf("app", "start") >= db.ReadyAt);
        Assert.Empty(SnapshotFiles());
    }

    [Fact]
    public async Task Recreate_NewContainerNeverReady_RollsBack_ToExactlyOneOldContainer_Ready()
    {
        var h = Stack();
        var cli = new FakeComposeCli(h.Engine, () => new FakeBehaviour { Environment = [NewSecret], NeverHealthy = true });
        var recreator = await RecreatorAsync(h, cli);

        var outcomes = await h.RunAsync(recreator: recreator);

        var db = outcomes.Single(o => o.Service == "db");
        Assert.Equal(OutcomeStatus.RolledBack, db.Status);
        Assert.Equal(OutcomeReason.Timeout, db.Reason);
        Assert.Contains("rolled back", db.Message);
        Assert.NotNull(db.ReadyAt);
        var container = Assert.Single(h.Engine.ContainersOf("db"));
        Assert.Equal("proj-db-1", container.Name);
        Assert.Equal("running", container.State);
        Assert.Equal([OldSecret], container.Behaviour.Environment);
        // The old version is back and ready, so the dependent that was stopped is started again.
        Assert.Equal(OutcomeStatus.Succeeded, outcomes.Single(o => o.Service == "app").Status);
        Assert.Empty(SnapshotFiles());
        Assert.DoesNotContain("secret", db.Message);
    }

    [Fact]
    public async Task Recreate_NoRollback_FailsAndLeavesNewContainer_KeepingTheSnapshot()
    {
        var h = Stack();
        var cli = new FakeComposeCli(h.Engine, () => new FakeBehaviour { Environment = [NewSecret], NeverHealthy = true });
        var recreator = await RecreatorAsync(h, cli, rollback: false);

        var outcomes = await h.RunAsync(recreator: recreator);

        var db = outcomes.Single(o => o.Service == "db");
        Assert.Equal(OutcomeStatus.Failed, db.Status);
        Assert.Contains("rollback is off", db.Message);
        Assert.Equal([NewSecret], Assert.Single(h.Engine.ContainersOf("db")).Behaviour.Environment);
        Assert.Equal(OutcomeStatus.Skipped, outcomes.Single(o => o.Service == "app").Status);
        Assert.Contains(Assert.Single(SnapshotFiles()), db.Message);
    }

    [Fact]
    public async Task Recreate_CliFailsAfterRemovingOld_RestoresFromSnapshot_WithRedactedOutput()
    {
        var h = Stack();
        var cli = new FakeComposeCli(h.Engine, () => new FakeBehaviour()) { FailAfterRemove = 1 };
        var recreator = await RecreatorAsync(h, cli);

        var outcomes = await h.RunAsync(recreator: recreator);

        var db = outcomes.Single(o => o.Service == "db");
        Assert.Equal(OutcomeStatus.RolledBack, db.Status);
        Assert.Equal(OutcomeReason.Engine, db.Reason);
        Assert.Contains("exit code 1", db.Message);
        Assert.DoesNotContain("fake-secret-value", db.Message);
        var container = Assert.Single(h.Engine.ContainersOf("db"));
        Assert.Equal([OldSecret], container.Behaviour.Environment);
        Assert.Contains(h.Engine.Log, l => l.Operation == "restore" && l.Service == "db");
    }

    [Fact]
    public async Task Run_ServiceNotRecreated_IsRestartedAsUsual()
    {
        var h = Stack();
        var cli = new FakeComposeCli(h.Engine, () => new FakeBehaviour());
        var recreator = await RecreatorAsync(h, cli);
        var appId = h.Engine.IdOf("app");

        await h.RunAsync(recreator: recreator);

        Assert.Equal(appId, h.Engine.IdOf("app"));
        Assert.Equal(1, cli.Runs);
    }

    private const string ExpectedHash = "3333333333333333333333333333333333333333333333333333333333333333";

    [Fact]
    public async Task Recreate_NewContainerHashIsNotTheExpectedOne_IsNotSucceeded_RollsBackToTheOldContainer()
    {
        var h = Stack();
        var cli = new FakeComposeCli(h.Engine, () => new FakeBehaviour { Environment = [NewSecret] }) { StampsHash = "4444444444444444444444444444444444444444444444444444444444444444" };
        var recreator = await RecreatorAsync(h, cli, expected: AppliedConfigCheck.ByConfigHash(ExpectedHash));

        var outcomes = await h.RunAsync(recreator: recreator);

        var db = outcomes.Single(o => o.Service == "db");
        Assert.Equal(OutcomeStatus.RolledBack, db.Status);
        Assert.Equal(OutcomeReason.Engine, db.Reason);
        Assert.Contains("does not carry the change", db.Message);
        Assert.Contains("config hash", db.Message);
        var container = Assert.Single(h.Engine.ContainersOf("db"));
        Assert.Equal("proj-db-1", container.Name);
        Assert.Equal([OldSecret], container.Behaviour.Environment);
        Assert.Empty(SnapshotFiles());
    }

    [Fact]
    public async Task Recreate_NewContainerHashIsTheExpectedOne_Succeeds()
    {
        var h = Stack();
        var cli = new FakeComposeCli(h.Engine, () => new FakeBehaviour()) { StampsHash = ExpectedHash };
        var recreator = await RecreatorAsync(h, cli, expected: AppliedConfigCheck.ByConfigHash(ExpectedHash));

        var outcomes = await h.RunAsync(recreator: recreator);

        Assert.Equal(OutcomeStatus.Succeeded, outcomes.Single(o => o.Service == "db").Status);
    }

    [Fact]
    public async Task Recreate_ByModel_NewContainerLacksTheEnvironmentChange_IsNotSucceeded_NamingTheKeyNotTheValue()
    {
        var h = Stack();
        // compose "succeeded" but the new container still has the old value (the failure of the issue).
        var cli = new FakeComposeCli(h.Engine, () => new FakeBehaviour { Environment = [OldSecret] });
        var recreator = await RecreatorAsync(h, cli);

        var outcomes = await h.RunAsync(recreator: recreator);

        var db = outcomes.Single(o => o.Service == "db");
        Assert.Equal(OutcomeStatus.RolledBack, db.Status);
        Assert.Contains("environment key(s) DB_PASSWORD", db.Message);
        Assert.DoesNotContain("secret", db.Message);
    }

    [Fact]
    public async Task Recreate_ByModel_NoRollback_NotAppliedIsFailed()
    {
        var h = Stack();
        var cli = new FakeComposeCli(h.Engine, () => new FakeBehaviour { Environment = [OldSecret] });
        var recreator = await RecreatorAsync(h, cli, rollback: false);

        var outcomes = await h.RunAsync(recreator: recreator);

        var db = outcomes.Single(o => o.Service == "db");
        Assert.Equal(OutcomeStatus.Failed, db.Status);
        Assert.Contains("did not apply", db.Message);
    }

    [Fact]
    public async Task Recreate_ByModelWithSettings_NewContainerLacksTheLabel_IsNotSucceeded_NamingTheLabel()
    {
        var h = Stack();
        var model = new ComposeService { Name = "db", Environment = DbModel.Environment, Labels = new Dictionary<string, string?> { ["team"] = "storage" } };
        var cli = new FakeComposeCli(h.Engine, () => new FakeBehaviour { Environment = [NewSecret] });
        var recreator = await RecreatorAsync(h, cli, expected: AppliedConfigCheck.ByModel(model, _ => null, settings: true));

        var db = (await h.RunAsync(recreator: recreator)).Single(o => o.Service == "db");

        Assert.Equal(OutcomeStatus.RolledBack, db.Status);
        Assert.Contains("labels.team", db.Message);
        Assert.DoesNotContain("storage", db.Message);
    }
}
