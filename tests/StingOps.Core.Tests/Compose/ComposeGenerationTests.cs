using StingOps.Core.Compose.Cli;
using StingOps.Core.Drift;

namespace StingOps.Core.Tests.Compose;

public sealed class ComposeGenerationTests
{
    [Theory]
    [InlineData("1.29.2", ComposeGeneration.V1)]
    [InlineData("2.27.0", ComposeGeneration.V2)]
    [InlineData("v2.40.3", ComposeGeneration.V2)]
    [InlineData("5.0.1", ComposeGeneration.V2)]
    [InlineData("", ComposeGeneration.Unknown)]
    [InlineData("dev", ComposeGeneration.Unknown)]
    public void OfVersion_TellsV1FromV2(string version, ComposeGeneration expected) =>
        Assert.Equal(expected, ComposeGenerations.OfVersion(version));

    [Fact]
    public void Parse_ConfigHashOutput_SkipsWarnings()
    {
        var hashes = ComposeConfigHashes.Parse(
            "time=\"2026\" level=warning msg=\"The \\\"X\\\" variable is not set\"\n" +
            "app 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n" +
            "db fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210\n");

        Assert.Equal(2, hashes.Count);
        Assert.Equal("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", hashes["app"]);
    }
}
