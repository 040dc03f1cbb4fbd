using StingOps.Core.Common;

namespace StingOps.Core.EnvFiles;

/// <summary>The outcome of checking a set of env files together (as compose merges a service's <c>env_file:</c> list).</summary>
public sealed class EnvFileValidation
{
    public EnvFileValidation(IReadOnlyList<EnvFileParseResult> files, IReadOnlyList<EnvFileFinding> findings)
    {
        Files = files;
        Findings = findings;
    }

    /// <summary>Each file that was read (missing optional files are left out), in order.</summary>
    public IReadOnlyList<EnvFileParseResult> Files { get; }

    /// <summary>Each file's findings in file order, then the required-key findings.</summary>
    public IReadOnlyList<EnvFileFinding> Findings { get; }

    public bool HasErrors => Findings.Any(f => f.Severity == EnvFileSeverity.Error);

    /// <summary>A redactor for every value these files set (see <see cref="SecretRedactor.FromEnvFiles"/>).</summary>
    public SecretRedactor CreateRedactor() => SecretRedactor.FromEnvFiles(Files);

    /// <summary>
    /// Throws <see cref="StingException"/> when there are Error findings: <c>StingEnvironmentFileNotFound</c>
    /// (ObjectNotFound) when every error is a missing file, else <c>StingEnvironmentFileInvalid</c> (InvalidData). The
    /// message lists the findings (up to five), which never contain values.
    /// </summary>
    public void ThrowIfInvalid()
    {
        var errors = Findings.Where(f => f.Severity == EnvFileSeverity.Error).ToList();
        if (errors.Count == 0)
            return;
        var notFound = errors.All(f => f.Code == EnvFileProblem.FileNotFound);
        const int shown = 5;
        var text = string.Join("; ", errors.Take(shown).Select(f => f.ToString()));
        if (errors.Count > shown)
            text += $"; and {errors.Count - shown} more";
        var message = notFound
            ? $"Env file not found: {text}"
            : $"Env file check failed with {errors.Count} error(s): {text}";
        throw new StingException(
            notFound ? ErrorIds.EnvironmentFileNotFound : ErrorIds.EnvironmentFileInvalid,
            notFound ? StingErrorKind.ObjectNotFound : StingErrorKind.InvalidData,
            message,
            target: errors[0].Path);
    }
}

/// <summary>
/// Checks env files the way compose uses them: each file on its own (syntax, names, duplicates within the file), then
/// the required names over all files together, since compose merges a service's env files (later files win).
/// </summary>
public static class EnvFileValidator
{
    /// <summary>
    /// Findings for <paramref name="paths"/> (all required to exist) and <paramref name="requiredKeys"/>. Bare names
    /// (<c>NAME</c> without <c>=</c>) are resolved from this process's environment.
    /// </summary>
    public static IReadOnlyList<EnvFileFinding> Validate(IEnumerable<string> paths, IReadOnlyCollection<string> requiredKeys) =>
        Validate(paths, requiredKeys, environment: null);

