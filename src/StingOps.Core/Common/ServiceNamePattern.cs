using System.Text;
using System.Text.RegularExpressions;

namespace StingOps.Core.Common;

/// <summary>
/// A service-name filter with PowerShell's wildcard syntax: <c>*</c>, <c>?</c>, <c>[abc]</c>, <c>[a-z]</c>,
/// and a backtick escaping the next character. Case-insensitive, as PowerShell's <c>-like</c>.
/// An unclosed <c>[</c> is taken literally.
/// </summary>
public sealed class ServiceNamePattern
{
    private readonly Regex _regex;

    public ServiceNamePattern(string pattern)
    {
        Pattern = pattern ?? throw new ArgumentNullException(nameof(pattern));
        _regex = new Regex(ToRegex(pattern), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }

    public string Pattern { get; }

    public bool IsMatch(string name) => _regex.IsMatch(name);

    public static bool ContainsWildcard(string pattern) => pattern.IndexOfAny(['*', '?', '[']) >= 0;

    /// <summary>True when <paramref name="patterns"/> is null/empty or any pattern matches.</summary>
    public static bool MatchesAny(IReadOnlyList<ServiceNamePattern>? patterns, string name)
    {
        if (patterns is null || patterns.Count == 0) return true;
        foreach (var p in patterns)
            if (p.IsMatch(name)) return true;
        return false;
    }

    private static string ToRegex(string pattern)
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
