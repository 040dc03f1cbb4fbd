namespace StingOps.Core.EnvFiles;

/// <summary>How serious a finding is. Ordered: a higher value is more serious.</summary>
public enum EnvFileSeverity
{
    /// <summary>Valid, but worth knowing (e.g. a variable whose value comes from the environment).</summary>
    Information = 0,
    /// <summary>Compose accepts it, but it is probably a mistake or not portable.</summary>
    Warning = 1,
    /// <summary>Compose refuses the file or misreads it, or a requirement is not met.</summary>
    Error = 2,
}

/// <summary>
/// The stable problem codes. Every <see cref="EnvFileFinding.Problem"/> text starts with the code's name and a colon
/// (<c>"DuplicateKey: ..."</c>), so scripts can match on the prefix, or on <see cref="EnvFileFinding.Code"/>.
/// The sentence after the colon is for people and may be reworded; the code is not.
/// </summary>
public enum EnvFileProblem
{
    /// <summary>The file does not exist (Line 0). Error.</summary>
    FileNotFound,
    /// <summary>The path is a directory, permission was denied, the file is too large, or reading failed (Line 0). Error.</summary>
    FileUnreadable,
    /// <summary>The file is UTF-16/UTF-32 or binary; compose reads env files as UTF-8 (Line 0). Error.</summary>
    UnsupportedEncoding,
    /// <summary>A line that is neither blank, a comment, <c>NAME=value</c>, <c>NAME: value</c> nor a bare <c>NAME</c>. Error.</summary>
    NotAnAssignment,
    /// <summary>The name before <c>=</c> is empty, contains whitespace, or contains a character compose rejects. Error.</summary>
    InvalidKey,
    /// <summary>Compose accepts the name, but it is not <c>[A-Za-z_][A-Za-z0-9_.-]*</c> (leading digit, brackets, non-ASCII letters...). Warning.</summary>
    NonPortableKey,
    /// <summary>A quoted value that is never closed; Line is where the quote opened. Error.</summary>
    UnterminatedQuote,
    /// <summary>Text after the closing quote of a value (compose would read it as another variable). Error.</summary>
    TrailingContent,
    /// <summary>A bare name on the last line with no line break after it: compose misreads it as a value without a name. Error.</summary>
    BareKeyWithoutNewline,
    /// <summary>The same name is set again in the same file; Line is the later one, the text names the first. Warning.</summary>
    DuplicateKey,
    /// <summary>A bare name (<c>NAME</c> without <c>=</c>): compose takes the value from its own environment. Information.</summary>
    InheritedKey,
    /// <summary>A required name is set in none of the files (Line 0). Error.</summary>
    MissingRequiredKey,
    /// <summary>A required name is set, but to an empty value; Line is the effective definition. Error.</summary>
    EmptyRequiredKey,
}

/// <summary>Helpers for <see cref="EnvFileProblem"/>.</summary>
public static class EnvFileProblems
{
    /// <summary>The severity a finding with this code has.</summary>
    public static EnvFileSeverity SeverityOf(EnvFileProblem code) => code switch
    {
        EnvFileProblem.NonPortableKey => EnvFileSeverity.Warning,
        EnvFileProblem.DuplicateKey => EnvFileSeverity.Warning,
        EnvFileProblem.InheritedKey => EnvFileSeverity.Information,
        _ => EnvFileSeverity.Error,
    };
}

/// <summary>
/// One problem in an env file. Carries the file, the line (1-based; 0 = the whole file), the variable name when it is
/// safe to show, and a stable problem text. Never carries any part of a value.
/// </summary>
/// <param name="Path">The file as it was given to the parser.</param>
/// <param name="Line">1-based line number; 0 when the finding is about the whole file (missing, unreadable, required key).</param>
/// <param name="Key">
/// The variable name, only when it is well-formed (<c>[A-Za-z_][A-Za-z0-9_.-]*</c>) and was written as an assignment
/// (or is a required name the caller gave). Null otherwise, because text that fails those tests may be a misplaced value.
/// </param>
/// <param name="Code">The stable problem code.</param>
/// <param name="Severity">How serious the finding is (<see cref="EnvFileProblems.SeverityOf"/>).</param>
/// <param name="Problem"><c>"Code: sentence"</c>; names lines and keys, never values.</param>
public sealed record EnvFileFinding(string Path, int Line, string? Key, EnvFileProblem Code, EnvFileSeverity Severity, string Problem)
{
    internal static EnvFileFinding Create(string path, int line, string? key, EnvFileProblem code, string sentence) =>
        new(path, line, key, code, EnvFileProblems.SeverityOf(code), code + ": " + sentence);

