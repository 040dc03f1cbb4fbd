using StingOps.Core.Restart;

namespace StingOps.Core.Tests.Restart;

public sealed class ReadinessRecordTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("stingops-readiness-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Update_replaces_the_given_services_and_keeps_the_others()
    {
        var t = new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);
        ReadinessRecord.Update(_dir, "proj", [new("db", "c1", t), new("app", "c2", t)]);
        ReadinessRecord.Update(_dir, "proj", [new("db", "c3", t.AddMinutes(1))]);

        var read = ReadinessRecord.Read(_dir, "proj");

        Assert.Equal(new ObservedReadiness("db", "c3", t.AddMinutes(1)), read["db"]);
        Assert.Equal(new ObservedReadiness("app", "c2", t), read["app"]);
        Assert.Empty(ReadinessRecord.Read(_dir, "other"));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ReadinessRecord.PathFor(_dir, "proj")));
    }

    [Fact]
    public void A_record_that_does_not_parse_is_no_record()
    {
        File.WriteAllText(ReadinessRecord.PathFor(_dir, "proj"), "{ not json");

        Assert.Empty(ReadinessRecord.Read(_dir, "proj"));
    }
}
