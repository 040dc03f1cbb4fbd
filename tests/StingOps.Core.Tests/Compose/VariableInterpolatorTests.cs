using StingOps.Core.Compose.Interpolation;

namespace StingOps.Core.Tests.Compose;

public class VariableInterpolatorTests
{
    private static readonly Dictionary<string, string> Variables = new()
    {
        ["SET"] = "value",
        ["EMPTY"] = "",
        ["B"] = "bee",
        ["lower_case"] = "lc",
    };

    private static string Run(string template, List<string>? unset = null)
    {
        var interpolator = new VariableInterpolator(name => Variables.GetValueOrDefault(name));
        interpolator.OnUnset = name => unset?.Add(name);
        return interpolator.Interpolate(template);
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("$SET", "value")]
    [InlineData("${SET}", "value")]
    [InlineData("a${SET}b", "avalueb")]
    [InlineData("$SET-suffix", "value-suffix")]
    [InlineData("$lower_case", "lc")]
    [InlineData("${UNSET:-default}", "default")]
    [InlineData("${EMPTY:-default}", "default")]
    [InlineData("${SET:-default}", "value")]
    [InlineData("${UNSET-default}", "default")]
    [InlineData("${EMPTY-default}", "")]
    [InlineData("${SET:+alt}", "alt")]
    [InlineData("${EMPTY:+alt}", "")]
    [InlineData("${UNSET:+alt}", "")]
    [InlineData("${SET+alt}", "alt")]
    [InlineData("${EMPTY+alt}", "alt")]
    [InlineData("${UNSET+alt}", "")]
    [InlineData("${SET:?must be set}", "value")]
    [InlineData("${EMPTY?must be set}", "")]
    [InlineData("$$", "$")]
    [InlineData("$$SET", "$SET")]
    [InlineData("$${SET}", "${SET}")]
    [InlineData("echo $$HOME && $SET", "echo $HOME && value")]
    [InlineData("${UNSET:-${B:-x}}", "bee")]
    [InlineData("${UNSET:-${ALSO_UNSET:-x}}", "x")]
    [InlineData("${UNSET:-a ${B} c}", "a bee c")]
    [InlineData("${UNSET:-{braces}}", "{braces}")]
    [InlineData("${UNSET:-}", "")]
    [InlineData("${SET}${B}", "valuebee")]
    [InlineData("${UNSET:-x}-${SET}", "x-value")]
    [InlineData("cost: $5", "cost: $5")]
    [InlineData("trailing $", "trailing $")]
    [InlineData("$ space", "$ space")]
    [InlineData("${UNSET:-http://host:80/path}", "http://host:80/path")]
    [InlineData("${UNSET:-a:-b}", "a:-b")]
    public void Substitutes_like_compose(string template, string expected)
    {
        Assert.Equal(expected, Run(template));
    }

    [Theory]
    [InlineData("$UNSET", "UNSET")]
    [InlineData("${UNSET}", "UNSET")]
    [InlineData("x${UNSET}y", "UNSET")]
    public void An_unset_plain_reference_is_empty_and_reported(string template, string variable)
    {
        var unset = new List<string>();
        Assert.Equal(template.Replace("$UNSET", "").Replace("${UNSET}", ""), Run(template, unset));
        Assert.Equal([variable], unset);
    }

    [Fact]
    public void Defaults_do_not_report_unset_variables()
    {
        var unset = new List<string>();
        Run("${UNSET:-x} ${UNSET-y} ${UNSET:+z} ${UNSET+w}", unset);
        Assert.Empty(unset);
    }

    [Theory]
    [InlineData("${UNSET:?the token is required}", "UNSET", "required variable UNSET is missing a value: the token is required")]
    [InlineData("${EMPTY:?cannot be empty}", "EMPTY", "required variable EMPTY is missing a value: cannot be empty")]
    [InlineData("${UNSET?}", "UNSET", "required variable UNSET is missing a value")]
    [InlineData("${UNSET:?set ${B} first}", "UNSET", "required variable UNSET is missing a value: set bee first")]
    public void Required_variables_fail_with_name_and_message(string template, string variable, string message)
    {
        var ex = Assert.Throws<InterpolationException>(() => Run(template));
        Assert.Equal(variable, ex.Variable);
        Assert.Equal(message, ex.Message);
    }

    [Theory]
    [InlineData("${")]
    [InlineData("${}")]
    [InlineData("${1VAR}")]
    [InlineData("${VAR")]
    [InlineData("${VAR:}")]
    [InlineData("${VAR*x}")]
    [InlineData("${VAR NAME}")]
    public void Malformed_templates_are_errors(string template)
    {
        var ex = Assert.Throws<InterpolationException>(() => Run(template));
        Assert.Contains("invalid interpolation format", ex.Message);
    }
}
