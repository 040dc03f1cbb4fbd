using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace StingOps.Core.Restart;

/// <summary>One line of a run journal: what happened to which service, when. Names, ids, times and statuses only.</summary>
public sealed record JournalEntry(
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("service"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Service = null,
    [property: JsonPropertyName("status"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Status = null,
    [property: JsonPropertyName("runId"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RunId = null,
    [property: JsonPropertyName("pid"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Pid = null,
    [property: JsonPropertyName("host"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Host = null,
    [property: JsonPropertyName("services"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Services = null)
{
    public const string Run = "run";
    public const string Stopped = "stopped";
    public const string Started = "started";
    public const string Finished = "finished";
    public const string Completed = "completed";
}

/// <summary>
/// A project's run journal, <c>&lt;project&gt;.journal</c> beside its lock in the private state directory: one
/// JSON line per step of a run, written and flushed as the run goes, so that a run whose process was killed
/// (SIGKILL: no finally runs) leaves behind what it had done. A run that ends (succeeded, failed or cancelled
/// alike: those are reported) removes it. Only the lock holder writes it; a new run replaces it.
/// </summary>
public sealed class RunJournal : IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.Never, TypeInfoResolver = StateJson.Default };
    private readonly FileStream _stream;
    private readonly TimeProvider _time;

    private RunJournal(FileStream stream, string path, TimeProvider time)
    {
        _stream = stream;
        _time = time;
        Path = path;
    }

    public string Path { get; }

    public static string PathFor(string stateDirectory, string project) => System.IO.Path.Combine(stateDirectory, $"{project}.journal");

    /// <summary>Starts the journal of a new run (replacing an earlier run's) with its id, pid and planned services.</summary>
    public static RunJournal Begin(string stateDirectory, string project, string runId, IReadOnlyList<string> services, TimeProvider time)
    {
        StateDirectory.Ensure(stateDirectory);
        var path = PathFor(stateDirectory, project);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.Read | FileShare.Delete };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var journal = new RunJournal(new FileStream(path, options), path, time);
        journal.Append(new JournalEntry(JournalEntry.Run, time.GetUtcNow(), RunId: runId, Pid: Environment.ProcessId, Host: Environment.MachineName, Services: services));
        return journal;
    }

    public void Stopped(string service) => Append(new JournalEntry(JournalEntry.Stopped, _time.GetUtcNow(), service));

    public void Started(string service) => Append(new JournalEntry(JournalEntry.Started, _time.GetUtcNow(), service));

    public void Finished(string service, string status) => Append(new JournalEntry(JournalEntry.Finished, _time.GetUtcNow(), service, status));

    /// <summary>The run ended and reported every outcome: marked complete, then removed.</summary>
    public void Complete()
    {
        Append(new JournalEntry(JournalEntry.Completed, _time.GetUtcNow()));
        _stream.Dispose();
        File.Delete(Path);
    }

    private void Append(JournalEntry entry)
    {
        // One write per line, flushed to the OS at once: a killed process loses nothing it wrote.
        _stream.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, Json) + "\n"));
        _stream.Flush();
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>
    /// Reads a journal tolerantly: a line that does not parse (the last one, cut by a kill mid-write) is ignored.
    /// Null when there is none or it has no run line.
    /// </summary>
    public static JournaledRun? Read(string stateDirectory, string project)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(PathFor(stateDirectory, project));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        JournalEntry? run = null;
        var entries = new List<JournalEntry>();
        foreach (var line in lines)
        {
            JournalEntry? entry;
            try
            {
                entry = JsonSerializer.Deserialize<JournalEntry>(line, Json);
            }
            catch (JsonException)
            {
                continue;
            }
            if (entry?.Event is null)
                continue;
            if (entry.Event == JournalEntry.Run)
            {
                run = entry;
                entries.Clear();
            }
            else
            {
                entries.Add(entry);
            }
        }
        if (run?.RunId is null || run.Pid is null)
            return null;
        return new JournaledRun(run.RunId, run.Pid.Value, run.Host, run.At, run.Services ?? [], entries);
    }

    /// <summary>
    /// The project's interrupted run, if any: a journal whose run never completed, whose owner no longer runs,
    /// and whose project lock nobody holds (a live run holds it the whole time it writes its journal).
    /// </summary>
    /// <param name="isRunning">Whether a pid is alive here; default: the process table.</param>
    public static JournaledRun? FindInterrupted(string stateDirectory, string project, Func<int, bool>? isRunning = null)
    {
        var run = Read(stateDirectory, project);
        if (run is null || run.Completed)
            return null;
        if (RestartLock.Probe(stateDirectory, project).State == LockState.Held)
            return null;
        return (isRunning ?? (pid => ProcessIsRunning(pid, run.StartedAt)))(run.Pid) ? null : run;
    }

    /// <summary>Whether the run's own process still runs: a process with its pid that started after the run did (after a
    /// reboot, pids are handed out again) is another one.</summary>
    private static bool ProcessIsRunning(int pid, DateTimeOffset runStarted)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited && process.StartTime.ToUniversalTime() <= runStarted.UtcDateTime;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}

/// <summary>What a journal says about one run.</summary>
public sealed record JournaledRun(string RunId, int Pid, string? Host, DateTimeOffset StartedAt, IReadOnlyList<string> Services, IReadOnlyList<JournalEntry> Entries)
{
    public bool Completed => Entries.Any(e => e.Event == JournalEntry.Completed);

    /// <summary>Services the run stopped and did not start again, in the order it stopped them.</summary>
    public IReadOnlyList<string> LeftStopped =>
        Entries.Where(e => e.Event == JournalEntry.Stopped && e.Service is not null).Select(e => e.Service!).Distinct(StringComparer.Ordinal)
            .Where(s => !Entries.Any(e => e.Event == JournalEntry.Started && e.Service == s)).ToList();

    /// <summary>
    /// One sentence for a warning or a prerequisite result: the run, when, which services it left stopped and,
    /// where <paramref name="isRunning"/> knows, which of them still do not run.
    /// </summary>
    public string Describe(Func<string, bool?>? isRunning = null)
    {
        var head = $"Restart run {RunId} (pid {Pid}, started {StartedAt:u}) was interrupted";
        var left = LeftStopped;
        if (left.Count == 0)
            return $"{head}; it left no service stopped ({Entries.Count(e => e.Event == JournalEntry.Finished)} of {Services.Count} planned finished).";
        var text = $"{head} and left {string.Join(", ", left)} stopped";
        if (isRunning is not null)
        {
            var down = left.Where(s => isRunning(s) == false).ToList();
            var up = left.Where(s => isRunning(s) == true).ToList();
            if (down.Count > 0)
                text += $"; still not running: {string.Join(", ", down)}";
            if (up.Count > 0)
                text += $"; running again: {string.Join(", ", up)}";
        }
        return text + ". Repair-StingService completes the run in dependency order.";
    }
}
