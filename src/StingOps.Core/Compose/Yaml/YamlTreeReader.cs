using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace StingOps.Core.Compose.Yaml;

/// <summary>How forgiving a read is.</summary>
internal enum YamlReadMode
{
    /// <summary>Compose files: duplicate keys and unknown anchors are errors, as they are to docker compose.</summary>
    Strict,

    /// <summary>
    /// Files we only skim (config.yml with hundreds of unrelated keys): duplicate keys keep the last value and unknown
    /// anchors become null nodes carrying a <see cref="YNode.Problem"/>; whoever reads that part decides.
    /// </summary>
    Tolerant,
}

/// <summary>One YAML document of a file: its root (null for an empty document) and whether it used !reset/!override.</summary>
internal sealed record YamlDocumentTree(YNode? Root, bool HasResetTags);

/// <summary>
/// Builds <see cref="YNode"/> trees from YamlDotNet's event parser: positions on every node, aliases shared rather
/// than copied (so alias bombs stay small), merge keys (<c>&lt;&lt;: *a</c>, <c>&lt;&lt;: [*a, *b]</c>) resolved.
/// </summary>
internal sealed class YamlTreeReader
{
    // Deep enough for any real file, shallow enough that recursion never overflows the stack.
    private const int MaxDepth = 512;

    private readonly IParser _parser;
    private readonly string _text;
    private readonly string _file;
    private readonly YamlReadMode _mode;
    private readonly Dictionary<string, YNode> _anchors = new(StringComparer.Ordinal);
    private bool _sawResetTag;
    private SourceMark _lastMark;

    private YamlTreeReader(string text, string file, YamlReadMode mode)
    {
        _parser = new Parser(new StringReader(text));
        _text = text;
        _file = file;
        _mode = mode;
        _lastMark = new SourceMark(file, 1, 1);
    }

    public static IReadOnlyList<YamlDocumentTree> Read(string text, string file, YamlReadMode mode)
    {
        var reader = new YamlTreeReader(text, file, mode);
        return reader.ReadStream();
    }

    public static IReadOnlyList<YamlDocumentTree> ReadFile(string path, YamlReadMode mode) =>
        Read(File.ReadAllText(path), path, mode);

