using StingOps.Core.Compose;
using StingOps.Core.Drift;
using StingOps.Core.Engine;
using StingOps.Core.EnvFiles;
using StingOps.Core.Tests.Compose;

namespace StingOps.Core.Tests.Drift;

public sealed class DriftDetectorTests
{
    private static ContainerDetails Container(string image, params string[] env) =>
        new("c1", "proj-svc-1", "svc", "running", null, null, null, null, null, 0, image, "sha256:x", env, new Dictionary<string, string>(), null);

    private static ComposeService Service(string? image, Dictionary<string, string?> environment, params EnvFileReference[] files) =>
        new() { Name = "svc", Image = image, Environment = environment, EnvFiles = files };

    private const string HashA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string HashB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    /// <summary>A container as compose v2 made it: its own labels, the image's, and the model's.</summary>
    private static ContainerDetails V2Container(string hash, Dictionary<string, string>? labels = null, IReadOnlyList<string>? command = null)
    {
        var all = new Dictionary<string, string>(labels ?? [], StringComparer.Ordinal)
        {
            ["com.docker.compose.version"] = "2.27.0",
            ["com.docker.compose.config-hash"] = hash,
            ["com.docker.compose.project"] = "proj",
            ["org.opencontainers.image.title"] = "from the image",
        };
        return new("c1", "proj-svc-1", "svc", "running", null, null, null, null, null, 0, "busybox:latest", "sha256:x", ["A=1"], all, null, command);
    }

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

    [Fact]
    public void Detect_HashDiffers_IsDrift_NamingTheLabelKey_ByConfigHash()
    {
        var service = new ComposeService { Name = "svc", Image = "busybox", Labels = new Dictionary<string, string?> { ["team"] = "new-team" } };

        var drift = DriftDetector.Detect(service, V2Container(HashA, new() { ["team"] = "old-team" }), _ => null, expectedConfigHash: HashB);

        Assert.True(drift.HasDrift);
        Assert.Equal(DriftMethod.ComposeConfigHash, drift.Method);
        Assert.Equal(["labels.team"], drift.ChangedSettings);
        Assert.Contains("labels.team", drift.Describe());
        Assert.Contains("compose config hash", drift.Describe());
        Assert.DoesNotContain("old-team", drift.Describe());
        Assert.DoesNotContain("new-team", drift.Describe());
    }

    [Fact]
    public void Detect_HashEqual_IsNoDrift_EvenWhereTheModelComparisonWouldGuessOtherwise()
    {
        // compose's verdict wins: an env value compose interpolates differently than the model reads it is no drift.
        var service = new ComposeService { Name = "svc", Environment = new Dictionary<string, string?> { ["A"] = "2" } };

        var drift = DriftDetector.Detect(service, V2Container(HashA), _ => null, expectedConfigHash: HashA);

        Assert.False(drift.HasDrift);
        Assert.Contains("matches", drift.Describe());
        Assert.Contains("compose config hash", drift.Describe());
    }

    [Fact]
    public void Detect_HashDiffers_NothingNameable_SaysConfigurationChangedByHash()
    {
        var service = new ComposeService { Name = "svc", Image = "busybox" };

        var drift = DriftDetector.Detect(service, V2Container(HashA), _ => null, expectedConfigHash: HashB);

        Assert.True(drift.HasDrift);
        Assert.Equal("configuration changed (compose config hash)", drift.Describe());
    }

    [Fact]
    public void Detect_LabelOnlyChange_IsDrift_NamedLabelsKey_ComposeAndImageLabelsNotJudged()
    {
        var service = new ComposeService
        {
            Name = "svc",
            Image = "busybox",
            Labels = new Dictionary<string, string?> { ["keep"] = "same", ["team"] = "new-team", ["bare"] = null },
        };
        var container = V2Container(HashA, new() { ["keep"] = "same", ["team"] = "old-team", ["bare"] = "" });

        var drift = DriftDetector.Detect(service, container, _ => null);

        Assert.True(drift.HasDrift);
        Assert.Equal(DriftMethod.ComposeModel, drift.Method);
        Assert.Equal(["labels.team"], drift.ChangedSettings);
        Assert.Contains("labels.team", drift.Describe());
        Assert.DoesNotContain("new-team", drift.Describe());
    }

    [Fact]
    public void Detect_CommandChange_IsNamedCommand_AndAStringCommandIsSplitAsComposeDoes()
    {
        var changed = new ComposeService { Name = "svc", Command = ["serve", "--port", "2"] };
        var same = new ComposeService { Name = "svc", Command = ["serve", "--port", "1"] };
        var container = V2Container(HashA, command: ["serve", "--port", "1"]);

        var drift = DriftDetector.Detect(changed, container, _ => null);

        Assert.Equal(["command"], drift.ChangedSettings);
        Assert.Contains("command differs", drift.Describe());
        Assert.False(DriftDetector.Detect(same, container, _ => null).HasDrift);
        Assert.False(DriftDetector.Detect(new ComposeService { Name = "svc" }, container, _ => null).HasDrift);
    }
}
