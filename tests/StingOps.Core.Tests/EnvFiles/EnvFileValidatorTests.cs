using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.EnvFiles;

namespace StingOps.Core.Tests.EnvFiles;

public class EnvFileValidatorTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Fact]
    public void Required_key_may_come_from_any_file()
    {
        using var dir = new TempDir();
        var a = dir.Write("a.env", "DB_HOST=db\n");
        var b = dir.Write("b.env", "DB_PASSWORD=x1y2z3w4\n");
        var findings = EnvFileValidator.Validate([a, b], ["DB_HOST", "DB_PASSWORD"], NoEnvironment);
        Assert.Empty(findings);
    }

    [Fact]
    public void Missing_required_key_is_line_zero_and_names_the_files()
    {
        using var dir = new TempDir();
        var a = dir.Write("a.env", "DB_HOST=db\n");
        var b = dir.Write("b.env", "OTHER=1\n");
        var f = Assert.Single(EnvFileValidator.Validate([a, b], ["DB_PASSWORD"], NoEnvironment));
        Assert.Equal((0, "DB_PASSWORD", EnvFileProblem.MissingRequiredKey, EnvFileSeverity.Error, a), (f.Line, f.Key, f.Code, f.Severity, f.Path));
        Assert.StartsWith("MissingRequiredKey: 'DB_PASSWORD' is required", f.Problem);
        Assert.Contains("none of the 2 env files", f.Problem);
        Assert.Contains(b, f.Problem);
    }

    [Fact]
    public void Empty_required_key_points_at_the_effective_line()
    {
        using var dir = new TempDir();
        var a = dir.Write("a.env", "TOKEN=abcdefgh\n");
        var b = dir.Write("b.env", "# override\nTOKEN=\n");
        var f = Assert.Single(EnvFileValidator.Validate([a, b], ["TOKEN"], NoEnvironment));
        Assert.Equal((b, 2, EnvFileProblem.EmptyRequiredKey), (f.Path, f.Line, f.Code));
    }

    [Fact]
    public void Later_file_overrides_an_empty_earlier_value()
    {
        using var dir = new TempDir();
        var a = dir.Write("a.env", "TOKEN=\n");
        var b = dir.Write("b.env", "TOKEN=abcdefgh\n");
        Assert.Empty(EnvFileValidator.Validate([a, b], ["TOKEN"], NoEnvironment));
    }

    [Fact]
    public void Bare_required_key_is_resolved_from_the_environment()
    {
        using var dir = new TempDir();
        var a = dir.Write("a.env", "API_KEY\n");
        var withEnv = EnvFileValidator.Validate([a], ["API_KEY"], k => k == "API_KEY" ? "from-env-value" : null);
        Assert.Equal([EnvFileProblem.InheritedKey], withEnv.Select(f => f.Code));

        var without = EnvFileValidator.Validate([a], ["API_KEY"], NoEnvironment);
        Assert.Equal([EnvFileProblem.InheritedKey, EnvFileProblem.MissingRequiredKey], without.Select(f => f.Code));
        Assert.Contains("line 1", without[1].Problem);

        var empty = EnvFileValidator.Validate([a], ["API_KEY"], _ => "");
        Assert.Equal(EnvFileProblem.EmptyRequiredKey, empty[1].Code);
    }

    [Fact]
    public void Bare_name_without_environment_value_keeps_the_earlier_file_value()
    {
        using var dir = new TempDir();
        var a = dir.Write("a.env", "API_KEY=abcdefgh\n");
        var b = dir.Write("b.env", "API_KEY\n");
        var findings = EnvFileValidator.Validate([a, b], ["API_KEY"], NoEnvironment);
        Assert.Equal([EnvFileProblem.InheritedKey], findings.Select(f => f.Code));
    }

    [Fact]
    public void Duplicates_across_files_are_overrides_not_findings()
    {
        using var dir = new TempDir();
        var a = dir.Write("a.env", "A=1\n");
        var b = dir.Write("b.env", "A=2\n");
        Assert.Empty(EnvFileValidator.Validate([a, b], [], NoEnvironment));
    }

    [Fact]
    public void Findings_of_every_file_are_returned_in_file_order()
    {
        using var dir = new TempDir();
        var a = dir.Write("a.env", "A=1\nA=2\n");
        var b = dir.Write("b.env", "bad line\n");
        var missing = Path.Combine(dir.Path, "missing.env");
        var findings = EnvFileValidator.Validate([a, b, missing], ["NEEDED"], NoEnvironment);
        Assert.Equal(
            [(a, 2, EnvFileProblem.DuplicateKey), (b, 1, EnvFileProblem.NotAnAssignment), (missing, 0, EnvFileProblem.FileNotFound), (a, 0, EnvFileProblem.MissingRequiredKey)],
            findings.Select(f => (f.Path, f.Line, f.Code)));
        Assert.Contains("not every file could be read", findings[3].Problem);
    }

    [Fact]
    public void Optional_missing_env_file_is_skipped_like_compose()
    {
        using var dir = new TempDir();
        var a = dir.Write("a.env", "A=1\n");
        var missing = Path.Combine(dir.Path, "optional.env");
        var v = EnvFileValidator.ValidateFiles([new EnvFileReference(a), new EnvFileReference(missing, Required: false)], ["A"], NoEnvironment);
        Assert.Empty(v.Findings);
        Assert.Single(v.Files);
        v.ThrowIfInvalid();
    }

    [Fact]
    public void ThrowIfInvalid_uses_the_not_found_id_for_missing_files()
    {
        var missing = Path.Combine(Path.GetTempPath(), "stingops-" + Guid.NewGuid().ToString("N") + ".env");
        var v = EnvFileValidator.ValidateFiles([new EnvFileReference(missing)]);
        var ex = Assert.Throws<StingException>(v.ThrowIfInvalid);
        Assert.Equal(ErrorIds.EnvironmentFileNotFound, ex.ErrorId);
        Assert.Equal(StingErrorKind.ObjectNotFound, ex.Kind);
        Assert.Contains(missing, ex.Message);
    }

    [Fact]
    public void ThrowIfInvalid_uses_the_invalid_id_for_broken_files_and_ignores_warnings()
    {
        var ok = EnvFileValidator.Check([EnvFileParser.ParseText("A=1\nA=2\nB\n", "w.env")], null, NoEnvironment);
        Assert.False(ok.HasErrors);
        ok.ThrowIfInvalid();

        var bad = EnvFileValidator.Check([EnvFileParser.ParseText("A=\"open\n", "x.env")], ["B"], NoEnvironment);
        var ex = Assert.Throws<StingException>(bad.ThrowIfInvalid);
        Assert.Equal(ErrorIds.EnvironmentFileInvalid, ex.ErrorId);
        Assert.Equal(StingErrorKind.InvalidData, ex.Kind);
        Assert.Contains("x.env:1", ex.Message);
        Assert.Contains("UnterminatedQuote", ex.Message);
        Assert.Contains("MissingRequiredKey", ex.Message);
    }

    [Fact]
    public void Blank_and_repeated_required_names_are_ignored()
    {
        var v = EnvFileValidator.Check([EnvFileParser.ParseText("A=1\n", "a.env")], ["A", "", " ", "A"], NoEnvironment);
        Assert.Empty(v.Findings);
    }

    [Fact]
    public void CreateRedactor_masks_the_files_values()
    {
        var v = EnvFileValidator.Check([EnvFileParser.ParseText("DB_PASSWORD=Zq9xW7vK3p\nPORT=5432\n", "a.env")], null, NoEnvironment);
        Assert.Equal("login with *** on port 5432", v.CreateRedactor().Redact("login with Zq9xW7vK3p on port 5432"));
    }
}
