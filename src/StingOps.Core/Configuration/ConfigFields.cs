using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Compose.Yaml;

namespace StingOps.Core.Configuration;

/// <summary>
/// Typed reads of config.yml values with errors that name file:line:column and the key path
/// (<c>restart_configuration.service_specific.vault.timeout</c>), and warnings for keys we do not know.
/// </summary>
internal sealed class ConfigFields(List<string> warnings)
{
    public List<string> Warnings { get; } = warnings;

    public static StingException Invalid(YNode at, string keyPath, string problem) =>
        new(ErrorIds.RestartConfigurationInvalid, StingErrorKind.InvalidData, $"{at.Mark}: {keyPath}: {problem}", target: keyPath);

    /// <summary>Null for an absent or null value; otherwise the node, after checking the tolerant reader found nothing wrong in it.</summary>
    public static YNode? Value(YNode? node, string keyPath)
    {
        if (node is null) return null;
        if (node.Problem is not null) throw Invalid(node, keyPath, node.Problem);
        return node is YScalar { IsNull: true } ? null : node;
    }

    /// <summary>A mapping (or null when absent/null), warning about keys outside <paramref name="known"/> (when given) and about duplicates.</summary>
    public YMapping? Mapping(YNode? node, string keyPath, IReadOnlySet<string>? known)
    {
        var value = Value(node, keyPath);
        if (value is null) return null;
        if (value is not YMapping mapping) throw Invalid(value, keyPath, $"expected a mapping, not {value.KindName}");
        WarnAboutKeys(mapping, keyPath, known);
        return mapping;
    }

    public void WarnAboutKeys(YMapping mapping, string keyPath, IReadOnlySet<string>? known)
    {
        foreach (var duplicate in mapping.DuplicateKeys)
            Warnings.Add($"{duplicate.Mark.FileAndLine}: {keyPath}.{duplicate.Value} is given more than once; the last one is used");
        if (known is null) return;
        foreach (var entry in mapping.Entries)
            if (!known.Contains(entry.Name))
                Warnings.Add($"{entry.Key.Mark.FileAndLine}: unknown key {keyPath}.{entry.Name} (ignored)");
    }

    /// <summary>Whole seconds (<c>30</c>) or a compose duration (<c>45s</c>, <c>1m30s</c>).</summary>
    public static TimeSpan? Duration(YNode? node, string keyPath, bool allowZero)
    {
        var value = Value(node, keyPath);
        if (value is null) return null;
        if (value is YScalar s && DurationText.TryParse(s.Value, out var duration)
            && (duration > TimeSpan.Zero || allowZero && duration == TimeSpan.Zero))
            return duration;
        throw Invalid(value, keyPath,
            $"expected {(allowZero ? "" : "a positive ")}number of seconds or a duration such as 30s, 2m or 1h30m{Got(value)}");
    }

    public static int? Int(YNode? node, string keyPath, int minimum)
    {
        var value = Value(node, keyPath);
        if (value is null) return null;
        if (value is YScalar s && YamlValues.TryParseInt(s.Value, out var number) && number >= minimum) return number;
        throw Invalid(value, keyPath, $"expected a whole number of {minimum} or more{Got(value)}");
    }

    public static double? Double(YNode? node, string keyPath, double minimum)
    {
        var value = Value(node, keyPath);
        if (value is null) return null;
        if (value is YScalar s && YamlValues.TryParseDouble(s.Value, out var number) && number >= minimum) return number;
        throw Invalid(value, keyPath, $"expected a number of {minimum} or more{Got(value)}");
    }

    public static bool? Bool(YNode? node, string keyPath)
    {
        var value = Value(node, keyPath);
        if (value is null) return null;
        if (value is YScalar s && YamlValues.TryParseBool(s.Value, out var flag)) return flag;
        throw Invalid(value, keyPath, $"expected true or false{Got(value)}");
    }

    public static string? String(YNode? node, string keyPath)
    {
        var value = Value(node, keyPath);
        if (value is null) return null;
        if (value is YScalar s && s.Value.Trim().Length > 0) return s.Value.Trim();
        throw Invalid(value, keyPath, value is YScalar ? "expected a non-empty string" : $"expected a string, not {value.KindName}");
    }

    /// <summary>A list of strings; a single string is a one-item list.</summary>
    public static IReadOnlyList<string> StringList(YNode? node, string keyPath)
    {
        var value = Value(node, keyPath);
        return value switch
        {
            null => [],
            YScalar => [String(value, keyPath)!],
            YSequence list => list.Items.Select((item, i) => String(item, $"{keyPath}[{i}]")
                ?? throw Invalid(item, $"{keyPath}[{i}]", "expected a string, not null")).Distinct(StringComparer.Ordinal).ToList(),
            _ => throw Invalid(value, keyPath, $"expected a list of strings, not {value.KindName}"),
        };
    }

    private static string Got(YNode node) => node is YScalar s ? $", got {YamlValues.Quote(s.Value)}" : $", not {node.KindName}";
}
