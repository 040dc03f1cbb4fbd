using System.Globalization;
using System.Text;

namespace StingOps.Core.Common;

/// <summary>
/// The one duration syntax of compose files, config.yml and <c>-MaintenanceWindow</c>: Go's
/// <c>time.ParseDuration</c> (as compose uses for <c>interval:</c> and the like), a sequence of decimal
/// numbers each with a unit, e.g. <c>2h</c>, <c>90m</c>, <c>1h30m</c>, <c>1.5h</c>, <c>45s</c>, <c>500ms</c>;
/// units <c>h</c>, <c>m</c>, <c>s</c>, <c>ms</c>, <c>us</c>/<c>µs</c>, <c>ns</c>; an optional sign.
/// A bare unsigned number is seconds (<c>30</c>, <c>2.5</c>): about_StingOps_Configuration documents
/// "a number of seconds (30) or a compose-style duration" for every key, and people write it in compose
/// files too, where it cannot mean anything else (compose itself accepts only 0).
/// Negative values parse, so that each caller rejects them with a message naming its key.
/// </summary>
public static class DurationText
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim();

        if (IsBareNumber(s))
            return decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
                && TryTicks(seconds * TimeSpan.TicksPerSecond, 1, out duration);

        var sign = 1;
        var i = 0;
        if (s[0] is '+' or '-')
        {
            sign = s[0] == '-' ? -1 : 1;
            i = 1;
        }
        if (i >= s.Length) return false;

        decimal ticks = 0;
        while (i < s.Length)
        {
            var numberStart = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (i == numberStart) return false;
            if (!decimal.TryParse(s.AsSpan(numberStart, i - numberStart), NumberStyles.AllowDecimalPoint,
                    CultureInfo.InvariantCulture, out var number)) return false;

            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.') i++;
            if (UnitTicks(s.AsSpan(unitStart, i - unitStart)) is not { } perUnit) return false;
            try { ticks += number * perUnit; }
            catch (OverflowException) { return false; }
            if (ticks > TimeSpan.MaxValue.Ticks) return false;
        }
        return TryTicks(ticks, sign, out duration);
    }

    /// <summary>Parses or throws <see cref="FormatException"/>.</summary>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var d) ? d : throw new FormatException($"'{text}' is not a duration such as 30 (seconds), 10s, 1m30s or 2h.");

    /// <summary>
    /// Formats in the same syntax, compactly: <c>2h</c>, <c>1h30m</c>, <c>7m12s</c>, <c>1.5s</c>, <c>850ms</c>, <c>0s</c>.
    /// Fractions of a second are kept only below one minute. For configured lengths (windows, thresholds),
    /// where the unit the user wrote reads better than a count of seconds.
    /// </summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero) return "0s";
        var sb = new StringBuilder();
        if (duration < TimeSpan.Zero)
        {
            sb.Append('-');
            duration = duration == TimeSpan.MinValue ? TimeSpan.MaxValue : duration.Negate();
        }
        if (duration < TimeSpan.FromSeconds(1))
        {
            var ms = duration.Ticks / (decimal)TimeSpan.TicksPerMillisecond;
            return sb.Append(ms.ToString("0.###", CultureInfo.InvariantCulture)).Append("ms").ToString();
        }
        if (duration < TimeSpan.FromMinutes(1))
        {
            var sec = duration.Ticks / (decimal)TimeSpan.TicksPerSecond;
            return sb.Append(sec.ToString("0.###", CultureInfo.InvariantCulture)).Append('s').ToString();
        }
        var totalSeconds = (long)Math.Round(duration.TotalSeconds, MidpointRounding.AwayFromZero);
        var h = totalSeconds / 3600;
        var m = totalSeconds % 3600 / 60;
        var s = totalSeconds % 60;
        if (h > 0) sb.Append(h.ToString(CultureInfo.InvariantCulture)).Append('h');
        if (m > 0) sb.Append(m.ToString(CultureInfo.InvariantCulture)).Append('m');
        if (s > 0) sb.Append(s.ToString(CultureInfo.InvariantCulture)).Append('s');
        return sb.ToString();
    }

    /// <summary>
    /// Seconds with at most one decimal, in the invariant culture: <c>30s</c>, <c>1.5s</c>, <c>90s</c>.
    /// The one way the core writes a timeout or a measured time into a message, so that a log reads (and
    /// greps) the same whatever the user's culture.
    /// </summary>
    public static string Seconds(TimeSpan duration) =>
        duration.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + "s";

    private static bool IsBareNumber(string s)
    {
        foreach (var c in s)
            if (!char.IsAsciiDigit(c) && c != '.') return false;
        return true;
    }

    private static bool TryTicks(decimal ticks, int sign, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (ticks > TimeSpan.MaxValue.Ticks) return false;
        duration = TimeSpan.FromTicks(sign * (long)decimal.Round(ticks, MidpointRounding.AwayFromZero));
        return true;
    }

    private static decimal? UnitTicks(ReadOnlySpan<char> unit) => unit switch
    {
        "ns" => 0.01m,
        "us" or "µs" or "μs" => 10m, // U+00B5 micro sign and U+03BC Greek mu, as Go accepts both
        "ms" => TimeSpan.TicksPerMillisecond,
        "s" => TimeSpan.TicksPerSecond,
        "m" => TimeSpan.TicksPerMinute,
        "h" => TimeSpan.TicksPerHour,
        _ => null,
    };
}
