using System.Diagnostics;
using System.Text;
using StingOps.Core.Common;

namespace StingOps.Core.Metrics;

/// <summary>Which recorded restarts to return. All conditions apply together.</summary>
public sealed record MetricQuery
{
    /// <summary>Service names or wildcard patterns (<c>*</c>, <c>?</c>, <c>[..]</c>; case-insensitive); null/empty: all.</summary>
    public IReadOnlyList<string>? Services { get; init; }

    /// <summary>Only records with <c>Timestamp &gt;= Since</c>.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only records with <c>Timestamp &gt;= now - Last</c> (now from the store's <see cref="TimeProvider"/>).</summary>
    public TimeSpan? Last { get; init; }

    /// <summary>A compose project: records of another project are left out. Records that name no project (STING's
    /// shell writes none) are kept: in a directory a project's configuration or STING_LOG_DIR points at, they are its own.
    /// Null: every project.</summary>
    public string? Project { get; init; }
}

/// <summary>A line of a metrics file that could not be read and was skipped. Carries no line content
/// beyond a short printable excerpt of the offending field.</summary>
public sealed record MetricReadWarning(string File, int Line, string Problem)
{
    public string Message => $"{File}:{Line}: {Problem}; line skipped.";
    public override string ToString() => Message;
}

/// <summary>
/// The restart metrics directory: <c>restart_metrics.csv</c> (STING's shell format, which STING's own shell
/// scripts append to as well) and <c>restart_metrics.jsonl</c> (every field) side by side.
/// </summary>
/// <remarks>
/// <para><b>Appending.</b> <see cref="Append"/> writes each batch to both files while holding an exclusive
/// lock on <c>.restart_metrics.lock</c> in the same directory (FileShare.None: <c>flock(2)</c> on Unix,
/// a share-mode lock on Windows; retried for up to <see cref="LockTimeout"/>). Each file gets the whole batch
/// in one <c>write(2)</c> on an <c>O_APPEND</c> descriptor, so even a writer that takes no lock (the shell's
/// <c>&gt;&gt;</c>) cannot interleave with or overwrite it. The jsonl file is written first: a crash between the
/// two writes leaves a jsonl row without its csv twin, which reads back correctly.</para>
/// <para><b>Reading.</b> The jsonl file is authoritative for the rows it has. Each jsonl record stands for
/// the one csv line <see cref="Append"/> wrote for it (same instant to the second, service, duration in
/// whole seconds, success/failure); csv rows are matched against those as a multiset (each jsonl record
/// absorbs at most one identical csv row) and the unmatched csv rows, i.e. those STING's shell wrote, are
/// added. Skipped and Cancelled outcomes are never written to the csv file: STING's shell only logs restarts that
/// ran, and shell readers count its lines as restarts.</para>
/// </remarks>
public sealed class MetricStore
{
    public const string CsvFileName = MetricFileFormat.CsvFileName;
    public const string JsonlFileName = MetricFileFormat.JsonlFileName;
    public const string LockFileName = ".restart_metrics.lock";

    private readonly TimeProvider _time;

    public MetricStore(string directory, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = Path.GetFullPath(directory);
        _time = timeProvider ?? TimeProvider.System;
    }

    public string Directory { get; }
    public string CsvPath => Path.Combine(Directory, CsvFileName);
    public string JsonlPath => Path.Combine(Directory, JsonlFileName);
    public string LockPath => Path.Combine(Directory, LockFileName);

    /// <summary>How long <see cref="Append"/> waits for another writer's lock before giving up with
    /// <c>StingMetricStoreBusy</c>.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The folder under the default root that holds one folder per project.</summary>
    public const string ProjectsDirectoryName = "projects";

