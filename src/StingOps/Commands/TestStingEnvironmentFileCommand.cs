using System.Management.Automation;
using StingOps.Core.EnvFiles;

namespace StingOps.Commands;

/// <summary>
/// Validates env files as compose reads them, together (later files override earlier ones, as a service's env_file
/// list does). Emits one finding per problem; never a value, on any stream.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "StingEnvironmentFile")]
[OutputType(typeof(EnvironmentFileFinding))]
public sealed class TestStingEnvironmentFileCommand : PSCmdlet
{
    private readonly List<string> _paths = [];

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>Names that must be set to a non-empty value in at least one of the files.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? RequiredKey { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var path in Path)
        {
            // A wildcard lists existing files; a literal path is kept even when missing (a FileNotFound finding).
            if (WildcardPattern.ContainsWildcardCharacters(path))
                _paths.AddRange(GetResolvedProviderPathFromPSPath(path, out _));
            else
                _paths.Add(GetUnresolvedProviderPathFromPSPath(path));
        }
    }

    protected override void EndProcessing()
    {
        var findings = EnvFileValidator.Validate(_paths, RequiredKey ?? []);
        foreach (var finding in findings)
            WriteObject(PreflightMapper.ToFinding(finding));
        var errors = findings.Count(f => f.Severity == EnvFileSeverity.Error);
        WriteVerbose($"Checked {_paths.Count} env file(s): {errors} error(s), {findings.Count - errors} other finding(s).");
    }
}
