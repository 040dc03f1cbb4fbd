namespace StingOps.Core.Tests.Engine;

public sealed class EngineAvailabilityTests
{
    [Theory]
    [InlineData("true")]
    [InlineData("TRUE")]
    [InlineData("True")]
    public void SkippingAllowed_UnderCi_IsFalse_SoAMissingEngineFailsTheTests(string ci) =>
        Assert.False(EngineAvailability.SkippingAllowed(ci));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("false")]
    [InlineData("1")]
    public void SkippingAllowed_Locally_IsTrue(string? ci) =>
        Assert.True(EngineAvailability.SkippingAllowed(ci));
}
