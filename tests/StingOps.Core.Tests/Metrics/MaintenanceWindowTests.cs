using Microsoft.Extensions.Time.Testing;
using StingOps.Core.Common;
using StingOps.Core.Configuration;
using StingOps.Core.Metrics;

namespace StingOps.Core.Tests.Metrics;

public class MaintenanceWindowTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private static DateTimeOffset Utc(int y, int mo, int d, int h, int mi, int s = 0) => new(y, mo, d, h, mi, s, TimeSpan.Zero);

    private static bool Open(string window, DateTimeOffset now, TimeZoneInfo zone) =>
        MaintenanceWindow.Parse(window).IsOpen(now, zone, out _);

    [Theory]
    [InlineData("0 2 * * 0;2h", "0 2 * * 0", 120, null)]
    [InlineData(" */15 * * * * ; 90m ", "*/15 * * * *", 90, null)]
    [InlineData("0 2 * * *;1h30m;Europe/Berlin", "0 2 * * *", 90, "Europe/Berlin")]
    [InlineData("@daily;1.5h", "@daily", 90, null)]
    public void Parses_cron_duration_and_optional_zone(string text, string cron, int minutes, string? zone)
    {
        var w = MaintenanceWindow.Parse(text);
        Assert.Equal(cron, w.CronText);
        Assert.Equal(TimeSpan.FromMinutes(minutes), w.Duration);
        Assert.Equal(zone, w.TimeZone?.Id);
        Assert.Equal(w.ToString(), MaintenanceWindow.Parse(w.ToString()).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("0 2 * * 0")]                    // no duration
    [InlineData("0 2 * * 0;2x")]                 // bad duration
    [InlineData("0 2 * * 0;0s")]                 // empty window
    [InlineData("0 2 * * 0;-1h")]
    [InlineData("0 0 2 * * 0;2h")]               // 6 fields (seconds)
    [InlineData("0 2 * *;2h")]                   // 4 fields
    [InlineData("61 2 * * *;2h")]                // minute out of range
    [InlineData("0 2 * * H;1h")]                 // jitter needs a seed
    [InlineData(";2h")]
    [InlineData("0 2 * * 0;2h;Mars/Olympus_Mons")]
    [InlineData("0 2 * * 0;2h;UTC;extra")]
    public void Invalid_text_is_StingMaintenanceWindowInvalid_naming_the_text(string text)
    {
        var e = Assert.Throws<StingException>(() => MaintenanceWindow.Parse(text));
        Assert.Equal("StingMaintenanceWindowInvalid", e.ErrorId);
        Assert.Equal(StingErrorKind.InvalidArgument, e.Kind);
        Assert.Contains($"'{text}'", e.Message);
    }

    [Fact]
    public void From_the_configuration_spec()
    {
        var w = MaintenanceWindow.FromSpec(new MaintenanceWindowSpec("0 2 * * 0", TimeSpan.FromHours(2)));
        Assert.Equal("0 2 * * 0;2h", w.ToString());
        Assert.Equal("Europe/Berlin", MaintenanceWindow.FromSpec(new MaintenanceWindowSpec("0 2 * * 0", TimeSpan.FromHours(2), "Europe/Berlin")).TimeZone!.Id);

        var e = Assert.Throws<StingException>(() => MaintenanceWindow.FromSpec(new MaintenanceWindowSpec("0 2 * * 0", TimeSpan.Zero)));
        Assert.Equal("StingMaintenanceWindowInvalid", e.ErrorId);
        e = Assert.Throws<StingException>(() => MaintenanceWindow.FromSpec(new MaintenanceWindowSpec("every sunday", TimeSpan.FromHours(1))));
        Assert.Contains("every sunday", e.Message);
    }

    [Fact]
    public void Inside_outside_and_the_exact_edges()
    {
        var w = MaintenanceWindow.Parse("0 2 * * 0;2h"); // Sunday 2025-07-06 02:00-04:00
        var utc = TimeZoneInfo.Utc;

        Assert.False(w.IsOpen(Utc(2025, 7, 6, 1, 59, 59), utc, out var next));
        Assert.Equal(Utc(2025, 7, 6, 2, 0), next);
        Assert.True(w.IsOpen(Utc(2025, 7, 6, 2, 0), utc, out next));          // at the start: open
        Assert.Equal(Utc(2025, 7, 13, 2, 0), next);                            // the following window
        Assert.True(w.IsOpen(Utc(2025, 7, 6, 3, 0), utc, out _));
        Assert.True(w.IsOpen(Utc(2025, 7, 6, 4, 0).AddTicks(-1), utc, out _));
        Assert.False(w.IsOpen(Utc(2025, 7, 6, 4, 0), utc, out next));         // at the end: closed
        Assert.Equal(Utc(2025, 7, 13, 2, 0), next);
        Assert.False(w.IsOpen(Utc(2025, 7, 9, 3, 0), utc, out _));            // a Wednesday

        var state = w.GetState(Utc(2025, 7, 6, 3, 0), utc);
        Assert.Equal(new MaintenanceWindowState(true, Utc(2025, 7, 6, 2, 0), Utc(2025, 7, 6, 4, 0), Utc(2025, 7, 13, 2, 0)), state);
        Assert.Equal(new MaintenanceWindowState(false, null, null, Utc(2025, 7, 13, 2, 0)), w.GetState(Utc(2025, 7, 9, 3, 0), utc));
    }

    [Fact]
    public void Windows_spanning_midnight()
    {
        var daily = MaintenanceWindow.Parse("0 23 * * *;3h");
        var utc = TimeZoneInfo.Utc;
        Assert.False(daily.IsOpen(Utc(2025, 7, 6, 22, 59), utc, out _));
        Assert.True(daily.IsOpen(Utc(2025, 7, 6, 23, 30), utc, out _));
        Assert.True(daily.IsOpen(Utc(2025, 7, 7, 0, 0), utc, out _));
        Assert.True(daily.IsOpen(Utc(2025, 7, 7, 1, 59), utc, out _));
        Assert.False(daily.IsOpen(Utc(2025, 7, 7, 2, 0), utc, out var next));
        Assert.Equal(Utc(2025, 7, 7, 23, 0), next);

        // Saturday 23:00 for 3 hours: still open early on Sunday, across the day-of-week boundary.
        var weekly = MaintenanceWindow.Parse("0 23 * * 6;3h");
        Assert.True(weekly.IsOpen(Utc(2025, 7, 6, 1, 0), utc, out _));   // Sunday 01:00
        Assert.False(weekly.IsOpen(Utc(2025, 7, 7, 1, 0), utc, out _));  // Monday 01:00
    }

    [Fact]
    public void The_cron_expression_is_read_in_the_given_or_the_windows_own_zone()
    {
        var now = Utc(2025, 7, 6, 0, 30); // 02:30 CEST
        Assert.True(Open("0 2 * * *;1h", now, Berlin));
        Assert.False(Open("0 2 * * *;1h", now, TimeZoneInfo.Utc));

        var own = MaintenanceWindow.Parse("0 2 * * *;1h;Europe/Berlin");
        Assert.True(own.IsOpen(now, out var next));
        Assert.Equal(new DateTimeOffset(2025, 7, 7, 2, 0, 0, TimeSpan.FromHours(2)), next);
        Assert.Equal(TimeSpan.FromHours(2), next!.Value.Offset); // in the zone's offset

        var time = new FakeTimeProvider(now);
        time.SetLocalTimeZone(Berlin);
        Assert.True(MaintenanceWindow.Parse("0 2 * * *;1h").IsOpen(time, out _));
        time.SetLocalTimeZone(TimeZoneInfo.Utc);
        Assert.False(MaintenanceWindow.Parse("0 2 * * *;1h").IsOpen(time, out _));
    }

    [Fact]
    public void Spring_forward_an_opening_in_the_skipped_hour_happens_at_the_end_of_the_gap()
    {
        // Europe/Berlin, 2025-03-30: 02:00 CET jumps to 03:00 CEST (01:00 UTC); 02:30 does not exist.
        var w = MaintenanceWindow.Parse("30 2 * * *;1h");

        Assert.False(w.IsOpen(Utc(2025, 3, 30, 0, 59, 59), Berlin, out var next));       // 01:59:59 CET
        Assert.Equal(new DateTimeOffset(2025, 3, 30, 3, 0, 0, TimeSpan.FromHours(2)), next); // Cronos: 03:00 CEST
        Assert.True(w.IsOpen(Utc(2025, 3, 30, 1, 0), Berlin, out _));                     // 03:00 CEST: open
        Assert.True(w.IsOpen(Utc(2025, 3, 30, 1, 59, 59), Berlin, out _));                // 03:59:59 CEST
        Assert.False(w.IsOpen(Utc(2025, 3, 30, 2, 0), Berlin, out next));                 // 04:00 CEST: an hour later, closed
        Assert.Equal(new DateTimeOffset(2025, 3, 31, 2, 30, 0, TimeSpan.FromHours(2)), next);
        // A short window that would have ended inside the gap is measured from 03:00 CEST as well.
        Assert.False(MaintenanceWindow.Parse("30 2 * * *;29m").IsOpen(Utc(2025, 3, 30, 1, 30), Berlin, out _));
        Assert.True(MaintenanceWindow.Parse("30 2 * * *;29m").IsOpen(Utc(2025, 3, 30, 1, 28), Berlin, out _));

        // America/New_York, 2025-03-09: 02:00 EST jumps to 03:00 EDT (07:00 UTC).
        var ny = MaintenanceWindow.Parse("30 2 * * *;30m");
        Assert.False(ny.IsOpen(Utc(2025, 3, 9, 6, 59), NewYork, out next));
        Assert.Equal(new DateTimeOffset(2025, 3, 9, 3, 0, 0, TimeSpan.FromHours(-4)), next);
        Assert.True(ny.IsOpen(Utc(2025, 3, 9, 7, 15), NewYork, out _));
        Assert.False(ny.IsOpen(Utc(2025, 3, 9, 7, 30), NewYork, out _));
    }

    [Fact]
    public void Fall_back_an_opening_in_the_repeated_hour_happens_once_and_the_duration_is_elapsed_time()
    {
        // Europe/Berlin, 2025-10-26: 03:00 CEST falls back to 02:00 CET (01:00 UTC); 02:00-03:00 happens twice.
        var w = MaintenanceWindow.Parse("30 2 * * *;1h");
        Assert.True(w.IsOpen(Utc(2025, 10, 26, 0, 30), Berlin, out var next));    // 02:30 CEST: opens
        Assert.Equal(new DateTimeOffset(2025, 10, 27, 2, 30, 0, TimeSpan.FromHours(1)), next);
        Assert.True(w.IsOpen(Utc(2025, 10, 26, 1, 15), Berlin, out _));           // 02:15 CET, 45 min later: still open
        Assert.False(w.IsOpen(Utc(2025, 10, 26, 1, 30), Berlin, out next));       // 02:30 CET: the end, and no second opening
        Assert.Equal(new DateTimeOffset(2025, 10, 27, 2, 30, 0, TimeSpan.FromHours(1)), next);
        Assert.False(w.IsOpen(Utc(2025, 10, 26, 2, 0), Berlin, out _));

        // 02:00 CEST for 2h ends at 03:00 CET (02:00 UTC): two hours of real time, one of wall clock.
        var two = MaintenanceWindow.Parse("0 2 * * *;2h");
        Assert.True(two.IsOpen(Utc(2025, 10, 26, 1, 59), Berlin, out _));
        Assert.False(two.IsOpen(Utc(2025, 10, 26, 2, 0), Berlin, out _));

        // America/New_York, 2025-11-02: 01:30 EDT (05:30 UTC) opens; 01:30 EST (06:30 UTC) is the end, not a reopening.
        var ny = MaintenanceWindow.Parse("30 1 * * *;1h");
        Assert.True(ny.IsOpen(Utc(2025, 11, 2, 5, 30), NewYork, out _));
        Assert.True(ny.IsOpen(Utc(2025, 11, 2, 6, 29), NewYork, out _));
        Assert.False(ny.IsOpen(Utc(2025, 11, 2, 6, 30), NewYork, out next));
        Assert.Equal(new DateTimeOffset(2025, 11, 3, 1, 30, 0, TimeSpan.FromHours(-5)), next);
    }

    [Fact]
    public void Interval_expressions_do_open_twice_in_the_repeated_hour()
    {
        // Cronos keeps interval-based occurrences in the repeated hour: */30 at 02:00 and 02:30, CEST and CET.
        var w = MaintenanceWindow.Parse("*/30 2 * * *;10m");
        Assert.True(w.IsOpen(Utc(2025, 10, 26, 0, 35), Berlin, out _));  // 02:35 CEST
        Assert.True(w.IsOpen(Utc(2025, 10, 26, 1, 35), Berlin, out _));  // 02:35 CET
        Assert.False(w.IsOpen(Utc(2025, 10, 26, 1, 45), Berlin, out _));
    }

    [Fact]
    public void A_schedule_that_never_fires_is_never_open()
    {
        var w = MaintenanceWindow.Parse("0 0 30 2 *;1h"); // 30 February
        Assert.False(w.IsOpen(Utc(2025, 3, 2, 0, 30), TimeZoneInfo.Utc, out var next));
        Assert.Null(next);
    }
}
