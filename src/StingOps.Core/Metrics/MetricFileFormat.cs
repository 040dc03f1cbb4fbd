using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using StingOps.Core.Common;

namespace StingOps.Core.Metrics;

/// <summary>
/// The two on-disk formats. <c>restart_metrics.csv</c> is STING's shell format (log_restart_metric in the restart reliability plan), byte for byte what
/// <c>echo "$(date -Iseconds),${service},${duration},${status}" &gt;&gt; restart_metrics.csv</c> writes:
/// no header, no quoting, ISO-8601 timestamp with offset and whole seconds, duration in whole seconds,
/// <c>success</c>/<c>failure</c>. <c>restart_metrics.jsonl</c> holds every field, one JSON object a line.
/// </summary>
internal static partial class MetricFileFormat
{
    public const string CsvFileName = "restart_metrics.csv";
    public const string JsonlFileName = "restart_metrics.jsonl";

    private static readonly JsonWriterOptions JsonOptions = new()
    {
        // Plain ASCII '+', non-Latin service names etc. stay readable for grep/jq; the file is never HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    // ---------- writing ----------

    /// <summary>The shell-format csv line (without newline), or null when the record has none:
    /// Skipped/Cancelled rows (STING's shell only logs restarts that ran) and service names the unquoted csv
    /// cannot carry (comma, newline, empty).</summary>
    public static string? ToCsvLine(RestartMetricRecord r)
    {
        var key = CsvKeyOf(r);
        if (key is null) return null;
        var ts = TruncateToSeconds(r.Timestamp);
        return string.Create(CultureInfo.InvariantCulture,
            $"{ts.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)},{r.Service},{key.Value.DurationTicks / TimeSpan.TicksPerSecond},{(key.Value.Success ? "success" : "failure")}");
    }

    public static string ToJsonLine(RestartMetricRecord r)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, JsonOptions))
        {
            w.WriteStartObject();
            w.WriteString("timestamp", r.Timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture));
            if (r.RunId is not null) w.WriteString("runId", r.RunId);
            if (r.Project is not null) w.WriteString("project", r.Project);
            w.WriteString("service", r.Service);
            w.WriteNumber("durationSeconds", Seconds(r.Duration));
            if (r.StartToReady is { } toReady) w.WriteNumber("readySeconds", Seconds(toReady));
            if (r.ExpectedRunDuration is { } expected) w.WriteNumber("expectedRunSeconds", Seconds(expected));
            w.WriteString("status", StatusText(r.Status));
            if (r.Attempts is { } a) w.WriteNumber("attempts", a);
            if (r.Wave is { } wave) w.WriteNumber("wave", wave);
            WriteInstant(w, "stopRequestedAt", r.Phases.StopRequestedAt);
            WriteInstant(w, "stoppedAt", r.Phases.StoppedAt);
            WriteInstant(w, "startedAt", r.Phases.StartedAt);
            WriteInstant(w, "readyAt", r.Phases.ReadyAt);
            if (r.FailureReason is { } reason) w.WriteString("failureReason", ReasonText(reason));
            if (r.Message is not null) w.WriteString("message", r.Message);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteInstant(Utf8JsonWriter w, string name, DateTimeOffset? instant)
    {
        if (instant is { } t)
            w.WriteString(name, t.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture));
    }

    private static decimal Seconds(TimeSpan t) => (decimal)Math.Max(0, t.Ticks) / TimeSpan.TicksPerSecond;

    // ---------- dedup key ----------

    /// <summary>What a csv row says, normalised: the instant (whole seconds), service, duration, success.
    /// A jsonl record's key is the key of the csv line <see cref="ToCsvLine"/> writes for it.</summary>
    public readonly record struct CsvKey(long UnixSeconds, string Service, long DurationTicks, bool Success);

    public static CsvKey? CsvKeyOf(RestartMetricRecord r)
    {
        bool success;
        switch (r.Status)
        {
            case OutcomeStatus.Succeeded: success = true; break;
            case OutcomeStatus.Failed or OutcomeStatus.RolledBack: success = false; break;
            default: return null;
        }
        if (r.Service.Length == 0 || r.Service.AsSpan().IndexOfAny(",\r\n") >= 0) return null;
        var seconds = (long)Math.Round(Math.Max(0, r.Duration.Ticks) / (double)TimeSpan.TicksPerSecond, MidpointRounding.AwayFromZero);
        return new CsvKey(r.Timestamp.ToUnixTimeSeconds(), r.Service, seconds * TimeSpan.TicksPerSecond, success);
    }

    public static CsvKey? CsvKeyOfParsedCsvRow(RestartMetricRecord r) =>
        r.Status is OutcomeStatus.Succeeded or OutcomeStatus.Failed or OutcomeStatus.RolledBack
            ? new CsvKey(r.Timestamp.ToUnixTimeSeconds(), r.Service, r.Duration.Ticks, r.Status == OutcomeStatus.Succeeded)
            : null;

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset t) =>
        new(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, t.Offset);

    // ---------- reading ----------

    public enum LineKind { Record, Ignorable, Malformed }

    /// <summary>Parses a csv line: <c>timestamp,service,duration,status</c>; extra trailing fields are
    /// ignored; a header line, a blank line and a <c>#</c> comment are <see cref="LineKind.Ignorable"/>.</summary>
    public static LineKind ParseCsvLine(string line, TimeZoneInfo assumeZone, out RestartMetricRecord? record, out string? problem)
    {
        record = null;
        problem = null;
        var trimmed = line.Trim();
        if (trimmed.Length == 0 || trimmed[0] == '#') return LineKind.Ignorable;
        var fields = trimmed.Split(',');
        if (fields[0].Trim().Equals("timestamp", StringComparison.OrdinalIgnoreCase)) return LineKind.Ignorable;
        if (fields.Length < 4)
        {
            problem = $"expected 4 comma-separated fields (timestamp,service,duration,status), found {fields.Length}";
            return LineKind.Malformed;
        }
        if (!TryParseTimestamp(fields[0].Trim(), assumeZone, out var ts))
        {
            problem = $"timestamp {Excerpt(fields[0])} is not an ISO-8601 date and time";
            return LineKind.Malformed;
        }
        var service = fields[1].Trim();
        if (service.Length == 0)
        {
            problem = "the service name is empty";
            return LineKind.Malformed;
        }
        if (!decimal.TryParse(fields[2].Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            || seconds * TimeSpan.TicksPerSecond > TimeSpan.MaxValue.Ticks)
        {
            problem = $"duration {Excerpt(fields[2])} is not a number of seconds";
            return LineKind.Malformed;
        }
        if (!TryParseStatus(fields[3].Trim(), out var status))
        {
            problem = $"status {Excerpt(fields[3])} is not success or failure";
            return LineKind.Malformed;
        }
        record = new RestartMetricRecord(ts, service, TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond)), status);
        return LineKind.Record;
    }

    public static LineKind ParseJsonLine(string line, TimeZoneInfo assumeZone, out RestartMetricRecord? record, out string? problem)
    {
        record = null;
        problem = null;
        if (string.IsNullOrWhiteSpace(line)) return LineKind.Ignorable;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            problem = "not valid JSON" + (e.BytePositionInLine is { } p ? $" (at character {p + 1})" : "");
            return LineKind.Malformed;
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "not a JSON object";
                return LineKind.Malformed;
            }
            if (!TryGetString(root, "timestamp", out var tsText) || tsText is null || !TryParseTimestamp(tsText, assumeZone, out var ts))
            {
                problem = "'timestamp' is missing or not an ISO-8601 date and time";
                return LineKind.Malformed;
            }
            if (!TryGetString(root, "service", out var service) || string.IsNullOrWhiteSpace(service))
            {
                problem = "'service' is missing or empty";
                return LineKind.Malformed;
            }
            if (!TryGetString(root, "status", out var statusText) || statusText is null || !TryParseStatus(statusText, out var status))
            {
                problem = "'status' is missing or not one of Succeeded, Failed, RolledBack, Skipped, Cancelled";
                return LineKind.Malformed;
            }
            if (!root.TryGetProperty("durationSeconds", out var d) || d.ValueKind != JsonValueKind.Number
                || !d.TryGetDecimal(out var seconds) || seconds < 0 || seconds * TimeSpan.TicksPerSecond > TimeSpan.MaxValue.Ticks)
            {
                problem = "'durationSeconds' is missing or not a non-negative number";
                return LineKind.Malformed;
            }
            if (!TryGetString(root, "runId", out var runId)
                || !TryGetString(root, "project", out var project)
                || !TryGetString(root, "failureReason", out var reason)
                || !TryGetString(root, "message", out var message))
            {
                problem = "'runId', 'project', 'failureReason' and 'message' must be strings";
                return LineKind.Malformed;
            }
            if (!TryGetSeconds(root, "readySeconds", out var startToReady) || !TryGetSeconds(root, "expectedRunSeconds", out var expectedRun))
            {
                problem = "'readySeconds' and 'expectedRunSeconds' must be non-negative numbers";
                return LineKind.Malformed;
            }
            if (!TryGetInteger(root, "attempts", out var attempts) || !TryGetInteger(root, "wave", out var wave))
            {
                problem = "'attempts' and 'wave' must be integers";
                return LineKind.Malformed;
            }
            if (!TryGetInstant(root, "stopRequestedAt", assumeZone, out var stopRequested) || !TryGetInstant(root, "stoppedAt", assumeZone, out var stopped)
                || !TryGetInstant(root, "startedAt", assumeZone, out var started) || !TryGetInstant(root, "readyAt", assumeZone, out var ready))
            {
                problem = "'stopRequestedAt', 'stoppedAt', 'startedAt' and 'readyAt' must be ISO-8601 dates and times";
                return LineKind.Malformed;
            }
            record = new RestartMetricRecord(ts, service.Trim(), TimeSpan.FromTicks((long)decimal.Round(seconds * TimeSpan.TicksPerSecond)), status)
            {
                RunId = runId,
                Project = string.IsNullOrWhiteSpace(project) ? null : project.Trim(),
                StartToReady = startToReady,
                ExpectedRunDuration = expectedRun,
                Attempts = attempts,
                Wave = wave,
                Phases = new PhaseTimes(stopRequested, stopped, started, ready),
                FailureReason = ParseReason(reason),
                Message = message,
            };
            return LineKind.Record;
        }
    }

    /// <summary>An optional duration in seconds; false when the property is present and not a non-negative number.</summary>
    private static bool TryGetSeconds(JsonElement obj, string name, out TimeSpan? value)
    {
        value = null;
        if (!obj.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return true;
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetDecimal(out var seconds)
            || seconds < 0 || seconds * TimeSpan.TicksPerSecond > TimeSpan.MaxValue.Ticks) return false;
        value = TimeSpan.FromTicks((long)decimal.Round(seconds * TimeSpan.TicksPerSecond));
        return true;
    }

    /// <summary>An optional integer; false when the property is present and not one.</summary>
    private static bool TryGetInteger(JsonElement obj, string name, out int? value)
    {
        value = null;
        if (!obj.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return true;
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out var n)) return false;
        value = n;
        return true;
    }

    /// <summary>An optional date and time; false when the property is present and not an ISO-8601 one.</summary>
    private static bool TryGetInstant(JsonElement obj, string name, TimeZoneInfo assumeZone, out DateTimeOffset? value)
    {
        value = null;
        if (!TryGetString(obj, name, out var text)) return false;
        if (text is null) return true;
        if (!TryParseTimestamp(text, assumeZone, out var t)) return false;
        value = t;
        return true;
    }

    /// <summary>False when the property is present with a non-string, non-null value.</summary>
    private static bool TryGetString(JsonElement obj, string name, out string? value)
    {
        value = null;
        if (!obj.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return true;
        if (e.ValueKind != JsonValueKind.String) return false;
        value = e.GetString();
        return true;
    }

    // The file's words are spelled out here, not taken from the enum's names: renaming a member of
    // OutcomeStatus or OutcomeReason must not change what is on disk or make old files unreadable.

    public static string StatusText(OutcomeStatus status) => status switch
    {
        OutcomeStatus.Succeeded => "Succeeded",
        OutcomeStatus.Failed => "Failed",
        OutcomeStatus.RolledBack => "RolledBack",
        OutcomeStatus.Skipped => "Skipped",
        OutcomeStatus.Cancelled => "Cancelled",
        OutcomeStatus.Started => "Started",
        OutcomeStatus.AlreadyRunning => "AlreadyRunning",
        OutcomeStatus.Stopped => "Stopped",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>The jsonl's status words, and the csv's <c>success</c>/<c>failure</c>; case-insensitive.</summary>
    public static bool TryParseStatus(string text, out OutcomeStatus status)
    {
        OutcomeStatus? parsed = text.ToLowerInvariant() switch
        {
            "success" or "succeeded" => OutcomeStatus.Succeeded,
            "failure" or "failed" => OutcomeStatus.Failed,
            "rolledback" => OutcomeStatus.RolledBack,
            "skipped" => OutcomeStatus.Skipped,
            "cancelled" => OutcomeStatus.Cancelled,
            "started" => OutcomeStatus.Started,
            "alreadyrunning" => OutcomeStatus.AlreadyRunning,
            "stopped" => OutcomeStatus.Stopped,
            _ => null,
        };
        status = parsed ?? default;
        return parsed is not null;
    }

    public static string ReasonText(OutcomeReason reason) => reason switch
    {
        OutcomeReason.None => "None",
        OutcomeReason.Timeout => "Timeout",
        OutcomeReason.Dependency => "Dependency",
        OutcomeReason.HealthCheck => "HealthCheck",
        OutcomeReason.Engine => "Engine",
        OutcomeReason.Prerequisite => "Prerequisite",
        OutcomeReason.Cancelled => "Cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    /// <summary>Trimmed and case-insensitive; null for no reason or one this version does not know
    /// (a newer version's), which leaves the record readable.</summary>
    public static OutcomeReason? ParseReason(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "none" => OutcomeReason.None,
        "timeout" => OutcomeReason.Timeout,
        "dependency" => OutcomeReason.Dependency,
        "healthcheck" => OutcomeReason.HealthCheck,
        "engine" => OutcomeReason.Engine,
        "prerequisite" => OutcomeReason.Prerequisite,
        "cancelled" => OutcomeReason.Cancelled,
        _ => null,
    };

    [GeneratedRegex(@"^(?<y>\d{4})-(?<mo>\d{2})-(?<d>\d{2})[Tt ](?<h>\d{2}):(?<mi>\d{2}):(?<s>\d{2})(?:[.,](?<f>\d{1,9}))?(?<z>[Zz]|[+-]\d{2}(?::?\d{2})?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoTimestamp();

    /// <summary>ISO-8601 as <c>date -Iseconds</c> writes it (<c>2025-01-05T02:00:13+01:00</c>), also with
    /// <c>Z</c>, <c>+0100</c>, <c>+01</c>, a fraction, or no offset (then <paramref name="assumeZone"/>'s offset
    /// at that local time applies).</summary>
    public static bool TryParseTimestamp(string text, TimeZoneInfo assumeZone, out DateTimeOffset value)
    {
        value = default;
        var m = IsoTimestamp().Match(text);
        if (!m.Success) return false;
        int I(string g) => int.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
        DateTime local;
        try
        {
            local = new DateTime(I("y"), I("mo"), I("d"), I("h"), I("mi"), I("s"), DateTimeKind.Unspecified);
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
        if (m.Groups["f"].Success)
        {
            var f = m.Groups["f"].Value.PadRight(7, '0')[..7];
            local = local.AddTicks(long.Parse(f, CultureInfo.InvariantCulture));
        }
        TimeSpan offset;
        if (!m.Groups["z"].Success)
        {
            offset = assumeZone.GetUtcOffset(local);
        }
        else
        {
            var z = m.Groups["z"].Value;
            if (z is "Z" or "z") offset = TimeSpan.Zero;
            else
            {
                var digits = z[1..].Replace(":", "");
                var hours = int.Parse(digits[..2], CultureInfo.InvariantCulture);
                var minutes = digits.Length > 2 ? int.Parse(digits[2..], CultureInfo.InvariantCulture) : 0;
                if (hours > 14 || minutes > 59) return false;
                offset = new TimeSpan(hours, minutes, 0);
                if (z[0] == '-') offset = offset.Negate();
            }
        }
        try
        {
            value = new DateTimeOffset(local, offset);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    /// <summary>A short, printable excerpt of a field for a warning: at most 24 characters, control and
    /// non-ASCII characters shown as '?'.</summary>
    public static string Excerpt(string field)
    {
        var t = field.Trim();
        var sb = new StringBuilder("'");
        foreach (var c in t.Length > 24 ? t[..24] : t)
            sb.Append(c is >= ' ' and <= '~' ? c : '?');
        if (t.Length > 24) sb.Append('…');
        return sb.Append('\'').ToString();
    }
}
