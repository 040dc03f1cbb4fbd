using Cronos;
using StingOps.Core.Common;
using StingOps.Core.Configuration;

namespace StingOps.Core.Metrics;

/// <summary>Where <see cref="MaintenanceWindow.GetState"/> found the clock.</summary>
/// <param name="IsOpen">Inside a window.</param>
/// <param name="OpenedAt">When open: the start of the current window (the latest opening at or before now).</param>
/// <param name="ClosesAt">When open: <see cref="OpenedAt"/> + duration. A later opening may start before it
/// (overlapping windows); see <see cref="NextOpening"/>.</param>
/// <param name="NextOpening">The first opening strictly after now; null if the schedule never fires again (e.g. <c>0 0 30 2 *</c>).</param>
public sealed record MaintenanceWindowState(bool IsOpen, DateTimeOffset? OpenedAt, DateTimeOffset? ClosesAt, DateTimeOffset? NextOpening);

/// <summary>
/// A recurring maintenance window: a 5-field cron expression for the openings and a duration, e.g.
/// <c>0 2 * * 0;2h</c> (Sundays 02:00 for two hours). Text form: <c>cron;duration[;time zone]</c>; the
/// duration is compose-style (<c>2h</c>, <c>90m</c>, <c>1h30m</c>), the optional time zone an IANA id
/// (<c>Europe/Berlin</c>).
/// </summary>
/// <remarks>
/// The window is open at <c>now</c> iff some opening <c>o</c> satisfies <c>o ≤ now &lt; o + duration</c>:
/// open at the start instant, closed at the end instant. The duration is elapsed time: a window that
/// spans a daylight-saving change lasts its duration of real time, not of wall-clock time.
/// Openings follow Cronos (as Vixie cron): an opening that falls into the hour skipped in spring happens
/// at the end of the gap (<c>30 2 * * *</c> in Europe/Berlin on the spring-forward day opens at 03:00
/// CEST); an opening in the hour repeated in autumn happens once, at its first occurrence (02:30 CEST,
/// not again at 02:30 CET), unless the hour or minute field is an interval (<c>*</c>, range, step).
/// </remarks>
public sealed class MaintenanceWindow
{
    private readonly CronExpression _cron;

    private MaintenanceWindow(string cronText, CronExpression cron, TimeSpan duration, TimeZoneInfo? zone)
    {
        CronText = cronText;
        _cron = cron;
        Duration = duration;
        TimeZone = zone;
    }

    /// <summary>The cron expression as given (5 fields, or a macro such as <c>@daily</c>).</summary>
    public string CronText { get; }

    public TimeSpan Duration { get; }

    /// <summary>The zone the cron expression is read in, when the window names one; else the caller's.</summary>
    public TimeZoneInfo? TimeZone { get; }

