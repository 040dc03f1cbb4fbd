using Microsoft.Extensions.Time.Testing;
using StingOps.Core.Common;
using StingOps.Core.Metrics;

namespace StingOps.Core.Tests.Metrics;

public class MetricStoreTests
{
    private static readonly TimeSpan PlusOne = TimeSpan.FromHours(1);

    private static RestartMetricRecord Rec(string ts, string service, double seconds, OutcomeStatus status) =>
        new(DateTimeOffset.Parse(ts, System.Globalization.CultureInfo.InvariantCulture), service, TimeSpan.FromSeconds(seconds), status);

    [Fact]
    public void Append_writes_the_seed_csv_format_exactly_and_no_header()
    {
        using var dir = new TestDirectory();
        var store = new MetricStore(dir.Path);
        store.Append(
            Rec("2025-03-09T02:00:13.789+01:00", "db", 12.4, OutcomeStatus.Succeeded),
            Rec("2025-03-09T02:00:14+01:00", "vault", 30.5, OutcomeStatus.Failed),
            Rec("2025-03-09T02:00:15+01:00", "kratos", 0.2, OutcomeStatus.RolledBack),
            Rec("2025-03-09T02:00:16+01:00", "frontend", 0, OutcomeStatus.Skipped),
            Rec("2025-03-09T01:00:17Z", "worker", 7, OutcomeStatus.Cancelled),
            Rec("2025-03-09T01:00:18Z", "mail", 7, OutcomeStatus.Succeeded));

        Assert.Equal(
            "2025-03-09T02:00:13+01:00,db,12,success\n" +
            "2025-03-09T02:00:14+01:00,vault,31,failure\n" +
            "2025-03-09T02:00:15+01:00,kratos,0,failure\n" +
            "2025-03-09T01:00:18+00:00,mail,7,success\n",
            File.ReadAllText(store.CsvPath));
        Assert.Equal(6, File.ReadAllLines(store.JsonlPath).Length);
    }

    [Fact]
    public void Jsonl_round_trips_every_field()
    {
        using var dir = new TestDirectory();
        var store = new MetricStore(dir.Path);
        var original = new RestartMetricRecord(
            new DateTimeOffset(2025, 3, 9, 2, 0, 13, 789, PlusOne).AddTicks(1234), "kratos", TimeSpan.FromTicks(123_456_789), OutcomeStatus.RolledBack)
        {
            RunId = "run-1",
            Project = "sting-ce",
            StartToReady = TimeSpan.FromTicks(98_765_432),
            ExpectedRunDuration = TimeSpan.FromTicks(412_345_678),
            Attempts = 3,
            Wave = 2,
            Phases = new PhaseTimes(new DateTimeOffset(2025, 3, 9, 2, 0, 1, 5, PlusOne), new DateTimeOffset(2025, 3, 9, 2, 0, 2, 250, PlusOne),
                new DateTimeOffset(2025, 3, 9, 2, 0, 4, 0, PlusOne).AddTicks(7), null),
            FailureReason = OutcomeReason.HealthCheck,
            Message = "health check \"http\" failed:\nconnection refused ±",
        };
        store.Append(original);

        var back = Assert.Single(MetricStore.Read(store.JsonlPath));
        Assert.Equal(original, back);
        Assert.Equal(PlusOne, back.Timestamp.Offset);
        Assert.Single(File.ReadAllLines(store.JsonlPath)); // the newline in Message is escaped
        Assert.Contains("\"timestamp\":\"2025-03-09T02:00:13.7891234+01:00\"", File.ReadAllText(store.JsonlPath));
    }

    [Fact]
    public void Missing_directory_is_created_0700_and_files_0600()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TestDirectory();
        var metricsDir = dir.Combine("state", "stingops");
        new MetricStore(metricsDir).Append(Rec("2025-01-01T00:00:00Z", "db", 1, OutcomeStatus.Succeeded));

