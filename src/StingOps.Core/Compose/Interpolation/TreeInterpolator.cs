using StingOps.Core.Common;
using StingOps.Core.Compose.Yaml;

namespace StingOps.Core.Compose.Interpolation;

/// <summary>
/// Interpolates every scalar value of a tree (never keys), as compose interpolates a whole file before merging it,
/// extension fields included. Unchanged subtrees are returned as they are; anchored subtrees are done once.
/// </summary>
internal sealed class TreeInterpolator
{
    private readonly VariableInterpolator _variables;
    private readonly Dictionary<YNode, YNode> _shared = new(ReferenceEqualityComparer.Instance);
    private readonly Stack<string> _path = new();
    private SourceMark _current;

    /// <param name="lookup">A variable's value, or null when unset.</param>
    /// <param name="onUnset">Told about each reference to an unset variable that became empty, and where it was.</param>
    public TreeInterpolator(Func<string, string?> lookup, Action<string, SourceMark>? onUnset = null)
    {
        _variables = new VariableInterpolator(lookup);
        if (onUnset is not null) _variables.OnUnset = name => onUnset(name, _current);
    }

    /// <exception cref="StingException"><c>StingInterpolationFailed</c> naming file:line, the key path and the variable.</exception>
    public YNode Interpolate(YNode node)
    {
        if (node.IsShared && _shared.TryGetValue(node, out var done)) return done;
        var result = node switch
        {
            YScalar s => Scalar(s),
            YSequence s => Sequence(s),
            YMapping m => Mapping(m),
            _ => node,
        };
        if (node.IsShared) _shared[node] = result;
        return result;
    }

    private YNode Scalar(YScalar scalar)
    {
        if (scalar.IsNull || !VariableInterpolator.NeedsWork(scalar.Value)) return scalar;
        _current = scalar.Mark;
        try
        {
            return scalar.WithValue(_variables.Interpolate(scalar.Value));
        }
        catch (InterpolationException ex)
        {
            var where = _path.Count == 0 ? "" : $" (at {KeyPath.Render(_path.Reverse())})";
            throw new StingException(ErrorIds.InterpolationFailed, StingErrorKind.InvalidData,
                $"{scalar.Mark}: {ex.Message}{where}", ex, ex.Variable);
        }
    }

    private YNode Sequence(YSequence sequence)
    {
        YNode[]? changed = null;
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            _path.Push($"[{i}]");
            var item = Interpolate(sequence.Items[i]);
            _path.Pop();
            if (ReferenceEquals(item, sequence.Items[i]) && changed is null) continue;
            changed ??= sequence.Items.ToArray();
            changed[i] = item;
        }
        return changed is null ? sequence : new YSequence(changed, sequence.Mark, sequence.Tag);
    }

    private YNode Mapping(YMapping mapping)
    {
        YEntry[]? changed = null;
        for (var i = 0; i < mapping.Entries.Count; i++)
        {
            var entry = mapping.Entries[i];
            _path.Push(entry.Name);
            var value = Interpolate(entry.Value);
            _path.Pop();
            if (ReferenceEquals(value, entry.Value) && changed is null) continue;
            changed ??= mapping.Entries.ToArray();
            changed[i] = entry with { Value = value };
        }
        return changed is null ? mapping : new YMapping(changed, mapping.Mark, mapping.Tag) { DuplicateKeys = mapping.DuplicateKeys };
    }
}
