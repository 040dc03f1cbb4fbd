using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using StingOps.Core.Common;
using StingOps.Core.Compose;
using StingOps.Core.Project;

namespace StingOps.Commands;

/// <summary>Completes -Name with the service names of the project the parameters already typed (or the current directory) select.</summary>
public sealed class ServiceNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionProject.Complete(fakeBoundParameters, wordToComplete, project => project.Compose.Services.Select(s => s.Name));
}

/// <summary>Completes -Profile with the profiles the project's services declare.</summary>
public sealed class ProfileCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        // The profiles already typed must not narrow the project: every declared profile is a candidate.
        CompletionProject.Complete(fakeBoundParameters, wordToComplete, project => project.Compose.Services.SelectMany(s => s.Profiles),
            withProfiles: false);
}

/// <summary>Opens the project offline from the parameters typed so far, for completers.</summary>
internal static class CompletionProject
{
    public static IEnumerable<CompletionResult> Complete(IDictionary bound, string wordToComplete,
        Func<StingProject, IEnumerable<string>> candidates, bool withProfiles = true)
    {
        try
        {
            var cwd = Directory.GetCurrentDirectory();
            using var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
            cwd = ps.AddCommand("Get-Location").Invoke<PathInfo>().FirstOrDefault()?.ProviderPath ?? cwd;
            var request = new ProjectRequest(
                bound["ComposeFile"] is { } f ? LanguagePrimitives.ConvertTo<string[]>(f).Select(p => Path.GetFullPath(p, cwd)).ToArray() : null,
                bound["ProjectDirectory"] is string d ? Path.GetFullPath(d, cwd) : null,
                bound["ProjectName"] as string,
                withProfiles && bound["Profile"] is { } p ? LanguagePrimitives.ConvertTo<string[]>(p) : null,
                bound["ConfigPath"] is string c ? Path.GetFullPath(c, cwd) : null,
                cwd);
            var project = StingProject.Open(request, StingCmdlet.EnvironmentSnapshot());
            var pattern = Wildcard.ToRegex(wordToComplete.Trim('\'', '"') + "*");
            return candidates(project)
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)
                .Where(name => pattern.IsMatch(name))
                .Select(name => new CompletionResult(name, name, CompletionResultType.ParameterValue, name))
                .ToList();
        }
        catch (Exception)
        {
            // Completion must never throw at the user.
            return [];
        }
    }
}
