using StingOps.Core.Common;

namespace StingOps.Core.Tests.Common;

public class WildcardTests
{
    [Theory]
    [InlineData("db", "db", true)]
    [InlineData("db", "DB", true)]
    [InlineData("db", "db2", false)]
    [InlineData("db*", "db-replica", true)]
    [InlineData("*vault*", "hashi-vault-1", true)]
    [InlineData("k?to", "keto", true)]
    [InlineData("k?to", "kto", false)]
    [InlineData("db[0-9]", "db7", true)]
    [InlineData("db[0-9]", "dbx", false)]
    [InlineData("[kv]*", "vault", true)]
    [InlineData("a`*b", "a*b", true)]            // backtick escapes, as in PowerShell
    [InlineData("a`*b", "axb", false)]
    [InlineData("a[b", "a[b", true)]             // unclosed bracket: literal
    [InlineData("a.b", "axb", false)]            // regex characters are literal
    [InlineData("x-[a-c]", "x-b", true)]
    public void Matches_like_PowerShell_wildcards(string pattern, string name, bool expected) =>
        Assert.Equal(expected, new Wildcard(pattern).IsMatch(name));

    [Theory]
    [InlineData("a`?c", "a?c", true)]
    [InlineData("a`?c", "abc", false)]
    [InlineData("`[x]", "[x]", true)]            // an escaped bracket opens no class
    [InlineData("`[x]", "x", false)]
    [InlineData("a``b", "a`b", true)]            // an escaped backtick is one backtick
    [InlineData("ab`", "ab`", true)]             // a trailing backtick escapes nothing: literal
    [InlineData("``*", "`anything", true)]
    public void A_backtick_makes_the_next_character_literal(string pattern, string name, bool expected) =>
        Assert.Equal(expected, Wildcard.Matches(pattern, name));

    [Theory]
    [InlineData("[abc]", "B", true)]             // classes are case-insensitive too
    [InlineData("[a-c]x", "bx", true)]
    [InlineData("[a-c]x", "dx", false)]
    [InlineData("[-a]", "-", true)]              // a leading or trailing '-' is literal
    [InlineData("[a-]", "-", true)]
    [InlineData("[^a]", "^", true)]              // no negation in PowerShell: '^' is literal
    [InlineData("[^a]", "b", false)]
    [InlineData("[a`]]", "]", true)]             // an escaped ']' is inside the class
    [InlineData("[a`]]", "a", true)]
    [InlineData("[]", "[]", true)]               // an empty class is literal, not a regex error
    [InlineData("[\\]", "\\", true)]
    public void Brackets_are_character_classes_as_in_PowerShell(string pattern, string name, bool expected) =>
        Assert.Equal(expected, Wildcard.Matches(pattern, name));

    [Fact]
    public void No_patterns_match_everything_and_any_pattern_is_enough()
    {
        Assert.True(Wildcard.MatchesAny(null, "db"));
        Assert.True(Wildcard.MatchesAny([], "db"));
        Assert.True(Wildcard.MatchesAny([new Wildcard("x"), new Wildcard("d*")], "db"));
        Assert.False(Wildcard.MatchesAny([new Wildcard("x")], "db"));
    }
}
