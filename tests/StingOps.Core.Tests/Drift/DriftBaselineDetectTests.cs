using StingOps.Core.Compose.Cli;
using StingOps.Core.Drift;

namespace StingOps.Core.Tests.Drift;

public sealed class DriftBaselineDetectTests
{
    private static readonly ComposeCliInfo Likely = new(ComposeCliKind.V2Plugin, "/usr/bin/docker", ["compose"], "");
    private static readonly ComposeCliInfo FoundV2 = new(ComposeCliKind.V2Plugin, "/usr/bin/docker", ["compose"], "2.26.1");
    private const string Hash = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    /// <summary>A hash reader that records what it was asked and answers when released (or when its token is cancelled).</summary>
    private sealed class Reader
    {
        public List<ComposeCliInfo> Asked { get; } = [];
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Cancelled;

        public async Task<ComposeConfigHashes> ReadAsync(ComposeCliInfo cli, CancellationToken token)
        {
            lock (Asked)
                Asked.Add(cli);
            try
            {
                await Release.Task.WaitAsync(token);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref Cancelled);
                throw;
            }
            return new ComposeConfigHashes(new Dictionary<string, string> { ["svc"] = Hash + cli.Version }, null);
        }
    }

    [Fact]
    public async Task A_likely_v2_is_asked_for_its_hashes_while_its_version_is_asked_and_the_answer_is_kept()
    {
        var reader = new Reader();
        var detecting = new TaskCompletionSource<ComposeCliInfo?>(TaskCreationOptions.RunContinuationsAsynchronously);

        var baseline = DriftBaseline.DetectAsync(_ => detecting.Task, Likely, reader.ReadAsync, CancellationToken.None);

        // The hashes are asked before the version has answered: the two CLI starts overlap.
        Assert.Equal([Likely], reader.Asked);
        detecting.SetResult(FoundV2);
        reader.Release.SetResult();
        var result = await baseline;
        Assert.Same(FoundV2, result.Cli);
        Assert.Equal(Hash, result.ConfigHashes!["svc"]);
        Assert.Single(reader.Asked);
        Assert.Equal(0, reader.Cancelled);
    }

    [Fact]
    public async Task A_wrong_guess_is_cancelled_and_v1_gets_no_hashes()
    {
        var reader = new Reader();
        var v1 = new ComposeCliInfo(ComposeCliKind.V1Standalone, "/usr/bin/docker-compose", [], "1.29.2");

        var result = await DriftBaseline.DetectAsync(_ => Task.FromResult<ComposeCliInfo?>(v1), Likely, reader.ReadAsync, CancellationToken.None);

        Assert.Same(v1, result.Cli);
        Assert.Null(result.ConfigHashes);
        Assert.Equal(1, reader.Cancelled);
        Assert.Equal([Likely], reader.Asked);
    }

    [Fact]
    public async Task A_v2_found_elsewhere_than_guessed_is_asked_again()
    {
        var reader = new Reader();
        reader.Release.SetResult();
        var elsewhere = new ComposeCliInfo(ComposeCliKind.V2Plugin, "/opt/docker/bin/docker", ["compose"], "2.29.0");

        var result = await DriftBaseline.DetectAsync(_ => Task.FromResult<ComposeCliInfo?>(elsewhere), Likely, reader.ReadAsync, CancellationToken.None);

        Assert.Same(elsewhere, result.Cli);
        Assert.Equal(Hash + "2.29.0", result.ConfigHashes!["svc"]);
        Assert.Equal(2, reader.Asked.Count);
        Assert.Same(elsewhere, reader.Asked[1]);
    }

    [Fact]
    public async Task Without_a_guess_the_hashes_are_asked_after_the_version_and_none_without_a_cli()
    {
        var reader = new Reader();
        reader.Release.SetResult();

        var found = await DriftBaseline.DetectAsync(_ => Task.FromResult<ComposeCliInfo?>(FoundV2), null, reader.ReadAsync, CancellationToken.None);
        var none = await DriftBaseline.DetectAsync(_ => Task.FromResult<ComposeCliInfo?>(null), null, reader.ReadAsync, CancellationToken.None);

        Assert.Equal(Hash + "2.26.1", found.ConfigHashes!["svc"]);
        Assert.Null(none.Cli);
        Assert.Equal("no compose CLI on PATH to ask for the config hash", none.Problem);
        Assert.Equal([FoundV2], reader.Asked);
    }

    [Fact]
    public async Task A_failing_detection_abandons_the_guess_before_it_throws()
    {
        var reader = new Reader();

        await Assert.ThrowsAsync<OperationCanceledException>(() =>
            DriftBaseline.DetectAsync(_ => Task.FromException<ComposeCliInfo?>(new OperationCanceledException()), Likely, reader.ReadAsync, CancellationToken.None));

        Assert.Equal(1, reader.Cancelled);
    }
}
