namespace StingOps.Core.Compose.Yaml;

internal sealed class YScalar : YNode
{
    public YScalar(string value, bool isPlain, SourceMark mark, string? tag = null, bool isShared = false)
        : base(mark, tag, isShared)
    {
        Value = value;
        IsPlain = isPlain;
        IsNull = tag switch
        {
            // YAML 1.2 core schema nulls; a quoted "null" or an explicit !!str tag is a string.
            null or ResetTag or OverrideTag => isPlain && IsNullText(value),
            "tag:yaml.org,2002:null" => true,
            _ => false,
        };
    }

    public string Value { get; }
    public bool IsPlain { get; }
    public bool IsNull { get; }

    public override string KindName => IsNull ? "null" : "a scalar";

    private static bool IsNullText(string value) => value is "" or "~" or "null" or "Null" or "NULL";

    public static YScalar Null(SourceMark mark) => new("", true, mark);

    /// <summary>
    /// A copy with another text and the same position, used by interpolation. Never null: <c>${UNSET}</c> is an
    /// empty string to compose, not a null.
    /// </summary>
    public YScalar WithValue(string value) => new(value, isPlain: false, Mark, Tag) { Problem = Problem };

    public override string ToString() => Value;
}
