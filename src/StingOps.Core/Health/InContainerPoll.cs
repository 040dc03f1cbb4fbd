namespace StingOps.Core.Health;

/// <summary>
/// A health test repeated inside the container by its own /bin/sh until it passes or the poll window ends.
/// Each `docker exec` costs the engine about 0.1 s of CPU (a runtime process, namespaces, two API round
/// trips); a test run by a shell already inside costs a fork. So one exec polls every 100 ms where single
/// execs on a backoff would see readiness up to a second late.
/// </summary>
/// <remarks>
/// The test travels as positional arguments ("$@"), never spliced into the script, so no quoting can break
/// it. The loop prints a marker first: its absence means /bin/sh could not run (distroless images), and the
/// caller falls back to one exec per probe. The iteration bound ends an abandoned loop by itself.
/// </remarks>
public static class InContainerPoll
{
    public static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(100);
    public const string Marker = "__stingops_poll__";
    /// <summary>Leads the loop's last words: how many times the test ran (what a restart's probe count counts).</summary>
    public const string RunsMarker = "__stingops_runs__";

    /// <summary>How many times a window allows the test to run (at least 1).</summary>
    public static int Iterations(TimeSpan window) => Math.Max(1, (int)(window.Ticks / Pause.Ticks));

    /// <summary>The exec argv: the loop script, then the test's own argv.</summary>
    public static IReadOnlyList<string> Command(IReadOnlyList<string> test, int iterations)
    {
        // `sleep 0.1` is busybox and coreutils; a strictly POSIX sleep rejects it and the loop slows to 1 s.
        var script =
            $"echo {Marker}; i=0; " +
            "while :; do " +
            $"out=$(\"$@\" 2>&1) && {{ printf '{RunsMarker} %s\\n%s' \"$((i+1))\" \"$out\"; exit 0; }}; " +
            $"i=$((i+1)); [ \"$i\" -ge {iterations} ] && {{ printf '{RunsMarker} %s\\n%s' \"$i\" \"$out\"; exit 1; }}; " +
            "sleep 0.1 2>/dev/null || sleep 1; " +
            "done";
        return ["/bin/sh", "-c", script, "stingops-poll", .. test];
    }

    /// <summary>The engine's answer when the image has no /bin/sh ("exec: \"/bin/sh\": stat /bin/sh: no such file or directory").</summary>
    public static bool IsMissingShell(string? output) =>
        output is not null && output.Contains("/bin/sh", StringComparison.Ordinal)
        && (output.Contains("no such file", StringComparison.OrdinalIgnoreCase) || output.Contains("not found", StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether the loop ran (its marker leads the output), the test's own last output, and how many times the
    /// test ran (1 when the loop was cut off before it could say).</summary>
    public static (bool Looped, string? Output, int Runs) ReadOutput(string? output)
    {
        if (output is null)
            return (false, null, 1);
        var start = output.IndexOf(Marker, StringComparison.Ordinal);
        if (start < 0)
            return (false, output, 1);
        var rest = output[(start + Marker.Length)..].TrimStart('\r', '\n');
        if (!rest.StartsWith(RunsMarker + " ", StringComparison.Ordinal))
            return (true, rest, 1);
        var end = rest.IndexOf('\n');
        var count = end < 0 ? rest[(RunsMarker.Length + 1)..] : rest[(RunsMarker.Length + 1)..end];
        var runs = int.TryParse(count, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1;
        return (true, end < 0 ? "" : rest[(end + 1)..], runs);
    }
}
