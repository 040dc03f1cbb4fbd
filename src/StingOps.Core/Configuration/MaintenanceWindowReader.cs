using Cronos;
using StingOps.Core.Common;
using StingOps.Core.Compose.Yaml;

namespace StingOps.Core.Configuration;

/// <summary><c>maintenance_window:</c> as <c>{cron, duration, time_zone}</c> or the string <c>"cron;duration[;time_zone]"</c>.</summary>
internal static class MaintenanceWindowReader
{
    private static readonly HashSet<string> Keys = ["cron", "duration", "time_zone"];

    public static MaintenanceWindowSpec? Read(YNode? node, string keyPath, ConfigFields fields)
    {
        var value = ConfigFields.Value(node, keyPath);
        switch (value)
        {
            case null:
                return null;
            case YScalar s:
                var parts = s.Value.Split(';', StringSplitOptions.TrimEntries);
                if (parts.Length is < 2 or > 3)
                    throw ConfigFields.Invalid(s, keyPath, "expected \"cron;duration\" (e.g. \"0 2 * * 0;2h\") or a mapping with cron and duration");
                return Build(parts[0], parts[1], parts.Length == 3 ? parts[2] : null, s, s, s, keyPath);
            case YMapping m:
                fields.WarnAboutKeys(m, keyPath, Keys);
                var cron = ConfigFields.String(m.Get("cron"), $"{keyPath}.cron")
                    ?? throw ConfigFields.Invalid(m, $"{keyPath}.cron", "missing: a 5-field cron expression is required");
                var duration = ConfigFields.String(m.Get("duration"), $"{keyPath}.duration")
                    ?? throw ConfigFields.Invalid(m, $"{keyPath}.duration", "missing: a duration such as 2h is required");
                return Build(cron, duration, ConfigFields.String(m.Get("time_zone"), $"{keyPath}.time_zone"),
                    m.Get("cron")!, m.Get("duration")!, m.Get("time_zone") ?? m, keyPath);
            default:
                throw ConfigFields.Invalid(value, keyPath, $"expected a mapping with cron and duration, not {value.KindName}");
        }
    }

    private static MaintenanceWindowSpec Build(string cron, string duration, string? timeZone,
        YNode cronAt, YNode durationAt, YNode timeZoneAt, string keyPath)
    {
        try
        {
            CronExpression.Parse(cron, CronFormat.Standard);
        }
        catch (CronFormatException ex)
        {
            throw ConfigFields.Invalid(cronAt, $"{keyPath}.cron", $"not a 5-field cron expression: {ex.Message}");
        }
        if (!DurationText.TryParse(duration, out var length) || length <= TimeSpan.Zero)
            throw ConfigFields.Invalid(durationAt, $"{keyPath}.duration", $"expected a positive duration such as 2h or 90m, got {YamlValues.Quote(duration)}");
        if (timeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
            throw ConfigFields.Invalid(timeZoneAt, $"{keyPath}.time_zone", $"unknown time zone {YamlValues.Quote(timeZone)}");
        return new MaintenanceWindowSpec(cron, length, timeZone);
    }
}