    /// <summary><c>path:line: severity: Code: sentence</c> (no <c>:line</c> for whole-file findings).</summary>
    public override string ToString()
    {
        var severity = Severity switch
        {
            EnvFileSeverity.Error => "error",
            EnvFileSeverity.Warning => "warning",
            _ => "info",
        };
        return Line > 0 ? $"{Path}:{Line}: {severity}: {Problem}" : $"{Path}: {severity}: {Problem}";
    }
}

/// <summary>How a value was written.</summary>
public enum EnvValueStyle
{
    Unquoted,
    SingleQuoted,
    DoubleQuoted,
    /// <summary>A bare <c>NAME</c>: compose takes the value from its environment; <see cref="EnvEntry.Value"/> is null.</summary>
    Inherited,
}

/// <summary>
/// One variable set by an env file. <see cref="Value"/> is the value as compose reads it, after quote removal and escape
/// processing, but before <c>${VAR}</c> interpolation (so <c>$$</c> and <c>\$</c> in double quotes both read as <c>$$</c>).
/// <see cref="ToString"/> never shows the value.
/// </summary>
/// <param name="Key">The name as written (may be a non-portable name compose accepts).</param>
/// <param name="Value">The value; null for <see cref="EnvValueStyle.Inherited"/>.</param>
/// <param name="Line">1-based line where the assignment starts.</param>
/// <param name="Style">How the value was written.</param>
public sealed record EnvEntry(string Key, string? Value, int Line, EnvValueStyle Style = EnvValueStyle.Unquoted)
{
    /// <summary>The last line of the assignment (differs from <see cref="Line"/> for multi-line quoted values).</summary>
    public int EndLine { get; init; } = Line;

    public bool IsInherited => Style == EnvValueStyle.Inherited;

    /// <summary>
    /// Name and line only; the value is never shown. The name is shown only when it is well-formed and written as an
    /// assignment: a bare line or a malformed name may be a misplaced value.
    /// </summary>
    public override string ToString() =>
        $"{(Style != EnvValueStyle.Inherited && EnvFileParser.IsPortableName(Key) ? Key : "(name hidden)")} (line {Line}, {Style}, value hidden)";
}

/// <summary>The outcome of parsing one env file.</summary>
public sealed class EnvFileParseResult
{
    public EnvFileParseResult(string path, IReadOnlyList<EnvEntry> entries, IReadOnlyList<EnvFileFinding> findings, bool complete = true)
    {
        Path = path;
        Entries = entries;
        Findings = findings;
        Complete = complete;
    }

    /// <summary>The file as it was given to the parser.</summary>
    public string Path { get; }

    /// <summary>Every accepted assignment in file order, duplicates included (compose keeps the last).</summary>
    public IReadOnlyList<EnvEntry> Entries { get; }

    /// <summary>Problems, in line order (whole-file findings first).</summary>
    public IReadOnlyList<EnvFileFinding> Findings { get; }

    /// <summary>False when the file could not be read or parsing stopped early (an unterminated quote).</summary>
    public bool Complete { get; }

    public bool HasErrors => Findings.Any(f => f.Severity == EnvFileSeverity.Error);

    /// <summary>The variables as compose would set them from this file alone: the last definition wins; inherited names map to null.</summary>
    public IReadOnlyDictionary<string, string?> ToDictionary()
    {
        var map = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var e in Entries)
            map[e.Key] = e.Value;
        return map;
    }

    /// <summary>Counts only; never values.</summary>
    public override string ToString() => $"{Path}: {Entries.Count} entries, {Findings.Count} findings";
}

/// <summary>A compose <c>env_file:</c> entry. Lives here, not in Compose, so that Compose can read its .env
/// with <see cref="EnvFileParser"/> while the validator still takes compose's references.</summary>
/// <param name="Path">Absolute path, resolved against the project directory.</param>
/// <param name="Required">False for <c>required: false</c>: a missing file is skipped, as compose does.</param>
/// <param name="Source">Where the reference was written (file:line), for messages.</param>
public sealed record EnvFileReference(string Path, bool Required = true, string? Source = null)
{
    /// <summary>Variables the written path used that were not set (they became empty): why a file may be looked for in the wrong place.</summary>
    public IReadOnlyList<string> UnsetVariables { get; init; } = [];

    // A value, list included: two references written alike are equal.
    public bool Equals(EnvFileReference? other) =>
        other is not null && Path == other.Path && Required == other.Required && Source == other.Source && UnsetVariables.SequenceEqual(other.UnsetVariables);

    public override int GetHashCode() => HashCode.Combine(Path, Required, Source, UnsetVariables.Count);
}
