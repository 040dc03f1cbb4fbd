using StingOps.Core.Health;

namespace StingOps.Core.Tests.Health;

public sealed class InContainerPollTests
{
    [Fact]
    public void Command_CarriesTheTestAsPositionalArguments_NeverInTheScript()
    {
        var command = InContainerPoll.Command(["wget", "-q", "-O-", "http://127.0.0.1:8080/health'; rm -rf /"], 30);

        Assert.Equal(["/bin/sh", "-c"], command.Take(2));
        Assert.DoesNotContain("wget", command[2]);
        Assert.Contains("-ge 30", command[2]);
        Assert.Equal(["stingops-poll", "wget", "-q", "-O-", "http://127.0.0.1:8080/health'; rm -rf /"], command.Skip(3));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(50, 1)]
    [InlineData(1000, 10)]
    [InlineData(3000, 30)]
    public void Iterations_FollowTheWindow(int windowMs, int expected) =>
        Assert.Equal(expected, InContainerPoll.Iterations(TimeSpan.FromMilliseconds(windowMs)));

    [Fact]
    public void ReadOutput_StripsTheMarker_AndTellsWhetherTheLoopRan()
    {
        Assert.Equal((true, "connection refused", 1), InContainerPoll.ReadOutput(InContainerPoll.Marker + "\nconnection refused"));
        Assert.Equal((true, "", 1), InContainerPoll.ReadOutput(InContainerPoll.Marker + "\n"));
        Assert.Equal((false, "OCI runtime exec failed", 1), InContainerPoll.ReadOutput("OCI runtime exec failed"));
        Assert.Equal((false, (string?)null, 1), InContainerPoll.ReadOutput(null));
    }

    [Fact]
    public void ReadOutput_CountsTheTestsTheLoopRan()
    {
        Assert.Equal((true, "connection refused\nagain", 7),
            InContainerPoll.ReadOutput(InContainerPoll.Marker + "\n" + InContainerPoll.RunsMarker + " 7\nconnection refused\nagain"));
        Assert.Equal((true, "", 3), InContainerPoll.ReadOutput(InContainerPoll.Marker + "\n" + InContainerPoll.RunsMarker + " 3\n"));
        // Cut off mid-word: the count is unknown, the output is kept.
        Assert.Equal((true, "ok", 1), InContainerPoll.ReadOutput(InContainerPoll.Marker + "\n" + InContainerPoll.RunsMarker + " x\nok"));
    }

    [Theory]
    [InlineData("OCI runtime exec failed: exec failed: container_linux.go:380: starting container process caused: exec: \"/bin/sh\": stat /bin/sh: no such file or directory: unknown", true)]
    [InlineData("exec: \"/bin/sh\": executable file not found in $PATH", true)]
    [InlineData("sh: wget: not found", false)]
    [InlineData("", false)]
    public void IsMissingShell_RecognisesOnlyTheEnginesMessage(string output, bool expected) =>
        Assert.Equal(expected, InContainerPoll.IsMissingShell(output));
}
