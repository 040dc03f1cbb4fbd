using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.RegularExpressions;

namespace StingOps.Core.EnvFiles;

/// <summary>
/// Masks known secret values in free text (container log tails, health-check output, engine messages) before that
/// text goes into a message, log or metric. Every occurrence of every secret is replaced; where occurrences overlap or
/// touch, the whole covered stretch becomes one <see cref="Mask"/>, so no fragment of a secret survives next to a mask.
/// Matching is exact (ordinal) and runs in one pass over the text whatever the number of secrets (Aho-Corasick).
/// Instances are immutable and thread-safe.
/// </summary>
public sealed partial class SecretRedactor
{
    public const string Mask = "***";

    /// <summary>Values shorter than this are not treated as secrets: masking them would garble ordinary text.</summary>
    public const int DefaultMinimumLength = 4;

    private static readonly HashSet<string> TrivialWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "true", "false", "yes", "no", "on", "off", "null", "none", "nil", "enable", "enabled", "disable", "disabled",
        "localhost", "trace", "debug", "info", "warn", "warning", "error", "fatal",
        "production", "development", "staging", "test",
    };

    // Aho-Corasick automaton. Node 0 is the root. Edges live in one table keyed by (node, char); the root's ASCII edges
    // also in an array, since most characters of ordinary text are read at the root.
    private readonly Dictionary<long, int> _edges = [];
    private readonly int[] _rootAscii = new int[128];
    private readonly List<int> _fail = [];
    private readonly List<int> _longest = []; // longest secret that ends at this node (itself or via failure links)
    private readonly List<int> _depth = [];
    private readonly List<int> _parent = [];
    private readonly List<char> _via = [];

    /// <summary>Builds a redactor for <paramref name="secrets"/>.</summary>
    /// <param name="secrets">Values to mask; nulls are ignored.</param>
    /// <param name="minimumLength">Values shorter than this are ignored.</param>
    /// <param name="ignoreTrivialValues">Also ignore values like <c>true</c>, <c>8080</c>, <c>info</c> (see <see cref="IsTrivialValue"/>).</param>
    public SecretRedactor(IEnumerable<string?> secrets, int minimumLength = DefaultMinimumLength, bool ignoreTrivialValues = true)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumLength, 1);
        MinimumLength = minimumLength;
        NewNode(-1, '\0');
        var added = new HashSet<string>(StringComparer.Ordinal);
        foreach (var secret in secrets)
        {
            if (secret is null)
                continue;
            var first = true;
            foreach (var variant in Variants(secret))
            {
                // The value itself is filtered as asked; the pieces derived from it (lines, trimmed forms) always are,
                // so a multi-line secret with a line "true" does not mask every "true" in a log.
                var filter = ignoreTrivialValues || !first;
                first = false;
                if (variant.Length < minimumLength || (filter && IsTrivialValue(variant)) || !added.Add(variant))
                    continue;
                Insert(variant);
            }
        }
        Count = added.Count;
        BuildFailureLinks();
    }

    /// <summary>A redactor that masks nothing (known patterns still apply through <see cref="RedactAll"/>).</summary>
    public static SecretRedactor Empty { get; } = new([]);

    /// <summary>How many distinct strings are masked (a multi-line value counts once per line as well).</summary>
    public int Count { get; }

    public int MinimumLength { get; }

    /// <summary>
    /// A redactor for the values of env-file entries: a value whose name looks secret (<see cref="LooksSecretKey"/>) is
    /// masked even when it looks trivial; any other value is masked unless it is trivial. Inherited (bare) names have
    /// no value in the file and add nothing.
    /// </summary>
    public static SecretRedactor FromEntries(IEnumerable<EnvEntry> entries, int minimumLength = DefaultMinimumLength)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var values = new List<string>();
        foreach (var e in entries)
        {
            if (e.Value is null)
                continue;
            if (LooksSecretKey(e.Key) || !IsTrivialValue(e.Value))
                values.Add(e.Value);
        }
        return new SecretRedactor(values, minimumLength, ignoreTrivialValues: false);
    }

    /// <summary><see cref="FromEntries"/> over every entry of every file.</summary>
    public static SecretRedactor FromEnvFiles(IEnumerable<EnvFileParseResult> files, int minimumLength = DefaultMinimumLength)
    {
        ArgumentNullException.ThrowIfNull(files);
        return FromEntries(files.SelectMany(f => f.Entries), minimumLength);
    }

    /// <summary>
    /// True for values that carry no secret and appear everywhere in logs: booleans and switch words, log levels,
    /// environment names, <c>localhost</c>, and numbers shorter than 8 characters (ports, counts, timeouts).
    /// </summary>
    public static bool IsTrivialValue(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return true;
        var v = value.Trim();
        if (TrivialWords.Contains(v))
            return true;
        if (v.Length < 8 && IsNumber(v))
            return true;
        return false;
    }

    private static bool IsNumber(string v)
    {
        var i = v[0] is '+' or '-' ? 1 : 0;
        var digits = 0;
        var dots = 0;
        for (; i < v.Length; i++)
        {
            if (char.IsAsciiDigit(v[i]))
                digits++;
            else if (v[i] == '.' && dots++ == 0)
                continue;
            else
                return false;
        }
        return digits > 0;
    }

    /// <summary>
    /// True when a variable name looks like it holds a secret: one of its words (split at <c>_ . -</c> and lower-to-upper
    /// case changes) is KEY(S), TOKEN(S), PASS, PWD, SECRET(S), PRIVATE, CREDS, APIKEY..., or the name contains
    /// PASSWORD, PASSWD, PASSPHRASE, SECRET, TOKEN, CREDENTIAL or PRIVATE anywhere. Case-insensitive.
    /// </summary>
    public static bool LooksSecretKey(string? name)
    {
        if (string.IsNullOrEmpty(name))
            return false;
        var upper = name.ToUpperInvariant();
        foreach (var fragment in SecretFragments)
            if (upper.Contains(fragment, StringComparison.Ordinal))
                return true;
        foreach (var word in Words(name))
            if (SecretWords.Contains(word))
                return true;
        return false;
    }

    private static readonly string[] SecretFragments = ["PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "CREDENTIAL", "PRIVATE"];

    private static readonly HashSet<string> SecretWords = new(StringComparer.Ordinal)
    {
        "KEY", "KEYS", "APIKEY", "ACCESSKEY", "PRIVATEKEY", "SECRETKEY", "PASS", "PWD", "PW", "CREDS", "AUTHKEY",
    };

    private static IEnumerable<string> Words(string name)
    {
        var start = 0;
        for (var i = 1; i <= name.Length; i++)
        {
            var boundary = i == name.Length
                || name[i] is '_' or '.' or '-' or ' '
                || (char.IsUpper(name[i]) && char.IsLower(name[i - 1]));
            if (!boundary)
                continue;
            var word = name[start..i].Trim('_', '.', '-', ' ');
            if (word.Length > 0)
                yield return word.ToUpperInvariant();
            start = i;
        }
    }

    /// <summary>The secret itself, each line of a multi-line secret, its trimmed form, and <c>$$</c> read as <c>$</c>.</summary>
    private static IEnumerable<string> Variants(string secret)
    {
        yield return secret;
        var trimmed = secret.Trim();
        if (trimmed != secret)
            yield return trimmed;
        if (secret.Contains("$$", StringComparison.Ordinal))
            yield return secret.Replace("$$", "$", StringComparison.Ordinal);
        if (secret.Contains('\n') || secret.Contains('\r'))
        {
            foreach (var line in secret.Split('\n'))
            {
                var l = line.TrimEnd('\r');
                yield return l;
                var t = l.Trim();
                if (t != l)
                    yield return t;
            }
            if (secret.Contains("\r\n", StringComparison.Ordinal))
                yield return secret.Replace("\r\n", "\n", StringComparison.Ordinal);
        }
    }

    /// <summary>Replaces every occurrence of every secret with <see cref="Mask"/>. Null gives null.</summary>
    [return: NotNullIfNotNull(nameof(text))]
    public string? Redact(string? text)
    {
        if (string.IsNullOrEmpty(text) || Count == 0)
            return text;

        // Mark covered stretches with a difference array: +1 at a match's start, -1 after its end.
        int[]? cover = null;
        var state = 0;
        for (var i = 0; i < text.Length; i++)
        {
            state = Step(state, text[i]);
            var length = _longest[state];
            if (length == 0)
                continue;
            cover ??= new int[text.Length + 1];
            cover[i - length + 1]++;
            cover[i + 1]--;
        }
        if (cover is null)
            return text;

        var sb = new StringBuilder(text.Length);
        var depth = 0;
        var inMask = false;
        for (var i = 0; i < text.Length; i++)
        {
            depth += cover[i];
            if (depth > 0)
            {
                if (!inMask)
                    sb.Append(Mask);
                inMask = true;
            }
            else
            {
                inMask = false;
                sb.Append(text[i]);
            }
        }
        return sb.ToString();
    }

    /// <summary><see cref="Redact"/>, then <see cref="RedactKnownPatterns"/>.</summary>
    [return: NotNullIfNotNull(nameof(text))]
    public string? RedactAll(string? text) => RedactKnownPatterns(Redact(text));

    // ---------------------------------------------------------------- known patterns

    // Generated at build time: compiling them at run time (RegexOptions.Compiled) cost every fresh process the
    // Reflection.Emit and JIT work on its first redaction. 2 s timeout each.
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.IgnoreCase;
    private const int RegexTimeoutMs = 2000;

    [GeneratedRegex(@"(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|\z)", Options, RegexTimeoutMs)]
    private static partial Regex PemPrivateKey();

    [GeneratedRegex(@"(?<![A-Za-z0-9_-])((?:proxy-)?authorization[""']?[ \t]*[:=][ \t]*[""']?)(?:(bearer|basic|token|digest|negotiate|ntlm)[ \t]+)?[^\s,;""']+",
        Options, RegexTimeoutMs)]
    private static partial Regex AuthorizationHeader();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])(bearer)[ \t]+[A-Za-z0-9\-._~+/]{8,}=*", Options, RegexTimeoutMs)]
    private static partial Regex BearerToken();

    [GeneratedRegex(@"([a-z][a-z0-9+.\-]*://[^\s/:@]*):[^\s/]+@", Options, RegexTimeoutMs)]
    private static partial Regex UrlCredentials();

    // NAME=value, NAME: value, "NAME": "value", --name=value. The name is checked with LooksSecretKey.
    [GeneratedRegex(@"(?<![A-Za-z0-9_])(?<q>[""']?)(?<name>[A-Za-z_][A-Za-z0-9_.\-]*)\k<q>(?<sep>[ \t]*[=:][ \t]*)(?<value>""(?:[^""\\\n]|\\.)*""|'[^'\n]*'|[""'][^\n]*|\S+)",
        Options, RegexTimeoutMs)]
    private static partial Regex Assignment();

    /// <summary>
    /// Masks secrets recognisable by their shape, for text whose secrets are not known in advance: the value of any
    /// <c>NAME=value</c> / <c>NAME: value</c> / <c>"NAME": "value"</c> / <c>--name=value</c> whose name
    /// <see cref="LooksSecretKey"/> (quoted values keep their quotes); the password in <c>scheme://user:password@host</c>;
    /// <c>Authorization:</c> header values and <c>Bearer</c> tokens; PEM private key bodies. An unquoted value runs to
    /// the next whitespace. Should matching ever time out, the whole text is withheld rather than returned unmasked.
    /// </summary>
    [return: NotNullIfNotNull(nameof(text))]
    public static string? RedactKnownPatterns(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return text;
        try
        {
            var s = PemPrivateKey().Replace(text, m => m.Groups[1].Value + Mask + m.Groups[2].Value);
            s = AuthorizationHeader().Replace(s, m =>
                m.Groups[1].Value + (m.Groups[2].Success ? m.Groups[2].Value + " " : "") + Mask);
            s = BearerToken().Replace(s, m => m.Groups[1].Value + " " + Mask);
            s = UrlCredentials().Replace(s, m => m.Groups[1].Value + ":" + Mask + "@");
            s = MaskAssignments(s);
            return s;
        }
        catch (RegexMatchTimeoutException)
        {
            return "[text withheld: secret redaction timed out]";
        }
    }

    /// <summary>
    /// Masks the values of secret-looking assignments. When a name is not secret, the search resumes at its value (not
    /// after it), so <c>opts=token=abc</c> still masks <c>abc</c>.
    /// </summary>
    private static string MaskAssignments(string s)
    {
        StringBuilder? sb = null;
        var copied = 0;
        var at = 0;
        while (at < s.Length)
        {
            var m = Assignment().Match(s, at);
            if (!m.Success)
                break;
            var value = m.Groups["value"];
            if (!LooksSecretKey(m.Groups["name"].Value))
            {
                at = value.Index;
                continue;
            }
            var v = value.Value;
            var masked = v.Length >= 2 && v[0] is '"' or '\'' && v[^1] == v[0]
                ? v[0] + Mask + v[0]
                : Mask;
            sb ??= new StringBuilder(s.Length);
            sb.Append(s, copied, value.Index - copied).Append(masked);
            copied = at = value.Index + value.Length;
        }
        if (sb is null)
            return s;
        return sb.Append(s, copied, s.Length - copied).ToString();
    }

    // ---------------------------------------------------------------- automaton

    private int NewNode(int parent, char via)
    {
        _fail.Add(0);
        _longest.Add(0);
        _depth.Add(parent < 0 ? 0 : _depth[parent] + 1);
        _parent.Add(parent);
        _via.Add(via);
        return _fail.Count - 1;
    }

    private static long EdgeKey(int node, char c) => ((long)node << 16) | c;

    private int Edge(int node, char c)
    {
        if (node == 0 && c < 128)
            return _rootAscii[c];
        return _edges.TryGetValue(EdgeKey(node, c), out var to) ? to : 0;
    }

    /// <summary>The automaton's transition: the deepest node whose string is a suffix of (node's string + c).</summary>
    private int Step(int state, char c)
    {
        while (true)
        {
            var to = Edge(state, c);
            if (to != 0 || state == 0)
                return to;
            state = _fail[state];
        }
    }

    private void Insert(string s)
    {
        var node = 0;
        foreach (var c in s)
        {
            var child = Edge(node, c);
            if (child == 0)
            {
                child = NewNode(node, c);
                if (node == 0 && c < 128)
                    _rootAscii[c] = child;
                else
                    _edges[EdgeKey(node, c)] = child;
            }
            node = child;
        }
        _longest[node] = Math.Max(_longest[node], s.Length);
    }

    private void BuildFailureLinks()
    {
        // Breadth first: a node's failure link points at a shallower node, whose own link is then already known.
        var order = Enumerable.Range(1, _fail.Count - 1).OrderBy(n => _depth[n]).ToList();
        foreach (var node in order)
        {
            var parent = _parent[node];
            if (parent == 0)
            {
                _fail[node] = 0;
            }
            else
            {
                var f = _fail[parent];
                var c = _via[node];
                while (Edge(f, c) == 0 && f != 0)
                    f = _fail[f];
                var to = Edge(f, c);
                _fail[node] = to != node ? to : 0;
            }
            _longest[node] = Math.Max(_longest[node], _longest[_fail[node]]);
        }
    }
}
