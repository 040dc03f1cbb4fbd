using System.Text.RegularExpressions;

namespace StingOps.Core.Common;

/// <summary>PowerShell-style wildcards (* ? [abc] [a-z]), case-insensitive, without a PowerShell reference.</summary>
public static class Wildcard
{
    public static bool IsPattern(string text) => text.IndexOfAny(['*', '?', '[']) >= 0;

    public static bool Matches(string pattern, string text) => ToRegex(pattern).IsMatch(text);

    public static Regex ToRegex(string pattern)
    {
        var sb = new System.Text.StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*': sb.Append(".*"); break;
                case '?': sb.Append('.'); break;
                case '[':
                    var close = pattern.IndexOf(']', i + 1);
                    if (close < 0) { sb.Append(@"\["); break; }
                    sb.Append('[').Append(pattern[(i + 1)..close].Replace(@"\", @"\\")).Append(']');
                    i = close;
                    break;
                default: sb.Append(Regex.Escape(c.ToString())); break;
            }
        }
        return new Regex(sb.Append('$').ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }
}