    /// <summary>As <see cref="Validate(IEnumerable{string}, IReadOnlyCollection{string})"/>, resolving bare names with <paramref name="environment"/>.</summary>
    public static IReadOnlyList<EnvFileFinding> Validate(IEnumerable<string> paths, IReadOnlyCollection<string>? requiredKeys, Func<string, string?>? environment)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return ValidateFiles(paths.Select(p => new EnvFileReference(p)), requiredKeys, environment).Findings;
    }

    /// <summary>
    /// Reads and checks compose <c>env_file:</c> references. A missing file is an error when it is required and silently
    /// skipped when it is not (<c>required: false</c>), as compose does.
    /// </summary>
    public static EnvFileValidation ValidateFiles(IEnumerable<EnvFileReference> files, IReadOnlyCollection<string>? requiredKeys = null, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        var parsed = new List<EnvFileParseResult>();
        foreach (var file in files)
        {
            ArgumentNullException.ThrowIfNull(file);
            var result = EnvFileParser.Parse(file.Path);
            if (result.Findings is [{ Code: EnvFileProblem.FileNotFound }])
            {
                if (!file.Required)
                    continue;
                if (file.UnsetVariables.Count > 0)
                    result = NotFoundForUnsetVariables(file);
            }
            parsed.Add(result);
        }
        return Check(parsed, requiredKeys, environment);
    }

    /// <summary>A file looked for where an unset variable put it (${INSTALL_DIR}/env/db.env became /env/db.env): name the variable.</summary>
    private static EnvFileParseResult NotFoundForUnsetVariables(EnvFileReference file)
    {
        var names = string.Join(", ", file.UnsetVariables);
        var sentence = $"the env file does not exist; its path uses {(file.UnsetVariables.Count == 1 ? "the variable" : "the variables")} {names}, " +
            $"which {(file.UnsetVariables.Count == 1 ? "is" : "are")} not set and became empty{(file.Source is null ? "" : $" ({file.Source})")}: set {names} (environment or .env).";
        return new EnvFileParseResult(file.Path, [], [EnvFileFinding.Create(file.Path, 0, null, EnvFileProblem.FileNotFound, sentence)], complete: false);
    }

    /// <summary>Checks already-parsed files (e.g. from <see cref="EnvFileParser.ParseText"/>) together.</summary>
    public static EnvFileValidation Check(IReadOnlyList<EnvFileParseResult> files, IReadOnlyCollection<string>? requiredKeys, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        var names = files.Select(f => f.Path).ToList();
        environment ??= Environment.GetEnvironmentVariable;
        var findings = files.SelectMany(f => f.Findings).ToList();
        var required = (requiredKeys ?? []).Where(k => !string.IsNullOrWhiteSpace(k)).Distinct(StringComparer.Ordinal).ToList();
        if (required.Count == 0)
            return new EnvFileValidation(files, findings);

        // Merge as compose does: files in order, later definitions win; a bare name only takes effect when the
        // environment has it (otherwise an earlier file's value stays).
        var effective = new Dictionary<string, (string Path, int Line, bool Empty, bool FromEnvironment)>(StringComparer.Ordinal);
        var bareOnly = new Dictionary<string, (string Path, int Line)>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (var e in file.Entries)
            {
                if (e.IsInherited)
                {
                    var fromEnvironment = environment(e.Key);
                    if (fromEnvironment is null)
                    {
                        bareOnly.TryAdd(e.Key, (file.Path, e.Line));
                        continue;
                    }
                    effective[e.Key] = (file.Path, e.Line, fromEnvironment.Length == 0, true);
                }
                else
                {
                    effective[e.Key] = (file.Path, e.Line, e.Value!.Length == 0, false);
                }
            }
        }

        var anchor = names.Count > 0 ? names[0] : "";
        var where = names.Count switch
        {
            0 => "no env file was given",
            1 => "it is not set in the env file",
            _ => $"it is set in none of the {names.Count} env files ({string.Join(", ", names)})",
        };
        var incomplete = files.Any(f => !f.Complete)
            ? " (not every file could be read to the end)"
            : "";
        foreach (var key in required)
        {
            if (effective.TryGetValue(key, out var def))
            {
                if (def.Empty)
                    findings.Add(EnvFileFinding.Create(def.Path, def.Line, key, EnvFileProblem.EmptyRequiredKey,
                        $"'{key}' is required, but its value here is empty."));
                continue;
            }
            var sentence = bareOnly.TryGetValue(key, out var bare)
                ? $"'{key}' is required; it is named without a value on line {bare.Line} of {bare.Path} and is not set in the environment{incomplete}."
                : $"'{key}' is required, but {where}{incomplete}.";
            findings.Add(EnvFileFinding.Create(anchor, 0, key, EnvFileProblem.MissingRequiredKey, sentence));
        }
        return new EnvFileValidation(files, findings);
    }
}