    private IReadOnlyList<YamlDocumentTree> ReadStream()
    {
        var documents = new List<YamlDocumentTree>();
        try
        {
            Expect<StreamStart>();
            while (!Accept<StreamEnd>())
            {
                Expect<DocumentStart>();
                // Anchors are scoped to their document.
                _anchors.Clear();
                _sawResetTag = false;
                YNode? root = null;
                if (!Peek<DocumentEnd>()) root = ReadNode(0);
                Expect<DocumentEnd>();
                documents.Add(new YamlDocumentTree(root, _sawResetTag));
            }
        }
        catch (YamlException ex)
        {
            var mark = MarkOf(ex.Start);
            // YamlDotNet blames a tab on the start of the enclosing mapping; point at the tab instead.
            if (ex.Message.Contains("tab", StringComparison.Ordinal)) mark = FirstIndentingTab(mark) ?? mark;
            throw new YamlTreeException(mark, ex.Message, ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException)
        {
            // YamlDotNet's scanner throws these on some malformed inputs (e.g. an unclosed flow sequence at the end
            // of the file); the last event we saw is the best position we have.
            throw new YamlTreeException(_lastMark, "invalid YAML near here (the parser could not continue)", ex);
        }
        return documents;
    }

    private SourceMark? FirstIndentingTab(SourceMark from)
    {
        var lines = _text.Split('\n');
        for (var i = (int)Math.Max(0, from.Line - 1); i < lines.Length; i++)
        {
            var indent = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
            var tab = lines[i].IndexOf('\t', 0, indent);
            if (tab >= 0) return new SourceMark(_file, i + 1, tab + 1);
        }
        return null;
    }

    private YNode ReadNode(int depth)
    {
        if (depth > MaxDepth) throw new YamlTreeException(_lastMark, $"nesting deeper than {MaxDepth} levels");
        var ev = Current();
        switch (ev)
        {
            case Scalar scalar:
                Advance();
                return Register(scalar.Anchor, new YScalar(scalar.Value, scalar.Style == ScalarStyle.Plain,
                    MarkOf(scalar.Start), TagOf(scalar.Tag), !scalar.Anchor.IsEmpty));
            case SequenceStart start:
                Advance();
                return Register(start.Anchor, ReadSequence(start, depth));
            case MappingStart start:
                Advance();
                return Register(start.Anchor, ReadMapping(start, depth));
            case AnchorAlias alias:
                Advance();
                if (_anchors.TryGetValue(alias.Value.Value, out var target)) return target;
                var problem = $"alias *{alias.Value.Value} refers to an anchor that is not defined before it";
                if (_mode == YamlReadMode.Strict) throw new YamlTreeException(MarkOf(alias.Start), problem);
                return new YScalar("", true, MarkOf(alias.Start)) { Problem = problem };
            default:
                throw new YamlTreeException(MarkOf(ev.Start), $"unexpected {ev.GetType().Name}");
        }
    }

    private YSequence ReadSequence(SequenceStart start, int depth)
    {
        var items = new List<YNode>();
        while (!Accept<SequenceEnd>()) items.Add(ReadNode(depth + 1));
        return new YSequence(items, MarkOf(start.Start), TagOf(start.Tag), !start.Anchor.IsEmpty);
    }

    private YMapping ReadMapping(MappingStart start, int depth)
    {
        var entries = new List<YEntry>();
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        List<YScalar>? duplicates = null;
        List<YNode>? mergeSources = null;

        while (!Accept<MappingEnd>())
        {
            var keyNode = ReadNode(depth + 1);
            var value = ReadNode(depth + 1);
            if (keyNode is not YScalar key)
            {
                // Compose never uses complex keys; a skimmed file may, and then we skip the entry.
                if (_mode == YamlReadMode.Strict)
                    throw new YamlTreeException(keyNode.Mark, $"a mapping key must be a string, not {keyNode.KindName}");
                continue;
            }
            if (IsMergeKey(key))
            {
                (mergeSources ??= []).Add(value);
                continue;
            }
            if (positions.TryGetValue(key.Value, out var earlier))
            {
                if (_mode == YamlReadMode.Strict)
                    throw new YamlTreeException(key.Mark,
                        $"mapping key \"{key.Value}\" already defined at line {entries[earlier].Key.Mark.Line}");
                (duplicates ??= []).Add(key);
                entries[earlier] = new YEntry(key, value);
                continue;
            }
            positions[key.Value] = entries.Count;
            entries.Add(new YEntry(key, value));
        }

        if (mergeSources is not null) ApplyMergeKeys(entries, positions, mergeSources);
        return new YMapping(entries, MarkOf(start.Start), TagOf(start.Tag), !start.Anchor.IsEmpty)
        {
            DuplicateKeys = (IReadOnlyList<YScalar>?)duplicates ?? [],
        };
    }

    private static bool IsMergeKey(YScalar key) =>
        key.Value == "<<" && (key.IsPlain && key.Tag is null || key.Tag == "tag:yaml.org,2002:merge");

    /// <summary>
    /// YAML merge keys: keys written in the mapping win over merged ones, and in <c>&lt;&lt;: [*a, *b]</c> the
    /// earlier source wins over the later one. The merge is shallow, as the YAML 1.1 merge type defines it.
    /// </summary>
    private void ApplyMergeKeys(List<YEntry> entries, Dictionary<string, int> positions, List<YNode> sources)
    {
        foreach (var source in sources)
        {
            if (source is YMapping single)
            {
                MergeFrom(single);
            }
            else if (source is YSequence list)
            {
                foreach (var item in list.Items)
                {
                    if (item is YMapping m) MergeFrom(m);
                    else Reject(item);
                }
            }
            else
            {
                Reject(source);
            }
        }

        void MergeFrom(YMapping m)
        {
            foreach (var entry in m.Entries)
            {
                if (positions.ContainsKey(entry.Name)) continue;
                positions[entry.Name] = entries.Count;
                entries.Add(entry);
            }
        }

        void Reject(YNode node)
        {
            if (_mode == YamlReadMode.Strict)
                throw new YamlTreeException(node.Mark,
                    $"a merge key (<<) takes a mapping or a list of mappings, not {node.KindName}");
        }
    }

    private YNode Register(AnchorName anchor, YNode node)
    {
        // Registered once complete, so an alias inside its own anchor's node is "not defined before it".
        if (!anchor.IsEmpty) _anchors[anchor.Value] = node;
        if (node.Tag is YNode.ResetTag or YNode.OverrideTag) _sawResetTag = true;
        return node;
    }

    private static string? TagOf(TagName tag) => tag.IsEmpty ? null : tag.Value;

    private SourceMark MarkOf(Mark mark) => new(_file, mark.Line, mark.Column);

    private ParsingEvent Current()
    {
        var ev = _parser.Current ?? throw new YamlTreeException(_lastMark, "unexpected end of the YAML stream");
        _lastMark = MarkOf(ev.Start);
        return ev;
    }

    private void Advance() => _parser.MoveNext();

    private bool Peek<T>() where T : ParsingEvent => Current() is T;

    private bool Accept<T>() where T : ParsingEvent
    {
        if (Current() is not T) return false;
        Advance();
        return true;
    }

    private void Expect<T>() where T : ParsingEvent
    {
        if (_parser.Current is null && typeof(T) == typeof(StreamStart))
        {
            _parser.MoveNext();
        }
        var ev = Current();
        if (ev is not T) throw new YamlTreeException(MarkOf(ev.Start), $"expected {typeof(T).Name}, found {ev.GetType().Name}");
        Advance();
    }
}