    /// <summary>Parses <c>cron;duration[;time zone]</c>.</summary>
    /// <exception cref="StingException"><c>StingMaintenanceWindowInvalid</c>, naming the text and the part at fault.</exception>
    public static MaintenanceWindow Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw Invalid(text ?? "", "it is empty; expected 'cron;duration', e.g. '0 2 * * 0;2h'");
        var parts = text.Split(';');
        if (parts.Length is < 2 or > 3)
            throw Invalid(text, "expected 'cron;duration' or 'cron;duration;time zone', e.g. '0 2 * * 0;2h'");
        var durationText = parts[1].Trim();
        if (!DurationText.TryParse(durationText, out var duration))
            throw Invalid(text, $"the duration '{durationText}' is not a duration like 2h, 90m or 1h30m");
        return Create(text, parts[0].Trim(), duration, parts.Length == 3 ? parts[2].Trim() : null);
    }

    /// <summary>From config.yml's <c>maintenance_window: {cron: ..., duration: ..., time_zone: ...}</c>.</summary>
    /// <exception cref="StingException"><c>StingMaintenanceWindowInvalid</c>.</exception>
    public static MaintenanceWindow FromSpec(MaintenanceWindowSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var text = $"{spec.Cron};{DurationText.Format(spec.Duration)}" + (spec.TimeZone is null ? "" : ";" + spec.TimeZone);
        return Create(text, (spec.Cron ?? "").Trim(), spec.Duration, spec.TimeZone?.Trim());
    }

    private static MaintenanceWindow Create(string text, string cronText, TimeSpan duration, string? zoneId)
    {
        if (duration <= TimeSpan.Zero)
            throw Invalid(text, "the duration must be longer than zero");
        if (cronText.Length == 0)
            throw Invalid(text, "the cron expression is empty");
        if (!cronText.StartsWith('@') && cronText.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 5)
            throw Invalid(text, $"the cron expression '{cronText}' must have 5 fields (minute hour day-of-month month day-of-week)");
        CronExpression cron;
        try
        {
            cron = CronExpression.Parse(cronText, CronFormat.Standard);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Invalid(text, $"the cron expression '{cronText}' is invalid: {e.Message}", e);
        }
        TimeZoneInfo? zone = null;
        if (!string.IsNullOrEmpty(zoneId))
        {
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                throw Invalid(text, $"the time zone '{zoneId}' is not known on this system", e);
            }
        }
        return new MaintenanceWindow(cronText, cron, duration, zone);
    }

    private static StingException Invalid(string text, string why, Exception? inner = null) =>
        new(ErrorIds.MaintenanceWindowInvalid, StingErrorKind.InvalidArgument,
            $"Maintenance window '{text}' is invalid: {why}.", inner, text);

    /// <summary>Whether the window is open at <paramref name="now"/>, reading the cron expression in
    /// <paramref name="zone"/> (this overrides a zone named in the window's text).</summary>
    /// <param name="nextOpening">The first opening strictly after now (also when open: the next window, not
    /// the current one); null if the schedule never fires again.</param>
    public bool IsOpen(DateTimeOffset now, TimeZoneInfo zone, out DateTimeOffset? nextOpening)
    {
        var state = GetState(now, zone);
        nextOpening = state.NextOpening;
        return state.IsOpen;
    }

    /// <summary>As <see cref="IsOpen(DateTimeOffset, TimeZoneInfo, out DateTimeOffset?)"/> in the window's own zone, else the local zone.</summary>
    public bool IsOpen(DateTimeOffset now, out DateTimeOffset? nextOpening) =>
        IsOpen(now, TimeZone ?? TimeZoneInfo.Local, out nextOpening);

    /// <summary>As <see cref="IsOpen(DateTimeOffset, out DateTimeOffset?)"/> at the provider's now.</summary>
    public bool IsOpen(TimeProvider timeProvider, out DateTimeOffset? nextOpening) =>
        IsOpen(timeProvider.GetUtcNow(), TimeZone ?? timeProvider.LocalTimeZone, out nextOpening);

    /// <summary>The full picture at <paramref name="now"/>; <paramref name="zone"/> null: the window's zone, else local.</summary>
    public MaintenanceWindowState GetState(DateTimeOffset now, TimeZoneInfo? zone = null)
    {
        zone ??= TimeZone ?? TimeZoneInfo.Local;
        // Openings in (now - duration, now]. Enumerated forwards on purpose: Cronos 0.13's backward search
        // (GetPreviousOccurrence / GetOccurrencesDescending) places an opening in the spring-forward gap at
        // the minute before the gap (01:59 CET) where the forward search places it after (03:00 CEST).
        var lowerBound = now - Duration;
        DateTimeOffset? opened = null;
        foreach (var o in _cron.GetOccurrences(lowerBound, now, zone, fromInclusive: false, toInclusive: true))
            opened = o;
        var next = _cron.GetNextOccurrence(now, zone, inclusive: false);
        return opened is { } o1
            ? new MaintenanceWindowState(true, o1, o1 + Duration, next)
            : new MaintenanceWindowState(false, null, null, next);
    }

    /// <summary><c>cron;duration[;zone]</c>, parseable by <see cref="Parse"/>.</summary>
    public override string ToString() =>
        $"{CronText};{DurationText.Format(Duration)}" + (TimeZone is null ? "" : ";" + TimeZone.Id);
}
