using System.Globalization;

namespace StingOps.Core.Compose;

/// <summary>
/// Durations as compose writes them: Go's <c>time.ParseDuration</c> syntax (<c>1m30s</c>, <c>500ms</c>,
/// <c>2h45m</c>, <c>1.5s</c>, units ns/us/µs/ms/s/m/h). A bare number is taken as seconds, which compose itself
/// rejects (except 0) but which people write, and which cannot mean anything else.
/// </summary>
public static class ComposeDuration
{
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"'{text}' is not a duration (e.g. 10s, 1m30s, 500ms)");

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim();

        if (double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            if (double.IsNaN(seconds) || seconds > TimeSpan.MaxValue.TotalSeconds) return false;
            value = TimeSpan.FromSeconds(seconds);
            return true;
        }

        var negative = false;
        var i = 0;
        if (s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            i = 1;
        }
        if (i >= s.Length) return false;

        decimal totalTicks = 0;
        while (i < s.Length)
        {
            var numberStart = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (i == numberStart) return false;
            if (!decimal.TryParse(s.AsSpan(numberStart, i - numberStart), NumberStyles.AllowDecimalPoint,
                    CultureInfo.InvariantCulture, out var number)) return false;

            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.') i++;
            var ticksPerUnit = UnitTicks(s.AsSpan(unitStart, i - unitStart));
            if (ticksPerUnit is null) return false;
            totalTicks += number * ticksPerUnit.Value;
            if (totalTicks > TimeSpan.MaxValue.Ticks) return false;
        }

        value = TimeSpan.FromTicks((long)Math.Round(totalTicks) * (negative ? -1 : 1));
        return true;
    }

    private static decimal? UnitTicks(ReadOnlySpan<char> unit) => unit switch
    {
        "ns" => 0.01m,
        "us" or "µs" or "μs" => 10m,
        "ms" => TimeSpan.TicksPerMillisecond,
        "s" => TimeSpan.TicksPerSecond,
        "m" => TimeSpan.TicksPerMinute,
        "h" => TimeSpan.TicksPerHour,
        _ => null,
    };
}
