using StingOps.Core.Restart;

namespace StingOps.Core.Tests.Restart;

public sealed class RunJournalTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "stingops-journaltest-" + Guid.NewGuid().ToString("N"), "state");
    private static readonly Func<int, bool> Dead = _ => false;

    /// <summary>A run that got as far as stopping frontend and app, starting app again, and was then killed.</summary>
    private RunJournal KilledMidRun()
    {
        var journal = RunJournal.Begin(_dir, "proj", "run-42", ["db", "app", "frontend"], TimeProvider.System);
        journal.Stopped("frontend");
        journal.Stopped("app");
        journal.Started("app");
        journal.Finished("app", "Succeeded");
        return journal;
    }

    [Fact]
    public void Begin_WritesAsItGoes_ReadableBeforeTheRunEnds_AndPrivate()
    {
        using var journal = KilledMidRun();

        var run = RunJournal.Read(_dir, "proj")!;
        Assert.Equal("run-42", run.RunId);
        Assert.Equal(Environment.ProcessId, run.Pid);
        Assert.Equal(["db", "app", "frontend"], run.Services);
        Assert.False(run.Completed);
        Assert.Equal(["frontend"], run.LeftStopped);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(journal.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_dir));
        Assert.Equal(RunJournal.PathFor(_dir, "proj"), journal.Path);
        Assert.EndsWith("proj.journal", journal.Path);
    }

    [Fact]
    public void Complete_RemovesTheJournal_NothingIsInterrupted()
    {
        var journal = KilledMidRun();
        journal.Complete();

        Assert.False(File.Exists(RunJournal.PathFor(_dir, "proj")));
        Assert.Null(RunJournal.FindInterrupted(_dir, "proj", Dead));
    }

    [Fact]
    public void FindInterrupted_OwnerDead_ReportsTheServicesLeftStopped()
    {
        KilledMidRun().Dispose();

        var run = RunJournal.FindInterrupted(_dir, "proj", Dead);

        Assert.NotNull(run);
        var message = run.Describe(s => s == "frontend" ? false : true);
        Assert.StartsWith("Restart run run-42 (pid ", message);
        Assert.Contains("was interrupted and left frontend stopped; still not running: frontend.", message);
    }

    [Fact]
    public void FindInterrupted_OwnerStillRunning_IsNotInterrupted()
    {
        KilledMidRun().Dispose();
        Assert.Null(RunJournal.FindInterrupted(_dir, "proj", _ => true));
        // Our own pid is alive: the default check agrees.
        Assert.Null(RunJournal.FindInterrupted(_dir, "proj"));
    }

    [Fact]
    public async Task FindInterrupted_LockHeld_IsARunInProgress_NotInterrupted()
    {
        KilledMidRun().Dispose();
        using var held = await RestartLock.AcquireAsync(_dir, "proj", TimeSpan.Zero, TimeProvider.System, default);
        Assert.Null(RunJournal.FindInterrupted(_dir, "proj", Dead));
    }

    [Fact]
    public void FindInterrupted_DeadPidWrittenByAnotherProcess_IsInterrupted()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(RunJournal.PathFor(_dir, "proj"),
            """
            {"event":"run","at":"2026-11-29T02:00:00+00:00","runId":"r-dead","pid":999999,"host":"h","services":["db","app"]}
            {"event":"stopped","at":"2026-11-29T02:00:01+00:00","service":"app"}
            {"event":"stopped","at":"2026-11-29T02:00:02+00:00","service":"db"}

            """);

        var run = RunJournal.FindInterrupted(_dir, "proj")!;

        Assert.Equal("r-dead", run.RunId);
        Assert.Equal(["app", "db"], run.LeftStopped);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 2, 0, 0, TimeSpan.Zero), run.StartedAt);
    }

    [Fact]
    public void Read_TruncatedLastLine_IsIgnored_TheRestCounts()
    {
        Directory.CreateDirectory(_dir);
        // Killed mid-write: the last line stops in the middle of its JSON.
        File.WriteAllText(RunJournal.PathFor(_dir, "proj"),
            "{\"event\":\"run\",\"at\":\"2026-11-29T02:00:00+00:00\",\"runId\":\"r-cut\",\"pid\":999999,\"services\":[\"db\",\"app\"]}\n" +
            "{\"event\":\"stopped\",\"at\":\"2026-11-29T02:00:01+00:00\",\"service\":\"app\"}\n" +
            "{\"event\":\"stopped\",\"at\":\"2026-11-29T02:00:02+00:00\",\"serv");

        var run = RunJournal.FindInterrupted(_dir, "proj", Dead)!;

        Assert.Equal("r-cut", run.RunId);
        Assert.Equal(["app"], run.LeftStopped);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"event\":\"ru")]
    [InlineData("not json at all\n\u0000\u0000")]
    public void Read_NoUsableRunLine_IsNoRun(string content)
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(RunJournal.PathFor(_dir, "proj"), content);
        Assert.Null(RunJournal.Read(_dir, "proj"));
        Assert.Null(RunJournal.FindInterrupted(_dir, "proj", Dead));
    }

    [Fact]
    public void Begin_ReplacesAnEarlierRunsJournal()
    {
        KilledMidRun().Dispose();
        using var next = RunJournal.Begin(_dir, "proj", "run-43", ["db"], TimeProvider.System);

        var run = RunJournal.Read(_dir, "proj")!;
        Assert.Equal("run-43", run.RunId);
        Assert.Empty(run.Entries);
    }

    [Fact]
    public void Journal_HoldsNamesIdsTimesAndStatusesOnly()
    {
        KilledMidRun().Dispose();
        var keys = File.ReadAllLines(RunJournal.PathFor(_dir, "proj"))
            .SelectMany(l => System.Text.Json.JsonDocument.Parse(l).RootElement.EnumerateObject().Select(p => p.Name)).ToHashSet();
        Assert.Subset(new HashSet<string> { "event", "at", "service", "status", "runId", "pid", "host", "services" }, keys);
    }

    public void Dispose()
    {
        try { Directory.Delete(Path.GetDirectoryName(_dir)!, true); } catch (IOException) { }
    }
}