        var owner = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Assert.Equal(owner, File.GetUnixFileMode(metricsDir));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(metricsDir, MetricStore.CsvFileName)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(metricsDir, MetricStore.JsonlFileName)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(metricsDir, MetricStore.LockFileName)));
    }

    [Fact]
    public void Reads_a_csv_written_exactly_as_STINGs_shell_writes_it()
    {
        if (!Shell.Available) return;
        using var dir = new TestDirectory();
        // log_restart_metric from the restart reliability plan (§3.2), verbatim apart from LOG_DIR and log_message.
        Shell.Run($"LOG_DIR={Shell.Quote(dir.Path)}\n" + """
            log_restart_metric() {
                local service="$1"
                local duration="$2"
                local result="$3"

                local timestamp=$(date -Iseconds)
                local status=$( [ "$result" -eq 0 ] && echo "success" || echo "failure" )

                # Append to metrics log
                echo "${timestamp},${service},${duration},${status}" >> "${LOG_DIR}/restart_metrics.csv"
            }
            log_restart_metric svc 12 0
            log_restart_metric vault 45 1
            TZ=America/New_York log_restart_metric db 3 0
            """);

        var before = DateTimeOffset.UtcNow;
        var warnings = new List<MetricReadWarning>();
        var rows = MetricStore.Read(dir.Path, onWarning: warnings.Add);

        Assert.Empty(warnings);
        Assert.Equal(3, rows.Count);
        var svc = rows.Single(r => r.Service == "svc");
        Assert.Equal(TimeSpan.FromSeconds(12), svc.Duration);
        Assert.Equal(OutcomeStatus.Succeeded, svc.Status);
        Assert.Null(svc.RunId);
        Assert.Equal(OutcomeStatus.Failed, rows.Single(r => r.Service == "vault").Status);
        Assert.All(rows, r => Assert.InRange(r.Timestamp, before.AddMinutes(-1), before.AddMinutes(1)));
        var ny = rows.Single(r => r.Service == "db").Timestamp.Offset;
        Assert.True(ny == TimeSpan.FromHours(-5) || ny == TimeSpan.FromHours(-4), $"offset {ny}");
    }

    [Fact]
    public void Csv_timestamps_with_and_without_offset_and_other_tolerated_shapes()
    {
        using var dir = new TestDirectory();
        var path = dir.Combine("restart_metrics.csv");
        File.WriteAllText(path,
            "\uFEFFtimestamp,service,duration,status\r\n" +      // a header some tool added, with BOM and CRLF
            "2025-07-01T10:00:00+02:00,a,1,success\r\n" +
            "2025-07-01T10:00:00Z,b,2,failure\n" +
            "2025-07-01T10:00:00+0200,c,3,success\n" +             // busybox date -Iseconds
            "2025-07-01T10:00:00,d,4,success\n" +                  // no offset: the assumed zone
            "2025-07-01 10:00:00.5-04:00,e,5.5,FAILURE\n" +
            "\n" +
            "# comment\n" +
            "2025-07-01T10:00:00+00:00,f,6,success,extra-field\n" +
            "2025-07-01T10:00:00+00:00,g,7,RolledBack\n");
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var warnings = new List<MetricReadWarning>();

        var rows = MetricStore.Read(path, onWarning: warnings.Add, assumeZone: berlin).ToDictionary(r => r.Service);

        Assert.Empty(warnings);
        Assert.Equal(7, rows.Count);
        Assert.Equal(new DateTimeOffset(2025, 7, 1, 8, 0, 0, TimeSpan.Zero), rows["a"].Timestamp.ToUniversalTime());
        Assert.Equal(TimeSpan.FromHours(2), rows["a"].Timestamp.Offset);
        Assert.Equal(new DateTimeOffset(2025, 7, 1, 10, 0, 0, TimeSpan.Zero), rows["b"].Timestamp);
        Assert.Equal(rows["a"].Timestamp, rows["c"].Timestamp);
        Assert.Equal(new DateTimeOffset(2025, 7, 1, 10, 0, 0, TimeSpan.FromHours(2)), rows["d"].Timestamp); // CEST in July
        Assert.Equal(new DateTimeOffset(2025, 7, 1, 10, 0, 0, 500, TimeSpan.FromHours(-4)), rows["e"].Timestamp);
        Assert.Equal(TimeSpan.FromSeconds(5.5), rows["e"].Duration);
        Assert.Equal(OutcomeStatus.Failed, rows["e"].Status);
        Assert.Equal(OutcomeStatus.RolledBack, rows["g"].Status);
    }

    [Fact]
    public void Malformed_lines_warn_with_file_and_line_and_are_skipped_without_echoing_the_line()
    {
        using var dir = new TestDirectory();
        File.WriteAllText(dir.Combine("restart_metrics.csv"),
            "2025-07-01T10:00:00+00:00,a,1,success\n" +
            "PASSWORD=hunter2-very-long-secret-value-that-must-not-be-echoed\n" +      // 2: one field
            "yesterday,b,1,success\n" +                                                 // 3: timestamp
            "2025-07-01T10:00:00+00:00,c,ten,success\n" +                              // 4: duration
            "2025-07-01T10:00:00+00:00,d,1,maybe\n" +                                  // 5: status
            "2025-02-30T10:00:00+00:00,e,1,success\n" +                                // 6: no such date
            "2025-07-01T10:00:00+00:00,,1,success\n" +                                 // 7: empty service
            "2025-07-01T10:00:00+00:00,h,-3,success\n" +                               // 8: negative
            "2025-07-01T10:00:00+00:00,z,1,success");                                  // 9: last line without newline is fine
        File.WriteAllText(dir.Combine("restart_metrics.jsonl"),
            "{\"timestamp\":\"2025-07-01T11:00:00+00:00\",\"service\":\"j\",\"durationSeconds\":1,\"status\":\"Succeeded\"}\n" +
            "{\"timestamp\":\"2025-07-01T11:00:00+00:00\",\"service\":\"k\",\"durationSeconds\":1,\"status\":\n" +   // 2: truncated
            "[1,2]\n" +                                                                                                 // 3: not an object
            "{\"timestamp\":\"2025-07-01T11:00:00+00:00\",\"service\":\"l\",\"durationSeconds\":\"1\",\"status\":\"Succeeded\"}\n" + // 4
            "{\"timestamp\":\"2025-07-01T11:00:00+00:00\",\"service\":\"m\",\"durationSeconds\":1,\"status\":\"Succeeded\",\"attempts\":1.5}\n" + // 5
            "{\"timestamp\":\"2025-07-01T11:00:00+00:00\",\"service\":\"n\",\"durationSeconds\":1,\"status\":\"Succeeded\",\"future\":{\"x\":1}}\n"); // unknown field: fine

        var warnings = new List<MetricReadWarning>();
        var rows = MetricStore.Read(dir.Path, onWarning: warnings.Add);

        Assert.Equal(["a", "z", "j", "n"], rows.Select(r => r.Service).ToArray());
        Assert.Equal(
            [("restart_metrics.jsonl", 2), ("restart_metrics.jsonl", 3), ("restart_metrics.jsonl", 4), ("restart_metrics.jsonl", 5),
             ("restart_metrics.csv", 2), ("restart_metrics.csv", 3), ("restart_metrics.csv", 4), ("restart_metrics.csv", 5),
             ("restart_metrics.csv", 6), ("restart_metrics.csv", 7), ("restart_metrics.csv", 8)],
            warnings.Select(w => (Path.GetFileName(w.File), w.Line)).ToArray());
        Assert.All(warnings, w => Assert.DoesNotContain("hunter2", w.Message));
        Assert.All(warnings, w => Assert.StartsWith(w.File + ":" + w.Line + ": ", w.Message));
        Assert.Contains("'ten'", warnings.Single(w => w.Line == 4 && w.File.EndsWith(".csv")).Message);
    }

    [Fact]
    public void Directory_read_prefers_jsonl_and_adds_only_the_csv_rows_the_shell_wrote()
    {
        using var dir = new TestDirectory();
        var store = new MetricStore(dir.Path);
        var t0 = new DateTimeOffset(2025, 7, 1, 10, 0, 0, 400, TimeSpan.FromHours(2));
        store.Append(
            new RestartMetricRecord(t0, "db", TimeSpan.FromSeconds(11.6), OutcomeStatus.Succeeded) { RunId = "r1", Attempts = 1 },
            new RestartMetricRecord(t0.AddSeconds(20), "kratos", TimeSpan.FromSeconds(40), OutcomeStatus.RolledBack) { RunId = "r1", Attempts = 3, FailureReason = OutcomeReason.HealthCheck },
            new RestartMetricRecord(t0.AddSeconds(21), "frontend", TimeSpan.Zero, OutcomeStatus.Skipped) { RunId = "r1", FailureReason = OutcomeReason.Dependency });
        // STING's shell, same directory: one restart of its own, and one line identical to one of ours
        // (same second, service, duration, status: a real second restart that must not be swallowed).
        File.AppendAllText(store.CsvPath,
            "2025-07-01T08:05:00+00:00,vault,30,success\n" +
            "2025-07-01T10:00:00+02:00,db,12,success\n");

        var rows = MetricStore.Read(dir.Path);

        Assert.Equal(5, rows.Count);
        Assert.Equal(2, rows.Count(r => r.Service == "db"));
        Assert.Single(rows, r => r.Service == "db" && r.RunId == "r1");
        Assert.Single(rows, r => r.Service == "db" && r.RunId is null);
        var kratos = Assert.Single(rows, r => r.Service == "kratos");
        Assert.Equal(OutcomeStatus.RolledBack, kratos.Status); // jsonl, not the csv's "failure"
        Assert.Equal(3, kratos.Attempts);
        Assert.Single(rows, r => r.Service == "frontend");
        Assert.Single(rows, r => r.Service == "vault");
        Assert.Equal(rows.OrderBy(r => r.Timestamp).ToList(), rows);
    }

    [Fact]
    public void A_single_file_path_reads_only_that_file()
    {
        using var dir = new TestDirectory();
        var store = new MetricStore(dir.Path);
        store.Append(Rec("2025-07-01T10:00:00Z", "db", 1, OutcomeStatus.Succeeded), Rec("2025-07-01T10:00:01Z", "web", 1, OutcomeStatus.Skipped));

        Assert.Single(MetricStore.Read(store.CsvPath));
        Assert.Equal(2, MetricStore.Read(store.JsonlPath).Count);
        var renamed = dir.Combine("metrics.log");
        File.Copy(store.JsonlPath, renamed);
        Assert.Equal(2, MetricStore.Read(renamed).Count); // sniffed as JSON lines
        Assert.Equal(2, MetricStore.Read(dir.Path).Count);
    }

    [Fact]
    public void Missing_path_is_StingMetricFileNotFound_and_an_empty_store_reads_empty()
    {
        using var dir = new TestDirectory();
        var e = Assert.Throws<StingException>(() => MetricStore.Read(dir.Combine("nope")));
        Assert.Equal("StingMetricFileNotFound", e.ErrorId);
        Assert.Equal(StingErrorKind.ObjectNotFound, e.Kind);
        Assert.Contains("nope", e.Message);

        Assert.Empty(MetricStore.Read(dir.Path));
        Assert.Empty(new MetricStore(dir.Combine("never-created")).Read());
    }

    [Fact]
    public void Filters_services_by_wildcard_since_and_last()
    {
        using var dir = new TestDirectory();
        var now = new DateTimeOffset(2025, 7, 10, 12, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(now);
        var store = new MetricStore(dir.Path, time);
        store.Append(
            Rec("2025-07-01T00:00:00Z", "db", 1, OutcomeStatus.Succeeded),
            Rec("2025-07-09T00:00:00Z", "db-replica", 1, OutcomeStatus.Succeeded),
            Rec("2025-07-10T11:00:00Z", "Vault", 1, OutcomeStatus.Failed),
            Rec("2025-07-10T11:30:00Z", "kratos", 1, OutcomeStatus.Succeeded),
            Rec("2025-07-10T11:45:00Z", "keto", 1, OutcomeStatus.Succeeded));

        string[] Names(MetricQuery q) => store.Read(q).Select(r => r.Service).ToArray();

        Assert.Equal(["db", "db-replica"], Names(new() { Services = ["db*"] }));
        Assert.Equal(["Vault"], Names(new() { Services = ["vault"] }));             // case-insensitive as -like
        Assert.Equal(["kratos", "keto"], Names(new() { Services = ["k?[at]*"] }));
        Assert.Equal(["db", "keto"], Names(new() { Services = ["db", "k[a-f]to"] }));
        Assert.Equal(["Vault", "kratos", "keto"], Names(new() { Since = now.AddHours(-1) }));   // inclusive
        Assert.Equal(["kratos", "keto"], Names(new() { Last = TimeSpan.FromMinutes(30) }));
        Assert.Equal(["keto"], Names(new() { Last = TimeSpan.FromMinutes(30), Since = now.AddMinutes(-20) })); // both apply
        time.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(["keto"], Names(new() { Last = TimeSpan.FromMinutes(40) }));
        Assert.Empty(Names(new() { Services = ["nothing*"] }));
    }

    [Fact]
    public void An_unterminated_last_line_does_not_swallow_the_next_append()
    {
        using var dir = new TestDirectory();
        var store = new MetricStore(dir.Path);
        File.WriteAllText(store.CsvPath, "2025-07-01T10:00:00+00:00,half"); // a writer killed mid-line
        store.Append(Rec("2025-07-01T11:00:00Z", "db", 1, OutcomeStatus.Succeeded));

        var warnings = new List<MetricReadWarning>();
        var rows = MetricStore.Read(store.CsvPath, onWarning: warnings.Add);
        Assert.Equal("db", Assert.Single(rows).Service);
        Assert.Equal(1, Assert.Single(warnings).Line);
    }

    [Fact]
    public void Append_gives_up_with_StingMetricStoreBusy_when_the_lock_stays_taken()
    {
        using var dir = new TestDirectory();
        var store = new MetricStore(dir.Path) { LockTimeout = TimeSpan.FromMilliseconds(300) };
        store.Append(Rec("2025-07-01T10:00:00Z", "db", 1, OutcomeStatus.Succeeded));
        using (new FileStream(store.LockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            var e = Assert.Throws<StingException>(() => store.Append(Rec("2025-07-01T10:00:01Z", "db", 1, OutcomeStatus.Succeeded)));
            Assert.Equal("StingMetricStoreBusy", e.ErrorId);
            Assert.Equal(StingErrorKind.ResourceBusy, e.Kind);
        }
        store.Append(Rec("2025-07-01T10:00:02Z", "db", 1, OutcomeStatus.Succeeded));
        Assert.Equal(2, store.Read().Count);
    }

    [Fact]
    public void Concurrent_appenders_in_threads_and_other_processes_lose_no_line()
    {
        using var dir = new TestDirectory();
        const int threads = 8, batches = 60, perBatch = 3, shellLines = 200;
        var start = new ManualResetEventSlim();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var store = new MetricStore(dir.Path) { LockTimeout = TimeSpan.FromSeconds(60) }; // own FileStreams per thread
            start.Wait();
            for (var b = 0; b < batches; b++)
                store.Append(Enumerable.Range(0, perBatch).Select(i =>
                    new RestartMetricRecord(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), $"t{t}", TimeSpan.FromSeconds(b * perBatch + i), OutcomeStatus.Succeeded)
                    { RunId = $"t{t}-b{b}", Message = new string('x', 500) }));
        })).ToList();
        workers.ForEach(w => w.Start());

        var processes = new List<System.Diagnostics.Process>();
        if (Shell.Available)
        {
            var csv = Shell.Quote(Path.Combine(dir.Path, MetricStore.CsvFileName));
            var jsonl = Shell.Quote(Path.Combine(dir.Path, MetricStore.JsonlFileName));
            var lockFile = Shell.Quote(Path.Combine(dir.Path, MetricStore.LockFileName));
            // STING's shell: plain >> with no lock at all.
            processes.Add(Shell.Start($"for i in $(seq 1 {shellLines}); do echo \"2025-01-01T00:00:00+00:00,shell,$i,success\" >> {csv}; done"));
            // Another process that honours the lock (flock(2), the same lock .NET takes for FileShare.None).
            if (File.Exists("/usr/bin/flock"))
                processes.Add(Shell.Start(
                    $"for i in $(seq 1 50); do /usr/bin/flock {lockFile} sh -c " +
                    $"'printf \"%s\\n\" \"{{\\\"timestamp\\\":\\\"2025-01-01T00:00:00Z\\\",\\\"service\\\":\\\"locked\\\",\\\"durationSeconds\\\":'$i',\\\"status\\\":\\\"Failed\\\"}}\" >> {jsonl}; " +
                    $"printf \"%s\\n\" \"2025-01-01T00:00:00+00:00,locked,'$i',failure\" >> {csv}'; done"));
        }
        start.Set();
        workers.ForEach(w => w.Join());
        foreach (var p in processes)
        {
            Assert.True(p.WaitForExit(120_000));
            Assert.True(p.ExitCode == 0, p.StandardError.ReadToEnd());
            p.Dispose();
        }

        var warnings = new List<MetricReadWarning>();
        var csvRows = MetricStore.Read(Path.Combine(dir.Path, MetricStore.CsvFileName), onWarning: warnings.Add);
        var jsonlRows = MetricStore.Read(Path.Combine(dir.Path, MetricStore.JsonlFileName), onWarning: warnings.Add);
        Assert.Empty(warnings);

        var expectedOurs = Enumerable.Range(0, threads).SelectMany(t => Enumerable.Range(0, batches * perBatch).Select(i => $"t{t}/{i}")).ToHashSet();
        var expectedShell = Shell.Available ? Enumerable.Range(1, shellLines).Select(i => $"shell/{i}").ToHashSet() : [];
        var expectedLocked = Shell.Available && File.Exists("/usr/bin/flock") ? Enumerable.Range(1, 50).Select(i => $"locked/{i}").ToHashSet() : [];
        string Id(RestartMetricRecord r) => $"{r.Service}/{(int)r.Duration.TotalSeconds}";

        var csvIds = csvRows.Select(Id).ToList();
        Assert.Equal(csvIds.Count, csvIds.Distinct().Count());
        Assert.Equal(expectedOurs.Concat(expectedShell).Concat(expectedLocked).ToHashSet(), csvIds.ToHashSet());
        var jsonlIds = jsonlRows.Select(Id).ToList();
        Assert.Equal(jsonlIds.Count, jsonlIds.Distinct().Count());
        Assert.Equal(expectedOurs.Concat(expectedLocked).ToHashSet(), jsonlIds.ToHashSet());

        // Each batch landed contiguously in both files (one write per file per batch).
        var lines = File.ReadAllLines(Path.Combine(dir.Path, MetricStore.JsonlFileName));
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].Contains("\"runId\"")) continue;
            var run = lines[i][(lines[i].IndexOf("\"runId\":\"", StringComparison.Ordinal) + 9)..].Split('"')[0];
            Assert.All(lines.Skip(i).Take(perBatch), l => Assert.Contains($"\"runId\":\"{run}\"", l));
            i += perBatch - 1;
        }
        // The directory read counts every restart exactly once.
        Assert.Equal(expectedOurs.Count + expectedShell.Count + expectedLocked.Count, MetricStore.Read(dir.Path).Count);
    }

    [Fact]
    public void ResolveDirectory_follows_the_contract_order()
    {
        var env = new Dictionary<string, string?> { ["HOME"] = "/home/u" };
        string? Get(string k) => env.GetValueOrDefault(k);
        if (OperatingSystem.IsWindows()) return;

        Assert.Equal("/home/u/.local/state/stingops", MetricStore.ResolveDirectory(null, "/proj", Get));
        env["XDG_STATE_HOME"] = "/xdg";
        Assert.Equal("/xdg/stingops", MetricStore.ResolveDirectory(null, "/proj", Get));
        env["STING_LOG_DIR"] = "/var/log/sting";
        Assert.Equal("/var/log/sting", MetricStore.ResolveDirectory(null, "/proj", Get));
        Assert.Equal("/home/u/m", MetricStore.ResolveDirectory("~/m", "/proj", Get));
        Assert.Equal("/proj/logs", MetricStore.ResolveDirectory("logs", "/proj", Get));
    }
}

