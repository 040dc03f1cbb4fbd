using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace StingOps.Core.Common;

/// <summary>
/// Compose-style durations (Go's <c>time.ParseDuration</c>, as compose uses for <c>interval:</c> and the like):
/// a sequence of decimal numbers each with a unit, e.g. <c>2h</c>, <c>90m</c>, <c>1h30m</c>, <c>1.5h</c>,
/// <c>45s</c>, <c>500ms</c>. Units: <c>h</c>, <c>m</c>, <c>s</c>, <c>ms</c>, <c>us</c>/<c>µs</c>, <c>ns</c>.
/// A bare number without a unit is rejected (is <c>2</c> hours or seconds?).
/// </summary>
public static partial class DurationText
{
    [GeneratedRegex(@"\G(?<num>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?<unit>ns|us|µs|ms|h|m|s)", RegexOptions.CultureInvariant)]
    private static partial Regex Part();

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim();
        if (s == "0") return true;
        var sign = 1;
        if (s[0] is '+' or '-')
        {
            sign = s[0] == '-' ? -1 : 1;
            s = s[1..];
        }
        if (s.Length == 0) return false;

        decimal ticks = 0;
        var pos = 0;
        while (pos < s.Length)
        {
            var m = Part().Match(s, pos);
            if (!m.Success || m.Index != pos) return false;
            if (!decimal.TryParse(m.Groups["num"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
                return false;
            decimal unitTicks = m.Groups["unit"].Value switch
            {
                "h" => TimeSpan.TicksPerHour,
                "m" => TimeSpan.TicksPerMinute,
                "s" => TimeSpan.TicksPerSecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "us" or "µs" => 10m,
                _ => 0.01m, // ns
            };
            try { ticks += n * unitTicks; }
            catch (OverflowException) { return false; }
            if (ticks > TimeSpan.MaxValue.Ticks) return false;
            pos += m.Length;
        }
        duration = TimeSpan.FromTicks(sign * (long)decimal.Round(ticks, MidpointRounding.AwayFromZero));
        return true;
    }

    /// <summary>Parses or throws <see cref="FormatException"/>.</summary>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var d) ? d : throw new FormatException($"'{text}' is not a duration like 2h, 90m or 1h30m.");

    /// <summary>
    /// Formats in the same syntax, compactly: <c>2h</c>, <c>1h30m</c>, <c>7m12s</c>, <c>1.5s</c>, <c>850ms</c>, <c>0s</c>.
    /// Fractions of a second are kept only below one minute.
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
}