    /// <summary>
    /// A project's metrics directory per docs/configuration.md ("Files the module writes"): <paramref name="configured"/>
    /// (<c>metrics_dir</c>; <c>~</c> expanded, relative to <paramref name="baseDirectory"/>), else <c>$STING_LOG_DIR</c>,
    /// else <c>projects/&lt;project&gt;</c> under the default root (<see cref="DefaultRoot"/>), so that two projects'
    /// services of the same name are never summarised, alerted on or learnt from as one. Without a project (no
    /// compose project around), the default root itself.
    /// </summary>
    /// <param name="project">The compose project's name (normalised by compose's rules, so a safe folder name).</param>
    public static string ResolveDirectory(string? configured, string? baseDirectory = null, Func<string, string?>? getEnvironmentVariable = null, string? project = null)
    {
        var env = getEnvironmentVariable ?? Environment.GetEnvironmentVariable;
        if (SharedDirectory(configured, baseDirectory, env) is { } shared) return shared;
        var root = DefaultRoot(env, baseDirectory);
        return project is null ? root : Path.Combine(root, ProjectsDirectoryName, ProjectFolder(project));
    }

    /// <summary>
    /// What a reader of every project reads: the configured or STING_LOG_DIR directory alone, else the default
    /// root (rows recorded before projects had folders of their own) and every project folder under it that exists.
    /// </summary>
    public static IReadOnlyList<string> ResolveAllDirectories(string? configured, string? baseDirectory = null, Func<string, string?>? getEnvironmentVariable = null)
    {
        var env = getEnvironmentVariable ?? Environment.GetEnvironmentVariable;
        if (SharedDirectory(configured, baseDirectory, env) is { } shared) return [shared];
        var root = DefaultRoot(env, baseDirectory);
        var projects = Path.Combine(root, ProjectsDirectoryName);
        var folders = System.IO.Directory.Exists(projects)
            ? System.IO.Directory.GetDirectories(projects).Order(StringComparer.Ordinal)
            : Enumerable.Empty<string>();
        return [root, .. folders];
    }