public class MetricProjectTests
{
    private static RestartMetricRecord Rec(string service, string? project, int minute = 0) =>
        new(new DateTimeOffset(2025, 3, 9, 2, minute, 0, TimeSpan.Zero), service, TimeSpan.FromSeconds(5), OutcomeStatus.Succeeded) { Project = project };

    [Fact]
    public void Default_layout_keeps_each_project_in_its_own_folder_but_a_chosen_directory_keeps_its_layout()
    {
        if (OperatingSystem.IsWindows()) return;
        var env = new Dictionary<string, string?> { ["HOME"] = "/home/u" };
        string? Get(string k) => env.GetValueOrDefault(k);

        Assert.Equal("/home/u/.local/state/stingops/projects/sting-ce", MetricStore.ResolveDirectory(null, "/proj", Get, "sting-ce"));
        Assert.Equal("/home/u/.local/state/stingops", MetricStore.ResolveDirectory(null, "/proj", Get));
        env["XDG_STATE_HOME"] = "/xdg";
        Assert.Equal("/xdg/stingops/projects/web", MetricStore.ResolveDirectory(null, "/proj", Get, "web"));
        // STING's LOG_DIR convention and metrics_dir are the user's choice: STING's shell appends there, unchanged.
        Assert.Equal("/home/u/m", MetricStore.ResolveDirectory("~/m", "/proj", Get, "web"));
        env["STING_LOG_DIR"] = "/var/log/sting";
        Assert.Equal("/var/log/sting", MetricStore.ResolveDirectory(null, "/proj", Get, "web"));
        Assert.Equal(["/var/log/sting"], MetricStore.ResolveAllDirectories(null, "/proj", Get));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("a/../../etc")]
    [InlineData("")]
    public void A_project_name_never_climbs_out_of_the_projects_folder(string name)
    {
        string? Get(string k) => k == "HOME" ? "/home/u" : null;
        Assert.Throws<ArgumentException>(() => MetricStore.ResolveDirectory(null, "/proj", Get, name));
    }

