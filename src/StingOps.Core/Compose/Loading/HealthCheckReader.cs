using StingOps.Core.Compose.Yaml;

namespace StingOps.Core.Compose.Loading;

/// <summary>A service's <c>healthcheck:</c>: test forms (string, CMD, CMD-SHELL, NONE), timings, retries, disable.</summary>
internal static class HealthCheckReader
{
    public static HealthCheckSpec? Read(ServiceFields fields)
    {
        var node = fields.Body.Get("healthcheck");
        if (node is null or YScalar { IsNull: true }) return null;
        if (node is not YMapping check) throw fields.Invalid(node, "healthcheck must be a mapping");

        var test = ReadHealthTest(fields, check.Get("test"));
        var disabled = fields.Bool(check.Get("disable"), "healthcheck.disable") ?? false;
        if (test is ["NONE", ..]) disabled = true;

        int? retries = null;
        if (check.Get("retries") is { } retriesNode and not YScalar { IsNull: true })
        {
            if (retriesNode is not YScalar r || !YamlValues.TryParseInt(r.Value, out var value) || value < 0)
                throw fields.Invalid(retriesNode, "healthcheck.retries must be a whole number of 0 or more" +
                    (retriesNode is YScalar bad ? $", got {YamlValues.Quote(bad.Value)}" : ""));
            retries = value;
        }

        return new HealthCheckSpec
        {
            Test = disabled ? null : test,
            Disabled = disabled,
            Interval = fields.Duration(check.Get("interval"), "healthcheck.interval"),
            Timeout = fields.Duration(check.Get("timeout"), "healthcheck.timeout"),
            Retries = retries,
            StartPeriod = fields.Duration(check.Get("start_period"), "healthcheck.start_period"),
            StartInterval = fields.Duration(check.Get("start_interval"), "healthcheck.start_interval"),
        };
    }

    /// <summary>A string is a shell command (CMD-SHELL); a list must start with NONE, CMD or CMD-SHELL; empty = the image's.</summary>
    private static IReadOnlyList<string>? ReadHealthTest(ServiceFields fields, YNode? node)
    {
        switch (node)
        {
            case null or YScalar { IsNull: true }:
                return null;
            case YScalar command:
                return ["CMD-SHELL", command.Value];
            case YSequence list:
                if (list.Items.Count == 0) return null;
                var parts = list.Items.Select(i => i is YScalar { IsNull: false } s
                    ? s.Value
                    : throw fields.Invalid(i, "healthcheck.test items must be strings")).ToList();
                if (parts[0] is not ("CMD" or "CMD-SHELL" or "NONE"))
                    throw fields.Invalid(list.Items[0], $"healthcheck.test must start with \"CMD\", \"CMD-SHELL\" or \"NONE\", not {YamlValues.Quote(parts[0])}");
                return parts;
            default:
                throw fields.Invalid(node, "healthcheck.test must be a string or a list");
        }
    }
}
