using System.Text;
using System.Text.RegularExpressions;

namespace StingOps.Core.Common;

/// <summary>
/// PowerShell's wildcard syntax without a PowerShell reference (the core must not load one):
/// <c>*</c>, <c>?</c>, <c>[abc]</c>, <c>[a-z]</c>, and a backtick escaping the next character
/// (<c>a`*b</c> is the literal <c>a*b</c>). Case-insensitive, as PowerShell's <c>-like</c>.
/// An unclosed or empty <c>[</c> is taken literally, so a typo never throws.
/// </summary>
public sealed class Wildcard
{
    private readonly Regex _regex;

    public Wildcard(string pattern)
    {
        Pattern = pattern ?? throw new ArgumentNullException(nameof(pattern));
        _regex = ToRegex(pattern);
    }

    public string Pattern { get; }

    public bool IsMatch(string text) => _regex.IsMatch(text);

    public static bool IsPattern(string text) => text.IndexOfAny(['*', '?', '[']) >= 0;

    public static bool Matches(string pattern, string text) => ToRegex(pattern).IsMatch(text);

    /// <summary>True when <paramref name="patterns"/> is null/empty (no filter) or any pattern matches.</summary>
    public static bool MatchesAny(IReadOnlyList<Wildcard>? patterns, string text)
    {
        if (patterns is null || patterns.Count == 0) return true;
        foreach (var p in patterns)
            if (p.IsMatch(text)) return true;
        return false;
    }

    public static Regex ToRegex(string pattern) =>
        new(ToRegexText(pattern), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);

    private static string ToRegexText(string pattern)
    {
        var sb = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '`' when i + 1 < pattern.Length:
                    sb.Append(Regex.Escape(pattern[++i].ToString()));
                    break;
                case '*':
                    sb.Append(".*");
                    break;
                case '?':
                    sb.Append('.');
                    break;
                case '[':
                    var close = FindClose(pattern, i + 1);
                    if (close < 0)
                    {
                        sb.Append(@"\[");
                        break;
                    }
                    sb.Append('[');
                    for (var j = i + 1; j < close; j++)
                    {
                        var cc = pattern[j];
                        if (cc == '`' && j + 1 < close) cc = pattern[++j];
                        else if (cc == '-' && j > i + 1 && j < close - 1)
                        {
                            sb.Append('-');
                            continue;
                        }
                        // Regex class metacharacters are literal in a PowerShell class ([^a] is '^' or 'a').
                        sb.Append(cc is '\\' or ']' or '[' or '^' or '-' ? "\\" + cc : cc.ToString());
                    }
                    sb.Append(']');
                    i = close;
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        return sb.Append('$').ToString();
    }

    private static int FindClose(string pattern, int from)
    {
        for (var j = from; j < pattern.Length; j++)
        {
            if (pattern[j] == '`') { j++; continue; }
            if (pattern[j] == ']') return j > from ? j : -1;
        }
        return -1;
    }
}