    [Fact]
    public void Two_projects_append_apart_and_every_project_reads_both_plus_the_rows_from_before()
    {
        using var dir = new TestDirectory();
        var env = new Dictionary<string, string?> { ["HOME"] = dir.Path, ["XDG_STATE_HOME"] = dir.Combine("state") };
        string? Get(string k) => env.GetValueOrDefault(k);
        var web = MetricStore.ResolveDirectory(null, dir.Path, Get, "web");
        var shop = MetricStore.ResolveDirectory(null, dir.Path, Get, "shop");
        new MetricStore(web).Append(Rec("api", "web", 1));
        new MetricStore(shop).Append(Rec("api", "shop", 2));
        // What an older version wrote into the shared root, without a project.
        new MetricStore(MetricStore.DefaultRoot(Get)).Append(Rec("api", null, 0));

        Assert.Equal(["web"], MetricStore.Read(web).Select(r => r.Project));
        var all = MetricStore.ReadDirectories(MetricStore.ResolveAllDirectories(null, dir.Path, Get));
        Assert.Equal([null, "web", "shop"], all.Select(r => r.Project));
        Assert.Equal(3, MetricStore.ResolveAllDirectories(null, dir.Path, Get).Count);
    }

    [Fact]
    public void The_project_filter_drops_other_projects_and_keeps_rows_that_name_none()
    {
        using var dir = new TestDirectory();
        var store = new MetricStore(dir.Path);
        // A STING_LOG_DIR that STING's shell (no project) and two StingOps projects append to.
        store.Append(Rec("api", "web", 1), Rec("api", "shop", 2), Rec("api", null, 3));

        var web = MetricStore.Read(dir.Path, new MetricQuery { Project = "web" });
        Assert.Equal(["web", null], web.Select(r => r.Project));
        Assert.Equal(3, MetricStore.Read(dir.Path, new MetricQuery()).Count);
    }