    /// <summary><c>$XDG_STATE_HOME/stingops</c>, else <c>~/.local/state/stingops</c> (on Windows <c>%LOCALAPPDATA%\stingops</c>).</summary>
    public static string DefaultRoot(Func<string, string?>? getEnvironmentVariable = null, string? baseDirectory = null)
    {
        var env = getEnvironmentVariable ?? Environment.GetEnvironmentVariable;
        if (env("XDG_STATE_HOME") is { Length: > 0 } xdg) return Path.Combine(Expand(xdg, baseDirectory, env), "stingops");
        if (OperatingSystem.IsWindows())
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "stingops");
        return Path.Combine(Home(env), ".local", "state", "stingops");
    }

    /// <summary>metrics_dir, else STING_LOG_DIR: a directory the user chose, which keeps its layout (STING's shell
    /// appends to the csv there); null when neither is set.</summary>
    private static string? SharedDirectory(string? configured, string? baseDirectory, Func<string, string?> env)
    {
        if (!string.IsNullOrWhiteSpace(configured)) return Expand(configured.Trim(), baseDirectory, env);
        if (env("STING_LOG_DIR") is { Length: > 0 } logDir) return Expand(logDir, baseDirectory, env);
        return null;
    }

    private static string ProjectFolder(string project)
    {
        // Compose's names are [a-z0-9][a-z0-9_-]*; anything else must never climb out of the projects folder.
        if (project.Length == 0 || project is "." or ".." || project.IndexOfAny(['/', '\\', ':']) >= 0 || project.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            throw new ArgumentException($"'{project}' is not a compose project name.", nameof(project));
        return project;
    }

    private static string Home(Func<string, string?> env) =>
        env("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    private static string Expand(string p, string? baseDirectory, Func<string, string?> env)
    {
        if (p == "~") return Home(env);
        if (p.StartsWith("~/", StringComparison.Ordinal) || p.StartsWith("~\\", StringComparison.Ordinal)) p = Path.Combine(Home(env), p[2..]);
        return Path.GetFullPath(p, baseDirectory ?? System.IO.Directory.GetCurrentDirectory());
    }

    // ------------------------------------------------------------------ append

    /// <summary>
    /// Appends the records to both files (creating the directory 0700 and the files 0600 when missing).
    /// Safe against concurrent appenders in this and other processes; see the class remarks.
    /// </summary>
    /// <exception cref="StingException"><c>StingMetricStoreBusy</c> when the lock stays taken for <see cref="LockTimeout"/>.</exception>
    public void Append(IEnumerable<RestartMetricRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var list = records.ToList();
        if (list.Count == 0) return;

        var jsonl = new StringBuilder();
        var csv = new StringBuilder();
        foreach (var r in list)
        {
            ArgumentNullException.ThrowIfNull(r, nameof(records));
            jsonl.Append(MetricFileFormat.ToJsonLine(r)).Append('\n');
            if (MetricFileFormat.ToCsvLine(r) is { } line) csv.Append(line).Append('\n');
        }

        EnsureDirectory();
        using (AcquireLock())
        {
            AppendOnlyFile.Append(JsonlPath, Encoding.UTF8.GetBytes(jsonl.ToString()), ensureLeadingNewline: true);
            if (csv.Length > 0)
                AppendOnlyFile.Append(CsvPath, Encoding.UTF8.GetBytes(csv.ToString()), ensureLeadingNewline: true);
        }
    }

    public void Append(params RestartMetricRecord[] records) => Append((IEnumerable<RestartMetricRecord>)records);

    private void EnsureDirectory()
    {
        if (System.IO.Directory.Exists(Directory)) return;
        if (OperatingSystem.IsWindows())
            System.IO.Directory.CreateDirectory(Directory);
        else
            System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private FileStream AcquireLock()
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
        };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

        var clock = Stopwatch.StartNew();
        var delay = 2;
        while (true)
        {
            try
            {
                return new FileStream(LockPath, options);
            }
            catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException and not PathTooLongException)
            {
                if (clock.Elapsed >= LockTimeout)
                    throw new StingException(ErrorIds.MetricStoreBusy, StingErrorKind.ResourceBusy,
                        $"The restart metrics in '{Directory}' are locked by another writer ({LockPath}); gave up after {DurationText.Format(LockTimeout)}.",
                        e, LockPath);
                Thread.Sleep(Random.Shared.Next(1, delay + 1));
                delay = Math.Min(delay * 2, 10);
            }
        }
    }

    // ------------------------------------------------------------------ read

    /// <summary>Reads this store's directory (empty when it does not exist yet: nothing was recorded); see
    /// <see cref="Read(string, MetricQuery?, Action{MetricReadWarning}?, TimeProvider?, TimeZoneInfo?)"/>.</summary>
    public IReadOnlyList<RestartMetricRecord> Read(MetricQuery? query = null, Action<MetricReadWarning>? onWarning = null) =>
        System.IO.Directory.Exists(Directory) ? Read(Directory, query, onWarning, _time) : [];

    /// <summary>
    /// Reads recorded restarts, ordered by timestamp (file order among equal timestamps).
    /// </summary>
    /// <param name="path">The metrics directory (both files, deduplicated as the class remarks describe), or
    /// one file: <c>.csv</c> (STING's shell format), <c>.jsonl</c>/<c>.ndjson</c>/<c>.json</c>, else sniffed by its first
    /// character.</param>
    /// <param name="query">Filters; null: everything.</param>
    /// <param name="onWarning">Called once per malformed line (file and line number); the line is skipped.</param>
    /// <param name="timeProvider">"Now" for <see cref="MetricQuery.Last"/>.</param>
    /// <param name="assumeZone">The zone of timestamps written without an offset; default: the time provider's local zone.</param>
    /// <exception cref="StingException"><c>StingMetricFileNotFound</c> when <paramref name="path"/> does not exist.</exception>
    public static IReadOnlyList<RestartMetricRecord> Read(
        string path,
        MetricQuery? query = null,
        Action<MetricReadWarning>? onWarning = null,
        TimeProvider? timeProvider = null,
        TimeZoneInfo? assumeZone = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        timeProvider ??= TimeProvider.System;
        var zone = assumeZone ?? timeProvider.LocalTimeZone;
        var warn = onWarning ?? (_ => { });
        List<RestartMetricRecord> rows;

        if (System.IO.Directory.Exists(path))
        {
            var jsonlPath = Path.Combine(path, JsonlFileName);
            var csvPath = Path.Combine(path, CsvFileName);
            var fromJsonl = File.Exists(jsonlPath) ? ReadFile(jsonlPath, json: true, zone, warn) : [];
            var fromCsv = File.Exists(csvPath) ? ReadFile(csvPath, json: false, zone, warn) : [];
            rows = Merge(fromJsonl, fromCsv);
        }
        else if (File.Exists(path))
        {
            rows = ReadFile(path, IsJsonFile(path), zone, warn);
        }
        else
        {
            throw new StingException(ErrorIds.MetricFileNotFound, StingErrorKind.ObjectNotFound,
                $"No restart metrics found at '{path}': it is neither a metrics directory nor a {CsvFileName} or {JsonlFileName} file.",
                target: path);
        }

        return Filter(rows, query, timeProvider)
            .OrderBy(r => r.Timestamp.UtcTicks)
            .ToList();
    }

    /// <summary>Reads several metrics directories as one (those that do not exist hold nothing yet), ordered by timestamp.</summary>
    public static IReadOnlyList<RestartMetricRecord> ReadDirectories(
        IEnumerable<string> directories,
        MetricQuery? query = null,
        Action<MetricReadWarning>? onWarning = null,
        TimeProvider? timeProvider = null,
        TimeZoneInfo? assumeZone = null) =>
        directories.Where(System.IO.Directory.Exists)
            .SelectMany(d => Read(d, query, onWarning, timeProvider, assumeZone))
            .OrderBy(r => r.Timestamp.UtcTicks)
            .ToList();

    /// <summary>jsonl rows, then the csv rows no jsonl row accounts for.</summary>
    internal static List<RestartMetricRecord> Merge(IReadOnlyList<RestartMetricRecord> fromJsonl, IReadOnlyList<RestartMetricRecord> fromCsv)
    {
        var twins = new Dictionary<MetricFileFormat.CsvKey, int>();
        foreach (var r in fromJsonl)
        {
            if (MetricFileFormat.CsvKeyOf(r) is { } key)
                twins[key] = twins.GetValueOrDefault(key) + 1;
        }
        var result = new List<RestartMetricRecord>(fromJsonl.Count + fromCsv.Count);
        result.AddRange(fromJsonl);
        foreach (var r in fromCsv)
        {
            if (MetricFileFormat.CsvKeyOfParsedCsvRow(r) is { } key && twins.TryGetValue(key, out var n) && n > 0)
            {
                twins[key] = n - 1;
                continue;
            }
            result.Add(r);
        }
        return result;
    }

    private static IEnumerable<RestartMetricRecord> Filter(IEnumerable<RestartMetricRecord> rows, MetricQuery? query, TimeProvider time)
    {
        if (query is null) return rows;
        var patterns = query.Services is { Count: > 0 } s ? s.Select(p => new Wildcard(p)).ToList() : null;
        DateTimeOffset? lower = query.Since;
        if (query.Last is { } last)
        {
            var fromLast = time.GetUtcNow() - last;
            if (lower is null || fromLast > lower) lower = fromLast;
        }
        return rows.Where(r => (lower is null || r.Timestamp >= lower)
            && (query.Project is null || r.Project is null || string.Equals(r.Project, query.Project, StringComparison.Ordinal))
            && Wildcard.MatchesAny(patterns, r.Service));
    }

    private static bool IsJsonFile(string path)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is ".jsonl" or ".ndjson" or ".json") return true;
        if (ext == ".csv") return false;
        using var reader = OpenText(path);
        int c;
        while ((c = reader.Read()) >= 0)
            if (!char.IsWhiteSpace((char)c)) return c == '{';
        return false;
    }

    private static StreamReader OpenText(string path) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete),
            new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);

    private static List<RestartMetricRecord> ReadFile(string path, bool json, TimeZoneInfo zone, Action<MetricReadWarning> warn)
    {
        var rows = new List<RestartMetricRecord>();
        using var reader = OpenText(path);
        var lineNo = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            var kind = json
                ? MetricFileFormat.ParseJsonLine(line, zone, out var record, out var problem)
                : MetricFileFormat.ParseCsvLine(line, zone, out record, out problem);
            switch (kind)
            {
                case MetricFileFormat.LineKind.Record:
                    rows.Add(record!);
                    break;
                case MetricFileFormat.LineKind.Malformed:
                    warn(new MetricReadWarning(path, lineNo, problem ?? "unreadable"));
                    break;
            }
        }
        return rows;
    }
}
