using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using StingOps.Core;
using StingOps.Core.Compose;

namespace StingOps.Commands;

/// <summary>Completes service names from the compose files (offline), honouring -ComposeFile/-ProjectDirectory/-Profile already typed.</summary>
public sealed class ServiceNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            var cwd = Directory.GetCurrentDirectory();
            using var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
            cwd = ps.AddCommand("Get-Location").Invoke<PathInfo>().FirstOrDefault()?.ProviderPath ?? cwd;
            var request = new ProjectRequest(
                fakeBoundParameters["ComposeFile"] is { } f ? LanguagePrimitives.ConvertTo<string[]>(f) : null,
                fakeBoundParameters["ProjectDirectory"] as string,
                fakeBoundParameters["ProjectName"] as string,
                fakeBoundParameters["Profile"] is { } p ? LanguagePrimitives.ConvertTo<string[]>(p) : null,
                fakeBoundParameters["ConfigPath"] as string,
                cwd);
            var project = StingProject.Open(request, StingCmdlet.EnvironmentSnapshot());
            var pattern = Wildcard.ToRegex(wordToComplete.Trim('\'', '"') + "*");
            return project.Compose.Services
                .Where(s => pattern.IsMatch(s.Name))
                .Select(s => new CompletionResult(s.Name, s.Name, CompletionResultType.ParameterValue, s.Name))
                .ToList();
        }
        catch (Exception)
        {
            // Completion must never throw at the user.
            return [];
        }
    }
}