    [Theory]
    [InlineData("""{"timestamp":"2025-01-01T00:00:00Z","service":"db","durationSeconds":1,"status":"Succeeded","readySeconds":"2"}""", "'readySeconds'")]
    [InlineData("""{"timestamp":"2025-01-01T00:00:00Z","service":"db","durationSeconds":1,"status":"Succeeded","readySeconds":-1}""", "'readySeconds'")]
    [InlineData("""{"timestamp":"2025-01-01T00:00:00Z","service":"db","durationSeconds":1,"status":"Succeeded","expectedRunSeconds":true}""", "'expectedRunSeconds'")]
    [InlineData("""{"timestamp":"2025-01-01T00:00:00Z","service":"db","durationSeconds":1,"status":"Succeeded","project":7}""", "'project'")]
    [InlineData("""{"timestamp":"2025-01-01T00:00:00Z","service":"db","durationSeconds":1,"status":"Succeeded","stoppedAt":"yesterday"}""", "'stoppedAt'")]
    [InlineData("""{"timestamp":"2025-01-01T00:00:00Z","service":"db","durationSeconds":1,"status":"Succeeded","readyAt":5}""", "'readyAt'")]
    [InlineData("""{"timestamp":"2025-01-01T00:00:00Z","service":"db","durationSeconds":1,"status":"Succeeded","wave":"2"}""", "'wave'")]
    public void Malformed_project_or_ready_time_is_a_warning_naming_the_field(string line, string field)
    {
        Assert.Equal(MetricFileFormat.LineKind.Malformed, MetricFileFormat.ParseJsonLine(line, TimeZoneInfo.Utc, out _, out var problem));
        Assert.Contains(field, problem);
    }

