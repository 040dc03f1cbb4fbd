using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.EnvFiles;

namespace StingOps.Core.Tests.Compose;

public class DotEnvFileTests
{
    private static IReadOnlyDictionary<string, string> Parse(string text, Dictionary<string, string?>? environment = null) =>
        DotEnvFile.Parse(text.ReplaceLineEndings("\n"), ".env", environment);

    [Fact]
    public void Reads_keys_values_comments_and_export()
    {
        var values = Parse("""
            # a comment
            A=1
            export B=two
              C = spaced
            D=
            E=value # trailing comment
            F=a#b

            """);
        Assert.Equal("1", values["A"]);
        Assert.Equal("two", values["B"]);
        Assert.Equal("spaced", values["C"]);
        Assert.Equal("", values["D"]);
        Assert.Equal("value", values["E"]);
        Assert.Equal("a#b", values["F"]);
        Assert.Equal(6, values.Count);
    }

    [Fact]
    public void Reads_quoted_values()
    {
        var values = Parse("""
            S='single $NOT # kept'
            D="double \"quoted\"\nline"
            M="first
            second"
            """);
        Assert.Equal("single $NOT # kept", values["S"]);
        Assert.Equal("double \"quoted\"\nline", values["D"]);
        Assert.Equal("first\nsecond", values["M"]);
    }

    [Fact]
    public void Expands_variables_from_the_environment_first_then_earlier_keys()
    {
        var values = Parse("""
            BASE=/srv
            DATA=${BASE}/data
            HOMEDIR=$HOME/x
            FALLBACK=${MISSING:-dflt}
            """, new() { ["HOME"] = "/home/u", ["BASE"] = "/env-wins" });
        Assert.Equal("/env-wins/data", values["DATA"]);
        Assert.Equal("/home/u/x", values["HOMEDIR"]);
        Assert.Equal("dflt", values["FALLBACK"]);
    }

    [Fact]
    public void A_bare_key_inherits_from_the_environment()
    {
        var values = Parse("INHERITED\nNOT_SET_ANYWHERE\n", new() { ["INHERITED"] = "from-env" });
        Assert.Equal("from-env", values["INHERITED"]);
        Assert.False(values.ContainsKey("NOT_SET_ANYWHERE"));
    }

    [Fact]
    public void A_failing_required_variable_names_file_line_and_variable()
    {
        StingAssert.Fails(() => Parse("A=1\nB=${NEEDED:?set it}\n"), ErrorIds.InterpolationFailed,
            ".env:2", "NEEDED", "set it");
    }

    [Fact]
    public void A_missing_file_reads_as_empty()
    {
        Assert.Empty(DotEnvFile.Read(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), ".env")));
    }

    [Fact]
    public void Strips_a_byte_order_mark_and_handles_crlf()
    {
        var values = DotEnvFile.Parse("\uFEFFA=1\r\nB=2\r\n", ".env");
        Assert.Equal("1", values["A"]);
        Assert.Equal("2", values["B"]);
    }

    [Fact]
    public void Reads_the_syntax_the_validator_checks()
    {
        // One reader for both: what Test-StingEnvironmentFile accepts is what interpolation sees.
        const string text = "YAML: style\nESC=\"a\\$b\\tc\"\nM=\"one\ntwo\"\nAFTER=${M:?x}\n";
        var values = Parse(text);
        var parsed = EnvFileParser.ParseText(text, ".env");
        Assert.Equal(parsed.Entries.Select(e => e.Key), values.Keys);
        Assert.Equal("style", values["YAML"]);
        Assert.Equal("a$b\tc", values["ESC"]);   // \$ is an escaped dollar, \t a tab
        Assert.Equal("one\ntwo", values["AFTER"]);
    }

    [Fact]
    public void A_failure_after_a_multi_line_value_names_its_own_line()
    {
        StingAssert.Fails(() => Parse("M=\"one\ntwo\"\nB=${NEEDED:?set it}\n"), ErrorIds.InterpolationFailed, ".env:3", "NEEDED");
    }
}
