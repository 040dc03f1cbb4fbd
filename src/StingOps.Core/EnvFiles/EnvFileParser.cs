using System.Globalization;
using System.Text;

namespace StingOps.Core.EnvFiles;

/// <summary>
/// Reads env files in the format Docker Compose v2 accepts (compose-go's <c>dotenv</c> package, a godotenv fork), and
/// reports what compose would refuse or misread. See <c>README.md</c> beside this file for the exact rules and where
/// this parser is deliberately stricter than compose. Never puts a value into a finding.
/// </summary>
public static class EnvFileParser
{
    /// <summary>Env files larger than this are reported as unreadable rather than parsed.</summary>
    public const long MaxFileBytes = 16L * 1024 * 1024;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>Reads and parses a file. Missing or unreadable files give a Line-0 finding, not an exception.</summary>
    public static EnvFileParseResult Parse(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            if (Directory.Exists(path))
                return FileFailure(path, EnvFileProblem.FileUnreadable, "the path is a directory, not an env file.");
            var info = new FileInfo(path);
            if (!info.Exists)
                return FileFailure(path, EnvFileProblem.FileNotFound, "the env file does not exist.");
            if (info.Length > MaxFileBytes)
                return FileFailure(path, EnvFileProblem.FileUnreadable,
                    $"the file has {info.Length} bytes, more than the {MaxFileBytes} an env file may have.");
            bytes = File.ReadAllBytes(path);
        }
        catch (UnauthorizedAccessException)
        {
            return FileFailure(path, EnvFileProblem.FileUnreadable, "permission denied while reading the env file.");
        }
        catch (IOException ex)
        {
            // Exception texts name the path and the OS error, never the file's content.
            return FileFailure(path, EnvFileProblem.FileUnreadable, $"the env file could not be read ({ex.GetType().Name}: {ex.Message}).");
        }
        return ParseBytes(bytes, path);
    }

    /// <summary>Parses raw file content: rejects UTF-16/UTF-32 and binary content, skips a UTF-8 BOM, decodes UTF-8.</summary>
    public static EnvFileParseResult ParseBytes(ReadOnlySpan<byte> bytes, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string? encoding =
            bytes.StartsWith(new byte[] { 0xFF, 0xFE, 0x00, 0x00 }) ? "UTF-32 (little-endian)" :
            bytes.StartsWith(new byte[] { 0x00, 0x00, 0xFE, 0xFF }) ? "UTF-32 (big-endian)" :
            bytes.StartsWith(new byte[] { 0xFF, 0xFE }) ? "UTF-16 (little-endian)" :
            bytes.StartsWith(new byte[] { 0xFE, 0xFF }) ? "UTF-16 (big-endian)" : null;
        if (encoding is not null)
            return FileFailure(path, EnvFileProblem.UnsupportedEncoding,
                $"the file is {encoding} encoded; compose reads env files as UTF-8. Save it as UTF-8 (in PowerShell: Set-Content -Encoding utf8).");
        if (bytes.IndexOf((byte)0) >= 0)
            return FileFailure(path, EnvFileProblem.UnsupportedEncoding,
                "the file contains NUL bytes: UTF-16 without a byte-order mark, or not a text file. Compose reads env files as UTF-8.");
        return ParseText(Utf8.GetString(bytes), path);
    }

    /// <summary>Parses env-file text. A leading U+FEFF (UTF-8 BOM) is skipped, as compose does.</summary>
    public static EnvFileParseResult ParseText(string text, string path)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(path);
        if (text.Length > 0 && text[0] == '\uFEFF')
            text = text[1..];
        return new Scanner(text, path).Run();
    }

    private static EnvFileParseResult FileFailure(string path, EnvFileProblem code, string sentence) =>
        new(path, [], [EnvFileFinding.Create(path, 0, null, code, sentence)], complete: false);

    // ---------------------------------------------------------------- names

    /// <summary>The portable name rule this module recommends: <c>[A-Za-z_][A-Za-z0-9_.-]*</c>.</summary>
    public static bool IsPortableName(string? name)
    {
        if (string.IsNullOrEmpty(name) || !(IsAsciiLetter(name[0]) || name[0] == '_'))
            return false;
        foreach (var c in name)
            if (!(IsAsciiLetter(c) || char.IsAsciiDigit(c) || c is '_' or '.' or '-'))
                return false;
        return true;
    }

    private static bool IsAsciiLetter(char c) => c is >= 'A' and <= 'Z' or >= 'a' and <= 'z';

    /// <summary>Compose-go's "space" inside a line: tab, VT, FF, CR, space, NEL, NBSP (not the line feed).</summary>
    internal static bool IsInlineSpace(char c) => c is '\t' or '\v' or '\f' or '\r' or ' ' or '\u0085' or '\u00A0';

    private enum KeyState { Ok, NonPortable, Empty, Whitespace, BadCharacter }

    private static KeyState CheckKey(string key, out string? badCharacter)
    {
        badCharacter = null;
        if (key.Length == 0)
            return KeyState.Empty;
        foreach (var c in key)
            if (IsInlineSpace(c) || char.IsWhiteSpace(c))
                return KeyState.Whitespace;
        foreach (var rune in key.EnumerateRunes())
        {
            // compose-go accepts unicode letters and numbers plus _ . - [ ]
            if (Rune.IsLetter(rune) || Rune.IsNumber(rune) || rune.Value is '_' or '.' or '-' or '[' or ']')
                continue;
            badCharacter = DescribeCharacter(rune);
            return KeyState.BadCharacter;
        }
        return IsPortableName(key) ? KeyState.Ok : KeyState.NonPortable;
    }

    /// <summary>One character, shown as itself when it is visible ASCII punctuation, else as U+XXXX. Never more than one.</summary>
    private static string DescribeCharacter(Rune rune) =>
        rune.IsAscii && rune.Value > 0x20 && rune.Value < 0x7F
            ? $"'{(char)rune.Value}'"
            : $"U+{rune.Value:X4}";

    // ---------------------------------------------------------------- escapes

    /// <summary>
    /// Compose-go's escape expansion for double-quoted values: \a \b \f \n \r \t \v \\ \" ; \$ becomes $$ (an escaped
    /// dollar for interpolation); \0 followed by exactly three octal digits (≤ 255) is that character, otherwise the 0 is
    /// dropped; any other backslash is kept as written.
    /// </summary>
    internal static string ExpandEscapes(string s)
    {
        if (s.IndexOf('\\') < 0)
            return s;
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c != '\\' || i + 1 >= s.Length)
            {
                sb.Append(c);
                continue;
            }
            var n = s[i + 1];
            switch (n)
            {
                case 'a': sb.Append('\a'); i++; break;
                case 'b': sb.Append('\b'); i++; break;
                case 'f': sb.Append('\f'); i++; break;
                case 'n': sb.Append('\n'); i++; break;
                case 'r': sb.Append('\r'); i++; break;
                case 't': sb.Append('\t'); i++; break;
                case 'v': sb.Append('\v'); i++; break;
                case '"': sb.Append('"'); i++; break;
                case '\\': sb.Append('\\'); i++; break;
                case '$': sb.Append("$$"); i++; break;
                case '0':
                {
                    var count = 0;
                    while (count < 3 && i + 2 + count < s.Length && char.IsAsciiDigit(s[i + 2 + count]))
                        count++;
                    var digits = s.Substring(i + 2, count);
                    if (count == 3 && digits.All(d => d <= '7') && Convert.ToInt32(digits, 8) is var v && v <= 255)
                        sb.Append((char)v);
                    else
                        sb.Append('\\').Append(digits);
                    i += 1 + count;
                    break;
                }
                default:
                    sb.Append('\\'); // kept; the next character is read normally
                    break;
            }
        }
        return sb.ToString();
    }

    // ---------------------------------------------------------------- scanner

    private sealed class Scanner(string text, string path)
    {
        private readonly List<EnvEntry> _entries = [];
        private readonly List<EnvFileFinding> _findings = [];
        private readonly Dictionary<string, (int Line, bool Assigned)> _firstSeen = new(StringComparer.Ordinal);
        private bool _complete = true;

        private int _pos;
        private int _line = 1;

        public EnvFileParseResult Run()
        {
            while (_pos < text.Length)
                Statement();
            var ordered = _findings.OrderBy(f => f.Line).ToList(); // stable: same-line findings keep their order
            return new EnvFileParseResult(path, _entries, ordered, _complete);
        }

        private void Add(int line, string? key, EnvFileProblem code, string sentence) =>
            _findings.Add(EnvFileFinding.Create(path, line, key, code, sentence));

        /// <summary>End (exclusive, before any '\n') of the line containing <paramref name="at"/>.</summary>
        private int LineEnd(int at)
        {
            var eol = text.IndexOf('\n', at);
            return eol < 0 ? text.Length : eol;
        }

        /// <summary>Moves to the start of the line after the one that ends at <paramref name="lineEnd"/>.</summary>
        private void NextLine(int lineEnd, int lineNumberOfThatLine)
        {
            _pos = lineEnd < text.Length ? lineEnd + 1 : text.Length;
            _line = lineNumberOfThatLine + 1;
        }

        private void Statement()
        {
            var lineNo = _line;
            var lineEnd = LineEnd(_pos);
            var i = _pos;
            while (i < lineEnd && (IsInlineSpace(text[i]) || char.IsWhiteSpace(text[i])))
                i++;
            if (i == lineEnd || text[i] == '#')
            {
                NextLine(lineEnd, lineNo);
                return;
            }

            // "export" followed by inline space is a prefix; "exportFOO=1" and "export=1" are plain names.
            if (string.CompareOrdinal(text, i, "export", 0, 6) == 0 && i + 6 < lineEnd && IsInlineSpace(text[i + 6]))
            {
                i += 6;
                while (i < lineEnd && IsInlineSpace(text[i]))
                    i++;
                if (i == lineEnd)
                {
                    Add(lineNo, null, EnvFileProblem.NotAnAssignment, "'export' is not followed by a variable name.");
                    NextLine(lineEnd, lineNo);
                    return;
                }
            }

            // The name ends at the first '=' or ':' (compose also accepts YAML-style "NAME: value").
            var sep = -1;
            for (var k = i; k < lineEnd; k++)
            {
                if (text[k] is '=' or ':')
                {
                    sep = k;
                    break;
                }
            }

            if (sep < 0)
            {
                BareName(text[i..lineEnd].TrimEnd(), lineNo, lastLineWithoutNewline: lineEnd == text.Length);
                NextLine(lineEnd, lineNo);
                return;
            }

            var key = TrimEndInline(text[i..sep]);
            var keyState = CheckKey(key, out var badCharacter);
            var shownKey = keyState == KeyState.Ok ? key : null;

            var v = sep + 1;
            while (v < lineEnd && IsInlineSpace(text[v]))
                v++;

            if (v < lineEnd && text[v] is '"' or '\'')
            {
                QuotedValue(key, keyState, badCharacter, shownKey, lineNo, lineEnd, v);
                return;
            }

            // Unquoted: to the end of the line; " #" starts a comment; trailing whitespace is dropped.
            var value = text[v..lineEnd];
            var hash = value.IndexOf(" #", StringComparison.Ordinal);
            if (hash >= 0)
                value = value[..hash];
            value = value.TrimEnd();
            Assignment(key, keyState, badCharacter, shownKey, value, EnvValueStyle.Unquoted, lineNo, lineNo);
            NextLine(lineEnd, lineNo);
        }

        private void QuotedValue(string key, KeyState keyState, string? badCharacter, string? shownKey, int lineNo, int lineEnd, int openAt)
        {
            var quote = text[openAt];
            var quoteName = quote == '"' ? "double-quoted" : "single-quoted";
            var raw = new StringBuilder();
            var escaped = false;
            var line = lineNo;
            var close = -1;
            for (var k = openAt + 1; k < text.Length; k++)
            {
                var c = text[k];
                if (c == '\n')
                    line++;
                if (c != quote)
                {
                    // compose-go: a backslash before any other character is kept with it; before the quote it is dropped.
                    if (!escaped && c == '\\')
                    {
                        escaped = true;
                        continue;
                    }
                    if (escaped)
                    {
                        escaped = false;
                        raw.Append('\\');
                    }
                    raw.Append(c);
                    continue;
                }
                if (escaped)
                {
                    escaped = false;
                    raw.Append(c);
                    continue;
                }
                close = k;
                break;
            }

            if (close < 0)
            {
                ReportKeyProblem(keyState, badCharacter, lineNo);
                var lastLine = text.EndsWith('\n') ? line - 1 : line;
                var rest = lastLine > lineNo
                    ? $"; compose reads the rest of the file ({(lastLine == lineNo + 1 ? $"line {lastLine}" : $"lines {lineNo + 1}-{lastLine}")}) into it, so nothing after line {lineNo} was checked."
                    : ".";
                Add(lineNo, shownKey, EnvFileProblem.UnterminatedQuote,
                    $"the {quoteName} value of {Name(shownKey)} opened on line {lineNo} is never closed{rest}");
                _complete = false;
                _pos = text.Length;
                return;
            }

            var closeLine = line;
            var closeLineEnd = LineEnd(close);
            var after = close + 1;
            while (after < closeLineEnd && (IsInlineSpace(text[after]) || char.IsWhiteSpace(text[after])))
                after++;
            var trailing = after < closeLineEnd && text[after] != '#';

            if (trailing && closeLine > lineNo)
            {
                // The quote that "closes" it is on a later line and more text follows it: most likely that quote opens a
                // later value and the closing quote on the first line is missing. Resume on the line after the opening one.
                ReportKeyProblem(keyState, badCharacter, lineNo);
                Add(lineNo, shownKey, EnvFileProblem.UnterminatedQuote,
                    $"the {quoteName} value of {Name(shownKey)} opened on line {lineNo} is not closed on that line; the next {quoteName[..6]} quote is on line {closeLine} and is followed by more text, so a closing quote is probably missing on line {lineNo}.");
                NextLine(lineEnd, lineNo);
                return;
            }

            var value = raw.ToString();
            if (quote == '"')
                value = ExpandEscapes(value);
            Assignment(key, keyState, badCharacter, shownKey, value,
                quote == '"' ? EnvValueStyle.DoubleQuoted : EnvValueStyle.SingleQuoted, lineNo, closeLine);
            if (trailing)
                Add(lineNo, shownKey, EnvFileProblem.TrailingContent,
                    $"text follows the closing quote of the value of {Name(shownKey)}; compose would read it as another variable. Only a '# comment' may follow a quoted value.");
            NextLine(closeLineEnd, closeLine);
        }

        private void Assignment(string key, KeyState keyState, string? badCharacter, string? shownKey, string value, EnvValueStyle style, int lineNo, int endLine)
        {
            if (ReportKeyProblem(keyState, badCharacter, lineNo))
                return;
            Record(new EnvEntry(key, value, lineNo, style) { EndLine = endLine }, shownKey, assigned: true);
        }

        /// <summary>Reports an unusable or non-portable name; returns true when the assignment must be dropped.</summary>
        private bool ReportKeyProblem(KeyState keyState, string? badCharacter, int lineNo)
        {
            switch (keyState)
            {
                case KeyState.Empty:
                    Add(lineNo, null, EnvFileProblem.InvalidKey, "there is no variable name before the '=' (or ':').");
                    return true;
                case KeyState.Whitespace:
                    Add(lineNo, null, EnvFileProblem.InvalidKey, "the variable name before the '=' (or ':') contains whitespace.");
                    return true;
                case KeyState.BadCharacter:
                    Add(lineNo, null, EnvFileProblem.InvalidKey,
                        $"the variable name contains {badCharacter}; compose accepts letters, digits, '_', '.', '-', '[' and ']', and this module recommends [A-Za-z_][A-Za-z0-9_.-]*.");
                    return true;
                case KeyState.NonPortable:
                    Add(lineNo, null, EnvFileProblem.NonPortableKey,
                        "compose accepts this variable name, but it does not match [A-Za-z_][A-Za-z0-9_.-]* (it starts with a digit, '.' or '-', or has brackets or non-ASCII letters), so shells and ${VAR} interpolation cannot use it.");
                    return false;
                default:
                    return false;
            }
        }

        private void BareName(string name, int lineNo, bool lastLineWithoutNewline)
        {
            if (name == "export")
            {
                // compose-go strips "export" and then finds no name; it sets nothing.
                Add(lineNo, null, EnvFileProblem.NotAnAssignment, "'export' is not followed by a variable name.");
                return;
            }
            if (!IsPortableName(name))
            {
                Add(lineNo, null, EnvFileProblem.NotAnAssignment,
                    "this line is not NAME=VALUE, a comment or a blank line.");
                return;
            }
            if (lastLineWithoutNewline)
            {
                // compose-go reads a bare name that is not followed by a line break as the value of an empty-named variable.
                Add(lineNo, null, EnvFileProblem.BareKeyWithoutNewline,
                    "a bare variable name on the last line without a line break after it is misread by compose; end the file with a line break, or write NAME= for an empty value.");
                return;
            }
            var known = _firstSeen.TryGetValue(name, out var first) && first.Assigned;
            Add(lineNo, known ? name : null, EnvFileProblem.InheritedKey,
                "this line names a variable without '=': compose passes the value it finds in its own environment, or leaves the variable unset. Write NAME= for an empty value.");
            Record(new EnvEntry(name, null, lineNo, EnvValueStyle.Inherited), shown: null, assigned: false);
        }

        private void Record(EnvEntry entry, string? shown, bool assigned)
        {
            if (_firstSeen.TryGetValue(entry.Key, out var first))
            {
                // A bare name is shown only once the same name has been written as an assignment somewhere.
                var display = IsPortableName(entry.Key) && (assigned || first.Assigned) ? entry.Key : shown;
                Add(entry.Line, display, EnvFileProblem.DuplicateKey,
                    $"{Name(display)} is already set on line {first.Line}; compose uses the later definition (line {entry.Line}).");
                if (assigned && !first.Assigned)
                    _firstSeen[entry.Key] = (first.Line, true);
            }
            else
            {
                _firstSeen[entry.Key] = (entry.Line, assigned);
            }
            _entries.Add(entry);
        }

        private static string Name(string? shownKey) => shownKey is null ? "this variable" : $"'{shownKey}'";

        private static string TrimEndInline(string s)
        {
            var end = s.Length;
            while (end > 0 && (IsInlineSpace(s[end - 1]) || char.IsWhiteSpace(s[end - 1])))
                end--;
            return s[..end];
        }
    }
}
