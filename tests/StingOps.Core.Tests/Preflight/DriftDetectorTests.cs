using StingOps.Core.Compose;
using StingOps.Core.Engine;
using StingOps.Core.Preflight;
using StingOps.Core.Tests.Compose;

namespace StingOps.Core.Tests.Preflight;

public sealed class DriftDetectorTests
{
    private static ContainerDetails Container(string image, params string[] env) =>
        new("c1", "proj-svc-1", "svc", "running", null, null, null, null, null, 0, image, "sha256:x", env, new Dictionary<string, string>(), null);

    private static ComposeService Service(string? image, Dictionary<string, string?> environment, params EnvFileReference[] files) =>
        new() { Name = "svc", Image = image, Environment = environment, EnvFiles = files };

    [Theory]
    [InlineData("busybox", "busybox:latest")]
    [InlineData("docker.io/library/busybox", "busybox:latest")]
    [InlineData("library/busybox:1.36", "busybox:1.36")]
    [InlineData("registry:5000/team/app", "registry:5000/team/app:latest")]
    [InlineData("app@sha256:abc", "app@sha256:abc")]
    public void NormalizeImage_TreatsDefaultsAlike(string image, string expected) =>
        Assert.Equal(expected, DriftDetector.NormalizeImage(image));

    [Fact]
    public void Detect_EnvironmentOverridesEnvFile_AndImageEnvIsNotJudged()
    {
        using var p = new TempProject();
        var file = p.Write("a.env", "A=from-file\nB=b\n");
        var service = Service("busybox", new() { ["A"] = "from-environment" }, new EnvFileReference(file));

        var drift = DriftDetector.Detect(service, Container("busybox:latest", "PATH=/bin", "A=from-environment", "B=b"), _ => null);

        Assert.False(drift.HasDrift);
    }

    [Fact]
    public void Detect_ChangedAndMissingKeys_AreNamedSorted()
    {
        using var p = new TempProject();
        var file = p.Write("a.env", "Z=new\nA=1\n");
        var service = Service(null, new() { ["M"] = "m" }, new EnvFileReference(file));

        var drift = DriftDetector.Detect(service, Container("whatever", "Z=old", "A=1"), _ => null);

        Assert.Equal(["M", "Z"], drift.ChangedKeys);
        Assert.False(drift.ImageChanged);
        Assert.DoesNotContain("old", drift.Describe());
        Assert.DoesNotContain("new", drift.Describe());
    }

    [Fact]
    public void Detect_InheritedUnsetVariable_IsNotCompared_AndSetOneIs()
    {
        var service = Service(null, new() { ["FROM_SHELL"] = null, ["UNSET"] = null });

        var drift = DriftDetector.Detect(service, Container("x", "FROM_SHELL=other"), k => k == "FROM_SHELL" ? "shell" : null);

        Assert.Equal(["FROM_SHELL"], drift.ChangedKeys);
        Assert.Equal(["UNSET"], drift.NotComparedKeys);
    }

    [Fact]
    public void Detect_DollarValues_AcceptEitherComposeReading()
    {
        using var p = new TempProject();
        var file = p.Write("a.env", "P=a$$b\nQ=${HOME}/x\n");
        var service = Service(null, new(), new EnvFileReference(file));

        var drift = DriftDetector.Detect(service, Container("x", "P=a$b", "Q=/root/x"), _ => null);

        Assert.False(drift.HasDrift);
        Assert.Equal(["Q"], drift.NotComparedKeys);
    }

    [Fact]
    public void Detect_MissingEnvFile_IsSkipped()
    {
        var service = Service(null, new() { ["A"] = "1" }, new EnvFileReference("/nonexistent/x.env"));

        Assert.False(DriftDetector.Detect(service, Container("x", "A=1"), _ => null).HasDrift);
    }
}
