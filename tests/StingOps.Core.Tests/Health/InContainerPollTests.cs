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
        Assert.Equal((true, "connection refused"), InContainerPoll.ReadOutput(InContainerPoll.Marker + "\nconnection refused"));
        Assert.Equal((true, ""), InContainerPoll.ReadOutput(InContainerPoll.Marker + "\n"));
        Assert.Equal((false, "OCI runtime exec failed"), InContainerPoll.ReadOutput("OCI runtime exec failed"));
        Assert.Equal((false, (string?)null), InContainerPoll.ReadOutput(null));
    }

    [Theory]
    [InlineData("OCI runtime exec failed: exec failed: container_linux.go:380: starting container process caused: exec: \"/bin/sh\": stat /bin/sh: no such file or directory: unknown", true)]
    [InlineData("exec: \"/bin/sh\": executable file not found in $PATH", true)]
    [InlineData("sh: wget: not found", false)]
    [InlineData("", false)]
    public void IsMissingShell_RecognisesOnlyTheEnginesMessage(string output, bool expected) =>
        Assert.Equal(expected, InContainerPoll.IsMissingShell(output));
}
