using System.Text;

namespace StingOps.Core.Compose.Interpolation;

/// <summary>
/// Substitutes variables in one string the way compose does (compose-go's template package):
/// <c>$VAR</c>, <c>${VAR}</c>, <c>${VAR:-default}</c>, <c>${VAR-default}</c>, <c>${VAR:?message}</c>,
/// <c>${VAR?message}</c>, <c>${VAR:+alternate}</c>, <c>${VAR+alternate}</c>, <c>$$</c> for a literal dollar,
/// with nested templates in the default/alternate/message part. A <c>$</c> followed by anything else stays literal;
/// a malformed <c>${...}</c> is an error.
/// </summary>
internal sealed class VariableInterpolator
{
    private readonly Func<string, string?> _lookup;

    /// <param name="lookup">The value of a variable, or null when it is not set.</param>
    public VariableInterpolator(Func<string, string?> lookup)
    {
        _lookup = lookup;
    }

    /// <summary>Called with the name of each plain reference to an unset variable (it becomes empty).</summary>
    public Action<string>? OnUnset { get; set; }

    public static bool NeedsWork(string text) => text.Contains('$');

    public string Interpolate(string template)
    {
        if (!NeedsWork(template)) return template;
        var result = new StringBuilder(template.Length);
        var i = 0;
        while (i < template.Length)
        {
            var dollar = template.IndexOf('$', i);
            if (dollar < 0 || dollar == template.Length - 1)
            {
                result.Append(template, i, template.Length - i);
                break;
            }
            result.Append(template, i, dollar - i);
            var next = template[dollar + 1];
            if (next == '$')
            {
                result.Append('$');
                i = dollar + 2;
            }
            else if (next == '{')
            {
                var close = MatchingBrace(template, dollar + 1);
                if (close < 0) throw InvalidTemplate();
                result.Append(Braced(template.Substring(dollar + 2, close - dollar - 2)));
                i = close + 1;
            }
            else if (IsNameStart(next))
            {
                var end = dollar + 2;
                while (end < template.Length && IsNameChar(template[end])) end++;
                result.Append(Plain(template.Substring(dollar + 1, end - dollar - 1)));
                i = end;
            }
            else
            {
                // "$5", "$ ", "$-": not a reference; compose leaves it alone.
                result.Append('$');
                i = dollar + 1;
            }
        }
        return result.ToString();
    }

    private string Plain(string name)
    {
        var value = _lookup(name);
        if (value is null) OnUnset?.Invoke(name);
        return value ?? "";
    }

    private string Braced(string body)
    {
        var nameLength = 0;
        if (body.Length > 0 && IsNameStart(body[0]))
        {
            nameLength = 1;
            while (nameLength < body.Length && IsNameChar(body[nameLength])) nameLength++;
        }
        if (nameLength == 0) throw InvalidTemplate();
        var name = body[..nameLength];
        if (nameLength == body.Length) return Plain(name);

        var rest = body.AsSpan(nameLength);
        var colon = rest[0] == ':';
        var opIndex = colon ? 1 : 0;
        if (opIndex >= rest.Length) throw InvalidTemplate();
        var op = rest[opIndex];
        var argument = rest[(opIndex + 1)..].ToString();
        var value = _lookup(name);
        var isSet = value is not null;
        var isNonEmpty = !string.IsNullOrEmpty(value);

        switch (op)
        {
            case '-':
                return (colon ? isNonEmpty : isSet) ? value! : Interpolate(argument);
            case '+':
                return (colon ? isNonEmpty : isSet) ? Interpolate(argument) : value ?? "";
            case '?':
                if (colon ? isNonEmpty : isSet) return value!;
                var message = Interpolate(argument);
                throw new InterpolationException(
                    message.Length == 0
                        ? $"required variable {name} is missing a value"
                        : $"required variable {name} is missing a value: {message}",
                    name);
            default:
                throw InvalidTemplate();
        }
    }

    /// <summary>The index of the brace closing the one at <paramref name="open"/>, counting nested braces.</summary>
    private static int MatchingBrace(string text, int open)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            if (text[i] == '{') depth++;
            else if (text[i] == '}' && --depth == 0) return i;
        }
        return -1;
    }

    private static InterpolationException InvalidTemplate() =>
        new("invalid interpolation format (a literal $ must be written as $$)");

    private static bool IsNameStart(char c) => c == '_' || char.IsAsciiLetter(c);

    private static bool IsNameChar(char c) => c == '_' || char.IsAsciiLetterOrDigit(c);
}