    [Fact]
    public void A_row_without_project_or_ready_time_reads_as_before()
    {
        const string line = """{"timestamp":"2025-01-01T00:00:00Z","service":"db","durationSeconds":1.5,"status":"Succeeded"}""";
        Assert.Equal(MetricFileFormat.LineKind.Record, MetricFileFormat.ParseJsonLine(line, TimeZoneInfo.Utc, out var r, out _));
        Assert.Null(r!.Project);
        Assert.Null(r.StartToReady);
        Assert.Null(r.ExpectedRunDuration);
        Assert.Equal(default, r.Phases);
        Assert.Null(r.Wave);
    }
}

public class MetricFileWordsTests
{
    [Fact]
    public void Every_status_and_reason_has_its_file_word_and_reads_back()
    {
        // The words are the file format: the same as before the core had one status type.
        Assert.Equal(["Succeeded", "Failed", "RolledBack", "Skipped", "Cancelled", "Started", "AlreadyRunning", "Stopped"], Enum.GetValues<OutcomeStatus>().Select(MetricFileFormat.StatusText));
        Assert.Equal(["None", "Timeout", "Dependency", "HealthCheck", "Engine", "Prerequisite", "Cancelled"], Enum.GetValues<OutcomeReason>().Select(MetricFileFormat.ReasonText));
        foreach (var s in Enum.GetValues<OutcomeStatus>())
            Assert.True(MetricFileFormat.TryParseStatus(MetricFileFormat.StatusText(s), out var back) && back == s);
        foreach (var r in Enum.GetValues<OutcomeReason>())
            Assert.Equal(r, MetricFileFormat.ParseReason(MetricFileFormat.ReasonText(r)));
    }

    [Theory]
    [InlineData(" healthcheck ", OutcomeReason.HealthCheck)]
    [InlineData("SomethingNewer", null)]
    [InlineData(null, null)]
    public void A_reason_reads_case_insensitively_and_an_unknown_one_as_null(string? text, OutcomeReason? expected) =>
        Assert.Equal(expected, MetricFileFormat.ParseReason(text));
}
