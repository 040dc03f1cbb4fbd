using StingOps.Core.Common;
using StingOps.Core.Configuration;
using StingOps.Core.Metrics;
using StingOps.Core.Tests.Configuration;

namespace StingOps.Core.Tests.Common;

public class DurationTextTests
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
        Assert.True(DurationText.TryParse(text, out var value), text);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("2h", 7200)]
    [InlineData("90m", 5400)]
    [InlineData("1h30m", 5400)]
    [InlineData("1h30m15s", 5415)]
    [InlineData("1.5h", 5400)]
    [InlineData("45s", 45)]
    [InlineData("500ms", 0.5)]
    [InlineData("0", 0)]
    [InlineData(" 10m ", 600)]
    public void Parses_compose_durations(string text, double seconds)
    {
        Assert.True(DurationText.TryParse(text, out var d));
        Assert.Equal(TimeSpan.FromSeconds(seconds), d);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("10 s")]
    [InlineData("10sec")]
    [InlineData("1d")]
    [InlineData("2d")]
    [InlineData("s")]
    [InlineData("h")]
    [InlineData("1.2.3s")]
    [InlineData("1.h.5")]
    [InlineData("-")]
    [InlineData("5x")]
    [InlineData("1h 30m")]
    [InlineData("-5")]                            // a bare number is unsigned
    [InlineData("99999999999999999999999999h")]  // overflow is not a duration, not an exception
    public void Rejects_what_is_not_a_duration(string text)
    {
        Assert.False(DurationText.TryParse(text, out _), text);
    }

    [Fact]
    public void Negative_durations_parse_so_that_callers_can_reject_them_with_a_message()
    {
        Assert.True(DurationText.TryParse("-5s", out var value));
        Assert.Equal(TimeSpan.FromSeconds(-5), value);
    }

    [Theory]
    [InlineData(7200, "2h")]
    [InlineData(5400, "1h30m")]
    [InlineData(432, "7m12s")]
    [InlineData(301, "5m1s")]
    [InlineData(1.5, "1.5s")]
    [InlineData(0.85, "850ms")]
    [InlineData(0, "0s")]
    public void Formats_compactly(double seconds, string text)
    {
        Assert.Equal(text, DurationText.Format(TimeSpan.FromSeconds(seconds)));
        Assert.Equal(TimeSpan.FromSeconds(seconds), DurationText.Parse(text));
    }

    [Theory]
    [InlineData(30, "30s")]
    [InlineData(1.5, "1.5s")]
    [InlineData(90, "90s")]
    [InlineData(0.04, "0s")]
    [InlineData(12.345, "12.3s")]
    public void Seconds_for_messages_have_at_most_one_decimal(double seconds, string text) =>
        Assert.Equal(text, DurationText.Seconds(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Seconds_ignore_the_culture()
    {
        var before = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Assert.Equal("1.5s", DurationText.Seconds(TimeSpan.FromSeconds(1.5)));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = before;
        }
    }
}

/// <summary>config.yml's <c>maintenance_window</c> and <c>-MaintenanceWindow</c> read the duration alike.</summary>
public class MaintenanceWindowDurationAgreementTests
{
    private static TimeSpan? FromConfig(string duration)
    {
        using var file = new ConfigFile($"restart_configuration:\n  maintenance_window: \"0 2 * * 0;{duration}\"\n");
        var spec = RestartConfigurationLoader.Load(file.Path).MaintenanceWindow!;
        return MaintenanceWindow.FromSpec(spec).Duration;
    }

    private static TimeSpan? FromMapping(string duration)
    {
        using var file = new ConfigFile($"restart_configuration:\n  maintenance_window: {{cron: \"0 2 * * 0\", duration: {duration}}}\n");
        return RestartConfigurationLoader.Load(file.Path).MaintenanceWindow!.Duration;
    }

    private static TimeSpan FromParameter(string duration) => MaintenanceWindow.Parse($"0 2 * * 0;{duration}").Duration;

    [Theory]
    [InlineData("2h", 7200)]
    [InlineData("90m", 5400)]
    [InlineData("1h30m", 5400)]
    [InlineData("7200", 7200)]   // a bare number is seconds in both, as for every other duration key
    [InlineData("2", 2)]
    [InlineData("1.5", 1.5)]
    public void Both_read_the_same_length(string duration, double seconds)
    {
        var expected = TimeSpan.FromSeconds(seconds);
        Assert.Equal(expected, FromParameter(duration));
        Assert.Equal(expected, FromConfig(duration));
        Assert.Equal(expected, FromMapping(duration));
    }

    [Theory]
    [InlineData("2x")]
    [InlineData("0")]
    [InlineData("0s")]
    [InlineData("-1h")]
    [InlineData("1h 30m")]
    public void Both_refuse_the_same_text(string duration)
    {
        Assert.Equal(ErrorIds.MaintenanceWindowInvalid, Assert.Throws<StingException>(() => FromParameter(duration)).ErrorId);
        Assert.Equal(ErrorIds.RestartConfigurationInvalid, Assert.Throws<StingException>(() => FromConfig(duration)).ErrorId);
    }
}
