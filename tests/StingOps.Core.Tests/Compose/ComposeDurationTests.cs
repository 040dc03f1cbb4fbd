using StingOps.Core.Compose;

namespace StingOps.Core.Tests.Compose;

public class ComposeDurationTests
{
    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("500ms", 500)]
    [InlineData("2h45m", 9_900_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("0", 0)]
    [InlineData("30", 30_000)]
    [InlineData("2.5", 2_500)]
    [InlineData("1m0.5s", 60_500)]
    [InlineData("100us", 0.1)]
    [InlineData(" 15s ", 15_000)]
    [InlineData(".5s", 500)]
    public void Parses_go_style_durations(string text, double milliseconds)
    {
        Assert.True(ComposeDuration.TryParse(text, out var value), text);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("10 s")]
    [InlineData("10sec")]
    [InlineData("1d")]
    [InlineData("s")]
    [InlineData("1.2.3s")]
    [InlineData("-")]
    [InlineData("5x")]
    public void Rejects_what_is_not_a_duration(string text)
    {
        Assert.False(ComposeDuration.TryParse(text, out _), text);
    }

    [Fact]
    public void Negative_durations_parse_so_that_callers_can_reject_them_with_a_message()
    {
        Assert.True(ComposeDuration.TryParse("-5s", out var value));
        Assert.Equal(TimeSpan.FromSeconds(-5), value);
    }
}
